//! Form values as PocketBase's record forms read them (shared by the JSON-less body readers:
//! `multipart/form-data` and `application/x-www-form-urlencoded`).

use serde_json::{Map, Value};

/// Adds one form value: the first stays a string, a repeated key becomes an array.
pub(crate) fn push_form_value(out: &mut Map<String, Value>, name: String, text: String) {
    match out.get_mut(&name) {
        None => {
            out.insert(name, Value::String(text));
        }
        Some(Value::Array(a)) => a.push(Value::String(text)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(text)]);
        }
    }
}
