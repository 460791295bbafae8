//! The driving port for request logs: the activity logger hands each finished request to
//! [`LogsApi::record_request`] (never blocking), and superusers read the logs through
//! `GET /api/logs`, `GET /api/logs/stats` and `GET /api/logs/{id}`.

use crate::service::{Auth, ListQuery, ListResult, ServiceResult};
use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;

/// A finished request, as the HTTP adapter's activity logger saw it. The core decides
/// what of it is kept (the `logs` settings: `maxDays`, `minLevel`, `logIP`, `logAuthId`)
/// and gives it PocketBase's log shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestLog {
    /// The HTTP method, upper case.
    pub method: String,
    /// The request URI as sent: path and query, still percent-encoded.
    pub url: String,
    /// The response status.
    pub status: u16,
    /// How long the request took, in milliseconds.
    pub exec_time_ms: f64,
    /// Who made the request.
    pub auth: Auth,
    /// The client's IP (the "real" IP; for now the TCP peer).
    pub user_ip: Option<String>,
    /// The TCP peer's IP.
    pub remote_ip: Option<String>,
    /// The `Referer` header.
    pub referer: String,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// The error the request ended with, when it ended with one (the log is then at the
    /// error level).
    pub error: Option<RequestError>,
    /// Whether the route asked for successful requests not to be logged
    /// (`skip_success_activity_log`); failed ones still are.
    pub skip_success: bool,
}

/// The error a request ended with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestError {
    /// The error message sent to the client.
    pub message: String,
    /// What caused it (field errors by name, or the underlying error's text), `null` when
    /// nothing more is known.
    pub details: Value,
}

/// One hourly bucket of `GET /api/logs/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogsStat {
    /// How many logs were created in that hour.
    pub total: i64,
    /// The hour, as `2006-01-02 15:00:00.000Z`.
    pub date: String,
}

/// Request logs: recording (from the HTTP adapter) and reading (superusers only).
#[async_trait]
pub trait LogsApi: Send + Sync {
    /// Queues a finished request's log entry. Never blocks and never fails: when the
    /// queue is full the entry is dropped (and counted).
    fn record_request(&self, log: RequestLog);
    /// `GET /api/logs`: a page of logs (`filter`/`sort` over `id`, `created`, `level`,
    /// `message`, `data` and `data.*` paths).
    async fn list_logs(&self, auth: &Auth, query: ListQuery) -> ServiceResult<ListResult>;
    /// `GET /api/logs/{id}`.
    async fn view_log(&self, auth: &Auth, id: &str) -> ServiceResult<Value>;
    /// `GET /api/logs/stats`: log counts per hour, optionally filtered.
    async fn logs_stats(&self, auth: &Auth, filter: Option<&str>) -> ServiceResult<Vec<LogsStat>>;
    /// `DELETE /api/logs`: removes every log.
    async fn truncate_logs(&self, auth: &Auth) -> ServiceResult<()>;
}
