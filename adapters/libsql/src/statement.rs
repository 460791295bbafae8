//! Running statements on one connection, and where they run ([`Exec`]): shared by the
//! database's pooled readers and writer and by its transactions.

use crate::convert::{map_err, params, rows};
use basalt_ports::db::{DbError, ExecResult, Row, SqlValue};
use libsql::Connection;
use std::future::Future;

/// How statements run. libsql's local engine does its work (and busy waits) on the calling
/// thread, so local and replica statements move to a blocking thread; remote ones are plain
/// network I/O and run in place.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Exec {
    Blocking,
    Inline,
}

impl Exec {
    pub(crate) async fn run<T, F>(self, fut: F) -> Result<T, DbError>
    where
        F: Future<Output = Result<T, DbError>> + Send + 'static,
        T: Send + 'static,
    {
        match self {
            Exec::Inline => fut.await,
            Exec::Blocking => {
                let handle = tokio::runtime::Handle::current();
                tokio::task::spawn_blocking(move || handle.block_on(fut))
                    .await
                    .map_err(|e| DbError::Connection(format!("libsql task: {e}")))?
            }
        }
    }
}

/// Runs a statement that returns rows.
pub(crate) async fn query(
    conn: &Connection,
    sql: &str,
    args: &[SqlValue],
) -> Result<Vec<Row>, DbError> {
    rows(conn.query(sql, params(args)).await.map_err(map_err)?).await
}

/// Runs a statement for its effect. One that returns rows (`PRAGMA wal_checkpoint`, DML with
/// `RETURNING`) runs too, its rows dropped, as on the sqlx driver: the local engine reports
/// `ExecuteReturnedRows` after the statement's first step, which is where SQLite does all of
/// such a statement's work.
pub(crate) async fn execute(
    conn: &Connection,
    sql: &str,
    args: &[SqlValue],
) -> Result<ExecResult, DbError> {
    let rows_affected = match conn.execute(sql, params(args)).await {
        Ok(n) => n,
        Err(libsql::Error::ExecuteReturnedRows) => conn.changes(),
        Err(e) => return Err(map_err(e)),
    };
    Ok(ExecResult {
        rows_affected,
        last_insert_rowid: conn.last_insert_rowid(),
    })
}

/// Rolls back a transaction a dropped [`Transaction`] left open on the writer.
pub(crate) async fn rollback_if_open(conn: &Connection) -> Result<(), DbError> {
    if !conn.is_autocommit() {
        execute(conn, "ROLLBACK", &[]).await?;
    }
    Ok(())
}
