//! A new data dir: the system tables and PocketBase's default collections, created once;
//! `_logs` in `auxiliary.db`.

use crate::App;
use crate::collections::save::{SaveError, save_in};
use crate::error::AppError;
use crate::hooks::AppEvent;
use crate::store::system;
use basalt_domain::collection::Collection;
use basalt_ports::ServiceError;
use serde_json::Value;
use std::sync::{Arc, Mutex};

const DEFAULT_COLLECTIONS: &str = include_str!("default_collections.json");

/// The migration name recorded for the initial schema (PocketBase's own).
pub(crate) const INIT_MIGRATION: &str = "1640988000_init.go";

/// Runs `on_bootstrap`, whose default action creates the system tables and, on a new
/// database, the default collections (`_mfas`, `_otps`, `_externalAuths`,
/// `_authOrigins`, `_superusers`, `users`) in one transaction, then loads the
/// collections cache and the settings (written with the defaults on a new data dir).
/// Safe to call on every start.
pub(crate) async fn run(app: &App) -> Result<(), AppError> {
    let mut event = AppEvent::new(app.clone());
    // The default action's own error (a start-up `Config` error, say) is returned as is,
    // not as the hook chain's `ServiceError`.
    let failure: Arc<Mutex<Option<AppError>>> = Arc::default();
    let slot = failure.clone();
    let result = app
        .on_bootstrap()
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                let app = e.app.clone();
                match data(&app).await {
                    Ok(()) => Ok(()),
                    Err(err) => {
                        let shown = ServiceError::internal_message(err.to_string());
                        if let Ok(mut s) = slot.lock() {
                            *s = Some(err);
                        }
                        Err(shown)
                    }
                }
            })
        })
        .await;
    if let Some(err) = failure.lock().ok().and_then(|mut s| s.take()) {
        return Err(err);
    }
    result.map_err(AppError::from)
}

async fn data(app: &App) -> Result<(), AppError> {
    let mut tx = app.db().begin().await?;
    system::create_tables(tx.as_mut()).await?;
    if !system::has_migration(tx.as_mut(), INIT_MIGRATION).await? {
        let defaults: Vec<Value> = serde_json::from_str(DEFAULT_COLLECTIONS)
            .map_err(|e| AppError::corrupt("default collections", e))?;
        for json in defaults {
            let c = Collection::from_json(&json)
                .map_err(|e| AppError::corrupt("default collection", e))?;
            save_in(app, tx.as_mut(), c, None)
                .await
                .map_err(|e| match e {
                    SaveError::App(e) => e,
                    other => AppError::corrupt("default collection", format!("{other:?}")),
                })?;
            // Each default collection must be visible to the next one's validation.
            app.reload_collections_in(tx.as_mut()).await?;
        }
        let applied = app.now_secs() * 1_000_000;
        system::record_migration(tx.as_mut(), INIT_MIGRATION, applied).await?;
    }
    tx.commit().await?;
    crate::logs::create_table(app).await?;
    app.reload_collections().await?;
    crate::settings::load(app).await?;
    crate::settings::reloaded(app).await
}
