//! Reading and writing the system tables and record rows (SQL with bound parameters only;
//! identifiers come from validated collection and field names).

use crate::error::AppError;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_domain::schema::ident;
use basalt_ports::Database;
use basalt_ports::db::{Row, SqlValue, Transaction};
use serde_json::{Map, Value, json};

/// Builds a collection from a `_collections` row.
pub fn collection_from_row(row: &Row) -> Result<Collection, AppError> {
    let parse = |col: &str| -> Result<Value, AppError> {
        let text = row.text(col);
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(text).map_err(|e| AppError::corrupt(format!("_collections.{col}"), e))
    };
    let rule = |col: &str| match row.get(col) {
        Some(SqlValue::Text(s)) => json!(s),
        _ => Value::Null,
    };
    let mut obj = Map::new();
    obj.insert("id".into(), json!(row.text("id")));
    obj.insert("name".into(), json!(row.text("name")));
    obj.insert("type".into(), json!(row.text("type")));
    obj.insert(
        "system".into(),
        json!(row.get("system").and_then(SqlValue::as_i64).unwrap_or(0) != 0),
    );
    for (key, col) in [
        ("listRule", "listRule"),
        ("viewRule", "viewRule"),
        ("createRule", "createRule"),
        ("updateRule", "updateRule"),
        ("deleteRule", "deleteRule"),
    ] {
        obj.insert(key.into(), rule(col));
    }
    obj.insert("fields".into(), parse("fields")?);
    obj.insert("indexes".into(), parse("indexes")?);
    obj.insert("created".into(), json!(row.text("created")));
    obj.insert("updated".into(), json!(row.text("updated")));
    if let Value::Object(options) = parse("options")? {
        for (k, v) in options {
            obj.insert(k, v);
        }
    }
    Collection::from_json(&Value::Object(obj))
        .map_err(|e| AppError::corrupt(format!("collection {}", row.text("name")), e))
}

fn collection_params(c: &Collection) -> Vec<SqlValue> {
    let rule = |r: &Option<String>| r.clone().map_or(SqlValue::Null, SqlValue::Text);
    let fields = serde_json::to_string(&c.fields).unwrap_or_else(|_| "[]".into());
    let indexes = serde_json::to_string(&c.indexes).unwrap_or_else(|_| "[]".into());
    vec![
        c.id.clone().into(),
        c.system.into(),
        c.kind.as_str().into(),
        c.name.clone().into(),
        fields.into(),
        indexes.into(),
        rule(&c.rules.list),
        rule(&c.rules.view),
        rule(&c.rules.create),
        rule(&c.rules.update),
        rule(&c.rules.delete),
        c.options_json().to_string().into(),
        c.created.clone().into(),
        c.updated.clone().into(),
    ]
}

/// Inserts a `_collections` row.
pub async fn insert_collection(tx: &mut dyn Transaction, c: &Collection) -> Result<(), AppError> {
    tx.execute(
        "INSERT INTO `_collections` (`id`, `system`, `type`, `name`, `fields`, `indexes`, \
         `listRule`, `viewRule`, `createRule`, `updateRule`, `deleteRule`, `options`, \
         `created`, `updated`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &collection_params(c),
    )
    .await?;
    Ok(())
}

/// Rewrites a `_collections` row (matched by id).
pub async fn update_collection(tx: &mut dyn Transaction, c: &Collection) -> Result<(), AppError> {
    let mut params = collection_params(c);
    let id = params.remove(0);
    params.push(id);
    tx.execute(
        "UPDATE `_collections` SET `system` = ?, `type` = ?, `name` = ?, `fields` = ?, \
         `indexes` = ?, `listRule` = ?, `viewRule` = ?, `createRule` = ?, `updateRule` = ?, \
         `deleteRule` = ?, `options` = ?, `created` = ?, `updated` = ? WHERE `id` = ?",
        &params,
    )
    .await?;
    Ok(())
}

/// Runs DDL statements inside `tx`.
pub async fn run_statements(
    tx: &mut dyn Transaction,
    statements: &[String],
) -> Result<(), AppError> {
    for sql in statements {
        tracing::debug!(%sql, "ddl");
        tx.execute(sql, &[]).await?;
    }
    Ok(())
}

/// Builds a record from a row of its collection's table.
pub fn record_from_row(c: &Collection, row: &Row) -> Record {
    Record::from_sql(
        c,
        row.columns().iter().map(String::as_str).zip(row.values()),
    )
}

/// Inserts a record row (one statement: a failure leaves nothing behind).
pub async fn insert_record(db: &dyn Database, c: &Collection, r: &Record) -> Result<(), AppError> {
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
pub async fn update_record(
    db: &dyn Database,
    c: &Collection,
    old_id: &str,
    r: &Record,
) -> Result<(), AppError> {
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
