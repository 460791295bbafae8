//! Thumbs on demand: generated once per key (concurrent requests for the same thumb wait
//! for the one generation), at most a few at a time, and kept in the file store next to the
//! original, as PocketBase does.

use super::thumb::make_thumb;
use crate::error::AppError;
use basalt_domain::files::ThumbSize;
use basalt_ports::files::{FileStore, FileStoreError, bytes_stream, exists};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::Semaphore;

/// The thumbs being generated, and the limit on how many at once.
#[derive(Default)]
pub(crate) struct ThumbGate {
    pending: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    workers: OnceLock<Semaphore>,
}

impl ThumbGate {
    fn workers(&self) -> &Semaphore {
        self.workers.get_or_init(|| {
            let cpus = std::thread::available_parallelism().map_or(1, usize::from);
            Semaphore::new(cpus + 2)
        })
    }

    fn key_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key.to_owned()).or_default().clone()
    }

    fn forget(&self, key: &str, lock: &Arc<tokio::sync::Mutex<()>>) {
        let mut map = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // the map's and ours: nobody else is waiting
        if Arc::strong_count(lock) <= 2 {
            map.remove(key);
        }
    }

    /// Makes sure the thumb `thumb_key` of the image at `original_key` exists, generating it
    /// when missing. Concurrent calls for one key generate it once.
    pub(crate) async fn ensure(
        &self,
        store: &Arc<dyn FileStore>,
        original_key: &str,
        content_type: &str,
        thumb_key: &str,
        size: ThumbSize,
    ) -> Result<(), AppError> {
        let lock = self.key_lock(thumb_key);
        let result = async {
            let _one = lock.lock().await;
            if exists(store.as_ref(), thumb_key).await? {
                return Ok(());
            }
            let _permit = self
                .workers()
                .acquire()
                .await
                .map_err(|e| AppError::other(e.to_string()))?;
            let original = read_all(store.as_ref(), original_key).await?;
            let ct = content_type.to_owned();
            let (bytes, thumb_type) =
                tokio::task::spawn_blocking(move || make_thumb(&original, &ct, &size))
                    .await?
                    .map_err(|e| AppError::other(e.to_string()))?;
            store
                .put(thumb_key, bytes_stream(bytes), thumb_type)
                .await?;
            Ok(())
        }
        .await;
        self.forget(thumb_key, &lock);
        result
    }
}

/// The whole file at `key` (thumbs are made from images within a field's `maxSize`).
async fn read_all(store: &dyn FileStore, key: &str) -> Result<Vec<u8>, FileStoreError> {
    let file = store.get(key, None).await?;
    let mut out = Vec::with_capacity(usize::try_from(file.attributes.size).unwrap_or(0));
    let mut body = file.body;
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}
