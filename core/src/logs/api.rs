//! The [`LogsApi`] impl: recording requests (never waiting) and reading logs
//! (superusers only).

use super::{entry, query};
use crate::App;
use crate::query::require_superuser;
use async_trait::async_trait;
use basalt_ports::{Auth, ListQuery, ListResult, LogsApi, LogsStat, RequestLog, ServiceError};
use serde_json::Value;

#[async_trait]
impl LogsApi for App {
    fn record_request(&self, log: RequestLog) {
        let settings = self.settings();
        if let Some(entry) = entry::request_entry(log, &settings.logs, self.now()) {
            self.enqueue_log(entry);
        }
    }

    async fn list_logs(&self, auth: &Auth, q: ListQuery) -> Result<ListResult, ServiceError> {
        require_superuser(auth)?;
        query::list(self, &q).await
    }

    async fn view_log(&self, auth: &Auth, id: &str) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        query::view(self, id).await
    }

    async fn logs_stats(
        &self,
        auth: &Auth,
        filter: Option<&str>,
    ) -> Result<Vec<LogsStat>, ServiceError> {
        require_superuser(auth)?;
        query::stats(self, filter).await
    }

    async fn truncate_logs(&self, auth: &Auth) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let aux = self.auxiliary_db().as_ref();
        crate::store::logs::truncate(aux).await?;
        if let Err(e) = crate::store::logs::vacuum(aux).await {
            tracing::warn!(error = %e, "failed to VACUUM the auxiliary database");
        }
        Ok(())
    }
}
