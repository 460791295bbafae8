//! The value casts PocketBase applies to user input (`spf13/cast` and `tools/list`
//! semantics), and number formatting as Go prints it.
//!
//! Input arrives as JSON, where Go sees every number as a `float64`; these helpers treat
//! [`Value`] the same way.

use crate::sql::SqlValue;
use serde_json::{Number, Value};

/// `cast.ToString`: strings as is, numbers and booleans printed, `null` and
/// arrays/objects (which cast refuses) as `""`.
pub(crate) fn go_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_string(n),
        Value::Null | Value::Array(_) | Value::Object(_) => String::new(),
    }
}

/// A JSON number printed like Go's `strconv.FormatFloat(f, 'f', -1, 64)`
/// (integers print exactly).
pub(crate) fn number_string(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    n.as_f64().map(float_string).unwrap_or_default()
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent.
pub(crate) fn float_string(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{f}")
    }
}

/// Go's `%v` for a `float64` (shortest `%g`: exponent form when the decimal exponent is
/// below -4 or at least 6, e.g. `1e+06`), as PocketBase's error templates print floats.
pub(crate) fn go_format_v(f: f64) -> String {
    if !f.is_finite() {
        return float_string(f);
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        return format!("{f}");
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

/// `cast.ToFloat64`: numbers as is, booleans 1/0, strings through Go's `ParseFloat`
/// (which may give ±Inf or NaN for `"inf"`/`"nan"`), everything else (and unparsable
/// strings) 0.
pub(crate) fn go_float(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Null | Value::Array(_) | Value::Object(_) => 0.0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)`; `None` on a syntax or range error.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    if s.is_empty() || s.contains('_') {
        return None;
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.starts_with(['+', '-']) {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    if lower == "nan" {
        // Go accepts "NaN" only without a sign
        return (body.len() == s.len()).then_some(f64::NAN);
    }
    if lower == "inf" || lower == "infinity" {
        return Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    let magnitude = if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex)?
    } else {
        if !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    if magnitude.is_infinite() {
        return None; // out of range
    }
    Some(if neg { -magnitude } else { magnitude })
}

/// The part of a Go hex float after `0x` (mantissa with an optional point, then a
/// mandatory `p` exponent).
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exp))
}

/// `cast.ToBool`: booleans as is, numbers non-zero, strings through Go's `ParseBool`
/// (`1 t T TRUE true True` / `0 f F FALSE false False`), everything else false.
pub(crate) fn go_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => parse_go_bool(s).unwrap_or(false),
        Value::Null | Value::Array(_) | Value::Object(_) => false,
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `list.ToUniqueStringSlice`: a string (a JSON array of strings when it contains `[` and
/// parses as one), an array of scalars, or a scalar, as non-empty unique strings in order.
/// An array holding an array or object is refused as a whole (empty result).
pub(crate) fn unique_strings(v: &Value) -> Vec<String> {
    let raw: Vec<String> = match v {
        Value::Null => Vec::new(),
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::String(s) => {
            if s.contains('[') {
                match serde_json::from_str::<Vec<Option<String>>>(s) {
                    Ok(items) => items.into_iter().map(Option::unwrap_or_default).collect(),
                    Err(_) => vec![s.clone()],
                }
            } else {
                vec![s.clone()]
            }
        }
        Value::Array(items) => {
            if items.iter().any(|i| i.is_array() || i.is_object()) {
                Vec::new()
            } else {
                items.iter().map(go_string).collect()
            }
        }
        Value::Bool(_) | Value::Number(_) => vec![go_string(v)],
        Value::Object(_) => Vec::new(),
    };
    nonzero_uniques(raw)
}

/// Drops empty strings and repeats, keeping the first occurrence order.
pub(crate) fn nonzero_uniques(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A JSON number for `f`, written as an integer when it is whole (Go prints `1`, not
/// `1.0`); `null` for NaN/±Inf, which JSON can't hold.
pub(crate) fn num_value(f: f64) -> Value {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18 {
        // whole and well within i64: the cast is exact
        return Value::from(f as i64);
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Whole floats turned into integers, recursively (how Go re-encodes decoded JSON).
pub(crate) fn canonical_json(v: &Value) -> Value {
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => n.as_f64().map_or(v.clone(), num_value),
        Value::Array(items) => Value::Array(items.iter().map(canonical_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), canonical_json(v)))
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// A whole float as `SqlValue::Integer`, anything else as `SqlValue::Real`.
pub(crate) fn sql_number(f: f64) -> SqlValue {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18 {
        SqlValue::Integer(f as i64)
    } else {
        SqlValue::Real(f)
    }
}

/// A stored value as text (`cast.ToString` of what the driver returns).
pub(crate) fn sql_text(v: &SqlValue) -> String {
    match v {
        SqlValue::Null => String::new(),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Real(f) => float_string(*f),
        SqlValue::Text(s) => s.clone(),
        SqlValue::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// A stored value as the JSON value the driver would hand to `PrepareValue`.
pub(crate) fn sql_to_json(v: &SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => Value::from(*i),
        SqlValue::Real(f) => num_value(*f),
        SqlValue::Text(s) => Value::String(s.clone()),
        SqlValue::Blob(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_string_casts() {
        assert_eq!(go_string(&json!("a b")), "a b");
        assert_eq!(go_string(&json!(12)), "12");
        assert_eq!(go_string(&json!(-12)), "-12");
        assert_eq!(go_string(&json!(12.5)), "12.5");
        assert_eq!(go_string(&json!(12.0)), "12");
        assert_eq!(go_string(&json!(1e21)), "1000000000000000000000");
        assert_eq!(go_string(&json!(1e-7)), "0.0000001");
        assert_eq!(go_string(&json!(true)), "true");
        assert_eq!(go_string(&json!(false)), "false");
        assert_eq!(go_string(&json!(null)), "");
        assert_eq!(go_string(&json!([1])), "");
        assert_eq!(go_string(&json!({"a": 1})), "");
    }

    #[test]
    fn go_format_v_matches_fmt() {
        assert_eq!(go_format_v(0.0), "0");
        assert_eq!(go_format_v(10.0), "10");
        assert_eq!(go_format_v(-2.5), "-2.5");
        assert_eq!(go_format_v(999999.0), "999999");
        assert_eq!(go_format_v(1e6), "1e+06");
        assert_eq!(go_format_v(1234567.0), "1.234567e+06");
        assert_eq!(go_format_v(0.0001), "0.0001");
        assert_eq!(go_format_v(0.00001), "1e-05");
        assert_eq!(go_format_v(-1.5e300), "-1.5e+300");
        assert_eq!(go_format_v(608863452348.1149), "6.088634523481149e+11");
    }

    #[test]
    fn go_float_casts() {
        assert_eq!(go_float(&json!("")), 0.0);
        assert_eq!(go_float(&json!("test")), 0.0);
        assert_eq!(go_float(&json!(false)), 0.0);
        assert_eq!(go_float(&json!(true)), 1.0);
        assert_eq!(go_float(&json!(-2)), -2.0);
        assert_eq!(go_float(&json!(123.456)), 123.456);
        assert_eq!(go_float(&json!("12.5")), 12.5);
        assert_eq!(go_float(&json!("-1e3")), -1000.0);
        assert_eq!(go_float(&json!(".5")), 0.5);
        assert_eq!(go_float(&json!("5.")), 5.0);
        assert_eq!(go_float(&json!("+7")), 7.0);
        assert_eq!(go_float(&json!("+-7")), 0.0);
        assert_eq!(go_float(&json!(" 7")), 0.0);
        assert_eq!(go_float(&json!("1_000")), 0.0);
        assert_eq!(go_float(&json!("0x1p-2")), 0.25);
        assert_eq!(go_float(&json!("0x1.8p1")), 3.0);
        assert_eq!(go_float(&json!("0x10")), 0.0);
        assert_eq!(go_float(&json!("1e400")), 0.0);
        assert_eq!(go_float(&json!("inf")), f64::INFINITY);
        assert_eq!(go_float(&json!("-Infinity")), f64::NEG_INFINITY);
        assert!(go_float(&json!("NaN")).is_nan());
        assert_eq!(go_float(&json!("-nan")), 0.0);
        assert_eq!(go_float(&json!([1])), 0.0);
        assert_eq!(go_float(&json!(null)), 0.0);
    }

    #[test]
    fn go_bool_casts() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert!(go_bool(&json!(t)), "{t}");
        }
        for f in [
            "", "0", "f", "F", "FALSE", "false", "False", "on", "yes", "tRUE",
        ] {
            assert!(!go_bool(&json!(f)), "{f}");
        }
        assert!(go_bool(&json!(1)));
        assert!(go_bool(&json!(-0.5)));
        assert!(!go_bool(&json!(0)));
        assert!(!go_bool(&json!(null)));
        assert!(!go_bool(&json!([true])));
    }

    #[test]
    fn unique_strings_casts() {
        assert_eq!(unique_strings(&json!(null)), Vec::<String>::new());
        assert_eq!(unique_strings(&json!("")), Vec::<String>::new());
        assert_eq!(unique_strings(&json!("a")), vec!["a"]);
        assert_eq!(unique_strings(&json!("a b")), vec!["a b"]);
        assert_eq!(
            unique_strings(&json!(r#"["a","b","a",""]"#)),
            vec!["a", "b"]
        );
        assert_eq!(unique_strings(&json!(r#"["a",null]"#)), vec!["a"]);
        assert_eq!(unique_strings(&json!(r#"["a",1]"#)), vec![r#"["a",1]"#]);
        assert_eq!(unique_strings(&json!("[abc")), vec!["[abc"]);
        assert_eq!(
            unique_strings(&json!(["a", "", "b", "a", 1, true, null])),
            vec!["a", "b", "1", "true"]
        );
        assert_eq!(unique_strings(&json!(["a", ["b"]])), Vec::<String>::new());
        assert_eq!(unique_strings(&json!(12)), vec!["12"]);
        assert_eq!(unique_strings(&json!(false)), vec!["false"]);
        assert_eq!(unique_strings(&json!({"a": 1})), Vec::<String>::new());
    }

    #[test]
    fn num_value_prints_whole_numbers_as_integers() {
        assert_eq!(num_value(1.0).to_string(), "1");
        assert_eq!(num_value(-0.0).to_string(), "0");
        assert_eq!(num_value(1.5).to_string(), "1.5");
        assert_eq!(num_value(f64::NAN), Value::Null);
        assert_eq!(
            canonical_json(&json!({"a": [1.0, 2.5, {"b": 3.0}]})),
            json!({"a": [1, 2.5, {"b": 3}]})
        );
    }

    #[test]
    fn sql_helpers() {
        assert_eq!(sql_number(2.0), SqlValue::Integer(2));
        assert_eq!(sql_number(2.5), SqlValue::Real(2.5));
        assert_eq!(sql_number(1e19), SqlValue::Real(1e19));
        assert_eq!(sql_text(&SqlValue::Null), "");
        assert_eq!(sql_text(&SqlValue::Integer(3)), "3");
        assert_eq!(sql_text(&SqlValue::Real(3.5)), "3.5");
        assert_eq!(sql_text(&SqlValue::Blob(b"ab".to_vec())), "ab");
        assert_eq!(sql_to_json(&SqlValue::Real(3.0)), json!(3));
        assert_eq!(sql_to_json(&SqlValue::Text("x".into())), json!("x"));
    }
}
