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

mod api;
mod codec;
mod crypto;

pub use basalt_domain::settings::{
    BackupsConfig, BatchConfig, LoadError, LogsConfig, MetaConfig, OpenApiConfig, RateLimitRule,
    RateLimitsConfig, S3Config, Settings, SmtpConfig, TrustedProxyConfig,
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

/// Validates `settings`, stores them and makes them the current ones, then fires
/// `on_settings_reload` (what [`App::save_settings`] does).
pub(crate) async fn save(app: &App, settings: Settings) -> Result<Arc<Settings>, AppError> {
    let saved = {
        let _one_at_a_time = app.settings_state().save.lock().await;
        write(app, settings).await?
    };
    reloaded(app).await?;
    Ok(saved)
}

/// The current settings.
pub(crate) fn current(app: &App) -> Arc<Settings> {
    let current = app.settings_state().current.read();
    current.unwrap_or_else(PoisonError::into_inner).clone()
}

/// Sets the key the settings are encrypted with, once.
pub(crate) fn set_key(app: &App, key: EncryptionKey) {
    if app.settings_state().key.set(key).is_err() {
        tracing::warn!("the settings encryption key was already set; keeping the first");
    }
}
/// Fires `on_settings_reload` (after a save, or the load at start-up; outside the
/// save lock, so handlers may save settings themselves).
pub(crate) async fn reloaded(app: &App) -> Result<(), AppError> {
    let mut event = crate::hooks::AppEvent::new(app.clone());
    app.on_settings_reload()
        .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
        .await?;
    crate::logs::cleanup::settings_reloaded(app);
    Ok(())
}

/// `body` laid over the current settings, then saved, as one step (concurrent patches
/// do not lose each other's changes).
pub(crate) async fn patch(app: &App, body: &Value) -> Result<Arc<Settings>, PatchError> {
    let saved = {
        let _one_at_a_time = app.settings_state().save.lock().await;
        let next = current(app).patched(body).map_err(PatchError::Load)?;
        write(app, next).await.map_err(PatchError::Save)?
    };
    reloaded(app).await.map_err(PatchError::Save)?;
    Ok(saved)
}

fn encryption_key(app: &App) -> Option<&EncryptionKey> {
    app.settings_state().key.get()
}

async fn write(app: &App, settings: Settings) -> Result<Arc<Settings>, AppError> {
    settings.validate().map_err(AppError::Validation)?;
    store(app, &settings).await?;
    Ok(replace(app, settings))
}

async fn store(app: &App, settings: &Settings) -> Result<(), AppError> {
    let value = codec::encode(settings, encryption_key(app))?;
    params::write(app.db().as_ref(), SETTINGS_PARAM, value, app.now()).await?;
    Ok(())
}

/// Loads the stored settings into the cache (start-up): the defaults are written when
/// there are none; plain settings are re-saved encrypted when the app has a key; encrypted
/// settings without the right key stop start-up with an [`AppError::Config`].
pub(crate) async fn load(app: &App) -> Result<(), AppError> {
    let _one_at_a_time = app.settings_state().save.lock().await;
    let key = encryption_key(app);
    let Some(value) = params::read(app.db().as_ref(), SETTINGS_PARAM).await? else {
        let defaults = Settings::default();
        store(app, &defaults).await?;
        replace(app, defaults);
        return Ok(());
    };
    let decoded = codec::decode(&value, key)?;
    if decoded.plain && key.is_some() {
        store(app, &decoded.settings).await?;
        tracing::info!("the stored settings are now encrypted");
    }
    replace(app, decoded.settings);
    Ok(())
}

/// Makes `settings` the current settings. The one place the cache changes: after the
/// settings were loaded at start-up, and after each successful save (whose callers then
/// fire `on_settings_reload`).
fn replace(app: &App, settings: Settings) -> Arc<Settings> {
    let settings = Arc::new(settings);
    let current = app.settings_state().current.write();
    *current.unwrap_or_else(PoisonError::into_inner) = settings.clone();
    settings
}
