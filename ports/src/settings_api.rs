//! The settings driving port: `GET` and `PATCH /api/settings`, superusers only.

use crate::service::{Auth, ServiceResult};
use async_trait::async_trait;
use serde_json::Value;

/// The application settings, as the HTTP adapter drives them. Values are the settings' API
/// JSON (PocketBase's shape): secrets (`smtp.password`, `s3.secret`, `backups.s3.secret`) are
/// never in a result.
#[async_trait]
pub trait SettingsApi: Send + Sync {
    /// `GET /api/settings`: the current settings. 401 for guests, 403 for non-superusers.
    async fn view_settings(&self, auth: &Auth) -> ServiceResult<Value>;

    /// `PATCH /api/settings`: lays `body` over the current settings, validates, saves, and
    /// returns the new settings. A `body` that is not a JSON object (pass `Value::Null` for
    /// one that did not parse) is PocketBase's 400 "An error occurred while loading the
    /// submitted data." — after the superuser check, as PocketBase orders them.
    async fn update_settings(&self, auth: &Auth, body: Value) -> ServiceResult<Value>;
}
