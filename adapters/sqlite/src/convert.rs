//! Mapping between the port's [`SqlValue`] and sqlx's SQLite types, and sqlx errors to [`DbError`].

use basalt_ports::db::{DbError, Row, SqlValue};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, Column, Row as _, TypeInfo, ValueRef};
use std::sync::Arc;

/// Binds every parameter, in order, as the storage class it names.
pub(crate) fn arguments(params: &[SqlValue]) -> Result<SqliteArguments, DbError> {
    let mut args = SqliteArguments::default();
    for p in params {
        let res = match p {
            SqlValue::Null => args.add(Option::<i64>::None),
            SqlValue::Integer(i) => args.add(*i),
            SqlValue::Real(f) => args.add(*f),
            SqlValue::Text(s) => args.add(s.clone()),
            SqlValue::Blob(b) => args.add(b.clone()),
        };
        res.map_err(|e| DbError::Query(format!("bind: {e}")))?;
    }
    Ok(args)
}

/// Converts sqlx rows to port rows, reading each value by its actual storage class.
pub(crate) fn rows(raw: Vec<SqliteRow>) -> Result<Vec<Row>, DbError> {
    let Some(first) = raw.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    raw.iter()
        .map(|r| {
            let values = (0..columns.len())
                .map(|i| value(r, i))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Row::new(columns.clone(), values))
        })
        .collect()
}

fn value(row: &SqliteRow, i: usize) -> Result<SqlValue, DbError> {
    let raw = row.try_get_raw(i).map_err(map_err)?;
    if raw.is_null() {
        return Ok(SqlValue::Null);
    }
    let kind = raw.type_info().name().to_owned();
    let v = match kind.as_str() {
        "INTEGER" => SqlValue::Integer(row.try_get_unchecked::<i64, _>(i).map_err(map_err)?),
        "REAL" => SqlValue::Real(row.try_get_unchecked::<f64, _>(i).map_err(map_err)?),
        "BLOB" => SqlValue::Blob(row.try_get_unchecked::<Vec<u8>, _>(i).map_err(map_err)?),
        _ => SqlValue::Text(row.try_get_unchecked::<String, _>(i).map_err(map_err)?),
    };
    Ok(v)
}

/// Maps a sqlx error to the port's error, singling out UNIQUE violations.
pub(crate) fn map_err(e: sqlx::Error) -> DbError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            DbError::Unique(db.message().to_owned())
        }
        sqlx::Error::Database(db) => DbError::Query(db.message().to_owned()),
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            DbError::Connection(e.to_string())
        }
        _ => DbError::Query(e.to_string()),
    }
}
