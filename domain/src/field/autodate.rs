//! The `autodate` field: a date-time the record sets itself on create and/or update
//! (`created` and `updated`). User input for it is ignored by PocketBase.

use super::Field;
use super::FieldType;
use super::cast::{go_string, sql_text};
use super::date::normalize_date;
use super::serde_util::null_default;
use crate::datetime::normalize_datetime;
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of an `autodate` field (it has no `help` and no `required`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutodateOptions {
    /// Set to the current time when the record is created.
    #[serde(default, deserialize_with = "null_default")]
    pub on_create: bool,
    /// Set to the current time whenever the record is updated.
    #[serde(default, deserialize_with = "null_default")]
    pub on_update: bool,
}

impl AutodateOptions {
    /// Whether the field is set on this save.
    pub fn is_due(&self, is_create: bool) -> bool {
        if is_create {
            self.on_create
        } else {
            self.on_update
        }
    }
}

impl FieldType for AutodateOptions {
    fn type_name(&self) -> &'static str {
        "autodate"
    }

    fn normalize(&self, raw: &Value) -> Value {
        normalize_date(raw)
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        SqlValue::Text(normalize_datetime(&go_string(value)))
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        Value::String(normalize_datetime(&sql_text(v)))
    }

    fn validate_value(&self, _value: &Value) -> Result<(), FieldError> {
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        if !self.on_create && !self.on_update {
            let err = FieldError::new(
                "validation_required",
                "Either onCreate or onUpdate must be enabled.",
            );
            errs.add("onCreate", err.clone());
            errs.add("onUpdate", err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn autodate(on_create: bool, on_update: bool) -> Field {
        let mut f = Field::new(
            "updated",
            FieldKind::Autodate(AutodateOptions {
                on_create,
                on_update,
            }),
        );
        f.id = "autodate2990389176".into();
        f
    }

    #[test]
    fn basics() {
        let f = autodate(true, true);
        assert_eq!(f.type_name(), "autodate");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
        assert!(!f.required());
        assert_eq!(f.help(), "");
    }

    #[test]
    fn normalize_validate_sql() {
        let f = autodate(true, false);
        assert_eq!(
            f.normalize(&json!("2024-01-02")),
            json!("2024-01-02 00:00:00.000Z")
        );
        assert_eq!(f.normalize(&json!(5)), json!(""));
        assert!(f.validate_value(&json!("")).is_ok());
        assert!(f.validate_value(&json!(5)).is_ok());
        let v = json!("2024-01-02 03:04:05.006Z");
        assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(f.apply_modifier(&v, Modifier::Append, &json!("x")), v);
    }

    #[test]
    fn autodate_values() {
        let now = "2024-01-02 03:04:05.006Z";
        let created = autodate(true, false);
        let updated = autodate(true, true);
        let touched = autodate(false, true);
        assert_eq!(created.autodate_value(now, true), Some(json!(now)));
        assert_eq!(created.autodate_value(now, false), None);
        assert_eq!(updated.autodate_value(now, true), Some(json!(now)));
        assert_eq!(updated.autodate_value(now, false), Some(json!(now)));
        assert_eq!(touched.autodate_value(now, true), None);
        assert_eq!(touched.autodate_value(now, false), Some(json!(now)));
        let text = Field::new("t", FieldKind::Text(Default::default()));
        assert_eq!(text.autodate_value(now, true), None);
    }

    #[test]
    fn options() {
        assert!(autodate(true, false).validate_options().is_empty());
        assert!(autodate(false, true).validate_options().is_empty());
        let errs = autodate(false, false).validate_options();
        let want = FieldError::new(
            "validation_required",
            "Either onCreate or onUpdate must be enabled.",
        );
        assert_eq!(errs.get("onCreate"), Some(&want));
        assert_eq!(errs.get("onUpdate"), Some(&want));
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "hidden": false,
            "id": "autodate2990389176",
            "name": "updated",
            "onCreate": true,
            "onUpdate": true,
            "presentable": false,
            "system": false,
            "type": "autodate"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, autodate(true, true));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
