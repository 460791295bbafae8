//! JS hooks and migrations in the `basalt` binary (PocketBase's jsvm plugin): loads
//! `pb_hooks`/`pb_migrations` with [`basalt_jsvm`], binds them on the app before its
//! bootstrap, adds the JS routes in `on_serve`, and with `--hooksWatch` restarts the process
//! when a hooks file changes (as PocketBase does).

use crate::hooks::CollectionEvent;
use crate::migrations::js_template::{snapshot_js_template, write_js_migration};
use crate::migrations::template::snapshot_json;
use crate::{App, AppError, OnServe};
pub use basalt_jsvm::{Jsvm, JsvmConfig, JsvmError, TYPES_D_TS, write_types};
use basalt_ports::hook::{BoxFuture, Event, Handler, HookResult};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn config_error(e: JsvmError) -> AppError {
    AppError::Config(e.to_string())
}

/// Loads the JS files of `config` and binds them on `app` (not bootstrapped yet): hooks,
/// cron jobs, migrations, and the routes through `on_serve`.
pub fn attach(app: &App, config: &JsvmConfig) -> Result<Jsvm, AppError> {
    let js = Jsvm::load(config).map_err(config_error)?;
    js.bind(app).map_err(config_error)?;
    let routes = js.clone();
    app.on_serve().bind_func(move |e| {
        let routes = routes.clone();
        Box::pin(async move {
            routes
                .bind_router(&mut e.router)
                .map_err(basalt_ports::ServiceError::internal)?;
            routes.serve(&e.app).await?;
            e.next().await
        })
    });
    Ok(js)
}

/// Watches `dir` (polling its files' modification times every second) and calls `changed`
/// once something in it changes (PocketBase's `--hooksWatch`).
pub fn watch(dir: &Path, changed: impl FnOnce() + Send + 'static) {
    let dir: PathBuf = dir.to_owned();
    tokio::spawn(async move {
        let first = snapshot(&dir);
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if snapshot(&dir) != first {
                tracing::info!(dir = %dir.display(), "pb_hooks changed: restarting");
                changed();
                return;
            }
        }
    });
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<SystemTime>)> {
    let mut files: Vec<(PathBuf, Option<SystemTime>)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let modified = e.metadata().and_then(|m| m.modified()).ok();
                    (e.path(), modified)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// `--automigrate`: after each collection create, update or delete, writes a JS migration
/// into `dir` with a snapshot of every collection (`{ts}_{created|updated|deleted}_{name}.js`,
/// importing them on `migrate up` on another instance). Bind it once the start-up
/// migrations ran, so only later changes (the dashboard's, the API's) are recorded.
pub fn automigrate(app: &App, dir: &Path) {
    app.on_collection_after_create_success(&[])
        .bind(snapshot_handler(dir.to_owned(), "created"));
    app.on_collection_after_update_success(&[])
        .bind(snapshot_handler(dir.to_owned(), "updated"));
    app.on_collection_after_delete_success(&[])
        .bind(snapshot_handler(dir.to_owned(), "deleted"));
}

/// The handler writing `{ts}_{action}_{name}.js` after a collection change.
fn snapshot_handler(dir: PathBuf, action: &'static str) -> Handler<CollectionEvent> {
    Handler::new(
        move |e: &mut CollectionEvent| -> BoxFuture<'_, HookResult> {
            let dir = dir.clone();
            Box::pin(async move {
                e.next().await?;
                let json = snapshot_json(&e.app.collections());
                let name = format!("{action}_{}", e.collection.name);
                let unix_secs = chrono::Utc::now().timestamp();
                match write_js_migration(&dir, &name, unix_secs, &snapshot_js_template(&json)) {
                    Ok(path) => {
                        tracing::info!(file = %path.display(), "automigrate: wrote a migration")
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "automigrate: cannot write a migration")
                    }
                }
                Ok(())
            })
        },
    )
}
