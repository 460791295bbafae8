//! What the list fields (select, relation, file) share: one value or a list depending on
//! `maxSelect`, stored as text or as a JSON array, and the `+`/`-` modifiers.

use super::Modifier;
use super::cast::{sql_to_json, unique_strings};
use crate::sql::SqlValue;
use serde_json::Value;

/// The column of a list field.
pub(crate) fn column(multiple: bool) -> String {
    if multiple {
        "JSON DEFAULT '[]' NOT NULL".to_owned()
    } else {
        super::TEXT_COLUMN.to_owned()
    }
}

/// The zero value: `[]` or `""`.
pub(crate) fn zero(multiple: bool) -> Value {
    if multiple {
        Value::Array(Vec::new())
    } else {
        Value::String(String::new())
    }
}

/// A list as the field shows it: all items, or the last one (PocketBase keeps "the last
/// selected") for single fields.
pub(crate) fn shape(list: Vec<String>, multiple: bool) -> Value {
    if multiple {
        Value::Array(list.into_iter().map(Value::String).collect())
    } else {
        Value::String(list.into_iter().last().unwrap_or_default())
    }
}

/// A list stored: JSON text for multiple fields, the last item for single ones.
pub(crate) fn to_sql(list: Vec<String>, multiple: bool) -> SqlValue {
    if multiple {
        SqlValue::Text(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()))
    } else {
        SqlValue::Text(list.into_iter().last().unwrap_or_default())
    }
}

/// The stored column as input for the field's normalization.
pub(crate) fn stored(v: &SqlValue) -> Value {
    sql_to_json(v)
}

/// The select/relation modifiers on unique string lists: append, prepend, remove.
pub(crate) fn modify(current: &Value, modifier: Modifier, arg: &Value) -> Vec<String> {
    let current = unique_strings(current);
    let arg = unique_strings(arg);
    match modifier {
        Modifier::Append => current.into_iter().chain(arg).collect(),
        Modifier::Prepend => arg.into_iter().chain(current).collect(),
        Modifier::Subtract => current.into_iter().filter(|v| !arg.contains(v)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(strings(&["a", "b"]), true), json!(["a", "b"]));
        assert_eq!(shape(strings(&["a", "b"]), false), json!("b"));
        assert_eq!(shape(vec![], false), json!(""));
        assert_eq!(shape(vec![], true), json!([]));
        assert_eq!(
            to_sql(strings(&["a", "b"]), true),
            SqlValue::Text(r#"["a","b"]"#.into())
        );
        assert_eq!(to_sql(vec![], true), SqlValue::Text("[]".into()));
        assert_eq!(
            to_sql(strings(&["a", "b"]), false),
            SqlValue::Text("b".into())
        );
        assert_eq!(column(true), "JSON DEFAULT '[]' NOT NULL");
        assert_eq!(column(false), "TEXT DEFAULT '' NOT NULL");
    }

    #[test]
    fn modifiers() {
        let cur = json!(["a", "b"]);
        assert_eq!(
            modify(&cur, Modifier::Append, &json!("c")),
            strings(&["a", "b", "c"])
        );
        assert_eq!(
            modify(&cur, Modifier::Append, &json!(["b", "c"])),
            strings(&["a", "b", "b", "c"])
        );
        assert_eq!(
            modify(&cur, Modifier::Prepend, &json!(["c", "d"])),
            strings(&["c", "d", "a", "b"])
        );
        assert_eq!(
            modify(&cur, Modifier::Subtract, &json!("a")),
            strings(&["b"])
        );
        assert_eq!(
            modify(&cur, Modifier::Subtract, &json!(["a", "b", "z"])),
            Vec::<String>::new()
        );
        assert_eq!(
            modify(&json!(""), Modifier::Append, &json!("x")),
            strings(&["x"])
        );
    }
}
