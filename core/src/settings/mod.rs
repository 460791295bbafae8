//! Application settings, as PocketBase keeps them: one JSON value in `_params` (id
//! `settings`), written with the defaults on the first start, read at start-up, cached in the
//! [`App`], and replaced in the cache after each successful save.
//!
//! The settings themselves are pure data and live in [`basalt_domain::settings`], re-exported
//! here: the [`Settings`] struct and its defaults (serializing it leaves the secrets out),
//! [`Settings::patched`] (laying a JSON body over settings: `PATCH /api/settings`, the stored
//! row) and [`Settings::validate`] (PocketBase's validation rules). This module adds:
//!
//! - `crypto.rs`: encryption at rest with AES-256-GCM, in PocketBase's format (it draws the
//!   random nonces);
//! - `store.rs`: the `_params` row;
//! - `mod.rs`: the cache, [`App::settings`] and [`App::save_settings`].
//!
//! ```no_run
//! # async fn run(app: basalt::App) -> Result<(), basalt::AppError> {
//! let mut settings = (*app.settings()).clone();
//! settings.meta.app_name = "My app".into();
//! settings.smtp.password = "s3cret".into();
//! app.save_settings(settings).await?;
//! assert_eq!(app.settings().meta.app_name, "My app");
//! # Ok(()) }
//! ```

mod codec;
mod crypto;

pub use basalt_domain::settings::{
    BackupsConfig, BatchConfig, LoadError, LogsConfig, MetaConfig, RateLimitRule, RateLimitsConfig,
    S3Config, Settings, SmtpConfig, TrustedProxyConfig,
};
pub use crypto::{CryptoError, EncryptionKey};

use crate::App;
use crate::error::AppError;
use crate::store::params;
use codec::SETTINGS_PARAM;
use secrecy::SecretString;
use serde_json::Value;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// The settings part of an [`App`]: the cached settings, the encryption key, and the lock
/// that makes each save (and each read-patch-save) one step.
pub(crate) struct SettingsState {
    current: RwLock<Arc<Settings>>,
    key: OnceLock<EncryptionKey>,
    save: tokio::sync::Mutex<()>,
}

impl Default for SettingsState {
    fn default() -> Self {
        Self {
            current: RwLock::new(Arc::new(Settings::default())),
            key: OnceLock::new(),
            save: tokio::sync::Mutex::new(()),
        }
    }
}

/// Why a settings patch failed.
#[derive(Debug)]
pub(crate) enum PatchError {
    /// The body could not be read as settings.
    Load(LoadError),
    /// Saving failed; [`AppError::Validation`] when the result is invalid.
    Save(AppError),
}

/// The key a data dir is opened with: from the environment variable `env` (PocketBase's
/// `--encryptionEnv`) or given directly. Both, a missing variable, or a key that is not 32
/// characters long are an [`AppError::Config`].
pub fn resolve_key(
    env: Option<&str>,
    key: Option<&SecretString>,
) -> Result<Option<EncryptionKey>, AppError> {
    let key = match (env, key) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(AppError::Config(
                "set either an encryption key environment variable or a key, not both".into(),
            ));
        }
        (Some(name), None) => EncryptionKey::from_env(name),
        (None, Some(key)) => EncryptionKey::new(key.clone()),
    };
    key.map(Some).map_err(|e| AppError::Config(e.to_string()))
}

impl App {
    /// The current settings, as last saved (read them at the time of use; a save replaces
    /// them, it does not change the value a caller already holds).
    pub fn settings(&self) -> Arc<Settings> {
        let current = self.settings_state().current.read();
        current.unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Validates `settings` (PocketBase's rules; [`AppError::Validation`] with its errors
    /// otherwise), stores them (encrypted when the app has a key), and makes them the
    /// current settings. Returns the saved settings.
    pub async fn save_settings(&self, settings: Settings) -> Result<Arc<Settings>, AppError> {
        let saved = {
            let _one_at_a_time = self.settings_state().save.lock().await;
            self.write_settings(settings).await?
        };
        self.settings_reloaded().await?;
        Ok(saved)
    }

    /// Fires `on_settings_reload` (after a save, or the load at start-up; outside the
    /// save lock, so handlers may save settings themselves).
    pub(crate) async fn settings_reloaded(&self) -> Result<(), AppError> {
        let mut event = crate::hooks::AppEvent::new(self.clone());
        self.on_settings_reload()
            .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
            .await?;
        Ok(())
    }

    /// `body` laid over the current settings, then saved, as one step (concurrent patches
    /// do not lose each other's changes).
    pub(crate) async fn patch_settings(&self, body: &Value) -> Result<Arc<Settings>, PatchError> {
        let saved = {
            let _one_at_a_time = self.settings_state().save.lock().await;
            let next = self.settings().patched(body).map_err(PatchError::Load)?;
            self.write_settings(next).await.map_err(PatchError::Save)?
        };
        self.settings_reloaded().await.map_err(PatchError::Save)?;
        Ok(saved)
    }

    /// Sets the key the settings are encrypted with; call before [`App::bootstrap`]. A key
    /// is set once: later calls are ignored.
    pub fn set_encryption_key(&self, key: EncryptionKey) {
        if self.settings_state().key.set(key).is_err() {
            tracing::warn!("the settings encryption key was already set; keeping the first");
        }
    }

    fn encryption_key(&self) -> Option<&EncryptionKey> {
        self.settings_state().key.get()
    }

    async fn write_settings(&self, settings: Settings) -> Result<Arc<Settings>, AppError> {
        settings.validate().map_err(AppError::Validation)?;
        self.store_settings(&settings).await?;
        Ok(self.replace_settings(settings))
    }

    async fn store_settings(&self, settings: &Settings) -> Result<(), AppError> {
        let value = codec::encode(settings, self.encryption_key())?;
        params::write(self.db().as_ref(), SETTINGS_PARAM, value, self.now()).await?;
        Ok(())
    }

    /// Loads the stored settings into the cache (start-up): the defaults are written when
    /// there are none; plain settings are re-saved encrypted when the app has a key; encrypted
    /// settings without the right key stop start-up with an [`AppError::Config`].
    pub(crate) async fn load_settings(&self) -> Result<(), AppError> {
        let _one_at_a_time = self.settings_state().save.lock().await;
        let key = self.encryption_key();
        let Some(value) = params::read(self.db().as_ref(), SETTINGS_PARAM).await? else {
            let defaults = Settings::default();
            self.store_settings(&defaults).await?;
            self.replace_settings(defaults);
            return Ok(());
        };
        let decoded = codec::decode(&value, key)?;
        if decoded.plain && key.is_some() {
            self.store_settings(&decoded.settings).await?;
            tracing::info!("the stored settings are now encrypted");
        }
        self.replace_settings(decoded.settings);
        Ok(())
    }

    /// Makes `settings` the current settings. The one place the cache changes: after the
    /// settings were loaded at start-up, and after each successful save (whose callers then
    /// fire `on_settings_reload`).
    fn replace_settings(&self, settings: Settings) -> Arc<Settings> {
        let settings = Arc::new(settings);
        let current = self.settings_state().current.write();
        *current.unwrap_or_else(PoisonError::into_inner) = settings.clone();
        settings
    }
}
