//! The `text` field: a string with length limits, a pattern, an optional generator, and
//! the primary key role (the `id` field of every collection is a text field).

use super::cast::{go_string, sql_text};
use super::errors::{self, MAX_SAFE_JSON_INT, check_int};
use super::goregex::{compile_go_regex, go_regex_matches};
use super::serde_util::null_default;
use super::{Field, FieldType, TEXT_COLUMN};
use crate::error::{FieldError, ValidationErrors};
use crate::pattern::{PatternError, generate_from_pattern};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The max length applied when `max` is 0.
pub const DEFAULT_TEXT_MAX: i64 = 5000;

/// The `pattern` of default `id` fields; a primary key with any other pattern gets the
/// extra file-system-safety checks (forbidden characters, reserved names).
pub const LOWERCASE_ID_PATTERN: &str = "^[a-z0-9]+$";

const PK_COLUMN: &str = "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL";

/// Characters a non-default primary key may not contain (it names files and folders).
const FORBIDDEN_PK_CHARACTERS: &[&str] = &[
    ".", "/", "\\", "|", "\"", "'", "`", "<", ">", ":", "?", "*", "%", "$", "\0", "\t", "\n", "\r",
    " ",
];

/// Windows device names a primary key may not be (case-insensitive).
const RESERVED_PKS: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Options of a `text` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a non-empty value.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Minimum length in characters (0: none).
    #[serde(default, deserialize_with = "null_default")]
    pub min: i64,
    /// Maximum length in characters (0: 5000; negative: none).
    #[serde(default, deserialize_with = "null_default")]
    pub max: i64,
    /// A Go regular expression the value must match (empty: none).
    #[serde(default, deserialize_with = "null_default")]
    pub pattern: String,
    /// A pattern to generate the value from when a new record has none.
    #[serde(default, deserialize_with = "null_default")]
    pub autogenerate_pattern: String,
    /// Marks the collection's primary key (`id`).
    #[serde(default, deserialize_with = "null_default")]
    pub primary_key: bool,
}

impl TextOptions {
    /// PocketBase's `ValidatePlainValue`: required, length, pattern, and the primary key
    /// safety checks.
    pub fn validate_plain(&self, value: &str) -> Result<(), FieldError> {
        if (self.required || self.primary_key) && value.is_empty() {
            return Err(errors::required());
        }
        if value.is_empty() {
            return Ok(());
        }
        let length = i64::try_from(value.chars().count()).unwrap_or(i64::MAX);
        if self.min > 0 && length < self.min {
            return Err(FieldError::new(
                "validation_min_text_constraint",
                format!("Must be at least {} character(s).", self.min),
            )
            .with_param("min", self.min));
        }
        let max = if self.max == 0 {
            DEFAULT_TEXT_MAX
        } else {
            self.max
        };
        if max > 0 && length > max {
            return Err(FieldError::new(
                "validation_max_text_constraint",
                format!("Must be no more than {max} character(s)."),
            )
            .with_param("max", max));
        }
        if !self.pattern.is_empty() && !go_regex_matches(&self.pattern, value) {
            return Err(FieldError::new(
                "validation_invalid_format",
                "Invalid value format.",
            ));
        }
        if self.primary_key && self.pattern != LOWERCASE_ID_PATTERN {
            if let Some(ch) = FORBIDDEN_PK_CHARACTERS.iter().find(|c| value.contains(**c)) {
                return Err(FieldError::new(
                    "validation_forbidden_pk_character",
                    format!("'{ch}' is not a valid primary key character."),
                ));
            }
            if length <= 4
                && let Some(reserved) = RESERVED_PKS.iter().find(|r| value.eq_ignore_ascii_case(r))
            {
                return Err(FieldError::new(
                    "validation_reserved_pk",
                    format!("The primary key '{reserved}' is reserved and cannot be used."),
                ));
            }
        }
        Ok(())
    }

    /// A value generated from `autogeneratePattern`, if there is one.
    pub fn autogenerate(
        &self,
        pick: &mut dyn FnMut(usize) -> usize,
    ) -> Option<Result<String, PatternError>> {
        (!self.autogenerate_pattern.is_empty())
            .then(|| generate_from_pattern(&self.autogenerate_pattern, pick))
    }

