//! [`OperationDoc`]: what a custom route says about itself for the OpenAPI document
//! ([`Route::openapi`](super::Route::openapi)); `openapi.rs` merges it into the document.

use serde_json::Value;

/// The documentation of one custom operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationDoc {
    /// A unique operation id (`createPost`); for an any-method route the method is appended.
    pub operation_id: String,
    /// A one-line summary.
    pub summary: String,
    /// A longer description (Markdown).
    pub description: String,
    /// Tags grouping the operation.
    pub tags: Vec<String>,
    /// The JSON schema of the request body (`application/json`), if it takes one.
    pub request_schema: Option<Value>,
    /// The JSON schema of the 200 response body (`application/json`).
    pub response_schema: Option<Value>,
}
