//! Basalt's own jobs (ids prefixed `__pb`), registered when an app is built, as PocketBase
//! registers them in `NewBaseApp`: the nightly database optimisation, the hourly removal of
//! expired MFA sessions and OTPs, and the removal of logs older than `logs.maxDays` every
//! 6 hours. PocketBase's `__pbAutoBackup__` comes with the backups.
//!
//! The database job holds the database ports; the cleanups hold the app weakly (the app
//! holds the scheduler), so an app and its scheduler are freed together.

use super::Cron;
use crate::App;
use crate::error::AppError;
use crate::store::system as store;
use basalt_domain::datetime::format_datetime;
use basalt_ports::{Clock, Database};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Id of the nightly `PRAGMA optimize` job.
pub(crate) const DB_OPTIMIZE: &str = "__pbDBOptimize__";
/// Id of the hourly expired-MFA cleanup.
pub(crate) const MFA_CLEANUP: &str = "__pbMFACleanup__";
/// Id of the hourly expired-OTP cleanup.
pub(crate) const OTP_CLEANUP: &str = "__pbOTPCleanup__";

/// A scheduler on `clock` with Basalt's own jobs registered, in PocketBase's order.
pub(crate) fn app_cron(
    db: &Arc<dyn Database>,
    auxiliary: &Arc<dyn Database>,
    clock: &Arc<dyn Clock>,
) -> Cron {
    let cron = Cron::new(clock.clone());
    let (data, aux) = (db.clone(), auxiliary.clone());
    add(&cron, DB_OPTIMIZE, "0 0 * * *", move || {
        let (data, aux) = (data.clone(), aux.clone());
        async move { optimize(&data, &aux).await }
    });
    cron
}

fn add<F, Fut>(cron: &Cron, id: &str, expression: &str, job: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    if let Err(e) = cron.add(id, expression, job) {
        tracing::error!(error = %e, "system cron job not registered");
    }
}

/// PocketBase's nightly job: truncate both WALs, then `PRAGMA optimize` on the main database.
/// Failures are logged as warnings.
async fn optimize(data: &Arc<dyn Database>, aux: &Arc<dyn Database>) {
    let warn = |db: &str, step: &str, e: basalt_ports::DbError| {
        tracing::warn!(db, step, error = %e, "periodic database maintenance failed");
    };
    if let Err(e) = store::checkpoint(data.as_ref()).await {
        warn("main", "checkpoint", e);
    }
    if !Arc::ptr_eq(data, aux)
        && let Err(e) = store::checkpoint(aux.as_ref()).await
    {
        warn("auxiliary", "checkpoint", e);
    }
    if let Err(e) = store::optimize(data.as_ref()).await {
        warn("main", "optimize", e);
    }
}

/// Registers the hourly removal of expired MFA sessions and OTPs, then the logs cleanup
/// (`__pbLogsCleanup__`, every 6 hours). The jobs hold the app
/// weakly (the app holds the scheduler) and delete through `App::delete`, so record hooks
/// fire for them as for any other delete.
pub(crate) fn register_cleanups(app: &App) {
    for (id, table, option) in [(MFA_CLEANUP, "_mfas", "mfa"), (OTP_CLEANUP, "_otps", "otp")] {
        let weak = Arc::downgrade(&app.inner);
        add(app.cron(), id, "0 * * * *", move || {
            let weak = weak.clone();
            async move {
                let Some(app) = App::from_weak(&weak) else {
                    return;
                };
                match delete_expired(&app, table, option).await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(table, deleted = n, "deleted expired records"),
                    Err(e) => tracing::warn!(table, error = %e, "failed to delete expired records"),
                }
            }
        });
    }
    let weak = Arc::downgrade(&app.inner);
    add(
        app.cron(),
        crate::logs::cleanup::LOGS_CLEANUP,
        crate::logs::cleanup::LOGS_CLEANUP_SCHEDULE,
        move || {
            let weak = weak.clone();
            async move {
                let Some(app) = App::from_weak(&weak) else {
                    return;
                };
                match crate::logs::cleanup::delete_old_logs(&app).await {
                    Ok(n) => tracing::debug!(deleted = n, "deleted old logs"),
                    Err(e) => tracing::warn!(error = %e, "failed to delete old logs"),
                }
            }
        },
    );
}

/// Deletes the records of `table` (`_mfas` or `_otps`) created longer ago than the
/// `duration` (seconds) of their auth collection's `option` (`mfa` or `otp`), for every auth
/// collection (whether or not the feature is on, as PocketBase does), through the record
/// delete hooks. Returns how many were deleted.
pub(crate) async fn delete_expired(app: &App, table: &str, option: &str) -> Result<u64, AppError> {
    let now = app.now_datetime();
    let mut deleted = 0;
    for collection in app.collections().iter().filter(|c| c.is_auth()) {
        let seconds = collection
            .auth_option(option)
            .and_then(|o| o.get("duration"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let min_valid = now - chrono::Duration::seconds(seconds);
        let mut params = Map::new();
        params.insert("c".into(), Value::from(collection.id.as_str()));
        params.insert("t".into(), Value::from(format_datetime(&min_valid)));
        let expired = app
            .find_records_by_filter(
                table,
                "collectionRef = {:c} && created < {:t}",
                "",
                0,
                0,
                &params,
            )
            .await?;
        for mut record in expired {
            app.delete(&mut record).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
