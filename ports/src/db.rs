//! The `Database` driver port: the DBConnect equivalent. Thin on purpose: SQL text plus typed,
//! bound values in; rows of typed values out. SQLite semantics (every driver is SQLite-family).

use async_trait::async_trait;
pub use basalt_domain::sql::SqlValue;
use std::sync::Arc;

/// Errors a driver reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbError {
    /// A UNIQUE constraint failed; the payload is the driver's text (names the columns).
    #[error("unique constraint failed: {0}")]
    Unique(String),
    /// The statement failed (syntax, missing table, constraint other than UNIQUE...).
    #[error("query failed: {0}")]
    Query(String),
    /// The connection could not be opened or was lost.
    #[error("database connection: {0}")]
    Connection(String),
}

impl DbError {
    /// The columns a [`DbError::Unique`] names (SQLite's `UNIQUE constraint failed: t.a,
    /// t.b` gives `a`, `b`); empty for other errors.
    pub fn unique_columns(&self) -> Vec<&str> {
        let DbError::Unique(text) = self else {
            return Vec::new();
        };
        let list = text.rsplit(':').next().unwrap_or("");
        list.split(',')
            .map(|col| col.trim().rsplit('.').next().unwrap_or("").trim())
            .filter(|name| !name.is_empty())
            .collect()
    }

    /// The driver's text, without the kind's prefix.
    pub fn message(&self) -> &str {
        match self {
            DbError::Unique(m) | DbError::Query(m) | DbError::Connection(m) => m,
        }
    }
}

/// The result of a statement that returns no rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecResult {
    /// Rows changed by the statement.
    pub rows_affected: u64,
    /// The rowid of the last inserted row.
    pub last_insert_rowid: i64,
}

/// One result row: column names (shared by all rows of a result) and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl Row {
    /// Builds a row; `values` is in `columns` order.
    pub fn new(columns: Arc<[String]>, values: Vec<SqlValue>) -> Self {
        Self { columns, values }
    }

    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values, in column order.
    pub fn values(&self) -> &[SqlValue] {
        &self.values
    }

    /// The value of the column `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&SqlValue> {
        self.columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| self.values.get(i))
    }

    /// The text of column `name`, or `""` when absent or not text.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).and_then(SqlValue::as_str).unwrap_or("")
    }
}

/// A database: reads go to a pool of readers, writes to the one writer.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Database: Send + Sync {
    /// Runs a read-only statement on a reader connection.
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError>;
    /// Runs a statement on the writer connection, outside any explicit transaction.
    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError>;
    /// Starts a transaction on the writer; writes are serialized while it is open.
    async fn begin(&self) -> Result<Box<dyn Transaction>, DbError>;
}

/// An open write transaction. Dropping it without `commit` rolls it back.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Transaction: Send {
    /// Runs a statement that returns rows, inside the transaction.
    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError>;
    /// Runs a statement, inside the transaction.
    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError>;
    /// Makes the transaction's writes durable.
    async fn commit(self: Box<Self>) -> Result<(), DbError>;
    /// Discards the transaction's writes.
    async fn rollback(self: Box<Self>) -> Result<(), DbError>;
}

#[cfg(test)]
mod tests {
    use super::DbError;

    #[test]
    fn a_unique_error_names_its_columns() {
        let e = DbError::Unique("UNIQUE constraint failed: posts.title, posts.slug".into());
        assert_eq!(e.unique_columns(), ["title", "slug"]);
        assert!(DbError::Query("x".into()).unique_columns().is_empty());
    }
}
