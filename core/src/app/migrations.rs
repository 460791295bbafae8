//! The migrations part of the library API (PocketBase's `RunAllMigrations` and friends);
//! `crate::migrations` runs them.

use crate::App;
use crate::error::AppError;
use crate::error::MigrationError;
use crate::migrations::{Migration, MigrationsList, Runner, app_migrations};
use std::future::Future;

impl App {
    /// Registers a migration on this app only (and its clones), next to the process-wide
    /// ones of [`crate::migrations::register`].
    pub fn register_migration<U, UF, D, DF>(&self, file: &str, up: U, down: D)
    where
        U: Fn(App) -> UF + Send + Sync + 'static,
        UF: Future<Output = Result<(), AppError>> + Send + 'static,
        D: Fn(App) -> DF + Send + Sync + 'static,
        DF: Future<Output = Result<(), AppError>> + Send + 'static,
    {
        self.inner
            .migrations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .add(Migration::new(file, up, down));
    }

    /// The app's migrations: the process-wide list, then this app's own (an app's
    /// migration replaces a process-wide one of the same name).
    pub fn migrations(&self) -> MigrationsList {
        let mut list = app_migrations();
        let own = self
            .inner
            .migrations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        list.copy_from(&own);
        list
    }

    /// A runner of [`App::migrations`] on this app.
    pub fn migrations_runner(&self) -> Runner {
        Runner::new(self, self.migrations())
    }

    /// Applies the pending migrations (PocketBase's `RunAllMigrations`; what `serve` does
    /// before it listens). Returns the files applied.
    pub async fn run_migrations_up(&self) -> Result<Vec<String>, MigrationError> {
        self.migrations_runner().up().await
    }

    /// Reverts the last `n` applied migrations. Returns the files reverted.
    pub async fn run_migrations_down(&self, n: usize) -> Result<Vec<String>, MigrationError> {
        self.migrations_runner().down(n).await
    }

    /// Deletes the `_migrations` rows of migrations no longer registered. Returns them.
    pub async fn migrations_history_sync(&self) -> Result<Vec<String>, AppError> {
        self.migrations_runner().history_sync().await
    }
}
