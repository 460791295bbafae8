//! The runner (PocketBase's `core.MigrationsRunner`): applies, reverts and syncs the
//! `_migrations` history of a [`MigrationsList`] on an app.

use super::is_system_migration;
use super::list::MigrationsList;
use crate::App;
use crate::error::{AppError, MigrationError};
use crate::store::migrations as history;

/// Runs a [`MigrationsList`] on an app. Each migration runs in a transaction of its own
/// together with its `_migrations` row, so a failing one leaves nothing behind, stops the
/// run, and the ones before it stay applied. PocketBase's own system migration rows
/// ([`super::SYSTEM_MIGRATIONS`]) are never applied, reverted or removed here: Basalt's
/// bootstrap creates the schema they stand for.
///
/// On an app that is already inside [`App::run_in_transaction`], every migration joins
/// that transaction instead (and a failure rolls back with it as a whole).
#[derive(Clone)]
pub struct Runner {
    app: App,
    list: MigrationsList,
}

impl Runner {
    /// A runner of `list` on `app` (PocketBase's `NewMigrationsRunner`).
    pub fn new(app: &App, list: MigrationsList) -> Self {
        Self {
            app: app.clone(),
            list,
        }
    }

    /// The migrations this runner knows.
    pub fn list(&self) -> &MigrationsList {
        &self.list
    }

    /// Applies every migration not yet in `_migrations`, in file-name order, each in its
    /// own transaction with its history row. Returns the files applied.
    pub async fn up(&self) -> Result<Vec<String>, MigrationError> {
        let history = |source| MigrationError {
            file: None,
            reverting: false,
            completed: Vec::new(),
            source,
        };
        self.init_table().await.map_err(history)?;
        let applied = self.applied_files().await.map_err(history)?;
        let mut done = Vec::new();
        for m in self.list.items() {
            if is_system_migration(&m.file) || applied.contains(&m.file) {
                continue;
            }
            let (file, up) = (m.file.clone(), m.up.clone());
            let result = self
                .app
                .run_in_transaction(|tx| async move {
                    // Checked again in the transaction: another process may have won.
                    if history::contains(tx.db().as_ref(), &file).await? {
                        return Ok(false);
                    }
                    if let Some(up) = up {
                        up(tx.clone()).await?;
                    }
                    let applied = tx.now_datetime().timestamp_micros();
                    history::insert(tx.db().as_ref(), &file, applied).await?;
                    Ok(true)
                })
                .await;
            match result {
                Ok(true) => done.push(m.file.clone()),
                Ok(false) => {}
                Err(source) => {
                    return Err(MigrationError {
                        file: Some(m.file.clone()),
                        reverting: false,
                        completed: done,
                        source,
                    });
                }
            }
        }
        Ok(done)
    }

    /// Reverts the last `n` applied migrations of this list (most recent first), each in
    /// its own transaction with the removal of its history row. Returns the files
    /// reverted. `usize::MAX` reverts them all.
    pub async fn down(&self, n: usize) -> Result<Vec<String>, MigrationError> {
        let history = |source| MigrationError {
            file: None,
            reverting: true,
            completed: Vec::new(),
            source,
        };
        self.init_table().await.map_err(history)?;
        let files = self.last_applied(n).await.map_err(history)?;
        let mut done = Vec::new();
        for file in files {
            let Some(m) = self.list.get(&file) else {
                continue;
            };
            let down = m.down.clone();
            let name = file.clone();
            let result = self
                .app
                .run_in_transaction(|tx| async move {
                    if let Some(down) = down {
                        down(tx.clone()).await?;
                    }
                    history::delete(tx.db().as_ref(), &name).await?;
                    Ok(())
                })
                .await;
            match result {
                Ok(()) => done.push(file),
                Err(source) => {
                    return Err(MigrationError {
                        file: Some(file),
                        reverting: true,
                        completed: done,
                        source,
                    });
                }
            }
        }
        Ok(done)
    }

    /// Deletes the `_migrations` rows of migrations this list no longer has (PocketBase's
    /// `RemoveMissingAppliedMigrations`; PocketBase's system rows are kept). Returns the
    /// files removed from the history.
    pub async fn history_sync(&self) -> Result<Vec<String>, AppError> {
        self.init_table().await?;
        let list = &self.list;
        self.app
            .run_in_transaction(|tx| async move {
                let mut removed = Vec::new();
                for file in history::files(tx.db().as_ref()).await? {
                    if is_system_migration(&file) || list.get(&file).is_some() {
                        continue;
                    }
                    history::delete(tx.db().as_ref(), &file).await?;
                    removed.push(file);
                }
                Ok(removed)
            })
            .await
    }

    /// The files of this list recorded in `_migrations`, in the order they were applied.
    pub async fn applied(&self) -> Result<Vec<String>, AppError> {
        self.init_table().await?;
        let mut files = self.last_applied(usize::MAX).await?;
        files.reverse();
        Ok(files)
    }

    async fn init_table(&self) -> Result<(), AppError> {
        Ok(history::ensure_table(self.app.db().as_ref()).await?)
    }

    async fn applied_files(&self) -> Result<Vec<String>, AppError> {
        Ok(history::files(self.app.db().as_ref()).await?)
    }

    /// Up to `n` applied migrations of this list (system ones excluded), most recent first.
    async fn last_applied(&self, n: usize) -> Result<Vec<String>, AppError> {
        let names: Vec<&str> = self
            .list
            .items()
            .iter()
            .filter(|m| !is_system_migration(&m.file))
            .map(|m| m.file.as_str())
            .collect();
        Ok(history::last_applied(self.app.db().as_ref(), &names, n).await?)
    }
}
