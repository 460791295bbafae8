//! What saving an auth collection does to its options besides storing them, as
//! PocketBase's collection save: a changed `authRule` invalidates every auth token issued
//! before (a new `authToken.secret`), and `_superusers` keeps password auth on, OAuth2
//! off, and MFA on whenever OTP is on (OTP alone never signs a superuser in).

use crate::App;
use crate::error::AppError;
use basalt_domain::collection::Collection;
use serde_json::{Value, json};

/// Applies the save-time rules to `c` (`original`: the stored definition, on an update).
pub(crate) fn apply(
    app: &App,
    c: &mut Collection,
    original: Option<&Collection>,
) -> Result<(), AppError> {
    if !c.is_auth() {
        return Ok(());
    }
    if let Some(original) = original
        && rule_text(original) != rule_text(c)
    {
        let secret = app.random_from_pattern("[a-zA-Z0-9]{50}")?;
        set(c, "authToken", "secret", json!(secret));
    }
    if c.is_superusers() {
        set(c, "oauth2", "enabled", json!(false));
        set(c, "passwordAuth", "enabled", json!(true));
        let otp_on = c
            .auth_option("otp")
            .and_then(|o| o.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if otp_on {
            set(c, "mfa", "enabled", json!(true));
        }
    }
    Ok(())
}

/// The `authRule` as PocketBase compares it (`null` and `""` alike).
fn rule_text(c: &Collection) -> String {
    c.auth_option("authRule")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Sets `options[option][key]`.
fn set(c: &mut Collection, option: &str, key: &str, value: Value) {
    let entry = c
        .options
        .entry(option.to_owned())
        .or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    if let Value::Object(o) = entry {
        o.insert(key.to_owned(), value);
    }
}
