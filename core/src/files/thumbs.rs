//! Thumbs on demand: generated once per key (concurrent requests for the same thumb wait
//! for the one generation), at most a few at a time, and kept in the file store next to the
//! original, as PocketBase does.

use super::thumb::make_thumb;
use crate::error::AppError;
use basalt_domain::files::ThumbSize;
use basalt_ports::files::{FileStore, FileStoreError, exists};
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
            store.put_bytes(thumb_key, bytes.into(), thumb_type).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use basalt_domain::files::parse_thumb_size;
    use basalt_ports::files::{ByteStream, FileAttributes, FileEntry, FileObject, bytes_stream};
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::SystemTime;

    /// An in-memory store counting its writes.
    #[derive(Default)]
    struct MemStore {
        files: Mutex<BTreeMap<String, (Vec<u8>, String)>>,
        puts: AtomicUsize,
    }

    #[async_trait]
    impl FileStore for MemStore {
        async fn put(
            &self,
            key: &str,
            mut body: ByteStream,
            content_type: &str,
        ) -> Result<u64, FileStoreError> {
            let mut bytes = Vec::new();
            while let Some(chunk) = body.next().await {
                bytes.extend_from_slice(&chunk?);
            }
            // let the other requests pile up while this one "uploads"
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.puts.fetch_add(1, Ordering::SeqCst);
            let n = bytes.len() as u64;
            self.files
                .lock()
                .map_err(FileStoreError::backend)?
                .insert(key.to_owned(), (bytes, content_type.to_owned()));
            Ok(n)
        }
        async fn attributes(&self, key: &str) -> Result<FileAttributes, FileStoreError> {
            let files = self.files.lock().map_err(FileStoreError::backend)?;
            let (bytes, ct) = files
                .get(key)
                .ok_or_else(|| FileStoreError::NotFound(key.to_owned()))?;
            Ok(FileAttributes {
                size: bytes.len() as u64,
                content_type: ct.clone(),
                modified: SystemTime::UNIX_EPOCH,
            })
        }
        async fn get(
            &self,
            key: &str,
            _range: Option<std::ops::Range<u64>>,
        ) -> Result<FileObject, FileStoreError> {
            let attributes = self.attributes(key).await?;
            let bytes = self
                .files
                .lock()
                .map_err(FileStoreError::backend)?
                .get(key)
                .map(|(b, _)| b.clone())
                .unwrap_or_default();
            Ok(FileObject {
                attributes,
                body: bytes_stream(bytes),
            })
        }
        async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
            self.files
                .lock()
                .map_err(FileStoreError::backend)?
                .remove(key);
            Ok(())
        }
        async fn delete_prefix(&self, _prefix: &str) -> Result<(), FileStoreError> {
            Ok(())
        }
        async fn list(&self, _prefix: &str) -> Result<Vec<FileEntry>, FileStoreError> {
            Ok(Vec::new())
        }
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 200, 30, 255]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode png");
        out.into_inner()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_for_one_thumb_generate_it_once() {
        let mem = Arc::new(MemStore::default());
        let store: Arc<dyn FileStore> = mem.clone();
        store
            .put("c/r/a.png", bytes_stream(png(64, 32)), "image/png")
            .await
            .expect("original");
        let gate = Arc::new(ThumbGate::default());
        let size = parse_thumb_size("16x0").expect("size");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (gate, store) = (gate.clone(), store.clone());
                tokio::spawn(async move {
                    gate.ensure(
                        &store,
                        "c/r/a.png",
                        "image/png",
                        "c/r/thumbs_a.png/16x0_a.png",
                        size,
                    )
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("thumb");
        }
        // one put for the original, one for the thumb
        assert_eq!(mem.puts.load(Ordering::SeqCst), 2);
        let thumb = store
            .attributes("c/r/thumbs_a.png/16x0_a.png")
            .await
            .expect("thumb stored");
        assert_eq!(thumb.content_type, "image/png");
        assert!(gate.pending.lock().expect("lock").is_empty());
        // a broken original is an error, not a panic, and stores nothing
        store
            .put(
                "c/r/b.png",
                bytes_stream(b"\x89PNG\r\n\x1a\nbroken".to_vec()),
                "image/png",
            )
            .await
            .expect("broken original");
        let broken = gate
            .ensure(
                &store,
                "c/r/b.png",
                "image/png",
                "c/r/thumbs_b.png/16x0_b.png",
                size,
            )
            .await;
        assert!(broken.is_err());
        assert!(matches!(
            store.attributes("c/r/thumbs_b.png/16x0_b.png").await,
            Err(FileStoreError::NotFound(_))
        ));
    }
}
