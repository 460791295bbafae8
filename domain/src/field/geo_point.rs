//! The `geoPoint` field: `{"lon": x, "lat": y}`, `{"lon":0,"lat":0}` meaning unset.

use super::cast::{float_string, num_value};
use super::errors;
use super::serde_util::null_default;
use super::{Field, FieldType};
use crate::error::FieldError;
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Options of a `geoPoint` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeoPointOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a point other than `{"lon":0,"lat":0}`.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
}

/// A point value.
fn point(lon: f64, lat: f64) -> Value {
    let mut m = Map::new();
    m.insert("lon".into(), num_value(lon));
    m.insert("lat".into(), num_value(lat));
    Value::Object(m)
}

/// The coordinates of an object; a key that is missing or not a number reads as 0
/// (Go's decoder skips it).
fn coords(obj: &Map<String, Value>) -> (f64, f64) {
    let get = |k: &str| obj.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    (get("lon"), get("lat"))
}

/// PocketBase's `GeoPoint.Scan` of any input: an object, or its JSON text; anything
/// else (or invalid JSON) is the zero point.
fn scan(raw: &Value) -> (f64, f64) {
    match raw {
        Value::Object(obj) => coords(obj),
        Value::String(s) if !s.is_empty() => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(obj)) => coords(&obj),
            _ => (0.0, 0.0),
        },
        _ => (0.0, 0.0),
    }
}

impl FieldType for GeoPointOptions {
    fn type_name(&self) -> &'static str {
        "geoPoint"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn column_definition(&self) -> String {
        r#"JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"#.to_owned()
    }

    fn zero_value(&self) -> Value {
        point(0.0, 0.0)
    }

    fn normalize(&self, raw: &Value) -> Value {
        let (lon, lat) = scan(raw);
        point(lon, lat)
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        let (lon, lat) = scan(value);
        let num = |f: f64| match num_value(f) {
            Value::Null => float_string(0.0),
            v => v.to_string(),
        };
        SqlValue::Text(format!(r#"{{"lon":{},"lat":{}}}"#, num(lon), num(lat)))
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        match v {
            SqlValue::Text(s) => self.normalize(&Value::String(s.clone())),
            SqlValue::Blob(b) => {
                self.normalize(&Value::String(String::from_utf8_lossy(b).into_owned()))
            }
            _ => self.zero_value(),
        }
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let Value::Object(obj) = value else {
            return Err(errors::unsupported_value_type());
        };
        let (lon, lat) = coords(obj);
        if lon == 0.0 && lat == 0.0 {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(FieldError::new(
                "validation_invalid_latitude",
                "Latitude must be between -90 and 90 degrees.",
            ));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(FieldError::new(
                "validation_invalid_longitude",
                "Longitude must be between -180 and 180 degrees.",
            ));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, _errs: &mut crate::error::ValidationErrors) {}
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn geo(required: bool) -> Field {
        let mut f = Field::new(
            "location",
            FieldKind::GeoPoint(GeoPointOptions {
                required,
                ..Default::default()
            }),
        );
        f.id = "geoPoint1".into();
        f
    }

    #[test]
    fn basics() {
        let f = geo(false);
        assert_eq!(f.type_name(), "geoPoint");
        assert_eq!(
            f.column_definition(),
            r#"JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"#
        );
        assert_eq!(f.zero_value(), json!({"lon": 0, "lat": 0}));
    }

    #[test]
    fn normalize() {
        let f = geo(false);
        assert_eq!(
            f.normalize(&json!({"lon": 1.5, "lat": -2})),
            json!({"lon": 1.5, "lat": -2})
        );
        assert_eq!(
            f.normalize(&json!(r#"{"lon":10,"lat":20}"#)),
            json!({"lon": 10, "lat": 20})
        );
        assert_eq!(f.normalize(&json!({"lat": 5})), json!({"lon": 0, "lat": 5}));
        assert_eq!(
            f.normalize(&json!({"lon": "1", "lat": 5})),
            json!({"lon": 0, "lat": 5})
        );
        assert_eq!(
            f.normalize(&json!({"lon": 1, "extra": true})),
            json!({"lon": 1, "lat": 0})
        );
        for zero in [
            json!(null),
            json!(""),
            json!("invalid"),
            json!("[1,2]"),
            json!([1, 2]),
            json!(5),
            json!(true),
        ] {
            assert_eq!(f.normalize(&zero), json!({"lon": 0, "lat": 0}), "{zero}");
        }
    }

    #[test]
    fn sql_round_trip() {
        let f = geo(false);
        assert_eq!(
            f.to_sql(&json!({"lon": 0, "lat": 0})),
            SqlValue::Text(r#"{"lon":0,"lat":0}"#.into())
        );
        assert_eq!(
            f.to_sql(&json!({"lon": 1.5, "lat": -2.0})),
            SqlValue::Text(r#"{"lon":1.5,"lat":-2}"#.into())
        );
        for v in [
            json!({"lon": 0, "lat": 0}),
            json!({"lon": -122.4194, "lat": 37.7749}),
        ] {
            assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        }
        assert_eq!(f.from_sql(&SqlValue::Null), json!({"lon": 0, "lat": 0}));
        assert_eq!(
            f.apply_modifier(
                &json!({"lon": 1, "lat": 2}),
                Modifier::Append,
                &json!({"lon": 1, "lat": 1})
            ),
            json!({"lon": 1, "lat": 2})
        );
    }

    #[test]
    fn validate() {
        let f = geo(true);
        assert_eq!(
            f.validate_value(&json!({"lon": 0, "lat": 0})).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!({"lon": 180, "lat": -90})).is_ok());
        assert_eq!(
            f.validate_value(&json!({"lon": 0, "lat": 90.5}))
                .unwrap_err(),
            FieldError::new(
                "validation_invalid_latitude",
                "Latitude must be between -90 and 90 degrees."
            )
        );
        assert_eq!(
            f.validate_value(&json!({"lon": -180.1, "lat": 0}))
                .unwrap_err(),
            FieldError::new(
                "validation_invalid_longitude",
                "Longitude must be between -180 and 180 degrees."
            )
        );
        assert_eq!(
            f.validate_value(&json!("x")).unwrap_err().code,
            "validation_unsupported_value_type"
        );
        assert!(
            geo(false)
                .validate_value(&json!({"lon": 0, "lat": 0}))
                .is_ok()
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "geoPoint1",
            "name": "location",
            "presentable": false,
            "required": false,
            "system": false,
            "type": "geoPoint"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, geo(false));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
        assert!(f.validate_options().is_empty());
    }
}
