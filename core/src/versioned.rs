//! A [`Database`] wrapper that counts writes: the write version goes up when a write
//! transaction starts and again when it ends, and around every statement run outside one.
//! A value read while the version stayed the same is still current — for writes made
//! through this process; other processes writing the same database are not seen, which is
//! why caches keyed on it also expire after a short time.

use async_trait::async_trait;
use basalt_ports::db::{DbError, ExecResult, Row, SqlValue};
use basalt_ports::{Database, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The write version shared by the wrapper and its readers.
#[derive(Default)]
pub(crate) struct WriteVersion(AtomicU64);

impl WriteVersion {
    /// The current version.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Moves the version on.
    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// `db`, with every write counted in `version`.
pub(crate) struct VersionedDb {
    pub(crate) db: Arc<dyn Database>,
    pub(crate) version: Arc<WriteVersion>,
}

#[async_trait]
impl Database for VersionedDb {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        self.db.query(sql, params).await
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        self.version.bump();
        let result = self.db.execute(sql, params).await;
        self.version.bump();
        result
    }

    async fn begin(&self) -> Result<Box<dyn Transaction>, DbError> {
        self.version.bump();
        let tx = self.db.begin().await?;
        Ok(Box::new(VersionedTx {
            tx,
            version: self.version.clone(),
        }))
    }
}

struct VersionedTx {
    tx: Box<dyn Transaction>,
    version: Arc<WriteVersion>,
}

#[async_trait]
impl Transaction for VersionedTx {
    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        self.tx.query(sql, params).await
    }

    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        self.tx.execute(sql, params).await
    }

    async fn commit(self: Box<Self>) -> Result<(), DbError> {
        let result = self.tx.commit().await;
        self.version.bump();
        result
    }

    async fn rollback(self: Box<Self>) -> Result<(), DbError> {
        self.tx.rollback().await
    }
}
