//! The `select` field: one (`maxSelect` ≤ 1) or several of a fixed list of values.

use super::cast::unique_strings;
use super::errors::{self, check_int};
use super::serde_util::null_default;
use super::{Field, FieldType, Modifier, multi};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of a `select` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires at least one value.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// The allowed values (required when saving).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub values: Vec<String>,
    /// How many values may be picked; more than 1 makes the field a list.
    #[serde(default, deserialize_with = "null_default")]
    pub max_select: i64,
}

/// "Select no more than N." (select and relation).
pub(crate) fn too_many(max_select: i64) -> FieldError {
    FieldError::new(
        "validation_too_many_values",
        format!("Select no more than {max_select}."),
    )
    .with_param("maxSelect", max_select)
}

impl FieldType for SelectOptions {
    fn type_name(&self) -> &'static str {
        "select"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn is_multiple(&self) -> bool {
        self.max_select > 1
    }

    fn column_definition(&self) -> String {
        multi::column(self.is_multiple())
    }

    fn zero_value(&self) -> Value {
        multi::zero(self.is_multiple())
    }

    fn normalize(&self, raw: &Value) -> Value {
        multi::shape(unique_strings(raw), self.is_multiple())
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        multi::to_sql(unique_strings(value), self.is_multiple())
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        self.normalize(&multi::stored(v))
    }

