//! The `number` field: a float, optionally whole, with optional bounds; `field+` adds and
//! `field-` subtracts.

use super::cast::{go_float, go_format_v, num_value, sql_number, sql_to_json};
use super::errors;
use super::serde_util::{null_default, opt_number};
use super::{Field, FieldType, Modifier};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of a `number` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a non-zero value.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Inclusive lower bound (`null`: none).
    #[serde(default, serialize_with = "opt_number")]
    pub min: Option<f64>,
    /// Inclusive upper bound (`null`: none).
    #[serde(default, serialize_with = "opt_number")]
    pub max: Option<f64>,
    /// Rejects decimals.
    #[serde(default, deserialize_with = "null_default")]
    pub only_int: bool,
}

/// Go's `f != float64(int64(f))` test: decimals, and wholes beyond the i64 range.
fn is_int(f: f64) -> bool {
    // 2^63: i64's range is [-2^63, 2^63)
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)
}

fn only_int_error() -> FieldError {
    FieldError::new(
        "validation_only_int_constraint",
        "Decimal numbers are not allowed.",
    )
}

fn min_error(min: f64) -> FieldError {
    FieldError::new(
        "validation_min_number_constraint",
        format!("Must be greater or equal than {}.", go_format_v(min)),
    )
    .with_param("min", json_number(min))
}

/// A limit as PocketBase prints it in `params`: whole numbers without a fraction.
fn json_number(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Value::from(n)
    }
}

fn max_error(max: f64) -> FieldError {
    FieldError::new(
        "validation_max_number_constraint",
        format!("Must be less or equal than {}.", go_format_v(max)),
    )
    .with_param("max", json_number(max))
}

/// The number of a normalized value (0 for anything else).
fn value_f64(v: &Value) -> f64 {
    let f = go_float(v);
    if f.is_finite() { f } else { 0.0 }
}

impl FieldType for NumberOptions {
    fn type_name(&self) -> &'static str {
        "number"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn column_definition(&self) -> String {
        "NUMERIC DEFAULT 0 NOT NULL".to_owned()
    }

    fn zero_value(&self) -> Value {
        Value::from(0)
    }

    fn normalize(&self, raw: &Value) -> Value {
        let f = go_float(raw);
        if f.is_finite() {
            num_value(f)
        } else {
            // "NaN"/"Inf" input: kept so that validation reports it
            raw.clone()
        }
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        sql_number(value_f64(value))
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        num_value(value_f64(&sql_to_json(v)))
    }

