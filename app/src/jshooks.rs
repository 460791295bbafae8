//! JS hooks and migrations in the `basalt` binary (PocketBase's jsvm plugin): loads
//! `pb_hooks`/`pb_migrations` with [`basalt_jsvm`], binds them on the app before its
//! bootstrap, adds the JS routes in `on_serve`, and with `--hooksWatch` restarts the process
//! when a hooks file changes (as PocketBase does).

use crate::{App, AppError, OnServe};
pub use basalt_jsvm::{Jsvm, JsvmConfig, JsvmError, TYPES_D_TS, write_types};
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
            basalt_ports::hook::Event::next(e).await
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
