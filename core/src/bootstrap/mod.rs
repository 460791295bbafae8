//! A new data dir: the system tables and PocketBase's default collections, created once.

use crate::App;
use crate::error::AppError;
use crate::hooks::AppEvent;
use crate::usecases::SaveError;
use basalt_domain::collection::Collection;
use basalt_ports::ServiceError;
use serde_json::Value;
use std::sync::{Arc, Mutex};

const DEFAULT_COLLECTIONS: &str = include_str!("default_collections.json");

const SYSTEM_TABLES: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS `_params` (`id` TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, `value` JSON DEFAULT NULL, `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL, `updated` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS `_collections` (`id` TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, `system` BOOLEAN DEFAULT FALSE NOT NULL, `type` TEXT DEFAULT 'base' NOT NULL, `name` TEXT UNIQUE NOT NULL, `fields` JSON DEFAULT '[]' NOT NULL, `indexes` JSON DEFAULT '[]' NOT NULL, `listRule` TEXT DEFAULT NULL, `viewRule` TEXT DEFAULT NULL, `createRule` TEXT DEFAULT NULL, `updateRule` TEXT DEFAULT NULL, `deleteRule` TEXT DEFAULT NULL, `options` JSON DEFAULT '{}' NOT NULL, `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL, `updated` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL)",
    "CREATE INDEX IF NOT EXISTS `idx__collections_type` ON `_collections` (`type`)",
    "CREATE TABLE IF NOT EXISTS `_migrations` (`file` VARCHAR(255) PRIMARY KEY NOT NULL, `applied` INTEGER NOT NULL)",
];

/// The migration name recorded for the initial schema (PocketBase's own).
pub(crate) const INIT_MIGRATION: &str = "1640988000_init.go";

impl App {
    /// Runs `on_bootstrap`, whose default action creates the system tables and, on a new
    /// database, the default collections (`_mfas`, `_otps`, `_externalAuths`,
    /// `_authOrigins`, `_superusers`, `users`) in one transaction, then loads the
    /// collections cache and the settings (written with the defaults on a new data dir).
    /// Safe to call on every start.
    pub async fn bootstrap(&self) -> Result<(), AppError> {
        let mut event = AppEvent::new(self.clone());
        // The default action's own error (a start-up `Config` error, say) is returned as is,
        // not as the hook chain's `ServiceError`.
        let failure: Arc<Mutex<Option<AppError>>> = Arc::default();
        let slot = failure.clone();
        let result = self
            .on_bootstrap()
            .trigger(&mut event, move |e| {
                Box::pin(async move {
                    let app = e.app.clone();
                    match app.bootstrap_data().await {
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

    async fn bootstrap_data(&self) -> Result<(), AppError> {
        let mut tx = self.db().begin().await?;
        for sql in SYSTEM_TABLES {
            tx.execute(sql, &[]).await?;
        }
        let applied = tx
            .query(
                "SELECT `file` FROM `_migrations` WHERE `file` = ?",
                &[INIT_MIGRATION.into()],
            )
            .await?;
        if applied.is_empty() {
            let defaults: Vec<Value> = serde_json::from_str(DEFAULT_COLLECTIONS)
                .map_err(|e| AppError::corrupt("default collections", e))?;
            for json in defaults {
                let c = Collection::from_json(&json)
                    .map_err(|e| AppError::corrupt("default collection", e))?;
                self.save_collection_in(tx.as_mut(), c, None)
                    .await
                    .map_err(|e| match e {
                        SaveError::App(e) => e,
                        other => AppError::corrupt("default collection", format!("{other:?}")),
                    })?;
                // Each default collection must be visible to the next one's validation.
                self.reload_collections_in(tx.as_mut()).await?;
            }
            tx.execute(
                "INSERT INTO `_migrations` (`file`, `applied`) VALUES (?, ?)",
                &[INIT_MIGRATION.into(), (self.now_secs() * 1_000_000).into()],
            )
            .await?;
        }
        tx.commit().await?;
        self.reload_collections().await?;
        self.load_settings().await?;
        self.settings_reloaded().await
    }
}
