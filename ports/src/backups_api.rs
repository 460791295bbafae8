//! The driving port of backups (`/api/backups`): list, create, upload, download, delete and
//! restore zip archives of the data dir, superusers only (downloads take a superuser's file
//! token instead), and whether a backup or restore is running (`/api/health`'s `canBackup`).

use crate::files_api::{ServedFile, Upload};
use crate::service::{Auth, RequestContext, ServiceResult};
use async_trait::async_trait;

/// One stored backup, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    /// Its key (the file name, e.g. `pb_backup_acme_20240101000000.zip`).
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written, as PocketBase formats times (`2006-01-02 15:04:05.000Z`).
    pub modified: String,
}

/// Backups through the API.
#[async_trait]
pub trait BackupsApi: Send + Sync {
    /// `GET /api/backups`: every backup, sorted by key.
    async fn list_backups(&self, auth: &Auth) -> ServiceResult<Vec<BackupFile>>;
    /// `POST /api/backups`: creates a backup named `name` (generated when `None` or empty)
    /// and returns once it is stored.
    async fn create_backup(&self, auth: &Auth, name: Option<String>) -> ServiceResult<()>;
    /// `POST /api/backups/upload`: stores an uploaded zip under its file name (`None`: no
    /// `file` part was sent).
    async fn upload_backup(&self, auth: &Auth, file: Option<Upload>) -> ServiceResult<()>;
    /// `GET /api/backups/{key}?token=`: the backup, for a superuser's file `token`.
    async fn download_backup(
        &self,
        req: &RequestContext,
        key: &str,
        token: &str,
    ) -> ServiceResult<ServedFile>;
    /// `DELETE /api/backups/{key}`.
    async fn delete_backup(&self, auth: &Auth, key: &str) -> ServiceResult<()>;
    /// `POST /api/backups/{key}/restore`: checks the backup exists, then restores it in the
    /// background (the data dir is replaced and the process restarts).
    async fn restore_backup(&self, auth: &Auth, key: &str) -> ServiceResult<()>;
    /// False while a backup or a restore is running.
    fn can_backup(&self) -> bool;
}
