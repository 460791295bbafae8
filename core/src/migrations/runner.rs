//! The runner (PocketBase's `core.MigrationsRunner`): applies, reverts and syncs the
//! `_migrations` history of a [`MigrationsList`] on an app.

use super::is_system_migration;
use super::list::MigrationsList;
use crate::App;
use crate::error::{AppError, MigrationError};
use basalt_ports::db::SqlValue;

const TABLE_SQL: &str = "CREATE TABLE IF NOT EXISTS `_migrations` (`file` VARCHAR(255) PRIMARY KEY NOT NULL, `applied` INTEGER NOT NULL)";

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
                    if is_applied(&tx, &file).await? {
                        return Ok(false);
                    }
                    if let Some(up) = up {
                        up(tx.clone()).await?;
                    }
                    let applied = tx.now_datetime().timestamp_micros();
                    tx.db()
                        .execute(
                            "INSERT INTO `_migrations` (`file`, `applied`) VALUES (?, ?)",
                            &[file.into(), applied.into()],
                        )
                        .await?;
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
                    tx.db()
                        .execute("DELETE FROM `_migrations` WHERE `file` = ?", &[name.into()])
                        .await?;
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
                let rows = tx
                    .db()
                    .query("SELECT `file` FROM `_migrations` ORDER BY `file`", &[])
                    .await?;
                let mut removed = Vec::new();
                for row in rows {
                    let file = row.text("file").to_owned();
                    if is_system_migration(&file) || list.get(&file).is_some() {
                        continue;
                    }
                    tx.db()
                        .execute(
                            "DELETE FROM `_migrations` WHERE `file` = ?",
                            &[file.clone().into()],
                        )
                        .await?;
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
        self.app.db().execute(TABLE_SQL, &[]).await?;
        Ok(())
    }

    async fn applied_files(&self) -> Result<Vec<String>, AppError> {
        let rows = self
            .app
            .db()
            .query("SELECT `file` FROM `_migrations`", &[])
            .await?;
        Ok(rows.iter().map(|r| r.text("file").to_owned()).collect())
    }

    /// Up to `n` applied migrations of this list (system ones excluded), most recent first.
    async fn last_applied(&self, n: usize) -> Result<Vec<String>, AppError> {
        let names: Vec<SqlValue> = self
            .list
            .items()
            .iter()
            .filter(|m| !is_system_migration(&m.file))
            .map(|m| m.file.clone().into())
            .collect();
        if names.is_empty() || n == 0 {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; names.len()].join(", ");
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        // `applied` in seconds (older PocketBase) and microseconds compare alike when
        // padded to 16 digits, as PocketBase orders them.
        let sql = format!(
            "SELECT `file` FROM `_migrations` WHERE `applied` IS NOT NULL AND `file` IN ({marks}) \
             ORDER BY substr(`applied`||'0000000000000000', 0, 17) DESC, `file` DESC LIMIT {limit}"
        );
        let rows = self.app.db().query(&sql, &names).await?;
        Ok(rows.iter().map(|r| r.text("file").to_owned()).collect())
    }
}

async fn is_applied(app: &App, file: &str) -> Result<bool, AppError> {
    let rows = app
        .db()
        .query(
            "SELECT 1 AS `x` FROM `_migrations` WHERE `file` = ? LIMIT 1",
            &[file.into()],
        )
        .await?;
    Ok(!rows.is_empty())
}
