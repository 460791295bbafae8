//! `_collections` rows (PocketBase's columns; fields, indexes and options as JSON), the
//! DDL of collection tables, and the lookups a collection save makes (table names, a view
//! query's columns).

use crate::error::AppError;
use basalt_domain::collection::Collection;
use basalt_domain::schema::ident;
use basalt_ports::Database;
use basalt_ports::db::{Row, SqlValue, Transaction};
use serde_json::{Map, Value, json};

/// Builds a collection from a `_collections` row.
pub(crate) fn collection_from_row(row: &Row) -> Result<Collection, AppError> {
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

/// The columns of a `_collections` row, in the order of [`collection_params`].
#[cfg(test)]
pub(crate) const COLLECTION_COLUMNS: [&str; 14] = [
    "id",
    "system",
    "type",
    "name",
    "fields",
    "indexes",
    "listRule",
    "viewRule",
    "createRule",
    "updateRule",
    "deleteRule",
    "options",
    "created",
    "updated",
];

/// The values of `c`'s `_collections` row.
pub(crate) fn collection_params(c: &Collection) -> Vec<SqlValue> {
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
pub(crate) async fn insert(tx: &mut dyn Transaction, c: &Collection) -> Result<(), AppError> {
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
pub(crate) async fn update(tx: &mut dyn Transaction, c: &Collection) -> Result<(), AppError> {
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
pub(crate) async fn run_statements(
    tx: &mut dyn Transaction,
    statements: &[String],
) -> Result<(), AppError> {
    for sql in statements {
        tracing::debug!(%sql, "ddl");
        tx.execute(sql, &[]).await?;
    }
    Ok(())
}

/// Every `_collections` row, in creation order.
const ALL_SQL: &str = "SELECT * FROM `_collections` ORDER BY `created`, `rowid`";

/// Every stored collection, in creation order.
pub(crate) async fn load(db: &dyn Database) -> Result<Vec<Collection>, AppError> {
    db.query(ALL_SQL, &[])
        .await?
        .iter()
        .map(collection_from_row)
        .collect()
}

/// [`load`] inside `tx` (its uncommitted rows included).
pub(crate) async fn load_in(tx: &mut dyn Transaction) -> Result<Vec<Collection>, AppError> {
    tx.query(ALL_SQL, &[])
        .await?
        .iter()
        .map(collection_from_row)
        .collect()
}

/// Deletes the `_collections` row `id`.
pub(crate) async fn delete(tx: &mut dyn Transaction, id: &str) -> Result<(), AppError> {
    tx.execute("DELETE FROM `_collections` WHERE `id` = ?", &[id.into()])
        .await?;
    Ok(())
}

/// Deletes the rows of the system tables that point at records of auth collection `id`
/// (`_mfas`, `_otps`, `_authOrigins`, `_externalAuths`; those missing are skipped).
pub(crate) async fn delete_auth_refs(tx: &mut dyn Transaction, id: &str) -> Result<(), AppError> {
    let existing = table_names(tx).await?;
    for table in ["_mfas", "_otps", "_authOrigins", "_externalAuths"] {
        if existing.iter().any(|t| t == table) {
            let sql = format!("DELETE FROM {} WHERE `collectionRef` = ?", ident(table));
            tx.execute(&sql, &[id.into()]).await?;
        }
    }
    Ok(())
}

/// The names of every table and view of the database.
pub(crate) async fn table_names(tx: &mut dyn Transaction) -> Result<Vec<String>, AppError> {
    let rows = tx
        .query(
            "SELECT `name` FROM sqlite_master WHERE `type` IN ('table', 'view')",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| r.text("name").to_owned()).collect())
}

/// The result columns of a view query, as `(name, declared type)`: the query is created as
/// a temporary view inside `tx`, read, and dropped. SQLite's error text when it is invalid.
pub(crate) async fn view_columns(
    tx: &mut dyn Transaction,
    query: &str,
) -> Result<Vec<(String, String)>, String> {
    let probe = ident("_basalt_view_probe");
    let sql = format!("CREATE TEMP VIEW {probe} AS {query}");
    tx.execute(&sql, &[]).await.map_err(|e| e.to_string())?;
    let columns = tx
        .query(&format!("PRAGMA table_info({probe})"), &[])
        .await
        .map_err(|e| e.to_string());
    tx.execute(&format!("DROP VIEW IF EXISTS temp.{probe}"), &[])
        .await
        .map_err(|e| e.to_string())?;
    Ok(columns?
        .iter()
        .map(|r| (r.text("name").to_owned(), r.text("type").to_owned()))
        .collect())
}
