//! A write transaction on the single writer connection.

use crate::statement::{Exec, execute, query, rollback_if_open};
use async_trait::async_trait;
use basalt_ports::db::{DbError, ExecResult, Row, SqlValue, Transaction};
use libsql::Connection;
use std::sync::Arc;
use tokio::sync::OwnedMutexGuard;

/// Holds the writer for its lifetime. Dropped without commit or rollback, it rolls back in
/// the background while still holding the writer, so the next write waits for that.
pub(crate) struct LibsqlTransaction {
    writer: Option<OwnedMutexGuard<Connection>>,
    exec: Exec,
    /// Keeps the database (its `libsql::Database` handles) open while the transaction is.
    _database: Arc<dyn Send + Sync>,
}

impl LibsqlTransaction {
    pub(crate) fn new(
        writer: OwnedMutexGuard<Connection>,
        exec: Exec,
        database: Arc<dyn Send + Sync>,
    ) -> Self {
        Self {
            writer: Some(writer),
            exec,
            _database: database,
        }
    }

    fn conn(&self) -> Result<Connection, DbError> {
        self.writer
            .as_ref()
            .map(|w| (**w).clone())
            .ok_or_else(|| DbError::Query("transaction already finished".into()))
    }

    async fn finish(mut self: Box<Self>, sql: &'static str) -> Result<(), DbError> {
        let conn = self.conn()?;
        let res = self
            .exec
            .run(async move { execute(&conn, sql, &[]).await.map(|_| ()) })
            .await;
        // On a failed COMMIT the drop below rolls back what is left open.
        if res.is_ok() {
            self.writer = None;
        }
        res
    }
}

#[async_trait]
impl Transaction for LibsqlTransaction {
    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        let conn = self.conn()?;
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.exec
            .run(async move { query(&conn, &sql, &params).await })
            .await
    }

    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        let conn = self.conn()?;
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.exec
            .run(async move { execute(&conn, &sql, &params).await })
            .await
    }

    async fn commit(self: Box<Self>) -> Result<(), DbError> {
        self.finish("COMMIT").await
    }

    async fn rollback(self: Box<Self>) -> Result<(), DbError> {
        self.finish("ROLLBACK").await
    }
}

impl Drop for LibsqlTransaction {
    fn drop(&mut self) {
        let Some(writer) = self.writer.take() else {
            return;
        };
        let exec = self.exec;
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(exec.run(async move {
                    if let Err(e) = rollback_if_open(&writer).await {
                        tracing::warn!(error = %e, "rollback of a dropped transaction failed");
                    }
                    drop(writer);
                    Ok(())
                }));
            }
            // No runtime: the next writer rolls it back before its own statement.
            Err(_) => drop(writer),
        }
    }
}
