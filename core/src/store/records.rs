//! Record rows: the statements of a [`CompiledQuery`] (select, count, exists, ids, condition
//! checks) and the writes (insert, update, delete), plus the two lookups expand and
//! validation make (back-relation ids, existing relation ids). Identifiers come from
//! validated collection and field names; every value is a bound parameter.

use crate::query::{CompiledQuery, Source};
use basalt_domain::collection::Collection;
use basalt_domain::filter::CompiledFilter;
use basalt_domain::record::Record;
use basalt_domain::schema::ident;
use basalt_ports::Database;
use basalt_ports::db::{DbError, Row, SqlValue};
use serde_json::Value;

/// Builds a record from a row of its collection's table.
pub(crate) fn record_from_row(c: &Collection, row: &Row) -> Record {
    Record::from_sql(
        c,
        row.columns().iter().map(String::as_str).zip(row.values()),
    )
}

/// `WITH … ` for a [`Source::Values`] query (empty for a table) and its parameters.
fn with_clause(q: &CompiledQuery) -> (String, Vec<SqlValue>) {
    match &q.source {
        Source::Table => (String::new(), Vec::new()),
        Source::Values(pairs) => {
            let selects: Vec<String> = pairs
                .iter()
                .map(|(n, _)| format!("? AS {}", ident(n)))
                .collect();
            let sql = format!("WITH {} AS (SELECT {}) ", q.alias, selects.join(", "));
            (sql, pairs.iter().map(|(_, v)| v.clone()).collect())
        }
    }
}

/// `SELECT {what} FROM … WHERE …` of `q`, without order or page, and its parameters.
fn statement(q: &CompiledQuery, what: &str) -> (String, Vec<SqlValue>) {
    let (with, mut params) = with_clause(q);
    let sql = format!("{with}SELECT {what} FROM {}{}", q.alias, q.where_sql);
    params.extend(q.params.iter().cloned());
    (sql, params)
}

/// Appends `q`'s order and page to a statement. A single-row lookup says `LIMIT 1` in its
/// text: SQLite re-prepares a statement whose bound `LIMIT` is bound again, so a constant
/// keeps the cached statement (page sizes come from the client and stay bound).
fn ordered_page(q: &CompiledQuery, sql: &mut String, params: &mut Vec<SqlValue>) {
    sql.push_str(&q.order_sql);
    params.extend(q.order_params.iter().cloned());
    if q.limit == Some(1) && q.offset == 0 {
        sql.push_str(" LIMIT 1");
    } else if q.limit.is_some() || q.offset > 0 {
        sql.push_str(" LIMIT ? OFFSET ?");
        params.push(SqlValue::Integer(q.limit.unwrap_or(-1)));
        params.push(SqlValue::Integer(q.offset));
    }
}

/// The records of `c` that `q` selects, in its order.
pub(crate) async fn select(
    db: &dyn Database,
    c: &Collection,
    q: &CompiledQuery,
) -> Result<Vec<Record>, DbError> {
    let (mut sql, mut params) = statement(q, &format!("{}.*", q.alias));
    ordered_page(q, &mut sql, &mut params);
    let rows = db.query(&sql, &params).await?;
    Ok(rows.iter().map(|r| record_from_row(c, r)).collect())
}

/// The ids of the records `q` selects, in its order.
pub(crate) async fn select_ids(
    db: &dyn Database,
    q: &CompiledQuery,
) -> Result<Vec<String>, DbError> {
    let (mut sql, mut params) = statement(q, &format!("{}.`id` AS id", q.alias));
    ordered_page(q, &mut sql, &mut params);
    let rows = db.query(&sql, &params).await?;
    Ok(rows.iter().map(|r| r.text("id").to_owned()).collect())
}

/// Whether `q` selects any row.
pub(crate) async fn exists(db: &dyn Database, q: &CompiledQuery) -> Result<bool, DbError> {
    let (mut sql, params) = statement(q, "1 AS ok");
    sql.push_str(" LIMIT 1");
    Ok(!db.query(&sql, &params).await?.is_empty())
}

/// The `COUNT(*)` statement of `q` (order and page left out) and its parameters: what
/// [`count`] runs, and a key for remembering its answer.
pub(crate) fn count_statement(q: &CompiledQuery) -> (String, Vec<SqlValue>) {
    statement(q, "COUNT(*) AS n")
}

/// How many rows `q` selects (order and page left out).
pub(crate) async fn count(db: &dyn Database, q: &CompiledQuery) -> Result<i64, DbError> {
    let (sql, params) = count_statement(q);
    let rows = db.query(&sql, &params).await?;
    Ok(first_integer(&rows, "n"))
}

