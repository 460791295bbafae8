//! id_token claims as PocketBase reads them: the payload decoded, then `exp`/`iat`/`nbf`
//! checked with a 5 minute leeway, the audience (the client id), the issuer, and, when a key
//! set URL is known (Apple's, or an OIDC provider's `jwksURL` extra), the signature.

use super::client::get;
use crate::App;
use basalt_ports::Cause;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// PocketBase's `idTokenLeeway` (its `PB_ID_TOKEN_LEEWAY` environment variable, seconds,
/// changes it there and here).
fn leeway_secs() -> i64 {
    std::env::var("PB_ID_TOKEN_LEEWAY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// What an id_token must satisfy.
#[derive(Debug, Default)]
pub(crate) struct Checks<'a> {
    /// The audience that must be among `aud` (the client id); `None`: not checked.
    pub(crate) audience: Option<&'a str>,
    /// The exact issuer required (Apple's).
    pub(crate) issuer: Option<&'a str>,
    /// Accepted issuers (an OIDC provider's `issuers` extra; empty: any).
    pub(crate) issuers: Vec<String>,
    /// Whether `exp` must be present.
    pub(crate) exp_required: bool,
    /// The key set the signature is checked against (empty: not checked).
    pub(crate) jwks_url: String,
}

/// The unverified claims of `token`.
pub(crate) fn unverified_claims(token: &str) -> Result<Map<String, Value>, Cause> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| Cause::message("token is malformed"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(Cause::new)?;
    serde_json::from_slice(&bytes).map_err(Cause::new)
}

fn number(claims: &Map<String, Value>, key: &str) -> Option<f64> {
    claims.get(key).and_then(Value::as_f64)
}

/// The claims of `token` when they pass `checks`.
pub(crate) async fn verified_claims(
    app: &App,
    token: &str,
    checks: &Checks<'_>,
) -> Result<Map<String, Value>, Cause> {
    if token.is_empty() {
        return Err(Cause::message("empty id_token"));
    }
    let claims = unverified_claims(token)?;
    let now = app.now_secs() as f64;
    let leeway = leeway_secs() as f64;
    match number(&claims, "exp") {
        Some(exp) if now > exp + leeway => return Err(Cause::message("token is expired")),
        None if checks.exp_required => {
            return Err(Cause::message("token is missing required claim: exp"));
        }
        _ => {}
    }
    if number(&claims, "iat").is_some_and(|iat| now + leeway < iat) {
        return Err(Cause::message("token used before issued"));
    }
    if number(&claims, "nbf").is_some_and(|nbf| now + leeway < nbf) {
        return Err(Cause::message("token is not valid yet"));
    }
    if let Some(aud) = checks.audience {
        let ok = match claims.get("aud") {
            Some(Value::String(s)) => s == aud,
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(aud)),
            _ => false,
        };
        if !ok {
            return Err(Cause::message("token has invalid audience"));
        }
    }
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    if checks.issuer.is_some_and(|want| want != iss) {
        return Err(Cause::message("token has invalid issuer"));
    }
    if !checks.issuers.is_empty() && !checks.issuers.iter().any(|i| i == iss) {
        return Err(Cause::message(format!(
            "iss must be one of {:?}, got {iss:?}",
            checks.issuers
        )));
    }
    if !checks.jwks_url.is_empty() {
        check_signature(app, token, &checks.jwks_url)
            .await
            .map_err(|e| Cause::message(format!("id_token validation failed: {}", e.chain())))?;
    }
    Ok(claims)
}

/// Checks `token`'s signature against the key of its `kid` in the key set at `url`.
async fn check_signature(app: &App, token: &str, url: &str) -> Result<(), Cause> {
    let header = jsonwebtoken::decode_header(token).map_err(Cause::new)?;
    let r = get(app, url, false).await?;
    if r.status >= 400 {
        return Err(Cause::message(format!(
            "failed to fetch the keys ({})",
            r.status
        )));
    }
    let set: JwkSet = serde_json::from_slice(&r.body).map_err(Cause::new)?;
    let kid = header.kid.clone().unwrap_or_default();
    let jwk = set
        .keys
        .iter()
        .find(|k| k.common.key_id.as_deref() == Some(kid.as_str()))
        .ok_or_else(|| Cause::message(format!("jwk with kid {kid:?} was not found")))?;
    let key = DecodingKey::from_jwk(jwk).map_err(Cause::new)?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map(|_| ())
        .map_err(Cause::new)
}
