//! The small vocabulary the OAuth2 files share: the provider kinds, and Go's lenient
//! `cast` conversions of JSON values.

use serde_json::Value;

/// How a provider's user is fetched and mapped (see `user.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// A generic OpenID Connect provider: the user info endpoint, or the id_token's claims.
    Oidc,
    /// Google's user info (`sub`, `email_verified`).
    Google,
    /// GitHub's `/user`, plus the verified primary address from `/user/emails`.
    Github,
    /// GitLab's `/api/v4/user` (an email only once `confirmed_at` is set).
    Gitlab,
    /// Microsoft Graph's `/me` (the email optionally from the id_token's claims).
    Microsoft,
    /// Apple: the id_token's claims, checked against Apple's keys.
    Apple,
    /// Discord's `/users/@me`.
    Discord,
}

/// Go's `cast.ToString` of a JSON value: strings as they are, numbers and booleans
/// printed, anything else empty.
pub(crate) fn to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Go's `cast.ToBool`: `true`, a non-zero number, or a string `strconv.ParseBool` reads as
/// true.
pub(crate) fn to_bool(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => matches!(s.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True"),
        _ => false,
    }
}
