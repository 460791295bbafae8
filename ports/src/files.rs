//! File storage: the `FileStore` port (a flat key → bytes store, streamed both ways) and the
//! `FileStores` factory that opens one for a target (a local directory or an S3 bucket), so
//! the core picks the storage from the settings at call time without naming an adapter.

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;
use secrecy::SecretString;
use std::ops::Range;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// Errors from a file store.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    /// No file at that key.
    #[error("file not found: {0}")]
    NotFound(String),
    /// A key that is not a plain relative path (empty, absolute, `..`, a NUL).
    #[error("invalid file key: {0:?}")]
    InvalidKey(String),
    /// The storage could not be opened from its configuration.
    #[error("file store configuration: {0}")]
    Config(String),
    /// Anything else the backend reported (I/O, HTTP, the service's own error).
    #[error("file store: {0}")]
    Backend(String),
}

impl FileStoreError {
    /// A backend error from anything displayable.
    pub fn backend(e: impl std::fmt::Display) -> Self {
        FileStoreError::Backend(e.to_string())
    }
}

/// A stream of a file's bytes, in order.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, FileStoreError>> + Send>>;

/// A stream that yields `bytes` once.
pub fn bytes_stream(bytes: impl Into<Bytes>) -> ByteStream {
    Box::pin(Once(Some(bytes.into())))
}

struct Once(Option<Bytes>);

impl Stream for Once {
    type Item = Result<Bytes, FileStoreError>;
    fn poll_next(
        mut self: Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.take().map(Ok))
    }
}

/// What a store knows of a stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAttributes {
    /// Size in bytes.
    pub size: u64,
    /// The content type it was stored with (or sniffed from its first bytes).
    pub content_type: String,
    /// When it was last written.
    pub modified: SystemTime,
}

/// A file being read: its attributes and (the requested range of) its bytes.
pub struct FileObject {
    /// The whole file's attributes (`size` is the whole size, not the range's).
    pub attributes: FileAttributes,
    /// The bytes of the requested range (all of them without one).
    pub body: ByteStream,
}

impl std::fmt::Debug for FileObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileObject")
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

/// One stored file, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Its key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// When it was last written.
    pub modified: SystemTime,
}

/// A flat key → bytes store. Keys are `/`-separated relative paths
/// (`<collectionId>/<recordId>/<filename>`); a store refuses any other key
/// ([`FileStoreError::InvalidKey`]). Bodies are streamed: no method holds a whole file in
/// memory.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Writes `body` at `key` with `content_type`, replacing what was there; nothing is
    /// visible at `key` until the whole body is written. Returns the size written.
    async fn put(
        &self,
        key: &str,
        body: ByteStream,
        content_type: &str,
    ) -> Result<u64, FileStoreError>;
    /// [`FileStore::put`] of bytes already in memory (a store may write them in one go
    /// rather than chunk by chunk).
    async fn put_bytes(
        &self,
        key: &str,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<u64, FileStoreError> {
        self.put(key, bytes_stream(bytes), content_type).await
    }
    /// The attributes of the file at `key` ([`FileStoreError::NotFound`] when missing).
    async fn attributes(&self, key: &str) -> Result<FileAttributes, FileStoreError>;
    /// Reads the file at `key`: all of it, or the byte `range` (clamped to the size).
    async fn get(&self, key: &str, range: Option<Range<u64>>)
    -> Result<FileObject, FileStoreError>;
    /// Deletes `key`; deleting a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), FileStoreError>;
    /// Deletes every key under the directory `prefix` (`a/b` deletes `a/b/...`).
    async fn delete_prefix(&self, prefix: &str) -> Result<(), FileStoreError>;
    /// Every file under the directory `prefix` (`""`: all), sorted by key.
    async fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, FileStoreError>;
}

/// Whether a file exists at `key`.
pub async fn exists(store: &dyn FileStore, key: &str) -> Result<bool, FileStoreError> {
    match store.attributes(key).await {
        Ok(_) => Ok(true),
        Err(FileStoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// An S3-compatible bucket to store files in.
#[derive(Debug, Clone)]
pub struct S3Target {
    /// The service's endpoint URL (empty: AWS for `region`).
    pub endpoint: String,
    /// The region.
    pub region: String,
    /// The bucket.
    pub bucket: String,
    /// The access key id.
    pub access_key: String,
    /// The secret key.
    pub secret: SecretString,
    /// Path-style addressing (`endpoint/bucket/key`) instead of `bucket.endpoint/key`.
    pub force_path_style: bool,
}

/// Where a [`FileStore`] keeps its files.
#[derive(Debug, Clone)]
pub enum StorageTarget {
    /// A directory on local disk (created when missing).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Target),
}

/// Opens file stores (implemented by the composition root with the local and S3 adapters).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait FileStores: Send + Sync {
    /// A store for `target`.
    fn open(&self, target: &StorageTarget) -> Result<Arc<dyn FileStore>, FileStoreError>;
}
