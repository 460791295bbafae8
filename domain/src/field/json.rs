//! The `json` field: any JSON value (`null` when unset), with a size limit.

use super::cast::{canonical_json, num_value};
use super::errors::{self, MAX_SAFE_JSON_INT, check_int};
use super::serde_util::null_default;
use super::{Field, FieldType};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The size limit applied when `maxSize` is 0 or less: 1 MiB.
pub const DEFAULT_JSON_MAX_SIZE: i64 = 1 << 20;

/// Serialized values that count as empty for `required`.
const EMPTY_JSON: &[&str] = &["null", "\"\"", "[]", "{}", ""];

/// Options of a `json` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a value other than `null`, `""`, `[]` and `{}`.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Size limit of the serialized value in bytes (0: 1 MiB).
    #[serde(default, deserialize_with = "null_default")]
    pub max_size: i64,
}

impl JsonOptions {
    /// The effective size limit in bytes.
    pub fn max_size(&self) -> i64 {
        if self.max_size <= 0 {
            DEFAULT_JSON_MAX_SIZE
        } else {
            self.max_size
        }
    }
}

/// A text input as PocketBase reads it for a json field: JSON when it is `null`, `true`,
/// `false`, or valid JSON starting with a digit, `-`, `"`, `[` or `{`; else the text itself
/// as a JSON string (so `""` stays the string `""`, and ` {}` with a space is a string).
fn parse_text(s: &str) -> Value {
    let looks_like_json = matches!(s, "null" | "true" | "false")
        || s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '"' | '[' | '{'));
    if looks_like_json && let Ok(v) = serde_json::from_str::<Value>(s) {
        return canonical_json(&v);
    }
    Value::String(s.to_owned())
}

impl FieldType for JsonOptions {
    fn type_name(&self) -> &'static str {
        "json"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn column_definition(&self) -> String {
        "JSON DEFAULT NULL".to_owned()
    }

    fn zero_value(&self) -> Value {
        Value::Null
    }

