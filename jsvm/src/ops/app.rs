//! `$app`'s operations: finding, saving and deleting records and collections, the settings,
//! raw queries with bound parameters.

use crate::ops::common::{HostError, HostResult, park_on};
use crate::pool::Shared;
use crate::records;
use basalt_core::App;
use basalt_domain::collection::Collection;
use basalt_domain::sql::SqlValue;
use basalt_ports::ServiceError;
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn text<'a>(args: &'a Value, key: &str) -> &'a str {
    args.get(key).and_then(Value::as_str).unwrap_or("")
}

fn params(args: &Value) -> Map<String, Value> {
    args.get("params")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Runs `$app` operation `op` on `app`.
pub(crate) fn run(shared: &Arc<Shared>, app: &App, op: &str, args: Value) -> HostResult {
    park_on(shared, run_async(app, op, args))
}

async fn run_async(app: &App, op: &str, args: Value) -> HostResult {
    let c = text(&args, "c");
    match op {
        "app.findRecordById" => Ok(records::export(
            &app.find_record_by_id(c, text(&args, "id")).await?,
        )),
        "app.findFirstRecordByFilter" => Ok(app
            .find_first_record_by_filter(c, text(&args, "filter"), &params(&args))
            .await?
            .map(|r| records::export(&r))
            .unwrap_or(Value::Null)),
        "app.findRecordsByFilter" => {
            let limit = args.get("limit").and_then(Value::as_i64).unwrap_or(0);
            let offset = args.get("offset").and_then(Value::as_i64).unwrap_or(0);
            let list = app
                .find_records_by_filter(
                    c,
                    text(&args, "filter"),
                    text(&args, "sort"),
                    limit,
                    offset,
                    &params(&args),
                )
                .await?;
            Ok(Value::Array(list.iter().map(records::export).collect()))
        }
        "app.countRecords" => Ok(json!(
            app.count_records(c, text(&args, "filter"), &params(&args))
                .await?
        )),
        "app.collection" => Ok(app
            .find_collection(text(&args, "name"))
            .map(|c| c.to_json(true))
            .unwrap_or(Value::Null)),
        "app.collections" => Ok(Value::Array(
            app.collections().iter().map(|c| c.to_json(true)).collect(),
        )),
        "app.save" => save(app, &args).await,
        "app.importCollections" => {
            let list = args
                .get("list")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let delete_missing = args
                .get("deleteMissing")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            app.import_collections(&list, delete_missing).await?;
            Ok(Value::Null)
        }
        "app.delete" => delete(app, &args).await,
        "app.settings" => {
            Ok(serde_json::to_value(app.settings().as_ref()).map_err(ServiceError::internal)?)
        }
        "app.sendMail" => {
            Ok(crate::mail::send(app, args.get("message").unwrap_or(&Value::Null)).await?)
        }
        "db.execute" => {
            let (sql, values) = bind_params(text(&args, "sql"), &params(&args))?;
            let done = app
                .db()
                .execute(&sql, &values)
                .await
                .map_err(ServiceError::internal)?;
            Ok(json!({"rowsAffected": done.rows_affected, "lastInsertId": done.last_insert_rowid}))
        }
        "db.all" => {
            let (sql, values) = bind_params(text(&args, "sql"), &params(&args))?;
            let rows = app
                .db()
                .query(&sql, &values)
                .await
                .map_err(ServiceError::internal)?;
            Ok(Value::Array(rows.iter().map(row_json).collect()))
        }
        _ => Err(ServiceError::internal_message(format!("unknown operation {op}")).into()),
    }
}

async fn save(app: &App, args: &Value) -> HostResult {
    let model = args.get("model").cloned().unwrap_or(Value::Null);
    let validate = args
        .get("validate")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    match model.get("kind").and_then(Value::as_str) {
        Some("record") => {
            let state = model.get("record").cloned().unwrap_or(Value::Null);
            let mut r = records::resolve(app, &state).await?;
            if validate {
                app.save(&mut r).await?;
            } else {
                app.save_no_validate(&mut r).await?;
            }
            Ok(records::export(&r))
        }
        Some("collection") => {
            let json = model.get("collection").cloned().unwrap_or(Value::Null);
            let mut c = Collection::from_json(&json).map_err(|e| ServiceError::BadRequest {
                message: "Invalid collection.".into(),
                data: e,
            })?;
            app.save_collection(&mut c).await?;
            Ok(c.to_json(true))
        }
        _ => Err(HostError::Service(ServiceError::bad_request(
            "save: expected a Record or a Collection",
        ))),
    }
}

async fn delete(app: &App, args: &Value) -> HostResult {
    let model = args.get("model").cloned().unwrap_or(Value::Null);
    match model.get("kind").and_then(Value::as_str) {
        Some("record") => {
            let state = model.get("record").cloned().unwrap_or(Value::Null);
            let mut r = records::resolve(app, &state).await?;
            app.delete(&mut r).await?;
            Ok(Value::Null)
        }
        Some("collection") => {
            let json = model.get("collection").cloned().unwrap_or(Value::Null);
            let key = [text(&json, "id"), text(&json, "name")]
                .into_iter()
                .find(|k| !k.is_empty())
                .unwrap_or("");
            let c = app
                .find_collection(key)
                .ok_or_else(|| ServiceError::NotFound(format!("missing collection {key:?}")))?;
            app.drop_collection(&c).await?;
            Ok(Value::Null)
        }
        _ => Err(HostError::Service(ServiceError::bad_request(
            "delete: expected a Record or a Collection",
        ))),
    }
}

/// dbx's `{:name}` placeholders as `?` with their values bound in order (never spliced into
/// the SQL text; a placeholder without a value is an error).
pub(crate) fn bind_params(
    sql: &str,
    params: &Map<String, Value>,
) -> Result<(String, Vec<SqlValue>), ServiceError> {
    let mut out = String::with_capacity(sql.len());
    let mut values = Vec::new();
    let mut rest = sql;
    let mut quote: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '\'' || c == '"' {
            quote = Some(c);
        } else if rest.starts_with("{:")
            && let Some(end) = rest.find('}')
        {
            let name = &rest[2..end];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                let v = params.get(name).ok_or_else(|| {
                    ServiceError::bad_request(format!("missing query parameter {name:?}"))
                })?;
                values.push(sql_value(v));
                out.push('?');
                rest = &rest[end + 1..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Ok((out, values))
}

fn sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

fn row_json(row: &basalt_ports::db::Row) -> Value {
    let mut map = Map::new();
    for (k, v) in row.columns().iter().zip(row.values()) {
        let v = match v {
            SqlValue::Null => Value::Null,
            SqlValue::Integer(i) => json!(i),
            SqlValue::Real(f) => json!(f),
            SqlValue::Text(s) => json!(s),
            SqlValue::Blob(b) => json!(String::from_utf8_lossy(b)),
        };
        map.insert(k.clone(), v);
    }
    Value::Object(map)
}
