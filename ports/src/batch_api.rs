//! The driving port of `POST /api/batch`: several record writes (create, update, upsert,
//! delete) run in one transaction, each through the record API's own pipeline.

use crate::files_api::Upload;
use crate::service::{RequestContext, ServiceResult};
use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One request of a batch, as submitted (`{"method", "url", "headers", "body"}`), with the
/// files uploaded for it (`requests.N.field` parts, keyed `field` here).
#[derive(Debug, Clone, Default)]
pub struct BatchRequest {
    /// The HTTP method (`POST`, `PATCH`, `PUT`, `DELETE`).
    pub method: String,
    /// The path and query of the record action (`/api/collections/posts/records?expand=a`).
    pub url: String,
    /// Headers that replace the batch request's own for this request (`Authorization`
    /// excepted: every request runs as the batch's caller, as in PocketBase).
    pub headers: BTreeMap<String, String>,
    /// The request body's values.
    pub body: Map<String, Value>,
    /// The files uploaded for this request (keys without the `requests.N.` prefix).
    pub files: Vec<Upload>,
}

/// What one request of a successful batch answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchResult {
    /// The HTTP status the request would have answered (200, or 204 for a delete).
    pub status: u16,
    /// Its JSON body (`null` for a 204).
    pub body: Value,
}

/// The batch API (`settings.batch`).
#[async_trait]
pub trait BatchApi: Send + Sync {
    /// The largest batch body allowed now, in bytes, or
    /// [`ServiceError::BatchDisabled`](crate::ServiceError::BatchDisabled) when batches are
    /// off. Checked before the body is read.
    fn batch_body_limit(&self) -> ServiceResult<u64>;
    /// `POST /api/batch`: validates the requests (their number, methods and urls), then runs
    /// them in order in one transaction, within the batch timeout. The first failing
    /// request rolls everything back and is named by
    /// [`ServiceError::BatchRequestFailed`](crate::ServiceError::BatchRequestFailed).
    async fn batch(
        &self,
        req: &RequestContext,
        requests: Vec<BatchRequest>,
    ) -> ServiceResult<Vec<BatchResult>>;
}
