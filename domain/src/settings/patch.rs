//! Laying a JSON body over settings, with the rules PocketBase's JSON decoding follows when it
//! reads a `PATCH /api/settings` body (or the stored row) into the current settings:
//!
//! - objects merge key by key, recursively; anything else (arrays included) replaces;
//! - keys match case-insensitively and ignoring `_` and `-` (`META.app_name` is
//!   `meta.appName`); two keys of one object naming the same field are an error;
//! - unknown keys are ignored;
//! - `null` sets the field to its zero value (`""`, `0`, `false`, `[]`, a zeroed object);
//! - a value of the wrong type (a string for a number, a fraction for an integer) is an error.
//!
//! The merge runs on JSON values against a shape template drawn from [`Settings`] itself, so a
//! field added to the model needs no change here.

use super::model::Settings;
use super::rate_limit::RateLimitRule;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// A body that cannot be read as settings (PocketBase: "An error occurred while loading the
/// submitted data."). Its text names what is wrong but never quotes a submitted value (which
/// may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid settings data: {0}")]
pub struct LoadError(String);

impl LoadError {
    fn from_serde(e: &serde_json::Error) -> Self {
        // serde's own text quotes the offending value: keep only its kind.
        let why = match e.classify() {
            serde_json::error::Category::Data => "a value has the wrong type or is out of range",
            _ => "malformed JSON",
        };
        LoadError(why.into())
    }
}

/// Every key of the stored form, with one item in each array to describe its items.
static TEMPLATE: LazyLock<Value> = LazyLock::new(|| {
    let mut s = Settings {
        superuser_ips: vec![String::new()],
        ..Settings::default()
    };
    s.rate_limits.rules = vec![RateLimitRule::default()];
    s.rate_limits.excluded_ips = vec![String::new()];
    s.trusted_proxy.headers = vec![String::new()];
    s.storage_json(true)
});

impl Settings {
    /// These settings with `body` laid over them (see the module docs for the rules).
    /// `body` must be a JSON object.
    pub fn patched(&self, body: &Value) -> Result<Settings, LoadError> {
        if !body.is_object() {
            return Err(LoadError("the body is not a JSON object".into()));
        }
        let patch = normalize(body, &TEMPLATE)?;
        let mut merged = self.to_storage_json();
        merge(&mut merged, patch);
        serde_json::from_value(merged).map_err(|e| LoadError::from_serde(&e))
    }
}

/// The comparable form of a key: lowercase, without `_` and `-`.
fn key_form(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// `patch` in the template's words: known keys only, spelled as the template spells them,
/// and `null` replaced by the template's zero value.
fn normalize(patch: &Value, template: &Value) -> Result<Value, LoadError> {
    match (template, patch) {
        (_, Value::Null) => Ok(zero(template)),
        (Value::Object(fields), Value::Object(given)) => {
            let mut out = Map::new();
            for (key, value) in given {
                let form = key_form(key);
                let Some((name, shape)) = fields.iter().find(|(name, _)| key_form(name) == form)
                else {
                    continue;
                };
                if out.contains_key(name) {
                    return Err(LoadError(format!("duplicate name {key:?}")));
                }
                out.insert(name.clone(), normalize(value, shape)?);
            }
            Ok(Value::Object(out))
        }
        (Value::Array(items), Value::Array(given)) => {
            let shape = items.first().unwrap_or(&Value::Null);
            given
                .iter()
                .map(|v| normalize(v, shape))
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        // Scalars, and mismatched types (left for deserialization to reject).
        _ => Ok(patch.clone()),
    }
}

/// Go's zero value of a field shaped like `template`.
fn zero(template: &Value) -> Value {
    match template {
        Value::Null => Value::Null,
        Value::Bool(_) => Value::Bool(false),
        Value::Number(_) => Value::from(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), zero(v))).collect())
        }
    }
}

/// Objects merge recursively; any other value replaces.
fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use serde_json::json;

    fn patched(body: Value) -> Result<Settings, LoadError> {
        let mut s = Settings::default();
        s.smtp.password = "old-pw".into();
        s.patched(&body)
    }

    #[test]
    fn objects_merge_and_keep_what_is_not_sent() {
        let s = patched(json!({"meta": {"appName": "Zed"}, "smtp": {"host": "mx.io"}})).unwrap();
        assert_eq!(s.meta.app_name, "Zed");
        assert_eq!(s.meta.app_url, "http://localhost:8090");
        assert_eq!(s.smtp.host, "mx.io");
        assert_eq!(s.smtp.port, 587);
        assert_eq!(s.smtp.password.expose_secret(), "old-pw");
    }

    #[test]
    fn null_is_the_zero_value() {
        let s = patched(json!({"smtp": null, "meta": {"appName": null}})).unwrap();
        assert_eq!(s.smtp.port, 0);
        assert_eq!(s.smtp.host, "");
        assert_eq!(s.smtp.password.expose_secret(), "");
        assert_eq!(s.meta.app_name, "");
        assert_eq!(s.meta.sender_name, "Support");
        let s = patched(
            json!({"rateLimits": {"rules": null}, "trustedProxy": {"headers": [null, "X"]}}),
        )
        .unwrap();
        assert!(s.rate_limits.rules.is_empty());
        assert_eq!(s.trusted_proxy.headers, ["", "X"]);
    }

    #[test]
    fn arrays_replace_and_their_items_start_from_zero() {
        let s = patched(json!({"rateLimits": {"rules": [{"label": "/a/", "maxRequests": 1}]}}))
            .unwrap();
        assert_eq!(
            s.rate_limits.rules,
            [RateLimitRule {
                label: "/a/".into(),
                max_requests: 1,
                ..RateLimitRule::default()
            }]
        );
    }

    #[test]
    fn keys_match_ignoring_case_underscores_and_dashes() {
        let s = patched(json!({"META": {"app_name": "A", "Sender-Name": "B"}})).unwrap();
        assert_eq!(
            (s.meta.app_name.as_str(), s.meta.sender_name.as_str()),
            ("A", "B")
        );
        let s = patched(json!({"rateLimits": {"Rules": [{"LABEL": "x"}]}})).unwrap();
        assert_eq!(s.rate_limits.rules[0].label, "x");
        assert!(patched(json!({"meta": {"appName": "A", "APPNAME": "B"}})).is_err());
    }

    #[test]
    fn unknown_keys_are_ignored_and_wrong_types_rejected() {
        assert!(patched(json!({"nope": 1, "meta": {"nope": 2}})).is_ok());
        for bad in [
            json!({"smtp": {"port": "abc"}}),
            json!({"smtp": {"port": 1.5}}),
            json!({"smtp": {"port": 2.0}}),
            json!({"smtp": {"port": 9_223_372_036_854_775_808_u64}}),
            json!({"smtp": {"enabled": "true"}}),
            json!({"meta": {"appName": 5}}),
            json!({"meta": "x"}),
            json!([]),
            json!("x"),
        ] {
            assert!(patched(bad.clone()).is_err(), "{bad}");
        }
        // The error never quotes the value (it could be a secret).
        let e = patched(json!({"smtp": {"password": 9_876_543_210_u64}})).unwrap_err();
        assert!(!e.to_string().contains("9876543210"), "{e}");
    }
}
