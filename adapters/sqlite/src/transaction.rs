//! A write transaction on the single writer connection.

use crate::convert::{arguments, map_err, rows};
use crate::schema_epoch::{SchemaEpoch, is_ddl};
use async_trait::async_trait;
use basalt_ports::db::{DbError, ExecResult, Row, SqlValue, Transaction};
use sqlx::{AssertSqlSafe, Sqlite};

/// Holds the writer for its lifetime; dropped without commit, sqlx rolls it back. A
/// committed transaction that changed the schema bumps the schema epoch.
pub(crate) struct SqliteTransaction {
    tx: sqlx::Transaction<'static, Sqlite>,
    schema: SchemaEpoch,
    changed_schema: bool,
}

impl SqliteTransaction {
    pub(crate) fn new(tx: sqlx::Transaction<'static, Sqlite>, schema: SchemaEpoch) -> Self {
        Self {
            tx,
            schema,
            changed_schema: false,
        }
    }
}

#[async_trait]
impl Transaction for SqliteTransaction {
    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        let q = sqlx::query_with(AssertSqlSafe(sql.to_owned()), arguments(params)?);
        rows(q.fetch_all(&mut *self.tx).await.map_err(map_err)?)
    }

    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        let q = sqlx::query_with(AssertSqlSafe(sql.to_owned()), arguments(params)?);
        let r = q.execute(&mut *self.tx).await.map_err(map_err)?;
        self.changed_schema |= is_ddl(sql);
        Ok(ExecResult {
            rows_affected: r.rows_affected(),
            last_insert_rowid: r.last_insert_rowid(),
        })
    }

    async fn commit(self: Box<Self>) -> Result<(), DbError> {
        let (schema, changed) = (self.schema.clone(), self.changed_schema);
        self.tx.commit().await.map_err(map_err)?;
        if changed {
            schema.bump();
        }
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<(), DbError> {
        self.tx.rollback().await.map_err(map_err)
    }
}
