//! Opening the database file and the writer/readers split.

use crate::convert::{arguments, map_err, rows};
use crate::schema_epoch::{SchemaEpoch, is_ddl};
use crate::transaction::SqliteTransaction;
use async_trait::async_trait;
use basalt_ports::db::{Database, DbError, ExecResult, Row, SqlValue, Transaction};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Executor};
use std::path::Path;
use std::time::Duration;

/// Tuning for [`SqliteDatabase::open`].
#[derive(Debug, Clone)]
pub struct SqliteConfig {
    /// Reader connections in the pool (default: one per core plus one, 2 to 8).
    pub max_readers: u32,
    /// How long a connection waits on a lock held by another process.
    pub busy_timeout: Duration,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            max_readers: default_readers(),
            busy_timeout: Duration::from_millis(10_000),
        }
    }
}

/// A SQLite database file behind one writer connection and a pool of readers.
/// One reader per core plus one (2 to 8): more connections than cores only adds worker
/// threads to switch between (measured in `bench/`).
fn default_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores as u32 + 1).clamp(2, 8)
}

#[derive(Debug, Clone)]
pub struct SqliteDatabase {
    writer: SqlitePool,
    readers: SqlitePool,
    schema: SchemaEpoch,
}

/// Pool options that retire connections opened before the last schema change. No ping
/// before each acquire (sqlx's default): an in-process SQLite connection does not drop, and
/// the ping is one more round trip to the connection's thread for every statement.
fn pool_options(schema: &SchemaEpoch) -> SqlitePoolOptions {
    let schema = schema.clone();
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .before_acquire(move |_conn, meta| {
            let fresh = !schema.is_stale(meta.age);
            Box::pin(async move { Ok(fresh) })
        })
}

impl SqliteDatabase {
    /// Opens (creating if missing) the database at `path` with the pragmas of ARCHITECTURE.md ("SQLite connections").
    pub async fn open(path: &Path, config: &SqliteConfig) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(config.busy_timeout)
            .pragma("temp_store", "MEMORY")
            .pragma("cache_size", "-32000");
        let schema = SchemaEpoch::default();
        // The writer first: it creates the file and switches it to WAL.
        let writer = pool_options(&schema)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(|e| DbError::Connection(format!("{}: {e}", path.display())))?;
        let readers = pool_options(&schema)
            .max_connections(config.max_readers.max(1))
            .connect_with(options.read_only(true))
            .await
            .map_err(|e| DbError::Connection(format!("{}: {e}", path.display())))?;
        tracing::debug!(path = %path.display(), "sqlite database opened");
        Ok(Self {
            writer,
            readers,
            schema,
        })
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl Database for SqliteDatabase {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        let q = sqlx::query_with(AssertSqlSafe(sql.to_owned()), arguments(params)?);
        rows(self.readers.fetch_all(q).await.map_err(map_err)?)
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        let q = sqlx::query_with(AssertSqlSafe(sql.to_owned()), arguments(params)?);
        let r = self.writer.execute(q).await.map_err(map_err)?;
        if is_ddl(sql) {
            self.schema.bump();
        }
        Ok(ExecResult {
            rows_affected: r.rows_affected(),
            last_insert_rowid: r.last_insert_rowid(),
        })
    }

    async fn begin(&self) -> Result<Box<dyn Transaction>, DbError> {
        // IMMEDIATE: take the write lock up front (waiting on busy), as the libsql driver does.
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_err)?;
        Ok(Box::new(SqliteTransaction::new(tx, self.schema.clone())))
    }
}
