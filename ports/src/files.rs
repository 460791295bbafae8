//! File storage (implemented by the local and S3 adapters in a later change).

use async_trait::async_trait;

/// Errors from a file store.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    /// No file at that key.
    #[error("file not found: {0}")]
    NotFound(String),
    /// Anything else the backend reported.
    #[error("file store: {0}")]
    Backend(String),
}

/// A flat key → bytes store (`<collectionId>/<recordId>/<filename>` keys).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Writes `bytes` at `key`, replacing what was there.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), FileStoreError>;
    /// Reads the bytes at `key`.
    async fn get(&self, key: &str) -> Result<Vec<u8>, FileStoreError>;
    /// Deletes `key`; deleting a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), FileStoreError>;
    /// Deletes every key starting with `prefix`.
    async fn delete_prefix(&self, prefix: &str) -> Result<(), FileStoreError>;
}
