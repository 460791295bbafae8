//! The API routes, one file per area, each a poem-openapi `OpenApi` impl.

pub(crate) mod auth;
pub(crate) mod auth_mail;
pub(crate) mod backups;
pub(crate) mod batch;
pub(crate) mod collections;
pub(crate) mod crons;
pub(crate) mod docs;
pub(crate) mod files;
pub(crate) mod health;
pub(crate) mod logs;
pub(crate) mod realtime;
pub(crate) mod records;
pub(crate) mod settings;

use crate::HttpConfig;
use crate::error::ApiError;
use basalt_ports::ServiceError;
use poem_openapi::{ApiResponse, Object, Tags};
use serde_json::Value;

/// Tags grouping the operations in the OpenAPI document.
#[derive(Tags)]
pub(crate) enum ApiTags {
    /// Liveness.
    Health,
    /// Collections management (superusers only).
    Collections,
    /// Records CRUD.
    Records,
    /// Auth-collection authentication.
    Auth,
    /// Application settings (superusers only).
    Settings,
    /// Cron jobs (superusers only).
    Crons,
    /// Realtime subscriptions over Server-Sent Events.
    Realtime,
    /// This document.
    Docs,
    /// Uploaded files and file tokens.
    Files,
    /// Request and application logs (superusers only).
    Logs,
    /// Backups of the data dir (superusers only).
    Backups,
    /// Several record writes in one transaction.
    Batch,
}

/// A successful response with no body.
#[derive(ApiResponse)]
pub(crate) enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// A page of items.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct ListPage {
    /// 1-based page number.
    page: i64,
    /// Page size.
    per_page: i64,
    /// Matching items in all pages, or -1 with `skipTotal`.
    total_items: i64,
    /// Number of pages, or -1 with `skipTotal`.
    total_pages: i64,
    /// The items of this page.
    items: Vec<Value>,
}

impl From<basalt_ports::ListResult> for ListPage {
    fn from(r: basalt_ports::ListResult) -> Self {
        Self {
            page: r.page,
            per_page: r.per_page,
            total_items: r.total_items,
            total_pages: r.total_pages,
            items: r.items,
        }
    }
}

/// Maps a service result to the API's error shape.
pub(crate) fn api<T>(r: Result<T, ServiceError>, cfg: &HttpConfig) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::from_service(e, cfg.dev))
}

/// PocketBase's lenient boolean query values (`1`, `true`, `t`, ...).
pub(crate) fn truthy(v: Option<&str>) -> bool {
    matches!(
        v.map(str::to_ascii_lowercase).as_deref(),
        Some("1" | "true" | "t" | "yes" | "on")
    )
}
