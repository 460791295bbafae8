//! Records between Rust and JS: the state JS gets (`{collectionId, collectionName, data,
//! isNew}`) and what it sends back (`{collection, id, isNew, data, changes, password, shape}`).

use basalt_core::App;
use basalt_domain::record::Record;
use basalt_ports::ServiceError;
use serde_json::{Map, Value, json};

/// A record as JS receives it.
pub(crate) fn export(r: &Record) -> Value {
    json!({
        "collectionId": r.collection_id,
        "collectionName": r.collection_name,
        "data": r.data,
        "isNew": r.is_new(),
    })
}

/// Applies what JS changed on a record: the values it set, a new password, and the
/// `hide`/`unhide`/`withCustomData` calls.
pub(crate) fn apply_changes(r: &mut Record, state: &Value) {
    if let Some(changes) = state.get("changes").and_then(Value::as_object) {
        for (k, v) in changes {
            r.set(k, v.clone());
        }
    }
    if let Some(pw) = state.get("password").and_then(Value::as_str) {
        r.set_password(pw);
    }
    if let Some(shape) = state.get("shape") {
        let names = |k: &str| -> Vec<String> {
            shape
                .get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let hide = names("hide");
        let unhide = names("unhide");
        r.hide(&hide.iter().map(String::as_str).collect::<Vec<_>>());
        r.unhide(&unhide.iter().map(String::as_str).collect::<Vec<_>>());
        if let Some(on) = shape.get("custom").and_then(Value::as_bool) {
            r.with_custom_data(on);
        }
    }
}

/// The Rust record a JS record stands for: a new one with its values, or the stored one
/// with its changes applied.
pub(crate) async fn resolve(app: &App, state: &Value) -> Result<Record, ServiceError> {
    let collection = state
        .get("collection")
        .and_then(Value::as_str)
        .unwrap_or("");
    let is_new = state.get("isNew").and_then(Value::as_bool).unwrap_or(true);
    if is_new {
        let mut r = app.new_record(collection)?;
        let empty = Map::new();
        let data = state
            .get("data")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (k, v) in data {
            if !(k == "id" && v.as_str() == Some("")) {
                r.set(k, v.clone());
            }
        }
        apply_changes(
            &mut r,
            &json!({"password": state.get("password"), "shape": state.get("shape")}),
        );
        Ok(r)
    } else {
        let id = state.get("id").and_then(Value::as_str).unwrap_or("");
        let mut r = app.find_record_by_id(collection, id).await?;
        apply_changes(&mut r, state);
        Ok(r)
    }
}