    fn apply_modifier(&self, current: &Value, modifier: Modifier, arg: &Value) -> Option<Value> {
        let list = multi::modify(current, modifier, arg);
        Some(self.normalize(&Value::from(list)))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let list = unique_strings(value);
        if list.is_empty() {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        let max = self.max_select.max(1);
        if i64::try_from(list.len()).unwrap_or(i64::MAX) > max {
            return Err(too_many(max));
        }
        let allowed = self.values.as_slice();
        if let Some(bad) = list.iter().find(|v| !allowed.contains(v)) {
            return Err(FieldError::new(
                "validation_invalid_value",
                format!("Invalid value {bad}."),
            )
            .with_param("value", bad.clone()));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        let count = self.values.len();
        if count == 0 {
            errs.add("values", errors::required());
        }
        let max = i64::try_from(count.max(1)).unwrap_or(i64::MAX);
        check_int(errs, "maxSelect", self.max_select, Some(0), Some(max));
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldKind;
    use super::*;
    use serde_json::json;

    fn select(max_select: i64, required: bool) -> Field {
        let mut f = Field::new(
            "tags",
            FieldKind::Select(SelectOptions {
                values: (vec!["a".into(), "b".into(), "c".into()]),
                max_select,
                required,
                ..Default::default()
            }),
        );
        f.id = "select1".into();
        f
    }

    #[test]
    fn basics() {
        let single = select(1, false);
        let multi = select(2, false);
        assert_eq!(single.type_name(), "select");
        assert!(!single.is_multiple());
        assert!(multi.is_multiple());
        assert!(!select(0, false).is_multiple());
        assert_eq!(single.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(multi.column_definition(), "JSON DEFAULT '[]' NOT NULL");
        assert_eq!(single.zero_value(), json!(""));
        assert_eq!(multi.zero_value(), json!([]));
    }

    #[test]
    fn normalize_single() {
        let f = select(1, false);
        assert_eq!(f.normalize(&json!("a")), json!("a"));
        assert_eq!(f.normalize(&json!(["a", "b"])), json!("b"));
        assert_eq!(f.normalize(&json!(r#"["a","b"]"#)), json!("b"));
        assert_eq!(f.normalize(&json!("")), json!(""));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        assert_eq!(f.normalize(&json!([])), json!(""));
        assert_eq!(f.normalize(&json!(1)), json!("1"));
    }

    #[test]
    fn normalize_multiple() {
        let f = select(3, false);
        assert_eq!(f.normalize(&json!("a")), json!(["a"]));
        assert_eq!(f.normalize(&json!(["a", "", "b", "a"])), json!(["a", "b"]));
        assert_eq!(f.normalize(&json!(r#"["c","a","c"]"#)), json!(["c", "a"]));
        assert_eq!(f.normalize(&json!("")), json!([]));
        assert_eq!(f.normalize(&json!(null)), json!([]));
        assert_eq!(f.normalize(&json!([["a"]])), json!([]));
        assert_eq!(f.normalize(&json!({"a": 1})), json!([]));
        // more than maxSelect is kept; validation reports it
        assert_eq!(
            f.normalize(&json!(["a", "b", "c", "d"])),
            json!(["a", "b", "c", "d"])
        );
    }

    #[test]
    fn sql_round_trip() {
        let single = select(1, false);
        let multi = select(2, false);
        assert_eq!(single.to_sql(&json!("a")), SqlValue::Text("a".into()));
        assert_eq!(single.to_sql(&json!("")), SqlValue::Text(String::new()));
        assert_eq!(
            multi.to_sql(&json!(["a", "b"])),
            SqlValue::Text(r#"["a","b"]"#.into())
        );
        assert_eq!(multi.to_sql(&json!([])), SqlValue::Text("[]".into()));
        for (f, v) in [
            (&single, json!("a")),
            (&single, json!("")),
            (&multi, json!(["b", "a"])),
            (&multi, json!([])),
        ] {
            assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        }
        assert_eq!(multi.from_sql(&SqlValue::Null), json!([]));
        assert_eq!(single.from_sql(&SqlValue::Null), json!(""));
        // a column written while the field was multiple reads as its last value
        assert_eq!(
            single.from_sql(&SqlValue::Text(r#"["a","b"]"#.into())),
            json!("b")
        );
        assert_eq!(multi.from_sql(&SqlValue::Text("a".into())), json!(["a"]));
    }

    #[test]
    fn modifiers() {
        let f = select(3, false);
        assert!(f.supports_modifier(Modifier::Append));
        assert!(f.supports_modifier(Modifier::Prepend));
        assert!(f.supports_modifier(Modifier::Subtract));
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Append, &json!("b")),
            json!(["a", "b"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Append, &json!(["a", "c"])),
            json!(["a", "c"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Prepend, &json!("b")),
            json!(["b", "a"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a", "b"]), Modifier::Subtract, &json!("a")),
            json!(["b"])
        );
        assert_eq!(
            f.apply_modifier(
                &json!(["a", "b"]),
                Modifier::Subtract,
                &json!(r#"["a","b"]"#)
            ),
            json!([])
        );
        let single = select(1, false);
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Append, &json!("b")),
            json!("b")
        );
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Prepend, &json!("b")),
            json!("a")
        );
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Subtract, &json!("a")),
            json!("")
        );
    }

    #[test]
    fn validate() {
        let f = select(2, true);
        assert_eq!(
            f.validate_value(&json!([])).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!(["a"])).is_ok());
        assert!(f.validate_value(&json!(["a", "b"])).is_ok());
        assert_eq!(
            f.validate_value(&json!(["a", "b", "c"])).unwrap_err(),
            FieldError::new("validation_too_many_values", "Select no more than 2.")
                .with_param("maxSelect", 2)
        );
        assert_eq!(
            f.validate_value(&json!(["a", "x"])).unwrap_err(),
            FieldError::new("validation_invalid_value", "Invalid value x.")
                .with_param("value", "x")
        );
        let single = select(0, false);
        assert!(single.validate_value(&json!("")).is_ok());
        assert!(single.validate_value(&json!("c")).is_ok());
        assert_eq!(
            single
                .validate_value(&json!(["a", "b"]))
                .unwrap_err()
                .message,
            "Select no more than 1."
        );
    }

    #[test]
    fn options() {
        assert!(select(3, false).validate_options().is_empty());
        let errs = select(4, false).validate_options();
        assert_eq!(
            errs.get("maxSelect").unwrap().message,
            "Must be no greater than 3."
        );
        let errs = select(-1, false).validate_options();
        assert_eq!(
            errs.get("maxSelect").unwrap().message,
            "Must be no less than 0."
        );
        let mut f = select(0, false);
        f.kind = FieldKind::Select(SelectOptions::default());
        let errs = f.validate_options();
        assert_eq!(errs.get("values").unwrap().code, "validation_required");
        assert!(errs.get("maxSelect").is_none());
        f.kind = FieldKind::Select(SelectOptions {
            max_select: 2,
            values: (vec![]),
            ..Default::default()
        });
        let errs = f.validate_options();
        assert_eq!(errs.get("values").unwrap().code, "validation_required");
        assert_eq!(
            errs.get("maxSelect").unwrap().message,
            "Must be no greater than 1."
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "select1",
            "maxSelect": 2,
            "name": "tags",
            "presentable": false,
            "required": true,
            "system": false,
            "type": "select",
            "values": ["a", "b", "c"]
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, select(2, true));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
