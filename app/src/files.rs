//! The [`FileStores`] factory on the two storage adapters: a [`LocalStore`] for a directory, an
//! [`S3Store`] for a bucket. Opened stores are kept per configuration, so the S3 client (its
//! connection pool) is built once per bucket and credentials, not per request.

pub use basalt_core::files::new_file_from_bytes;
pub use basalt_domain::record_files::{FileContent, NewFile};
use basalt_ports::files::{FileStore, FileStoreError, FileStores, S3Target, StorageTarget};
use basalt_storage_local::LocalStore;
use basalt_storage_s3::S3Store;
use secrecy::ExposeSecret;
use std::sync::{Arc, Mutex};

/// How many opened stores are kept (the most recently opened); one more evicts the oldest.
/// Settings rarely change, so a handful covers the current targets and a few before them.
const KEPT: usize = 8;

/// Opens the [`FileStore`] for a [`StorageTarget`] with Basalt's adapters, reusing the store
/// opened before for the same configuration.
#[derive(Default)]
pub struct AdapterFileStores {
    opened: Mutex<Vec<(StorageTarget, Arc<dyn FileStore>)>>,
}

impl AdapterFileStores {
    /// A factory with nothing opened yet.
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for AdapterFileStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let opened = self.opened.lock().map_or(0, |opened| opened.len());
        f.debug_struct("AdapterFileStores")
            .field("opened", &opened)
            .finish()
    }
}

/// Whether two targets are the same configuration (the S3 secrets compared too).
fn same_target(a: &StorageTarget, b: &StorageTarget) -> bool {
    match (a, b) {
        (StorageTarget::Local(a), StorageTarget::Local(b)) => a == b,
        (StorageTarget::S3(a), StorageTarget::S3(b)) => same_s3(a, b),
        _ => false,
    }
}

fn same_s3(a: &S3Target, b: &S3Target) -> bool {
    let S3Target {
        endpoint,
        region,
        bucket,
        access_key,
        secret,
        force_path_style,
    } = a;
    *endpoint == b.endpoint
        && *region == b.region
        && *bucket == b.bucket
        && *access_key == b.access_key
        && *force_path_style == b.force_path_style
        && secret.expose_secret() == b.secret.expose_secret()
}

impl FileStores for AdapterFileStores {
    fn open(&self, target: &StorageTarget) -> Result<Arc<dyn FileStore>, FileStoreError> {
        // A poisoned lock only means another open panicked; the list itself is still whole.
        let mut opened = self
            .opened
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, store)) = opened.iter().find(|(t, _)| same_target(t, target)) {
            return Ok(store.clone());
        }
        let store: Arc<dyn FileStore> = match target {
            StorageTarget::Local(root) => Arc::new(LocalStore::new(root.clone())),
            StorageTarget::S3(s3) => Arc::new(S3Store::new(s3)?),
        };
        if opened.len() >= KEPT {
            opened.remove(0);
        }
        opened.push((target.clone(), store.clone()));
        Ok(store)
    }
}
