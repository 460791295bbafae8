//! The `date` field: a UTC date-time string (`2006-01-02 15:04:05.000Z`, or `""`), with
//! optional bounds.

use super::cast::{go_string, sql_text};
use super::errors;
use super::serde_util::{date_string, null_default};
use super::{Field, FieldType};
use crate::datetime::{go_time_string, is_zero_datetime, normalize_datetime, parse_datetime};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of a `date` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a date.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Earliest accepted date (`""`: none); read in any accepted format, written
    /// normalized.
    #[serde(default, deserialize_with = "date_string")]
    pub min: String,
    /// Latest accepted date (`""`: none).
    #[serde(default, deserialize_with = "date_string")]
    pub max: String,
}

/// A date value as PocketBase's `types.ParseDateTime` reads any input: only text can
/// be a date (numbers become their text, which matches no layout); `""` when none.
pub(crate) fn normalize_date(raw: &Value) -> Value {
    Value::String(normalize_datetime(&go_string(raw)))
}

/// The date of a normalized value; `None` for the zero date.
fn date_of(s: &str) -> Option<DateTime<Utc>> {
    parse_datetime(s).filter(|d| !is_zero_datetime(d))
}

impl FieldType for DateOptions {
    fn type_name(&self) -> &'static str {
        "date"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
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

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let Value::String(s) = value else {
            return Err(errors::unsupported_value_type());
        };
        let Some(date) = date_of(s) else {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        };
        if let Some(min) = date_of(&self.min)
            && date < min
        {
            return Err(errors::min_threshold(go_time_string(&min)));
        }
        if let Some(max) = date_of(&self.max)
            && date > max
        {
            return Err(errors::max_threshold(go_time_string(&max)));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        if let (Some(min), Some(max)) = (date_of(&self.min), date_of(&self.max))
            && min > max
        {
            errs.add(
                "max",
                FieldError::new("validation_date_out_of_range", "The date is out of range."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn date(o: DateOptions) -> Field {
        let mut f = Field::new("when", FieldKind::Date(o));
        f.id = "date1".into();
        f
    }

    fn plain() -> Field {
        date(DateOptions::default())
    }

    #[test]
    fn basics() {
        let f = plain();
        assert_eq!(f.type_name(), "date");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
    }

    #[test]
    fn normalize() {
        let f = plain();
        assert_eq!(f.normalize(&json!("")), json!(""));
        assert_eq!(f.normalize(&json!("invalid")), json!(""));
        assert_eq!(
            f.normalize(&json!("2024-01-02 03:04:05.678Z")),
            json!("2024-01-02 03:04:05.678Z")
        );
        assert_eq!(
            f.normalize(&json!("2024-01-02")),
            json!("2024-01-02 00:00:00.000Z")
        );
        assert_eq!(
            f.normalize(&json!("2024-01-02T03:04:05+01:00")),
            json!("2024-01-02 02:04:05.000Z")
        );
        assert_eq!(
            f.normalize(&json!("2024-01-02 03:04:05")),
            json!("2024-01-02 03:04:05.000Z")
        );
        // numbers (unix times included) are not dates
        assert_eq!(f.normalize(&json!(1_700_000_000)), json!(""));
        assert_eq!(f.normalize(&json!(true)), json!(""));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        assert_eq!(f.normalize(&json!(["2024-01-02"])), json!(""));
        assert_eq!(f.normalize(&json!("0001-01-01 00:00:00.000Z")), json!(""));
    }

    #[test]
    fn sql_round_trip() {
        let f = plain();
        let v = json!("2024-01-02 03:04:05.678Z");
        assert_eq!(
            f.to_sql(&v),
            SqlValue::Text("2024-01-02 03:04:05.678Z".into())
        );
        assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        assert_eq!(f.to_sql(&json!("")), SqlValue::Text(String::new()));
        assert_eq!(f.from_sql(&SqlValue::Text(String::new())), json!(""));
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(
            f.from_sql(&SqlValue::Text("2024-01-02 03:04:05".into())),
            json!("2024-01-02 03:04:05.000Z")
        );
        assert_eq!(f.apply_modifier(&v, Modifier::Append, &json!("x")), v);
    }

    #[test]
    fn validate() {
        let f = date(DateOptions {
            required: true,
            min: "2024-01-01 00:00:00.000Z".into(),
            max: "2024-12-31 00:00:00.500Z".into(),
            ..Default::default()
        });
        assert_eq!(
            f.validate_value(&json!("")).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!("2024-01-01 00:00:00.000Z")).is_ok());
        assert!(f.validate_value(&json!("2024-12-31 00:00:00.500Z")).is_ok());
        assert_eq!(
            f.validate_value(&json!("2023-12-31 23:59:59.999Z"))
                .unwrap_err(),
            FieldError::new(
                "validation_min_greater_equal_than_required",
                "Must be no less than 2024-01-01 00:00:00 +0000 UTC."
            )
        );
        assert_eq!(
            f.validate_value(&json!("2025-01-01 00:00:00.000Z"))
                .unwrap_err(),
            FieldError::new(
                "validation_max_less_equal_than_required",
                "Must be no greater than 2024-12-31 00:00:00.5 +0000 UTC."
            )
        );
        assert_eq!(
            f.validate_value(&json!(5)).unwrap_err().code,
            "validation_unsupported_value_type"
        );
        assert!(plain().validate_value(&json!("")).is_ok());
        assert!(
            plain()
                .validate_value(&json!("2024-01-01 00:00:00.000Z"))
                .is_ok()
        );
    }

    #[test]
    fn options() {
        assert!(plain().validate_options().is_empty());
        let ok = date(DateOptions {
            min: "2024-01-01 00:00:00.000Z".into(),
            max: "2024-01-01 00:00:00.000Z".into(),
            ..Default::default()
        });
        assert!(ok.validate_options().is_empty());
        let bad = date(DateOptions {
            min: "2024-01-02 00:00:00.000Z".into(),
            max: "2024-01-01 00:00:00.000Z".into(),
            ..Default::default()
        });
        assert_eq!(
            bad.validate_options().get("max").unwrap(),
            &FieldError::new("validation_date_out_of_range", "The date is out of range.")
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "date1",
            "max": "",
            "min": "",
            "name": "when",
            "presentable": false,
            "required": false,
            "system": false,
            "type": "date"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, plain());
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);

        // dates are read in any accepted format and written normalized
        let mut input = raw.clone();
        input["min"] = json!("2024-01-02");
        input["max"] = json!(null);
        let f: Field = serde_json::from_value(input).unwrap();
        let out = serde_json::to_value(&f).unwrap();
        assert_eq!(out["min"], json!("2024-01-02 00:00:00.000Z"));
        assert_eq!(out["max"], json!(""));
    }
}