    fn apply_modifier(&self, current: &Value, modifier: Modifier, arg: &Value) -> Option<Value> {
        let cur = value_f64(current);
        let arg = go_float(arg);
        let result = match modifier {
            Modifier::Append => cur + arg,
            Modifier::Subtract => cur - arg,
            Modifier::Prepend => return None,
        };
        Some(self.normalize(&num_value(result)))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let f = match value {
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            Value::String(_) => f64::NAN,
            _ => return Err(errors::unsupported_value_type()),
        };
        if !f.is_finite() {
            return Err(FieldError::new(
                "validation_not_a_number",
                "The submitted number is not properly formatted.",
            ));
        }
        if f == 0.0 {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        if self.only_int && !is_int(f) {
            return Err(only_int_error());
        }
        if let Some(min) = self.min
            && f < min
        {
            return Err(min_error(min));
        }
        if let Some(max) = self.max
            && f > max
        {
            return Err(max_error(max));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        if self.only_int {
            if self.min.is_some_and(|m| !is_int(m)) {
                errs.add("min", only_int_error());
            }
            if self.max.is_some_and(|m| !is_int(m)) {
                errs.add("max", only_int_error());
            }
        }
        if let (Some(min), Some(max)) = (self.min, self.max)
            && max < min
        {
            errs.add("max", min_error(min));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldKind;
    use super::*;
    use serde_json::json;

    fn number(o: NumberOptions) -> Field {
        let mut f = Field::new("n", FieldKind::Number(o));
        f.id = "number1".into();
        f
    }

    fn plain() -> Field {
        number(NumberOptions::default())
    }

    #[test]
    fn basics() {
        let f = plain();
        assert_eq!(f.type_name(), "number");
        assert_eq!(f.column_definition(), "NUMERIC DEFAULT 0 NOT NULL");
        assert_eq!(f.zero_value(), json!(0));
        assert_eq!(f.zero_value().to_string(), "0");
    }

    #[test]
    fn normalize() {
        let f = plain();
        assert_eq!(f.normalize(&json!("")), json!(0));
        assert_eq!(f.normalize(&json!("test")), json!(0));
        assert_eq!(f.normalize(&json!(false)), json!(0));
        assert_eq!(f.normalize(&json!(true)), json!(1));
        assert_eq!(f.normalize(&json!(-2)), json!(-2));
        assert_eq!(f.normalize(&json!(123.456)), json!(123.456));
        assert_eq!(f.normalize(&json!("12.5")), json!(12.5));
        assert_eq!(f.normalize(&json!("12")), json!(12));
        assert_eq!(f.normalize(&json!("1e3")), json!(1000));
        assert_eq!(f.normalize(&json!(2.0)).to_string(), "2");
        assert_eq!(f.normalize(&json!(null)), json!(0));
        assert_eq!(f.normalize(&json!([1])), json!(0));
        assert_eq!(f.normalize(&json!({"a": 1})), json!(0));
        assert_eq!(f.normalize(&json!("NaN")), json!("NaN"));
        assert_eq!(f.normalize(&json!("-inf")), json!("-inf"));
    }

    #[test]
    fn sql_round_trip() {
        let f = plain();
        assert_eq!(f.to_sql(&json!(5)), SqlValue::Integer(5));
        assert_eq!(f.to_sql(&json!(5.0)), SqlValue::Integer(5));
        assert_eq!(f.to_sql(&json!(5.5)), SqlValue::Real(5.5));
        assert_eq!(f.to_sql(&json!(-0.25)), SqlValue::Real(-0.25));
        assert_eq!(f.to_sql(&json!(1e20)), SqlValue::Real(1e20));
        assert_eq!(f.to_sql(&json!("NaN")), SqlValue::Integer(0));
        assert_eq!(f.from_sql(&SqlValue::Integer(5)), json!(5));
        assert_eq!(f.from_sql(&SqlValue::Real(5.0)).to_string(), "5");
        assert_eq!(f.from_sql(&SqlValue::Real(5.5)), json!(5.5));
        assert_eq!(f.from_sql(&SqlValue::Text("7.25".into())), json!(7.25));
        assert_eq!(f.from_sql(&SqlValue::Text("x".into())), json!(0));
        assert_eq!(f.from_sql(&SqlValue::Null), json!(0));
        for v in [json!(0), json!(3), json!(-3.5), json!(1e-7)] {
            assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        }
    }

    #[test]
    fn modifiers() {
        let f = plain();
        assert!(f.supports_modifier(Modifier::Append));
        assert!(f.supports_modifier(Modifier::Subtract));
        assert!(!f.supports_modifier(Modifier::Prepend));
        assert_eq!(
            f.apply_modifier(&json!(5), Modifier::Append, &json!(2)),
            json!(7)
        );
        assert_eq!(
            f.apply_modifier(&json!(5), Modifier::Append, &json!("2.5")),
            json!(7.5)
        );
        assert_eq!(
            f.apply_modifier(&json!(5), Modifier::Subtract, &json!(7)),
            json!(-2)
        );
        assert_eq!(
            f.apply_modifier(&json!(0.5), Modifier::Subtract, &json!(0.5))
                .to_string(),
            "0"
        );
        assert_eq!(
            f.apply_modifier(&json!(5), Modifier::Append, &json!("x")),
            json!(5)
        );
        assert_eq!(
            f.apply_modifier(&json!(null), Modifier::Append, &json!(true)),
            json!(1)
        );
        // `+field` is not a number modifier: the value is kept
        assert_eq!(
            f.apply_modifier(&json!(5), Modifier::Prepend, &json!(1)),
            json!(5)
        );
    }

    fn err(f: &Field, v: Value) -> Option<FieldError> {
        f.validate_value(&v).err()
    }

    #[test]
    fn validate() {
        let f = number(NumberOptions {
            required: true,
            min: Some(-2.0),
            max: Some(1e6),
            only_int: true,
            ..Default::default()
        });
        assert_eq!(err(&f, json!(0)).unwrap().code, "validation_required");
        assert!(err(&f, json!(1)).is_none());
        assert!(err(&f, json!(-2)).is_none());
        assert!(err(&f, json!(1_000_000)).is_none());
        assert_eq!(
            err(&f, json!(1.5)).unwrap(),
            FieldError::new(
                "validation_only_int_constraint",
                "Decimal numbers are not allowed."
            )
        );
        assert_eq!(
            err(&f, json!(-3)).unwrap(),
            FieldError::new(
                "validation_min_number_constraint",
                "Must be greater or equal than -2."
            )
            .with_param("min", -2)
        );
        assert_eq!(
            err(&f, json!(1_000_001)).unwrap(),
            FieldError::new(
                "validation_max_number_constraint",
                "Must be less or equal than 1e+06."
            )
            .with_param("max", 1_000_000)
        );
        assert_eq!(
            err(&f, json!("NaN")).unwrap(),
            FieldError::new(
                "validation_not_a_number",
                "The submitted number is not properly formatted."
            )
        );
        assert_eq!(
            err(&f, json!(true)).unwrap().code,
            "validation_unsupported_value_type"
        );
        assert_eq!(
            err(&f, json!(1e19)).unwrap().code,
            "validation_only_int_constraint"
        );
    }

    #[test]
    fn zero_skips_bounds_when_optional() {
        let f = number(NumberOptions {
            min: Some(5.0),
            ..Default::default()
        });
        assert!(err(&f, json!(0)).is_none());
        assert_eq!(
            err(&f, json!(4.5)).unwrap().message,
            "Must be greater or equal than 5."
        );
        assert!(err(&f, json!(2.5)).is_some());
        let f = number(NumberOptions {
            max: Some(0.5),
            ..Default::default()
        });
        assert_eq!(
            err(&f, json!(0.75)).unwrap().message,
            "Must be less or equal than 0.5."
        );
    }

    #[test]
    fn options() {
        assert!(plain().validate_options().is_empty());
        let errs = number(NumberOptions {
            min: Some(1.5),
            max: Some(0.5),
            only_int: true,
            ..Default::default()
        })
        .validate_options();
        assert_eq!(
            errs.get("min").unwrap().code,
            "validation_only_int_constraint"
        );
        assert_eq!(
            errs.get("max").unwrap().code,
            "validation_only_int_constraint"
        );
        let errs = number(NumberOptions {
            min: Some(10.0),
            max: Some(5.0),
            ..Default::default()
        })
        .validate_options();
        assert!(errs.get("min").is_none());
        assert_eq!(
            errs.get("max").unwrap(),
            &FieldError::new(
                "validation_min_number_constraint",
                "Must be greater or equal than 10."
            )
            .with_param("min", 10)
        );
        assert!(
            number(NumberOptions {
                min: Some(-5.0),
                max: Some(-5.0),
                only_int: true,
                ..Default::default()
            })
            .validate_options()
            .is_empty()
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "number1",
            "max": null,
            "min": null,
            "name": "n",
            "onlyInt": false,
            "presentable": false,
            "required": false,
            "system": false,
            "type": "number"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, plain());
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);

        let raw = json!({
            "help": "h",
            "hidden": true,
            "id": "number1",
            "max": 10.5,
            "min": 0,
            "name": "n",
            "onlyInt": true,
            "presentable": true,
            "required": true,
            "system": false,
            "type": "number"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        match &f.kind {
            FieldKind::Number(n) => {
                assert_eq!(n.min, Some(0.0));
                assert_eq!(n.max, Some(10.5));
            }
            other => panic!("{other:?}"),
        }
        let out = serde_json::to_value(&f).unwrap();
        assert_eq!(out, raw);
        assert_eq!(out["min"].to_string(), "0");
    }
}
