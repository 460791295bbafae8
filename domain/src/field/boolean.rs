//! The `bool` field.

use super::FieldType;
use super::cast::{go_bool, sql_to_json};
use super::errors;
use super::serde_util::null_default;
use crate::error::FieldError;
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of a `bool` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoolOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires `true`.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
}

impl FieldType for BoolOptions {
    fn type_name(&self) -> &'static str {
        "bool"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn column_definition(&self) -> String {
        "BOOLEAN DEFAULT FALSE NOT NULL".to_owned()
    }

    fn zero_value(&self) -> Value {
        Value::Bool(false)
    }

    fn normalize(&self, raw: &Value) -> Value {
        Value::Bool(go_bool(raw))
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        SqlValue::Integer(i64::from(go_bool(value)))
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        Value::Bool(go_bool(&sql_to_json(v)))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        match value {
            Value::Bool(false) if self.required => Err(errors::required()),
            Value::Bool(_) => Ok(()),
            _ => Err(errors::unsupported_value_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Field, FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn boolean(required: bool) -> Field {
        let mut f = Field::new(
            "verified",
            FieldKind::Bool(BoolOptions {
                required,
                ..Default::default()
            }),
        );
        f.id = "bool256245529".into();
        f
    }

    #[test]
    fn basics() {
        let f = boolean(false);
        assert_eq!(f.type_name(), "bool");
        assert_eq!(f.column_definition(), "BOOLEAN DEFAULT FALSE NOT NULL");
        assert_eq!(f.zero_value(), json!(false));
    }

    #[test]
    fn normalize() {
        let f = boolean(false);
        for (raw, want) in [
            (json!(""), false),
            (json!("f"), false),
            (json!("t"), true),
            (json!("true"), true),
            (json!("TRUE"), true),
            (json!("1"), true),
            (json!("0"), false),
            (json!("on"), false),
            (json!("yes"), false),
            (json!(1), true),
            (json!(0), false),
            (json!(0.1), true),
            (json!(true), true),
            (json!(null), false),
            (json!([true]), false),
            (json!({"a": true}), false),
        ] {
            assert_eq!(f.normalize(&raw), json!(want), "{raw}");
        }
    }

    #[test]
    fn sql_round_trip() {
        let f = boolean(false);
        assert_eq!(f.to_sql(&json!(true)), SqlValue::Integer(1));
        assert_eq!(f.to_sql(&json!(false)), SqlValue::Integer(0));
        assert_eq!(f.from_sql(&SqlValue::Integer(1)), json!(true));
        assert_eq!(f.from_sql(&SqlValue::Integer(0)), json!(false));
        assert_eq!(f.from_sql(&SqlValue::Integer(7)), json!(true));
        assert_eq!(f.from_sql(&SqlValue::Text("true".into())), json!(true));
        assert_eq!(f.from_sql(&SqlValue::Text("FALSE".into())), json!(false));
        assert_eq!(f.from_sql(&SqlValue::Real(0.0)), json!(false));
        assert_eq!(f.from_sql(&SqlValue::Null), json!(false));
        for b in [true, false] {
            assert_eq!(f.from_sql(&f.to_sql(&json!(b))), json!(b));
        }
        assert_eq!(
            f.apply_modifier(&json!(true), Modifier::Subtract, &json!(true)),
            json!(true)
        );
    }

    #[test]
    fn validate() {
        let f = boolean(true);
        assert_eq!(
            f.validate_value(&json!(false)).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!(true)).is_ok());
        assert!(boolean(false).validate_value(&json!(false)).is_ok());
        assert_eq!(
            f.validate_value(&json!("true")).unwrap_err().code,
            "validation_unsupported_value_type"
        );
    }

    #[test]
    fn options() {
        assert!(boolean(true).validate_options().is_empty());
        let mut f = boolean(false);
        f.name = "expand".into();
        assert_eq!(
            f.validate_options().get("name").unwrap().code,
            "validation_not_in_invalid"
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "bool256245529",
            "name": "verified",
            "presentable": false,
            "required": false,
            "system": true,
            "type": "bool"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        let mut want = boolean(false);
        want.system = true;
        assert_eq!(f, want);
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