    /// PocketBase generates 10 values and checks each against the other options; we try
    /// 10 deterministic pick sequences instead (all-first, all-last, then pseudo-random).
    fn check_autogenerate_pattern(&self) -> Result<(), FieldError> {
        for run in 0..10u64 {
            let mut state = run.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
            let mut pick = |n: usize| -> usize {
                match run {
                    0 => 0,
                    1 => n.saturating_sub(1),
                    _ => {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        usize::try_from(state >> 33).unwrap_or(0) % n.max(1)
                    }
                }
            };
            let generated =
                generate_from_pattern(&self.autogenerate_pattern, &mut pick).map_err(|e| {
                    FieldError::new(
                        "validation_invalid_autogenerate_pattern",
                        errors::sentence(&e.to_string()),
                    )
                })?;
            if self.validate_plain(&generated).is_err() {
                return Err(FieldError::new(
                    "validation_invalid_autogenerate_pattern_value",
                    format!(
                        "The provided autogenerate pattern could produce invalid field values, ex.: {generated:?}."
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl FieldType for TextOptions {
    fn type_name(&self) -> &'static str {
        "text"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn column_definition(&self) -> String {
        if self.primary_key {
            PK_COLUMN.to_owned()
        } else {
            TEXT_COLUMN.to_owned()
        }
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
        match value {
            Value::String(s) => self.validate_plain(s),
            _ => Err(errors::unsupported_value_type()),
        }
    }

    fn validate_options(&self, field: &Field, errs: &mut ValidationErrors) {
        if self.primary_key && field.name != "id" {
            errs.add(
                "name",
                FieldError::new(
                    "validation_in_invalid",
                    "The primary key must be named \"id\".",
                ),
            );
        }
        check_int(errs, "min", self.min, Some(0), Some(MAX_SAFE_JSON_INT));
        check_int(
            errs,
            "max",
            self.max,
            Some(self.min),
            Some(MAX_SAFE_JSON_INT),
        );
        if self.primary_key && self.pattern.is_empty() {
            errs.add("pattern", errors::required());
        } else if !self.pattern.is_empty()
            && let Err(e) = compile_go_regex(&self.pattern)
        {
            errs.add("pattern", errors::invalid_regex(&e));
        }
        if self.primary_key && field.hidden {
            errs.add("hidden", errors::must_be_blank());
        }
        if self.primary_key && !self.required {
            errs.add("required", errors::required());
        }
        if !self.autogenerate_pattern.is_empty() {
            if let Err(e) = compile_go_regex(&self.autogenerate_pattern) {
                errs.add("autogeneratePattern", errors::invalid_regex(&e));
            } else if let Err(e) = self.check_autogenerate_pattern() {
                errs.add("autogeneratePattern", e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldKind;
    use super::*;
    use serde_json::json;

    fn text(o: TextOptions) -> Field {
        Field::new("title", FieldKind::Text(o))
    }

    fn code(f: &Field, v: Value) -> Option<String> {
        f.validate_value(&v).err().map(|e| e.code)
    }

    fn id_field() -> Field {
        let mut f = Field::new(
            "id",
            FieldKind::Text(TextOptions {
                required: true,
                min: 15,
                max: 15,
                pattern: LOWERCASE_ID_PATTERN.into(),
                autogenerate_pattern: "[a-z0-9]{15}".into(),
                primary_key: true,
                ..Default::default()
            }),
        );
        f.id = "text3208210256".into();
        f.system = true;
        f
    }

    #[test]
    fn basics() {
        let f = text(TextOptions::default());
        assert_eq!(f.type_name(), "text");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
        assert!(!f.is_multiple());
        assert!(!f.required());
        assert!(!f.is_primary_key());
        assert_eq!(
            id_field().column_definition(),
            "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"
        );
        assert!(id_field().is_primary_key());
        assert!(id_field().required());
    }

    #[test]
    fn normalize_casts_to_string() {
        let f = text(TextOptions::default());
        assert_eq!(f.normalize(&json!("abc")), json!("abc"));
        assert_eq!(f.normalize(&json!(12)), json!("12"));
        assert_eq!(f.normalize(&json!(12.5)), json!("12.5"));
        assert_eq!(f.normalize(&json!(true)), json!("true"));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        assert_eq!(f.normalize(&json!(["a"])), json!(""));
        assert_eq!(f.normalize(&json!({"a": 1})), json!(""));
    }

    #[test]
    fn sql_round_trip() {
        let f = text(TextOptions::default());
        assert_eq!(f.to_sql(&json!("a'b")), SqlValue::Text("a'b".into()));
        assert_eq!(f.from_sql(&SqlValue::Text("a'b".into())), json!("a'b"));
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(f.from_sql(&SqlValue::Integer(5)), json!("5"));
        assert_eq!(f.from_sql(&f.to_sql(&json!("ü"))), json!("ü"));
    }

    #[test]
    fn modifiers_are_ignored() {
        let f = text(TextOptions::default());
        assert!(!f.supports_modifier(super::super::Modifier::Append));
        assert_eq!(
            f.apply_modifier(&json!("a"), super::super::Modifier::Append, &json!("b")),
            json!("a")
        );
    }

    #[test]
    fn validate_required_and_lengths() {
        let f = text(TextOptions {
            required: true,
            min: 2,
            max: 4,
            ..Default::default()
        });
        assert_eq!(code(&f, json!("")).as_deref(), Some("validation_required"));
        assert_eq!(
            f.validate_value(&json!("a")).unwrap_err(),
            FieldError::new(
                "validation_min_text_constraint",
                "Must be at least 2 character(s)."
            )
            .with_param("min", 2)
        );
        assert_eq!(code(&f, json!("ab")), None);
        assert_eq!(code(&f, json!("äöüß")), None, "characters, not bytes");
        assert_eq!(
            f.validate_value(&json!("abcde")).unwrap_err(),
            FieldError::new(
                "validation_max_text_constraint",
                "Must be no more than 4 character(s)."
            )
            .with_param("max", 4)
        );
        assert_eq!(
            code(&f, json!(5)).as_deref(),
            Some("validation_unsupported_value_type")
        );
    }

    #[test]
    fn empty_skips_checks_when_optional() {
        let f = text(TextOptions {
            min: 3,
            pattern: "^x+$".into(),
            ..Default::default()
        });
        assert_eq!(code(&f, json!("")), None);
    }

    #[test]
    fn default_and_negative_max() {
        let f = text(TextOptions::default());
        assert_eq!(code(&f, json!("a".repeat(5000))), None);
        assert_eq!(
            f.validate_value(&json!("a".repeat(5001)))
                .unwrap_err()
                .message,
            "Must be no more than 5000 character(s)."
        );
        let f = text(TextOptions {
            max: -1,
            ..Default::default()
        });
        assert_eq!(code(&f, json!("a".repeat(6000))), None);
    }

    #[test]
    fn pattern() {
        let f = text(TextOptions {
            pattern: r"^\d+$".into(),
            ..Default::default()
        });
        assert_eq!(code(&f, json!("123")), None);
        assert_eq!(
            f.validate_value(&json!("12a")).unwrap_err(),
            FieldError::new("validation_invalid_format", "Invalid value format.")
        );
        // Go's \d is ASCII only
        assert_eq!(
            code(&f, json!("١٢")).as_deref(),
            Some("validation_invalid_format")
        );
        // an invalid pattern never matches
        let f = text(TextOptions {
            pattern: "[a-".into(),
            ..Default::default()
        });
        assert_eq!(
            code(&f, json!("a")).as_deref(),
            Some("validation_invalid_format")
        );
    }

    #[test]
    fn primary_key_checks() {
        let f = id_field();
        assert_eq!(code(&f, json!("")).as_deref(), Some("validation_required"));
        assert_eq!(code(&f, json!("abcdefghij12345")), None);
        assert_eq!(
            code(&f, json!("ABCDEFGHIJ12345")).as_deref(),
            Some("validation_invalid_format")
        );
        // with a custom pattern the file-system checks apply
        let custom = text(TextOptions {
            primary_key: true,
            pattern: ".*".into(),
            ..Default::default()
        });
        assert_eq!(
            custom.validate_value(&json!("a/b")).unwrap_err(),
            FieldError::new(
                "validation_forbidden_pk_character",
                "'/' is not a valid primary key character."
            )
        );
        assert_eq!(
            code(&custom, json!("a b")).as_deref(),
            Some("validation_forbidden_pk_character")
        );
        assert_eq!(
            custom.validate_value(&json!("con")).unwrap_err(),
            FieldError::new(
                "validation_reserved_pk",
                "The primary key 'CON' is reserved and cannot be used."
            )
        );
        assert_eq!(
            code(&custom, json!("lpt9")).as_deref(),
            Some("validation_reserved_pk")
        );
        assert_eq!(code(&custom, json!("cons")), None);
        assert_eq!(
            code(&custom, json!("")).as_deref(),
            Some("validation_required")
        );
    }

    #[test]
    fn autogenerate() {
        let f = id_field();
        let v = f.autogenerate(&mut |_| 0).unwrap().unwrap();
        assert_eq!(v, "000000000000000");
        assert!(
            text(TextOptions::default())
                .autogenerate(&mut |_| 0)
                .is_none()
        );
        let bad = text(TextOptions {
            autogenerate_pattern: "^x".into(),
            ..Default::default()
        });
        assert!(bad.autogenerate(&mut |_| 0).unwrap().is_err());
    }

    fn opt_errs(f: &Field) -> ValidationErrors {
        f.validate_options()
    }

    #[test]
    fn options_valid() {
        let mut f = text(TextOptions {
            min: 1,
            max: 10,
            pattern: "^a".into(),
            autogenerate_pattern: "a[b-c]{3}".into(),
            ..Default::default()
        });
        f.id = "text1".into();
        assert!(opt_errs(&f).is_empty(), "{:?}", opt_errs(&f));
        assert!(
            opt_errs(&id_field()).is_empty(),
            "{:?}",
            opt_errs(&id_field())
        );
    }

    #[test]
    fn options_invalid() {
        let mut f = text(TextOptions {
            min: -1,
            max: MAX_SAFE_JSON_INT + 1,
            pattern: "[a-".into(),
            autogenerate_pattern: "(".into(),
            help: "h".repeat(301),
            ..Default::default()
        });
        f.name = "a b".into();
        let errs = opt_errs(&f);
        assert_eq!(errs.get("id").unwrap().code, "validation_required");
        assert_eq!(errs.get("name").unwrap().code, "validation_match_invalid");
        assert_eq!(
            errs.get("help").unwrap().code,
            "validation_length_out_of_range"
        );
        assert_eq!(
            errs.get("min").unwrap(),
            &FieldError::new(
                "validation_min_greater_equal_than_required",
                "Must be no less than 0."
            )
        );
        assert_eq!(
            errs.get("max").unwrap(),
            &FieldError::new(
                "validation_max_less_equal_than_required",
                "Must be no greater than 9007199254740991."
            )
        );
        assert_eq!(
            errs.get("pattern").unwrap().code,
            "validation_invalid_regex"
        );
        assert_eq!(
            errs.get("autogeneratePattern").unwrap().code,
            "validation_invalid_regex"
        );
    }

    #[test]
    fn options_max_below_min() {
        let mut f = text(TextOptions {
            min: 10,
            max: 5,
            ..Default::default()
        });
        f.id = "x".into();
        assert_eq!(
            opt_errs(&f).get("max").unwrap().message,
            "Must be no less than 10."
        );
        // max 0 means "default", never below min
        f.kind = FieldKind::Text(TextOptions {
            min: 10,
            ..Default::default()
        });
        assert!(opt_errs(&f).is_empty());
    }

    #[test]
    fn options_primary_key() {
        let mut f = id_field();
        f.name = "pk".into();
        f.hidden = true;
        f.kind = FieldKind::Text(TextOptions {
            primary_key: true,
            ..Default::default()
        });
        let errs = opt_errs(&f);
        assert_eq!(
            errs.get("name").unwrap(),
            &FieldError::new(
                "validation_in_invalid",
                "The primary key must be named \"id\"."
            )
        );
        assert_eq!(errs.get("pattern").unwrap().code, "validation_required");
        assert_eq!(errs.get("hidden").unwrap().code, "validation_empty");
        assert_eq!(errs.get("required").unwrap().code, "validation_required");
    }

    #[test]
    fn options_autogenerate_conflicts() {
        let mut f = text(TextOptions {
            max: 3,
            autogenerate_pattern: "[a-z]{5}".into(),
            ..Default::default()
        });
        f.id = "x".into();
        assert_eq!(
            opt_errs(&f).get("autogeneratePattern").unwrap(),
            &FieldError::new(
                "validation_invalid_autogenerate_pattern_value",
                "The provided autogenerate pattern could produce invalid field values, ex.: \"aaaaa\"."
            )
        );
        // compiles as a regex but can't generate (anchors)
        f.kind = FieldKind::Text(TextOptions {
            autogenerate_pattern: "^[a-z]{5}$".into(),
            ..Default::default()
        });
        assert_eq!(
            opt_errs(&f).get("autogeneratePattern").unwrap().code,
            "validation_invalid_autogenerate_pattern"
        );
        // a pattern check is applied to generated values too
        f.kind = FieldKind::Text(TextOptions {
            pattern: "^[a-c]+$".into(),
            autogenerate_pattern: "[a-z]{5}".into(),
            ..Default::default()
        });
        assert_eq!(
            opt_errs(&f).get("autogeneratePattern").unwrap().code,
            "validation_invalid_autogenerate_pattern_value"
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "autogeneratePattern": "[a-z0-9]{15}",
            "help": "",
            "hidden": false,
            "id": "text3208210256",
            "max": 15,
            "min": 15,
            "name": "id",
            "pattern": "^[a-z0-9]+$",
            "presentable": false,
            "primaryKey": true,
            "required": true,
            "system": true,
            "type": "text"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, id_field());
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
