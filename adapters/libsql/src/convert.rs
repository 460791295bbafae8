//! Mapping between the port's [`SqlValue`] and libsql's values, and libsql errors to [`DbError`].

use basalt_ports::db::{DbError, Row, SqlValue};
use std::sync::Arc;

/// The parameters, in order, as libsql values of the same storage class.
pub(crate) fn params(params: &[SqlValue]) -> libsql::params::Params {
    libsql::params::Params::Positional(
        params
            .iter()
            .map(|p| match p {
                SqlValue::Null => libsql::Value::Null,
                SqlValue::Integer(i) => libsql::Value::Integer(*i),
                SqlValue::Real(f) => libsql::Value::Real(*f),
                SqlValue::Text(s) => libsql::Value::Text(s.clone()),
                SqlValue::Blob(b) => libsql::Value::Blob(b.clone()),
            })
            .collect(),
    )
}

/// Reads every row, each value by its actual storage class.
pub(crate) async fn rows(mut raw: libsql::Rows) -> Result<Vec<Row>, DbError> {
    let columns: Arc<[String]> = (0..raw.column_count())
        .map(|i| raw.column_name(i).unwrap_or_default().to_owned())
        .collect();
    let mut out = Vec::new();
    while let Some(row) = raw.next().await.map_err(map_err)? {
        let values = (0..columns.len())
            .map(|i| {
                let v = row
                    .get_value(i32::try_from(i).unwrap_or(i32::MAX))
                    .map_err(map_err)?;
                Ok(match v {
                    libsql::Value::Null => SqlValue::Null,
                    libsql::Value::Integer(i) => SqlValue::Integer(i),
                    libsql::Value::Real(f) => SqlValue::Real(f),
                    libsql::Value::Text(s) => SqlValue::Text(s),
                    libsql::Value::Blob(b) => SqlValue::Blob(b),
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        out.push(Row::new(columns.clone(), values));
    }
    Ok(out)
}

const UNIQUE: &str = "UNIQUE constraint failed";

/// Maps a libsql error to the port's error. UNIQUE violations are recognised by SQLite's
/// message, which local, remote (Hrana) and replica errors all carry, and reported with the
/// same text the sqlx driver gives (`UNIQUE constraint failed: t.col`).
pub(crate) fn map_err(e: libsql::Error) -> DbError {
    let text = match &e {
        libsql::Error::SqliteFailure(_, msg) => msg.clone(),
        libsql::Error::RemoteSqliteFailure(_, _, msg) => msg.clone(),
        other => other.to_string(),
    };
    if let Some(at) = text.find(UNIQUE) {
        // Remote errors quote SQLite's message inside a debug dump: keep the message only.
        let msg = text[at..]
            .split(['"', '`', '\n'])
            .next()
            .unwrap_or(UNIQUE)
            .trim_end()
            .to_owned();
        return DbError::Unique(msg);
    }
    match e {
        libsql::Error::ConnectionFailed(_)
        | libsql::Error::Replication(_)
        | libsql::Error::InvalidTlsConfiguration(_) => DbError::Connection(text),
        libsql::Error::Hrana(_) if is_transport(&text) => DbError::Connection(text),
        _ => DbError::Query(text),
    }
}

/// Whether a Hrana error is about reaching the server rather than about the statement.
fn is_transport(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "connect",
        "http",
        "status",
        "unauthorized",
        "dns",
        "tcp",
        "refused",
    ]
    .iter()
    .any(|w| t.contains(w))
}
