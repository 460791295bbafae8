//! Backups (PocketBase's `app.CreateBackup` / `app.RestoreBackup`): zip archives of the data
//! dir kept in the backups store (`pb_data/backups`, or the `backups.s3` bucket).
//!
//! `create.rs` takes consistent copies of `data.db` and `auxiliary.db` with `VACUUM INTO`
//! while writes go on, zips them with the rest of the data dir (`archive.rs`) in a temp dir
//! and only then stores the zip under its name; `restore.rs` extracts a backup next to the
//! data, swaps it in (the old content kept aside until the next start) and restarts the
//! process through the [`Restart`] port; `auto.rs` is the `__pbAutoBackup__` cron job;
//! `name.rs` the names; `api.rs` the `BackupsApi` the HTTP adapter drives. One backup or
//! restore runs at a time (`BackupsState`).

mod api;
mod archive;
mod auto;
mod create;
mod name;
mod restore;

use crate::App;
use crate::error::AppError;
use basalt_ports::Restart;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

pub(crate) use auto::register_auto_backup;

/// The data dir's temp dir, removed at every start (PocketBase's `LocalTempDirName`).
pub const TEMP_DIR_NAME: &str = ".pb_temp_to_delete";
/// The local backups dir inside the data dir.
pub(crate) const BACKUPS_DIR_NAME: &str = "backups";

/// The data dir entries a backup leaves out and a restore leaves in place (PocketBase's
/// default `Exclude` lists; `.notify` is left out of backups only).
pub(crate) const RESTORE_EXCLUDE: &[&str] = &[
    BACKUPS_DIR_NAME,
    TEMP_DIR_NAME,
    ".autocert_cache",
    "lost+found",
];

/// The backup running now, and how the process restarts after a restore.
#[derive(Default)]
pub(crate) struct BackupsState {
    /// The name of the backup being created or restored (PocketBase's `@activeBackup`).
    active: Mutex<Option<String>>,
    /// Restarts the process after a restore (set by the composition root).
    restart: RwLock<Option<Arc<dyn Restart>>>,
}

/// Marks a backup or restore as running until dropped.
pub(crate) struct ActiveBackup<'a>(&'a BackupsState);

impl Drop for ActiveBackup<'_> {
    fn drop(&mut self) {
        if let Ok(mut active) = self.0.active.lock() {
            *active = None;
        }
    }
}

impl BackupsState {
    /// Marks `name` as running, unless another backup or restore is.
    pub(crate) fn start(&self, name: &str) -> Result<ActiveBackup<'_>, AppError> {
        let mut active = self
            .active
            .lock()
            .map_err(|_| AppError::Config("backups lock poisoned".into()))?;
        if active.is_some() {
            return Err(AppError::BackupBusy);
        }
        *active = Some(name.to_owned());
        Ok(ActiveBackup(self))
    }

    /// The backup or restore running now, if any.
    pub(crate) fn active(&self) -> Option<String> {
        self.active.lock().ok().and_then(|a| a.clone())
    }
}

impl App {
    /// The data dir (`pb_data`) the app was opened on, when it has one.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.storage_root()
    }

    /// Sets how the process restarts after a backup is restored (PocketBase's
    /// `app.Restart()`); `basalt serve` sets one that re-executes the binary. Without one,
    /// a restore fails before changing anything.
    pub fn set_restart_handler(&self, restart: Arc<dyn Restart>) {
        if let Ok(mut r) = self.inner.backups.restart.write() {
            *r = Some(restart);
        }
    }

    /// True while a backup or a restore is running (PocketBase's `@activeBackup` store key).
    pub fn is_backup_running(&self) -> bool {
        self.inner.backups.active().is_some()
    }

    /// Creates a backup of the data dir named `name` (generated as
    /// `pb_backup_{app}_{date}.zip` when empty) in the backups store, through the
    /// `on_backup_create` hook; returns the name. Writes go on meanwhile.
    pub async fn create_backup(&self, name: &str) -> Result<String, AppError> {
        create::create(&self.non_transactional(), name).await
    }

    /// Restores the backup `name`, through the `on_backup_restore` hook: its content
    /// replaces the data dir and the process restarts (so on success this does not return
    /// when a restart handler re-executes the process).
    pub async fn restore_backup(&self, name: &str) -> Result<(), AppError> {
        restore::restore(&self.non_transactional(), name).await
    }

    fn backups_state(&self) -> &BackupsState {
        &self.inner.backups
    }

    fn restart_handler(&self) -> Option<Arc<dyn Restart>> {
        self.inner
            .backups
            .restart
            .read()
            .ok()
            .and_then(|r| r.clone())
    }
}