    fn normalize(&self, raw: &Value) -> Value {
        match raw {
            Value::String(s) => parse_text(s),
            other => canonical_json(other),
        }
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        match value {
            Value::Null => SqlValue::Null,
            other => SqlValue::Text(other.to_string()),
        }
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        match v {
            SqlValue::Null => Value::Null,
            SqlValue::Integer(i) => Value::from(*i),
            SqlValue::Real(f) => num_value(*f),
            SqlValue::Text(s) => stored_text(s),
            SqlValue::Blob(b) => stored_text(&String::from_utf8_lossy(b)),
        }
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let raw = match value {
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let max = self.max_size();
        if i64::try_from(raw.len()).unwrap_or(i64::MAX) > max {
            return Err(FieldError::new(
                "validation_json_size_limit",
                format!("The maximum allowed JSON size is {max} bytes."),
            ));
        }
        let shown = if raw.is_empty() { "null" } else { raw.trim() };
        if self.required && EMPTY_JSON.contains(&shown) {
            return Err(errors::required());
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        check_int(
            errs,
            "maxSize",
            self.max_size,
            Some(0),
            Some(MAX_SAFE_JSON_INT),
        );
    }
}

/// A stored JSON text; text that is not JSON (written by raw SQL) is kept as a string.
fn stored_text(s: &str) -> Value {
    serde_json::from_str::<Value>(s)
        .map(|v| canonical_json(&v))
        .unwrap_or_else(|_| Value::String(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn jsonf(o: JsonOptions) -> Field {
        let mut f = Field::new("data", FieldKind::Json(o));
        f.id = "json1".into();
        f
    }

    fn plain() -> Field {
        jsonf(JsonOptions::default())
    }

    #[test]
    fn basics() {
        let f = plain();
        assert_eq!(f.type_name(), "json");
        assert_eq!(f.column_definition(), "JSON DEFAULT NULL");
        assert_eq!(f.zero_value(), json!(null));
        assert_eq!(f.max_body_size(), Some(1 << 20));
    }

    #[test]
    fn normalize_json_values() {
        let f = plain();
        assert_eq!(f.normalize(&json!(null)), json!(null));
        assert_eq!(f.normalize(&json!({"a": [1, 2.0]})), json!({"a": [1, 2]}));
        assert_eq!(f.normalize(&json!({"a": 2.0}))["a"].to_string(), "2");
        assert_eq!(f.normalize(&json!([1, "x"])), json!([1, "x"]));
        assert_eq!(f.normalize(&json!(true)), json!(true));
        assert_eq!(f.normalize(&json!(1.5)), json!(1.5));
    }

    #[test]
    fn normalize_text_input() {
        let f = plain();
        assert_eq!(f.normalize(&json!("")), json!(""));
        assert_eq!(f.normalize(&json!("null")), json!(null));
        assert_eq!(f.normalize(&json!("true")), json!(true));
        assert_eq!(f.normalize(&json!("false")), json!(false));
        assert_eq!(f.normalize(&json!("123")), json!(123));
        assert_eq!(f.normalize(&json!("-1.5")), json!(-1.5));
        assert_eq!(f.normalize(&json!(r#""quoted""#)), json!("quoted"));
        assert_eq!(f.normalize(&json!(r#"{"a":1}"#)), json!({"a": 1}));
        assert_eq!(f.normalize(&json!("[1,2]")), json!([1, 2]));
        assert_eq!(f.normalize(&json!("hello")), json!("hello"));
        assert_eq!(f.normalize(&json!(" {}")), json!(" {}"));
        assert_eq!(f.normalize(&json!("{invalid")), json!("{invalid"));
        assert_eq!(f.normalize(&json!("True")), json!("True"));
        assert_eq!(f.normalize(&json!("12abc")), json!("12abc"));
    }

    #[test]
    fn sql_round_trip() {
        let f = plain();
        assert_eq!(f.to_sql(&json!(null)), SqlValue::Null);
        assert_eq!(
            f.to_sql(&json!({"b": 1, "a": [true]})),
            SqlValue::Text(r#"{"a":[true],"b":1}"#.into())
        );
        assert_eq!(f.to_sql(&json!("")), SqlValue::Text(r#""""#.into()));
        for v in [
            json!(null),
            json!(""),
            json!("x"),
            json!(0),
            json!([]),
            json!({"a": {"b": [1, 2.5]}}),
        ] {
            assert_eq!(f.from_sql(&f.to_sql(&v)), v, "{v}");
        }
        assert_eq!(f.from_sql(&SqlValue::Integer(3)), json!(3));
        assert_eq!(f.from_sql(&SqlValue::Real(3.0)).to_string(), "3");
        assert_eq!(
            f.from_sql(&SqlValue::Text("not json".into())),
            json!("not json")
        );
        assert_eq!(
            f.apply_modifier(&json!([1]), Modifier::Append, &json!(2)),
            json!([1])
        );
    }

    #[test]
    fn validate() {
        let f = jsonf(JsonOptions {
            required: true,
            max_size: 10,
            ..Default::default()
        });
        for empty in [json!(null), json!(""), json!([]), json!({})] {
            assert_eq!(
                f.validate_value(&empty).unwrap_err(),
                FieldError::required(),
                "{empty}"
            );
        }
        for ok in [
            json!(0),
            json!(false),
            json!("a"),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(f.validate_value(&ok).is_ok(), "{ok}");
        }
        assert_eq!(
            f.validate_value(&json!("0123456789")).unwrap_err(),
            FieldError::new(
                "validation_json_size_limit",
                "The maximum allowed JSON size is 10 bytes."
            )
        );
        assert!(plain().validate_value(&json!(null)).is_ok());
        assert!(
            plain()
                .validate_value(&json!("x".repeat((1 << 20) - 2)))
                .is_ok()
        );
        assert!(
            plain()
                .validate_value(&json!("x".repeat((1 << 20) - 1)))
                .is_err()
        );
    }

    #[test]
    fn options() {
        assert!(plain().validate_options().is_empty());
        let errs = jsonf(JsonOptions {
            max_size: -5,
            ..Default::default()
        })
        .validate_options();
        assert_eq!(
            errs.get("maxSize").unwrap().code,
            "validation_min_greater_equal_than_required"
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "json1",
            "maxSize": 0,
            "name": "data",
            "presentable": false,
            "required": false,
            "system": false,
            "type": "json"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, plain());
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
