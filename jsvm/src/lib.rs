//! JavaScript hooks and migrations for Basalt (PocketBase's JSVM plugin): `pb_hooks/*.pb.js`
//! and `pb_migrations/*.js` run on a pool of QuickJS runtimes, each with every file loaded;
//! handlers are registered by id in every runtime and bound on the app's hooks, cron, router
//! and migrations through its public extension API.
//!
//! ```no_run
//! # async fn run(app: basalt_core::App) -> Result<(), basalt_jsvm::JsvmError> {
//! let js = basalt_jsvm::Jsvm::load(&basalt_jsvm::JsvmConfig::new("pb_data".as_ref()))?;
//! js.bind(&app)?; // hooks, cron jobs, migrations; then bootstrap and serve
//! # Ok(()) }
//! ```

mod auth_events;
mod bridge;
mod error;
mod errors;
mod events;
mod host;
mod mail;
mod messages;
mod ops;
mod pool;
mod records;
mod registration;
mod registry;
mod state;
mod worker;

use basalt_core::App;
use basalt_http::router::Router;
pub use error::JsvmError;
use pool::{Shared, Source};
use registration::Registration;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the JS files are and how many runtimes run them (PocketBase's jsvm flags).
#[derive(Debug, Clone)]
pub struct JsvmConfig {
    /// `--hooksDir`: the `*.pb.js` files (default `pb_data/../pb_hooks`).
    pub hooks_dir: PathBuf,
    /// `--migrationsDir`: the `*.js` migrations (default `pb_data/../pb_migrations`).
    pub migrations_dir: PathBuf,
    /// `--hooksPool`: how many runtimes start (default 15; more start when all wait).
    pub pool_size: usize,
    /// `--hooksWatch`: a hooks file that fails to load is reported and skipped (as
    /// PocketBase does while watching); otherwise loading fails with its error.
    pub hooks_watch: bool,
}

impl JsvmConfig {
    /// The defaults for the data dir `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        // Lexically: `pb_data/..` cannot be resolved while pb_data does not exist yet.
        let parent = match data_dir.parent() {
            Some(p) => p.to_owned(),
            None => data_dir.join(".."),
        };
        Self {
            hooks_dir: parent.join("pb_hooks"),
            migrations_dir: parent.join("pb_migrations"),
            pool_size: 15,
            hooks_watch: true,
        }
    }
}

/// The loaded JS files and their runtimes.
#[derive(Clone)]
pub struct Jsvm {
    shared: Arc<Shared>,
    registrations: Arc<Vec<Registration>>,
}

impl Jsvm {
    /// Reads the migrations and hooks, starts the runtimes and loads every file into them.
    /// A syntax error (or an exception at a file's top level) is an error naming the file
    /// and line. Call it inside the tokio runtime the app runs on.
    pub fn load(config: &JsvmConfig) -> Result<Jsvm, JsvmError> {
        let mut sources = read_dir(&config.migrations_dir, ".js", true)?;
        sources.extend(read_dir(&config.hooks_dir, ".pb.js", false)?);
        let shared = Arc::new(Shared::new(
            sources,
            config.hooks_dir.clone(),
            config.hooks_watch,
            tokio::runtime::Handle::current(),
            worker::run,
        ));
        // No files, no runtimes: nothing can ever be submitted.
        let (registrations, skipped) = if shared.sources.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            pool::start(shared.clone(), config.pool_size)?
        };
        for message in skipped {
            tracing::error!(target: "basalt::jsvm", "{message}");
        }
        Ok(Jsvm {
            shared,
            registrations: Arc::new(registrations),
        })
    }

    /// True when no hooks or migrations file was found.
    pub fn is_empty(&self) -> bool {
        self.shared.sources.is_empty()
    }

    /// Binds the JS hooks, cron jobs and migrations on `app` (before its bootstrap, so
    /// `onBootstrap` handlers run) and makes it the `$app` of the runtimes.
    pub fn bind(&self, app: &App) -> Result<(), JsvmError> {
        let _ = self.shared.app.set(app.clone());
        registry::bind_app(app, &self.shared, &self.registrations)
    }

    /// Runs the `onServe` handlers on `app` (from the binary's `on_serve`, once the routes
    /// are added).
    pub async fn serve(&self, app: &App) -> Result<(), basalt_ports::ServiceError> {
        let hook = registry::serve_hook(&self.shared, &self.registrations);
        let mut e = events::ServeJsEvent {
            app: app.clone(),
            chain: Default::default(),
        };
        hook.trigger(&mut e, |_| Box::pin(async { Ok(()) })).await
    }

    /// Adds the `routerAdd` routes and `routerUse` middlewares to `router` (from `on_serve`).
    pub fn bind_router(&self, router: &mut Router<App>) -> Result<(), JsvmError> {
        registry::bind_router(router, &self.shared, &self.registrations)
    }
}

/// The files of `dir` ending in `suffix`, sorted by name (none when `dir` is missing).
fn read_dir(dir: &Path, suffix: &str, migrations: bool) -> Result<Vec<Source>, JsvmError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(JsvmError::Read {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(suffix) && !(migrations && n.ends_with(".d.ts")))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let code = std::fs::read_to_string(&path).map_err(|source| JsvmError::Read {
                path: path.clone(),
                source,
            })?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Source {
                name: display_name(&path),
                migration: migrations.then_some(file_name),
                code,
            })
        })
        .collect()
}

/// `pb_hooks/main.pb.js`: the file's dir name and name, as stack traces show it.
fn display_name(path: &Path) -> String {
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parent {
        Some(p) => format!("{p}/{name}"),
        None => name,
    }
}

/// The type declarations of the JS API (`pb_data/types.d.ts`).
pub const TYPES_D_TS: &str = include_str!("types.d.ts");

/// Writes [`TYPES_D_TS`] to `dir/types.d.ts` unless it already holds it (as PocketBase
/// writes `pb_data/types.d.ts` for editor completion).
pub fn write_types(dir: &Path) -> std::io::Result<()> {
    let path = dir.join("types.d.ts");
    if std::fs::read_to_string(&path).is_ok_and(|t| t == TYPES_D_TS) {
        return Ok(());
    }
    std::fs::write(path, TYPES_D_TS)
}
