//! The settings part of the library API (PocketBase's `app.Settings()` and `app.Save(settings)`);
//! `crate::settings` keeps and stores them.

use crate::App;
use crate::error::AppError;
use crate::settings::{self, EncryptionKey, Settings};
use std::sync::Arc;

impl App {
    /// The current settings, as last saved (read them at the time of use; a save replaces
    /// them, it does not change the value a caller already holds).
    pub fn settings(&self) -> Arc<Settings> {
        settings::current(self)
    }

    /// Validates `settings` (PocketBase's rules; [`AppError::Validation`] with its errors
    /// otherwise), stores them (encrypted when the app has a key), and makes them the
    /// current settings. Returns the saved settings.
    pub async fn save_settings(&self, settings: Settings) -> Result<Arc<Settings>, AppError> {
        settings::save(self, settings).await
    }

    /// Sets the key the settings are encrypted with; call before [`App::bootstrap`]. A key
    /// is set once: later calls are ignored.
    pub fn set_encryption_key(&self, key: EncryptionKey) {
        settings::set_key(self, key)
    }
}
