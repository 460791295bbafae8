//! `POST /api/batch`, PocketBase's batch API: the `BatchApi` the HTTP adapter drives.
//!
//! - `form`: the batch's checks (how many requests, each one's method and url);
//! - `action`: which record action a request names (create, update, upsert, delete);
//! - `run`: the requests run in one transaction, within the timeout.
//!
//! `settings.batch` decides whether batches are allowed, how many requests one may hold,
//! the timeout of its transaction and the largest body.

mod action;
mod form;
mod run;

use crate::App;
use crate::hooks::BatchRequestEvent;
use async_trait::async_trait;
use basalt_ports::{BatchApi, BatchRequest, BatchResult, RequestContext, ServiceError};
use std::time::Duration;

/// The body limit when `settings.batch.maxBodySize` is 0 (PocketBase's 128 MiB).
const DEFAULT_MAX_BODY: u64 = 128 << 20;

/// The timeout when `settings.batch.timeout` is 0 (PocketBase always limits a batch).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

#[async_trait]
impl BatchApi for App {
    fn batch_body_limit(&self) -> Result<u64, ServiceError> {
        let settings = self.settings();
        let batch = &settings.batch;
        if !batch.enabled || batch.max_requests <= 0 {
            return Err(ServiceError::BatchDisabled);
        }
        Ok(u64::try_from(batch.max_body_size)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_MAX_BODY))
    }

    async fn batch(
        &self,
        req: &RequestContext,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchResult>, ServiceError> {
        let settings = self.settings();
        let batch = &settings.batch;
        if !batch.enabled || batch.max_requests <= 0 {
            return Err(ServiceError::BatchDisabled);
        }
        let max = usize::try_from(batch.max_requests).unwrap_or(usize::MAX);
        form::validate(&requests, max)?;
        let timeout = u64::try_from(batch.timeout)
            .ok()
            .filter(|s| *s > 0)
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        let mut event = BatchRequestEvent::new(self.clone(), req.clone(), requests);
        self.hooks()
            .on_batch_request
            .trigger(&mut event, move |e| {
                Box::pin(async move {
                    let requests = std::mem::take(&mut e.requests);
                    let results = run::run(&e.app, &e.request, requests, timeout).await?;
                    e.results = Some(results);
                    Ok(())
                })
            })
            .await?;
        Ok(event.results.unwrap_or_default())
    }
}
