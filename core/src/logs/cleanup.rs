//! Removing old logs: the `__pbLogsCleanup__` job (every 6 hours, as PocketBase schedules
//! it) and the cleanup after a settings reload (logs now too old or under `minLevel`).

use crate::App;
use crate::error::AppError;
use crate::store::logs as store;
use basalt_domain::datetime::format_datetime;

/// Id of the logs cleanup job.
pub(crate) const LOGS_CLEANUP: &str = "__pbLogsCleanup__";
/// Its schedule.
pub(crate) const LOGS_CLEANUP_SCHEDULE: &str = "0 */6 * * *";

/// PocketBase's cutoff: now minus `logs.maxDays` days, as stored text.
fn cutoff(app: &App) -> String {
    let days = app.settings().logs.max_days;
    format_datetime(&(app.now_datetime() - chrono::Duration::days(days)))
}

/// Deletes the logs older than `logs.maxDays` (created at or before the cutoff); returns
/// how many.
pub(crate) async fn delete_old_logs(app: &App) -> Result<u64, AppError> {
    Ok(store::delete_created_before(app.auxiliary_db().as_ref(), &cutoff(app)).await?)
}

/// After a settings reload, as PocketBase: deletes the logs older than `maxDays` or under
/// `minLevel`; with `maxDays` 0, reclaims the space. It runs in a task of its own, so a
/// settings save inside a transaction (on an app whose `auxiliary.db` is its `data.db`)
/// does not wait for a writer it holds itself. Failures are logged.
pub(crate) fn settings_reloaded(app: &App) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let app = app.non_transactional();
    runtime.spawn(async move { clean_after_reload(&app).await });
}

async fn clean_after_reload(app: &App) {
    let aux = app.auxiliary_db().as_ref();
    let min_level = app.settings().logs.min_level;
    if let Err(e) = store::delete_outside(aux, &cutoff(app), min_level).await {
        tracing::debug!(error = %e, "failed to clean up old logs");
        return;
    }
    if app.settings().logs.max_days == 0
        && let Err(e) = store::vacuum(aux).await
    {
        tracing::debug!(error = %e, "failed to VACUUM the auxiliary database");
    }
}
