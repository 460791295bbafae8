//! Files: where they are kept (local disk or S3, picked from the settings at call time),
//! storing a record's uploads with its save and removing what a save or delete leaves
//! behind (`records.rs`), serving them with thumbs and protected-file tokens (`serve.rs`,
//! `thumbs.rs`, `thumb.rs`), and the `FilesApi` the HTTP adapter drives.
//!
//! Keys are PocketBase's: `<collectionId>/<recordId>/<filename>`, thumbs under
//! `<collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>`.

mod api;
pub(crate) mod records;
mod resample;
mod serve;
pub(crate) mod thumb;
mod thumbs;
pub(crate) mod uploads;

use crate::App;
use crate::error::AppError;
use basalt_domain::settings::S3Config;
use basalt_ports::files::{FileStore, FileStoreError, FileStores, S3Target, StorageTarget};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

pub use uploads::new_file_from_bytes;

/// The file storage of an app: the factory that opens stores, and the data directory
/// (local storage when S3 is off); plus the thumbs being generated.
#[derive(Default)]
pub(crate) struct FilesState {
    storage: RwLock<Option<(Arc<dyn FileStores>, PathBuf)>>,
    pub(crate) thumbs: thumbs::ThumbGate,
}

/// The record directory of a record: `<collectionId>/<recordId>`.
pub(crate) fn record_dir(collection_id: &str, record_id: &str) -> String {
    format!("{collection_id}/{record_id}")
}

/// The store for an S3 configuration.
fn s3_target(s3: &S3Config) -> StorageTarget {
    StorageTarget::S3(S3Target {
        endpoint: s3.endpoint.clone(),
        region: s3.region.clone(),
        bucket: s3.bucket.clone(),
        access_key: s3.access_key.clone(),
        secret: s3.secret.clone(),
        force_path_style: s3.force_path_style,
    })
}

impl App {
    /// Sets where files are stored: `stores` opens a store for a target; while S3 is off,
    /// files go to `data_dir/storage` and backups to `data_dir/backups`. The composition
    /// root calls this when it opens an app.
    pub fn set_file_storage(&self, stores: Arc<dyn FileStores>, data_dir: PathBuf) {
        if let Ok(mut s) = self.inner.files.storage.write() {
            *s = Some((stores, data_dir));
        }
    }

    /// The file store for uploaded files (PocketBase's `app.NewFilesystem()`): the S3 bucket
    /// of the `s3` settings when enabled, else `pb_data/storage`. Read at each call, so a
    /// settings change applies to the next request.
    pub fn new_filesystem(&self) -> Result<Arc<dyn FileStore>, AppError> {
        let settings = self.settings();
        if settings.s3.enabled {
            self.open_store(|_| s3_target(&settings.s3))
        } else {
            self.open_store(|root| StorageTarget::Local(root.join("storage")))
        }
    }

    /// The file store for backups (PocketBase's `app.NewBackupsFilesystem()`): the
    /// `backups.s3` bucket when enabled, else `pb_data/backups`.
    pub fn new_backups_filesystem(&self) -> Result<Arc<dyn FileStore>, AppError> {
        let settings = self.settings();
        if settings.backups.s3.enabled {
            self.open_store(|_| s3_target(&settings.backups.s3))
        } else {
            self.open_store(|root| StorageTarget::Local(root.join("backups")))
        }
    }

    /// The data dir given to [`App::set_file_storage`], if any.
    pub(crate) fn storage_root(&self) -> Option<PathBuf> {
        let guard = self.inner.files.storage.read().ok()?;
        guard.as_ref().map(|(_, dir)| dir.clone())
    }

    /// A store for `target`, through the configured factory.
    pub(crate) fn open_target(
        &self,
        target: &StorageTarget,
    ) -> Result<Arc<dyn FileStore>, AppError> {
        self.open_store(|_| target.clone())
    }

    fn open_store(
        &self,
        target: impl FnOnce(&std::path::Path) -> StorageTarget,
    ) -> Result<Arc<dyn FileStore>, AppError> {
        let guard = self
            .inner
            .files
            .storage
            .read()
            .map_err(|_| AppError::Config("file storage lock poisoned".into()))?;
        let Some((stores, data_dir)) = guard.as_ref() else {
            return Err(FileStoreError::Config("no file storage is configured".into()).into());
        };
        Ok(stores.open(&target(data_dir))?)
    }
}
