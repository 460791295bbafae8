//! The `editor` field: rich text (HTML) with a byte size limit.

use super::cast::{go_string, sql_text};
use super::errors::{self, MAX_SAFE_JSON_INT, check_int};
use super::serde_util::null_default;
use super::{Field, FieldType};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The size limit applied when `maxSize` is 0 or less: 5 MiB.
pub const DEFAULT_EDITOR_MAX_SIZE: i64 = 5 << 20;

/// Options of an `editor` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditorOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a non-empty value.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Maximum size in bytes (0: 5 MiB).
    #[serde(default, deserialize_with = "null_default")]
    pub max_size: i64,
    /// Dashboard hint: keep URLs as written instead of making them relative.
    #[serde(rename = "convertURLs", default, deserialize_with = "null_default")]
    pub convert_urls: bool,
}

impl EditorOptions {
    /// The effective size limit in bytes.
    pub fn max_size(&self) -> i64 {
        if self.max_size <= 0 {
            DEFAULT_EDITOR_MAX_SIZE
        } else {
            self.max_size
        }
    }
}

impl FieldType for EditorOptions {
    fn type_name(&self) -> &'static str {
        "editor"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn normalize(&self, raw: &Value) -> Value {
        Value::String(go_string(raw))
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        SqlValue::Text(go_string(value))
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        Value::String(sql_text(v))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let Value::String(s) = value else {
            return Err(errors::unsupported_value_type());
        };
        if self.required && s.is_empty() {
            return Err(errors::required());
        }
        let max = self.max_size();
        if i64::try_from(s.len()).unwrap_or(i64::MAX) > max {
            return Err(FieldError::new(
                "validation_content_size_limit",
                format!("The maximum allowed content size is {max} bytes."),
            ));
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

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn editor(o: EditorOptions) -> Field {
        let mut f = Field::new("body", FieldKind::Editor(o));
        f.id = "editor1".into();
        f
    }

    #[test]
    fn basics() {
        let f = editor(EditorOptions::default());
        assert_eq!(f.type_name(), "editor");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
        assert_eq!(f.max_body_size(), Some(5 << 20));
        assert_eq!(
            editor(EditorOptions {
                max_size: 10,
                ..Default::default()
            })
            .max_body_size(),
            Some(10)
        );
    }

    #[test]
    fn normalize_and_sql() {
        let f = editor(EditorOptions::default());
        assert_eq!(f.normalize(&json!("<p>x</p>")), json!("<p>x</p>"));
        assert_eq!(f.normalize(&json!(1.5)), json!("1.5"));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        assert_eq!(f.to_sql(&json!("<b>")), SqlValue::Text("<b>".into()));
        assert_eq!(f.from_sql(&SqlValue::Text("<b>".into())), json!("<b>"));
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(
            f.apply_modifier(&json!("a"), Modifier::Prepend, &json!("b")),
            json!("a")
        );
    }

    #[test]
    fn validate() {
        let f = editor(EditorOptions {
            required: true,
            max_size: 5,
            ..Default::default()
        });
        assert_eq!(
            f.validate_value(&json!("")).unwrap_err().code,
            "validation_required"
        );
        assert!(f.validate_value(&json!("abcde")).is_ok());
        assert_eq!(
            f.validate_value(&json!("abcdef")).unwrap_err(),
            FieldError::new(
                "validation_content_size_limit",
                "The maximum allowed content size is 5 bytes."
            )
        );
        // bytes, not characters
        assert!(f.validate_value(&json!("ééé")).is_err());
        assert_eq!(
            f.validate_value(&json!(1)).unwrap_err().code,
            "validation_unsupported_value_type"
        );
        let f = editor(EditorOptions::default());
        assert!(f.validate_value(&json!("")).is_ok());
        assert!(f.validate_value(&json!("a".repeat(5 << 20))).is_ok());
        assert!(f.validate_value(&json!("a".repeat((5 << 20) + 1))).is_err());
    }

    #[test]
    fn options() {
        assert!(
            editor(EditorOptions::default())
                .validate_options()
                .is_empty()
        );
        let errs = editor(EditorOptions {
            max_size: -1,
            ..Default::default()
        })
        .validate_options();
        assert_eq!(
            errs.get("maxSize").unwrap().message,
            "Must be no less than 0."
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "convertURLs": false,
            "help": "",
            "hidden": false,
            "id": "editor1",
            "maxSize": 0,
            "name": "body",
            "presentable": false,
            "required": false,
            "system": false,
            "type": "editor"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, editor(EditorOptions::default()));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
