//! Migrations in Rust (PocketBase's `core.Migration`, `migrations.Register` and the
//! `migrate` command).
//!
//! A migration is a file name and two async functions of the app, up and down. Register
//! them in the process-wide list with [`register`] (PocketBase's `m.Register`), or on one
//! app with [`App::register_migration`]. `basalt serve` ([`crate::serve`], [`crate::spawn`])
//! applies the pending ones before it listens ([`crate::ServeConfig::run_migrations`]);
//! `basalt migrate up | down [n] | history-sync` run them by hand, and the `_migrations`
//! table records what was applied (`file`, `applied` in microseconds), as PocketBase does.
//!
//! Each migration runs in its own transaction with its `_migrations` row: everything it does
//! through the `app` it is given commits together or not at all. A failing migration stops
//! the run and leaves nothing behind; the ones applied before it stay.
//!
//! ```no_run
//! use basalt::{App, AppError};
//!
//! async fn up(app: App) -> Result<(), AppError> {
//!     let mut posts = basalt::domain::collection::Collection::from_json(&serde_json::json!({
//!         "name": "posts", "type": "base",
//!         "fields": [{"name": "title", "type": "text"}],
//!     }))
//!     .map_err(|e| AppError::Config(e.to_string()))?;
//!     app.save_collection(&mut posts).await?;
//!     let mut first = app.new_record("posts")?;
//!     first.set("title", "hello".into());
//!     app.save(&mut first).await
//! }
//!
//! async fn down(app: App) -> Result<(), AppError> {
//!     let posts = app
//!         .find_collection("posts")
//!         .ok_or_else(|| AppError::NotFound("posts".into()))?;
//!     app.drop_collection(&posts).await
//! }
//!
//! # async fn run() -> Result<(), AppError> {
//! // Usually from a file written by `basalt migrate create NAME` (then `file!()` names it).
//! basalt::migrations::register("1700000000_create_posts.rs", up, down);
//!
//! let app = basalt::open(std::path::Path::new("pb_data")).await?;
//! for file in app.run_migrations_up().await? {
//!     println!("Applied {file}");
//! }
//! # Ok(()) }
//! ```
//!
//! `basalt migrate create NAME` writes `migrations/{unix_secs}_{name}.rs` from a template
//! with a `register()` function, and a generated `migrations/mod.rs` whose `register()`
//! registers them all; `basalt migrate collections` writes a snapshot migration that imports
//! the current collections ([`App::import_collections_by_marshaled_json`]).

mod list;
mod runner;

pub use crate::error::MigrationError;
pub use list::{Migration, MigrationFn, MigrationsList, migration_fn};
pub use runner::Runner;

use crate::App;
use crate::error::AppError;
use std::future::Future;
use std::sync::Mutex;

/// PocketBase's system migrations of `data.db`. Basalt's bootstrap creates the schema they
/// stand for and records `1640988000_init.go`; a PocketBase data dir has them all. Runners
/// never apply or revert them, and `history-sync` keeps their rows.
pub const SYSTEM_MIGRATIONS: &[&str] = &[
    crate::bootstrap::INIT_MIGRATION,
    "1717233556_v0.23_migrate.go",
    "1717233557_v0.23_migrate2.go",
    "1717233558_v0.23_migrate3.go",
    "1717233559_v0.23_migrate4.go",
    "1763020353_update_default_auth_alert_templates.go",
    "1778828400_normalize_indexes.go",
];

/// Whether `file` is one of [`SYSTEM_MIGRATIONS`].
pub fn is_system_migration(file: &str) -> bool {
    SYSTEM_MIGRATIONS.contains(&file)
}

/// The process-wide list (PocketBase's `core.AppMigrations`).
static APP_MIGRATIONS: Mutex<MigrationsList> = Mutex::new(MigrationsList::new());

/// Registers a migration in the process-wide list every app runs (PocketBase's
/// `migrations.Register`). `file` may be `file!()`: the migration is named after its source
/// file. Registering a name again replaces the earlier migration.
pub fn register<U, UF, D, DF>(file: &str, up: U, down: D)
where
    U: Fn(App) -> UF + Send + Sync + 'static,
    UF: Future<Output = Result<(), AppError>> + Send + 'static,
    D: Fn(App) -> DF + Send + Sync + 'static,
    DF: Future<Output = Result<(), AppError>> + Send + 'static,
{
    add(Migration::new(file, up, down));
}

/// Adds a migration to the process-wide list.
pub fn add(m: Migration) {
    APP_MIGRATIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .add(m);
}

/// A copy of the process-wide list.
pub fn app_migrations() -> MigrationsList {
    APP_MIGRATIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}
