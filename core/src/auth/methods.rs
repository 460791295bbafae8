//! `GET /api/collections/{c}/auth-methods`: which ways to sign in the collection offers.

use super::respond::collection;
use crate::App;
use basalt_ports::ServiceError;
use serde_json::{Value, json};

/// The collection's auth methods, in PocketBase's shape.
pub(crate) async fn list(app: &App, collection: &str) -> Result<Value, ServiceError> {
    let c = self::collection(app, collection)?;
    let (enabled, identity_fields) = c.password_auth();
    let opt = |key: &str, field: &str| c.auth_option(key).and_then(|o| o.get(field)).cloned();
    let mfa_on = opt("mfa", "enabled")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let (oauth2_on, providers) = super::oauth2::methods::oauth2_methods(app, &c)?;
    let legacy: Vec<Value> = providers
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p["logo"] = json!("");
            p
        })
        .collect();
    let otp_on = opt("otp", "enabled")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Ok(json!({
        "password": {"enabled": enabled, "identityFields": identity_fields},
        "oauth2": {"enabled": oauth2_on, "providers": providers},
        "mfa": {"enabled": mfa_on, "duration": if mfa_on { opt("mfa", "duration").unwrap_or(json!(0)) } else { json!(0) }},
        "otp": {"enabled": otp_on, "duration": if otp_on { opt("otp", "duration").unwrap_or(json!(0)) } else { json!(0) }},
        "authProviders": legacy,
        "usernamePassword": enabled && identity_fields.iter().any(|f| f == "username"),
        "emailPassword": enabled && identity_fields.iter().any(|f| f == "email"),
    }))
}
