//! `Migration` and `MigrationsList` (PocketBase's `core.Migration` / `core.MigrationsList`).

use crate::App;
use crate::error::AppError;
use basalt_ports::hook::BoxFuture;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

/// An up or down step: an async function of the transactional app it runs in.
pub type MigrationFn = Arc<dyn Fn(App) -> BoxFuture<'static, Result<(), AppError>> + Send + Sync>;

/// Turns an async function or closure of the app into a [`MigrationFn`].
pub fn migration_fn<F, Fut>(f: F) -> MigrationFn
where
    F: Fn(App) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), AppError>> + Send + 'static,
{
    Arc::new(move |app| Box::pin(f(app)))
}

/// One migration: its file name (the key in `_migrations`) and its steps. A missing step
/// is skipped (the migration is still recorded as applied or reverted).
#[derive(Clone)]
pub struct Migration {
    /// The name recorded in `_migrations`, e.g. `1700000000_create_posts.rs`.
    pub file: String,
    /// Applies the migration.
    pub up: Option<MigrationFn>,
    /// Reverts it.
    pub down: Option<MigrationFn>,
}

impl Migration {
    /// A migration with both steps. `file` may be a path (`file!()`): only its last
    /// component is kept.
    pub fn new<U, UF, D, DF>(file: &str, up: U, down: D) -> Self
    where
        U: Fn(App) -> UF + Send + Sync + 'static,
        UF: Future<Output = Result<(), AppError>> + Send + 'static,
        D: Fn(App) -> DF + Send + Sync + 'static,
        DF: Future<Output = Result<(), AppError>> + Send + 'static,
    {
        Self {
            file: file_name(file),
            up: Some(migration_fn(up)),
            down: Some(migration_fn(down)),
        }
    }
}

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migration")
            .field("file", &self.file)
            .field("up", &self.up.is_some())
            .field("down", &self.down.is_some())
            .finish()
    }
}

/// The last component of `file` (so `register(file!(), …)` records `1700000000_x.rs`).
pub(crate) fn file_name(file: &str) -> String {
    Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file)
        .to_owned()
}

/// Migrations, kept sorted by file name (the order they are applied in). Registering a
/// file name again replaces the earlier migration of that name.
#[derive(Clone, Default, Debug)]
pub struct MigrationsList {
    list: Vec<Migration>,
}

impl MigrationsList {
    /// An empty list.
    pub const fn new() -> Self {
        Self { list: Vec::new() }
    }

    /// Adds a migration with an up and a down step (PocketBase's `Register(up, down, file)`).
    /// `file` may be `file!()`: the migration is named after the source file.
    ///
    /// ```
    /// let mut list = basalt::migrations::MigrationsList::new();
    /// list.register("1700000000_noop.rs", |_app| async { Ok(()) }, |_app| async { Ok(()) });
    /// assert_eq!(list.files(), ["1700000000_noop.rs"]);
    /// ```
    pub fn register<U, UF, D, DF>(&mut self, file: &str, up: U, down: D)
    where
        U: Fn(App) -> UF + Send + Sync + 'static,
        UF: Future<Output = Result<(), AppError>> + Send + 'static,
        D: Fn(App) -> DF + Send + Sync + 'static,
        DF: Future<Output = Result<(), AppError>> + Send + 'static,
    {
        self.add(Migration::new(file, up, down));
    }

    /// Adds a migration (replacing one with the same file name), keeping the list sorted.
    pub fn add(&mut self, mut m: Migration) {
        m.file = file_name(&m.file);
        match self.list.iter_mut().find(|o| o.file == m.file) {
            Some(old) => *old = m,
            None => {
                self.list.push(m);
                self.list.sort_by(|a, b| a.file.cmp(&b.file));
            }
        }
    }

    /// Adds every migration of `other` (PocketBase's `Copy`).
    pub fn copy_from(&mut self, other: &MigrationsList) {
        for m in &other.list {
            self.add(m.clone());
        }
    }

    /// The migrations, sorted by file name.
    pub fn items(&self) -> &[Migration] {
        &self.list
    }

    /// The migration named `file`.
    pub fn get(&self, file: &str) -> Option<&Migration> {
        self.list.iter().find(|m| m.file == file)
    }

    /// The file names, sorted.
    pub fn files(&self) -> Vec<&str> {
        self.list.iter().map(|m| m.file.as_str()).collect()
    }

    /// The number of migrations.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
