//! The database a transactional app runs on: every statement goes to one open write
//! transaction, and `begin` inside it opens a SAVEPOINT, so code written for the plain app
//! (which begins its own transactions) runs unchanged inside `run_in_transaction`.

use crate::store::savepoints;
use async_trait::async_trait;
use basalt_ports::db::{DbError, ExecResult, Row, SqlValue};
use basalt_ports::hook::BoxFuture;
use basalt_ports::{Database, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Work to run once the outermost transaction has committed.
pub(crate) type AfterCommit = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

/// The state shared by a transactional app and its savepoints.
pub(crate) struct TxShared {
    tx: tokio::sync::Mutex<Option<Box<dyn Transaction>>>,
    savepoints: AtomicU64,
    /// Savepoints dropped without commit or rollback, rolled back before the next statement.
    abandoned: Mutex<Vec<String>>,
    after_commit: Mutex<Vec<AfterCommit>>,
    after_rollback: Mutex<Vec<AfterCommit>>,
    schema_changed: std::sync::atomic::AtomicBool,
}

fn finished() -> DbError {
    DbError::Connection("the transaction has already finished".into())
}

impl TxShared {
    /// Wraps an open transaction.
    pub(crate) fn new(tx: Box<dyn Transaction>) -> Arc<Self> {
        Arc::new(Self {
            tx: tokio::sync::Mutex::new(Some(tx)),
            savepoints: AtomicU64::new(0),
            abandoned: Mutex::new(Vec::new()),
            after_commit: Mutex::new(Vec::new()),
            after_rollback: Mutex::new(Vec::new()),
            schema_changed: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Notes that the collections cache was loaded from inside this transaction.
    pub(crate) fn mark_schema_changed(&self) {
        self.schema_changed.store(true, Ordering::Relaxed);
    }

    /// Whether the collections cache saw this transaction's uncommitted schema.
    pub(crate) fn schema_changed(&self) -> bool {
        self.schema_changed.load(Ordering::Relaxed)
    }

    /// Queues work for after the commit.
    pub(crate) fn after_commit(&self, f: AfterCommit) {
        if let Ok(mut list) = self.after_commit.lock() {
            list.push(f);
        }
    }

    /// Takes the queued after-commit work.
    pub(crate) fn take_after_commit(&self) -> Vec<AfterCommit> {
        self.after_commit
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }

    /// Queues work for when the transaction rolls back (or its commit fails).
    pub(crate) fn after_rollback(&self, f: AfterCommit) {
        if let Ok(mut list) = self.after_rollback.lock() {
            list.push(f);
        }
    }

    /// Takes the queued after-rollback work.
    pub(crate) fn take_after_rollback(&self) -> Vec<AfterCommit> {
        self.after_rollback
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }

    /// Rolls back abandoned savepoints, then takes the transaction out to commit or roll it
    /// back; later statements fail.
    pub(crate) async fn take(&self) -> Result<Box<dyn Transaction>, DbError> {
        let mut guard = self.lock().await?;
        guard.0.take().ok_or_else(finished)
    }

    /// Locks the transaction for one statement, first rolling back abandoned savepoints.
    async fn lock(&self) -> Result<Guard<'_>, DbError> {
        let mut guard = self.tx.lock().await;
        let tx = guard.as_mut().ok_or_else(finished)?;
        let abandoned = self
            .abandoned
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        for name in abandoned.iter().rev() {
            savepoints::roll_back(tx.as_mut(), name).await?;
        }
        Ok(Guard(guard))
    }
}

/// The locked, open transaction.
struct Guard<'a>(tokio::sync::MutexGuard<'a, Option<Box<dyn Transaction>>>);

impl Guard<'_> {
    fn tx(&mut self) -> Result<&mut Box<dyn Transaction>, DbError> {
        self.0.as_mut().ok_or_else(finished)
    }
}

/// The [`Database`] of a transactional app.
pub(crate) struct TxDatabase(pub(crate) Arc<TxShared>);

#[async_trait]
impl Database for TxDatabase {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        self.0.lock().await?.tx()?.query(sql, params).await
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        self.0.lock().await?.tx()?.execute(sql, params).await
    }

    async fn begin(&self) -> Result<Box<dyn Transaction>, DbError> {
        let n = self.0.savepoints.fetch_add(1, Ordering::Relaxed) + 1;
        let name = format!("basalt_sp_{n}");
        savepoints::open(self.0.lock().await?.tx()?.as_mut(), &name).await?;
        Ok(Box::new(Savepoint {
            shared: self.0.clone(),
            name,
            open: true,
        }))
    }
}

/// A nested "transaction" inside a transactional app: a SAVEPOINT.
struct Savepoint {
    shared: Arc<TxShared>,
    name: String,
    open: bool,
}

#[async_trait]
impl Transaction for Savepoint {
    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        self.shared.lock().await?.tx()?.query(sql, params).await
    }

    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        self.shared.lock().await?.tx()?.execute(sql, params).await
    }

    async fn commit(mut self: Box<Self>) -> Result<(), DbError> {
        self.open = false;
        savepoints::release(self.shared.lock().await?.tx()?.as_mut(), &self.name).await
    }

    async fn rollback(mut self: Box<Self>) -> Result<(), DbError> {
        self.open = false;
        let mut guard = self.shared.lock().await?;
        savepoints::roll_back(guard.tx()?.as_mut(), &self.name).await
    }
}

impl Drop for Savepoint {
    fn drop(&mut self) {
        if self.open
            && let Ok(mut list) = self.shared.abandoned.lock()
        {
            list.push(self.name.clone());
        }
    }
}
