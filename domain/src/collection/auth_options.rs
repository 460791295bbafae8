//! The checks of an auth collection's options, as PocketBase's `collectionAuthOptions`
//! validation: token lifetimes and secrets, `passwordAuth.identityFields`, the OTP and MFA
//! durations and OTP length (when on), and — once those pass — MFA only with at least two
//! auth methods on. (`mfa.rule` is checked with the other rules, in `validate_rules`.)

use super::Collection;
use super::json::TOKEN_KEYS;
use crate::error::{FieldError, ValidationErrors};
use serde_json::Value;

/// The longest token lifetime PocketBase accepts (~3 years), in seconds.
const MAX_TOKEN_DURATION: i64 = 94_670_856;
/// The longest OTP and MFA lifetime, in seconds.
const MAX_SESSION_DURATION: i64 = 86_400;

fn option<'a>(c: &'a Collection, key: &str) -> Option<&'a Value> {
    c.options.get(key)
}

fn int(c: &Collection, key: &str, field: &str) -> i64 {
    option(c, key)
        .and_then(|o| o.get(field))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn on(c: &Collection, key: &str) -> bool {
    option(c, key)
        .and_then(|o| o.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// ozzo's `Required, Min(min), Max(max)` on an integer (`max` 0: none).
fn range(value: i64, min: i64, max: i64) -> Option<FieldError> {
    if value == 0 {
        return Some(FieldError::required());
    }
    if value < min {
        return Some(
            FieldError::new(
                "validation_min_greater_equal_than_required",
                format!("Must be no less than {min}."),
            )
            .with_param("threshold", min),
        );
    }
    if max > 0 && value > max {
        return Some(
            FieldError::new(
                "validation_max_less_equal_than_required",
                format!("Must be no greater than {max}."),
            )
            .with_param("threshold", max),
        );
    }
    None
}

/// The errors of `c`'s auth options, keyed by option (`{"otp": {"duration": ...}}`).
pub(crate) fn check(c: &Collection, errs: &mut ValidationErrors) {
    if !c.is_auth() {
        return;
    }
    let mut found = Found::default();
    let mut nest = |key: &'static str, field: &str, e: Option<FieldError>| found.add(key, field, e);
    if on(c, "passwordAuth") {
        let empty = option(c, "passwordAuth")
            .and_then(|o| o.get("identityFields"))
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
        nest(
            "passwordAuth",
            "identityFields",
            empty.then(FieldError::required),
        );
    }
    for key in ["otp", "mfa"] {
        if on(c, key) {
            let d = int(c, key, "duration");
            nest(key, "duration", range(d, 10, MAX_SESSION_DURATION));
        }
    }
    if on(c, "otp") {
        nest("otp", "length", range(int(c, "otp", "length"), 4, 0));
    }
    for key in TOKEN_KEYS {
        nest(
            key,
            "duration",
            range(int(c, key, "duration"), 10, MAX_TOKEN_DURATION),
        );
        let secret = option(c, key)
            .and_then(|o| o.get("secret"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let n = secret.chars().count();
        let bad = if n == 0 {
            Some(FieldError::required())
        } else if !(30..=255).contains(&n) {
            Some(
                FieldError::new(
                    "validation_length_out_of_range",
                    "The length must be between 30 and 255.",
                )
                .with_param("max", 255)
                .with_param("min", 30),
            )
        } else {
            None
        };
        nest(key, "secret", bad);
    }
    if found.0.is_empty() && on(c, "mfa") {
        let methods = ["passwordAuth", "oauth2", "otp"]
            .iter()
            .filter(|k| on(c, k))
            .count();
        if methods < 2 {
            found.add(
                "mfa",
                "enabled",
                Some(FieldError::new(
                    "validation_mfa_not_enough_auths",
                    "MFA requires at least 2 auth methods to be enabled.",
                )),
            );
        }
    }
    for (key, nested) in found.0 {
        errs.add_nested(key, nested);
    }
}

/// The errors found so far, by option, in the order first seen.
#[derive(Default)]
struct Found(Vec<(&'static str, ValidationErrors)>);

impl Found {
    fn add(&mut self, key: &'static str, field: &str, e: Option<FieldError>) {
        let Some(e) = e else { return };
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, errs)) => errs.add(field, e),
            None => {
                let mut errs = ValidationErrors::new();
                errs.add(field, e);
                self.0.push((key, errs));
            }
        }
    }
}