/// For the first row `q` selects, whether each of `conditions` holds (`None` when it
/// selects nothing): several callers' rules checked in one statement.
pub(crate) async fn evaluate(
    db: &dyn Database,
    q: &CompiledQuery,
    conditions: &[CompiledFilter],
) -> Result<Option<Vec<bool>>, DbError> {
    let mut columns = Vec::with_capacity(conditions.len());
    let mut cond_params = Vec::new();
    for (n, cond) in conditions.iter().enumerate() {
        columns.push(format!(
            "CASE WHEN ({}) THEN 1 ELSE 0 END AS `c{n}`",
            cond.sql
        ));
        cond_params.extend(cond.params.iter().cloned());
    }
    let (with, mut params) = with_clause(q);
    let sql = format!(
        "{with}SELECT {} FROM {}{} LIMIT 1",
        columns.join(", "),
        q.alias,
        q.where_sql
    );
    params.extend(cond_params);
    params.extend(q.params.iter().cloned());
    let rows = db.query(&sql, &params).await?;
    Ok(rows.first().map(|row| {
        row.values()
            .iter()
            .map(|v| matches!(v, SqlValue::Integer(1)))
            .collect()
    }))
}

/// Inserts a record row (one statement: a failure leaves nothing behind).
pub(crate) async fn insert(db: &dyn Database, c: &Collection, r: &Record) -> Result<(), DbError> {
    let pairs = r.to_sql(c);
    let cols: Vec<String> = pairs.iter().map(|(n, _)| ident(n)).collect();
    let marks = vec!["?"; pairs.len()].join(", ");
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({marks})",
        ident(&c.name),
        cols.join(", ")
    );
    let params: Vec<SqlValue> = pairs.into_iter().map(|(_, v)| v).collect();
    db.execute(&sql, &params).await?;
    Ok(())
}

/// Rewrites a record row; `old_id` is the id it is stored under (one statement).
pub(crate) async fn update(
    db: &dyn Database,
    c: &Collection,
    old_id: &str,
    r: &Record,
) -> Result<(), DbError> {
    let pairs = r.to_sql(c);
    let sets: Vec<String> = pairs
        .iter()
        .map(|(n, _)| format!("{} = ?", ident(n)))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE `id` = ?",
        ident(&c.name),
        sets.join(", ")
    );
    let mut params: Vec<SqlValue> = pairs.into_iter().map(|(_, v)| v).collect();
    params.push(old_id.into());
    db.execute(&sql, &params).await?;
    Ok(())
}

/// Deletes the row of record `id`; returns whether there was one.
pub(crate) async fn delete(db: &dyn Database, c: &Collection, id: &str) -> Result<bool, DbError> {
    let sql = format!("DELETE FROM {} WHERE `id` = ?", ident(&c.name));
    Ok(db.execute(&sql, &[id.into()]).await?.rows_affected > 0)
}

/// How many of `ids` (distinct) are records of `c`.
pub(crate) async fn count_existing(
    db: &dyn Database,
    c: &Collection,
    ids: &[String],
) -> Result<i64, DbError> {
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT COUNT(DISTINCT `id`) AS n FROM {} WHERE `id` IN ({marks})",
        ident(&c.name)
    );
    let params: Vec<SqlValue> = ids.iter().map(|i| SqlValue::from(i.as_str())).collect();
    Ok(first_integer(&db.query(&sql, &params).await?, "n"))
}

/// The `(id, referenced id)` pairs of the records of `c` whose relation `field` (a list when
/// `multiple`) points at one of `targets`, in storage order.
pub(crate) async fn back_links(
    db: &dyn Database,
    c: &Collection,
    field: &str,
    multiple: bool,
    targets: &[&str],
) -> Result<Vec<(String, String)>, DbError> {
    let alias = ident(&c.name);
    let col = format!("{alias}.{}", ident(field));
    let order = if c.is_view() {
        String::new()
    } else {
        format!(" ORDER BY {alias}._rowid_")
    };
    let sql = if multiple {
        format!(
            "SELECT {alias}.`id` AS id, __je.value AS ref FROM {alias}, json_each(CASE WHEN iif(json_valid({col}), json_type({col})='array', FALSE) THEN {col} ELSE json_array({col}) END) __je WHERE __je.value IN (SELECT value FROM json_each(?)){order}"
        )
    } else {
        format!(
            "SELECT {alias}.`id` AS id, {col} AS ref FROM {alias} WHERE {col} IN (SELECT value FROM json_each(?)){order}"
        )
    };
    let param = SqlValue::from(Value::from(targets.to_vec()).to_string().as_str());
    let rows = db.query(&sql, &[param]).await?;
    Ok(rows
        .iter()
        .map(|r| (r.text("id").to_owned(), r.text("ref").to_owned()))
        .collect())
}

fn first_integer(rows: &[Row], column: &str) -> i64 {
    rows.first()
        .and_then(|r| r.get(column))
        .and_then(SqlValue::as_i64)
        .unwrap_or(0)
}
