//! The `password` field: stores a bcrypt hash (made by the caller) and checks the plain
//! password. Never shown in API responses.

use super::cast::{go_string, sql_text};
use super::errors::{self, check_int};
use super::goregex::{compile_go_regex, go_regex_matches};
use super::serde_util::null_default;
use super::{Field, FieldType};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The max length applied when `max` is 0 or less (bcrypt reads at most 72 bytes).
pub const DEFAULT_PASSWORD_MAX: i64 = 71;

/// The bcrypt cost used when `cost` is 0 or less (Go's `bcrypt.DefaultCost`).
pub const DEFAULT_PASSWORD_COST: u32 = 10;

/// bcrypt's cost range.
const MIN_COST: i64 = 4;
const MAX_COST: i64 = 31;

/// Options of a `password` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a password.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Minimum length in characters (0: none).
    #[serde(default, deserialize_with = "null_default")]
    pub min: i64,
    /// Maximum length in characters (0: 71).
    #[serde(default, deserialize_with = "null_default")]
    pub max: i64,
    /// A Go regular expression the password must match (empty: none).
    #[serde(default, deserialize_with = "null_default")]
    pub pattern: String,
    /// bcrypt cost (0: 10).
    #[serde(default, deserialize_with = "null_default")]
    pub cost: i64,
}

impl PasswordOptions {
    /// The bcrypt cost to hash with.
    pub fn bcrypt_cost(&self) -> u32 {
        if self.cost <= 0 {
            DEFAULT_PASSWORD_COST
        } else {
            u32::try_from(self.cost).unwrap_or(DEFAULT_PASSWORD_COST)
        }
    }
}

impl FieldType for PasswordOptions {
    fn type_name(&self) -> &'static str {
        "password"
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

    /// `value` is the plain password. PocketBase's `required` looks at the stored hash, so
    /// a caller keeping an existing hash should skip this check.
    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let Value::String(plain) = value else {
            return Err(errors::unsupported_value_type());
        };
        if plain.is_empty() {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        let length = i64::try_from(plain.chars().count()).unwrap_or(i64::MAX);
        if length < self.min {
            return Err(FieldError::new(
                "validation_min_text_constraint",
                format!("Must be at least {} character(s).", self.min),
            ));
        }
        let max = if self.max <= 0 {
            DEFAULT_PASSWORD_MAX
        } else {
            self.max
        };
        if length > max {
            return Err(FieldError::new(
                "validation_max_text_constraint",
                format!("Must be less than {max} character(s)."),
            ));
        }
        if !self.pattern.is_empty() && !go_regex_matches(&self.pattern, plain) {
            return Err(FieldError::new(
                "validation_invalid_format",
                "Invalid value format.",
            ));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        check_int(errs, "min", self.min, Some(1), Some(DEFAULT_PASSWORD_MAX));
        check_int(
            errs,
            "max",
            self.max,
            Some(self.min),
            Some(DEFAULT_PASSWORD_MAX),
        );
        check_int(errs, "cost", self.cost, Some(MIN_COST), Some(MAX_COST));
        if !self.pattern.is_empty()
            && let Err(e) = compile_go_regex(&self.pattern)
        {
            errs.add("pattern", errors::invalid_regex(&e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn password(o: PasswordOptions) -> Field {
        let mut f = Field::new("password", FieldKind::Password(o));
        f.id = "password901924565".into();
        f
    }

    fn system() -> Field {
        let mut f = password(PasswordOptions {
            required: true,
            min: 8,
            ..Default::default()
        });
        f.system = true;
        f.hidden = true;
        f
    }

    #[test]
    fn basics() {
        let f = system();
        assert_eq!(f.type_name(), "password");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
        assert!(f.required());
        let FieldKind::Password(o) = &f.kind else {
            panic!()
        };
        assert_eq!(o.bcrypt_cost(), 10);
        assert_eq!(
            PasswordOptions {
                cost: 12,
                ..Default::default()
            }
            .bcrypt_cost(),
            12
        );
    }

    #[test]
    fn normalize_and_sql() {
        let f = system();
        assert_eq!(f.normalize(&json!("secret")), json!("secret"));
        assert_eq!(f.normalize(&json!(12345678)), json!("12345678"));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        let hash = "$2a$10$abcdefghijklmnopqrstuu";
        assert_eq!(f.to_sql(&json!(hash)), SqlValue::Text(hash.into()));
        assert_eq!(f.from_sql(&SqlValue::Text(hash.into())), json!(hash));
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(
            f.apply_modifier(&json!("a"), Modifier::Append, &json!("b")),
            json!("a")
        );
    }

    #[test]
    fn validate() {
        let f = system();
        assert_eq!(
            f.validate_value(&json!("")).unwrap_err(),
            FieldError::required()
        );
        assert_eq!(
            f.validate_value(&json!("1234567")).unwrap_err(),
            FieldError::new(
                "validation_min_text_constraint",
                "Must be at least 8 character(s)."
            )
        );
        assert!(f.validate_value(&json!("12345678")).is_ok());
        assert!(f.validate_value(&json!("é".repeat(71))).is_ok());
        assert_eq!(
            f.validate_value(&json!("a".repeat(72))).unwrap_err(),
            FieldError::new(
                "validation_max_text_constraint",
                "Must be less than 71 character(s)."
            )
        );
        assert_eq!(
            f.validate_value(&json!(1)).unwrap_err().code,
            "validation_unsupported_value_type"
        );
        let patterned = password(PasswordOptions {
            max: 10,
            pattern: r"\d".into(),
            ..Default::default()
        });
        assert!(patterned.validate_value(&json!("")).is_ok());
        assert!(patterned.validate_value(&json!("abc1")).is_ok());
        assert_eq!(
            patterned.validate_value(&json!("abcd")).unwrap_err(),
            FieldError::new("validation_invalid_format", "Invalid value format.")
        );
        assert_eq!(
            patterned
                .validate_value(&json!("a".repeat(11)))
                .unwrap_err()
                .message,
            "Must be less than 10 character(s)."
        );
    }

    #[test]
    fn options() {
        assert!(system().validate_options().is_empty());
        let errs = password(PasswordOptions {
            min: 72,
            max: 5,
            cost: 3,
            pattern: "(".into(),
            ..Default::default()
        })
        .validate_options();
        assert_eq!(
            errs.get("min").unwrap().message,
            "Must be no greater than 71."
        );
        assert_eq!(errs.get("max").unwrap().message, "Must be no less than 72.");
        assert_eq!(errs.get("cost").unwrap().message, "Must be no less than 4.");
        assert_eq!(
            errs.get("pattern").unwrap().code,
            "validation_invalid_regex"
        );
        let errs = password(PasswordOptions {
            min: -1,
            max: 80,
            cost: 32,
            ..Default::default()
        })
        .validate_options();
        assert_eq!(errs.get("min").unwrap().message, "Must be no less than 1.");
        assert_eq!(
            errs.get("max").unwrap().message,
            "Must be no greater than 71."
        );
        assert_eq!(
            errs.get("cost").unwrap().message,
            "Must be no greater than 31."
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "cost": 0,
            "help": "",
            "hidden": true,
            "id": "password901924565",
            "max": 0,
            "min": 8,
            "name": "password",
            "pattern": "",
            "presentable": false,
            "required": true,
            "system": true,
            "type": "password"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, system());
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
