//! `GET` and `PATCH /api/settings` (superusers only), on the app's settings
//! (`crate::settings`): responses never carry the secrets.

use crate::App;
use crate::error::AppError;
use crate::query::require_superuser;
use crate::settings::PatchError;
use async_trait::async_trait;
use basalt_ports::{Auth, Input, ServiceError, SettingsApi};
use serde_json::Value;

#[async_trait]
impl SettingsApi for App {
    async fn view_settings(&self, auth: &Auth) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        Ok(self.settings().to_api_json())
    }

    async fn update_settings(&self, auth: &Auth, body: Value) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        match super::patch(self, &body).await {
            Ok(saved) => Ok(saved.to_api_json()),
            Err(PatchError::Load(e)) => {
                tracing::debug!(error = %e, "settings body rejected");
                Err(ServiceError::UnreadableBody)
            }
            Err(PatchError::Save(AppError::Validation(errors))) => {
                Err(ServiceError::invalid(Input::Settings, errors))
            }
            Err(PatchError::Save(e)) => {
                // PocketBase answers any failed save with this 400; the cause is logged.
                tracing::error!(error = %e, "saving the settings failed");
                Err(ServiceError::invalid(Input::Settings, Default::default()))
            }
        }
    }
}
