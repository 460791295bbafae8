//! The auth collection option `oauth2`: `{enabled, mappedFields{id,name,username,avatarURL},
//! providers:[{name, clientId, clientSecret, authURL, tokenURL, userInfoURL, displayName,
//! pkce, extra}]}`, as PocketBase stores, merges and validates it.

use super::providers::provider_spec;
use super::values::to_text;
use crate::error::{FieldError, ValidationErrors};
use crate::field::is_url;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// The record fields an OAuth2 user's values are copied into when a record is created
/// (empty: not mapped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedFields {
    /// Receives the provider's user id.
    pub id: String,
    /// Receives the user's name.
    pub name: String,
    /// Receives the user's username.
    pub username: String,
    /// Receives the avatar: the URL, or the downloaded image for a file field.
    pub avatar_url: String,
}

/// One configured provider. The client secret is a [`SecretString`]: no `Debug` output or
/// log line shows it.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// Overrides the provider's PKCE default when set.
    pub pkce: Option<bool>,
    /// The provider name (`google`, `oidc2`, ...).
    pub name: String,
    /// The OAuth2 client id.
    pub client_id: String,
    /// The OAuth2 client secret.
    pub client_secret: SecretString,
    /// Overrides the authorization endpoint.
    pub auth_url: String,
    /// Overrides the token endpoint.
    pub token_url: String,
    /// Overrides the user info endpoint.
    pub user_info_url: String,
    /// Overrides the display name.
    pub display_name: String,
    /// Provider-specific settings.
    pub extra: Map<String, Value>,
}

/// A collection's `oauth2` option.
#[derive(Debug, Clone, Default)]
pub struct OAuth2Config {
    /// Whether OAuth2 sign-in is allowed.
    pub enabled: bool,
    /// Where a new record gets the OAuth2 user's values.
    pub mapped_fields: MappedFields,
    /// The configured providers, in order.
    pub providers: Vec<ProviderConfig>,
}

fn text(o: &Map<String, Value>, key: &str) -> String {
    o.get(key).map(to_text).unwrap_or_default()
}

impl ProviderConfig {
    fn from_json(v: &Value) -> ProviderConfig {
        let empty = Map::new();
        let o = v.as_object().unwrap_or(&empty);
        ProviderConfig {
            pkce: o.get("pkce").and_then(Value::as_bool),
            name: text(o, "name"),
            client_id: text(o, "clientId"),
            client_secret: SecretString::from(text(o, "clientSecret")),
            auth_url: text(o, "authURL"),
            token_url: text(o, "tokenURL"),
            user_info_url: text(o, "userInfoURL"),
            display_name: text(o, "displayName"),
            extra: o
                .get("extra")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The stored shape (PocketBase's field order; `clientSecret` only when set).
    fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("pkce".into(), json!(self.pkce));
        o.insert("name".into(), json!(self.name));
        o.insert("clientId".into(), json!(self.client_id));
        let secret = self.client_secret.expose_secret();
        if !secret.is_empty() {
            o.insert("clientSecret".into(), json!(secret));
        }
        o.insert("authURL".into(), json!(self.auth_url));
        o.insert("tokenURL".into(), json!(self.token_url));
        o.insert("userInfoURL".into(), json!(self.user_info_url));
        o.insert("displayName".into(), json!(self.display_name));
        o.insert("extra".into(), Value::Object(self.extra.clone()));
        Value::Object(o)
    }
}

impl OAuth2Config {
    /// The `oauth2` option of an auth collection's options (defaults when absent).
    pub fn from_options(options: &Map<String, Value>) -> OAuth2Config {
        let Some(o) = options.get("oauth2").and_then(Value::as_object) else {
            return OAuth2Config::default();
        };
        let mapped = o.get("mappedFields").and_then(Value::as_object);
        let m = |k: &str| mapped.map(|m| text(m, k)).unwrap_or_default();
        OAuth2Config {
            enabled: o.get("enabled").and_then(Value::as_bool).unwrap_or(false),
            mapped_fields: MappedFields {
                id: m("id"),
                name: m("name"),
                username: m("username"),
                avatar_url: m("avatarURL"),
            },
            providers: o
                .get("providers")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(ProviderConfig::from_json).collect())
                .unwrap_or_default(),
        }
    }

    /// The configuration of provider `name` (PocketBase's `GetProviderConfig`).
    pub fn provider(&self, name: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// The stored shape of the option.
    pub fn to_json(&self) -> Value {
        let m = &self.mapped_fields;
        json!({
            "providers": self.providers.iter().map(ProviderConfig::to_json).collect::<Vec<_>>(),
            "mappedFields": {
                "id": m.id, "name": m.name, "username": m.username, "avatarURL": m.avatar_url,
            },
            "enabled": self.enabled,
        })
    }
}

/// Rewrites the `oauth2` option of auth `options` into its stored shape (every key present,
/// `pkce: null` and `extra: {}` by default), as PocketBase's struct round trip does.
pub fn normalize_oauth2(options: &mut Map<String, Value>) {
    let config = OAuth2Config::from_options(options);
    options.insert("oauth2".into(), config.to_json());
}

/// The `oauth2.providers` of a collection update: each submitted provider laid over the
/// stored provider of the same name (as PocketBase's update does), so that a provider
/// submitted without its `clientSecret` (which responses never show) keeps it.
pub fn merge_providers(stored: Option<&Value>, submitted: &Value) -> Value {
    let (Some(Value::Array(stored)), Value::Array(submitted)) = (stored, submitted) else {
        return submitted.clone();
    };
    let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_owned);
    Value::Array(
        submitted
            .iter()
            .map(|p| {
                let old = name(p).and_then(|n| {
                    stored
                        .iter()
                        .find(|s| name(s).as_deref() == Some(n.as_str()))
                });
                match (old, p) {
                    (Some(old @ Value::Object(_)), Value::Object(_)) => {
                        let mut merged = old.clone();
                        merge_objects(&mut merged, p);
                        merged
                    }
                    _ => p.clone(),
                }
            })
            .collect(),
    )
}

/// PocketBase's checks of the `oauth2` option (only when enabled): no provider twice, then
/// for each provider a known `name`, a `clientId` and `clientSecret`, and valid URLs. The
/// errors are nested as `oauth2.providers.<index>.<key>`.
pub fn validate_oauth2(options: &Map<String, Value>) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let config = OAuth2Config::from_options(options);
    if !config.enabled {
        return errs;
    }
    let mut providers = ValidationErrors::new();
    let mut seen = HashSet::new();
    let mut duplicated = false;
    for (i, p) in config.providers.iter().enumerate() {
        if !p.name.is_empty() && !seen.insert(p.name.as_str()) {
            let mut e = ValidationErrors::new();
            e.add(
                "name",
                FieldError::new(
                    "validation_duplicated_provider",
                    format!("The provider {} is already registered.", p.name),
                )
                .with_param("name", p.name.clone()),
            );
            providers.add_nested(i.to_string(), e);
            duplicated = true;
            break;
        }
    }
    if !duplicated {
        for (i, p) in config.providers.iter().enumerate() {
            providers.add_nested(i.to_string(), provider_errors(p));
        }
    }
    let mut oauth2 = ValidationErrors::new();
    oauth2.add_nested("providers", providers);
    errs.add_nested("oauth2", oauth2);
    errs
}

fn provider_errors(p: &ProviderConfig) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    if p.name.is_empty() {
        e.add("name", FieldError::required());
    } else if provider_spec(&p.name).is_none() {
        e.add(
            "name",
            FieldError::new(
                "validation_missing_provider",
                format!("Invalid or missing provider with name {}.", p.name),
            )
            .with_param("name", p.name.clone()),
        );
    }
    if p.client_id.is_empty() {
        e.add("clientId", FieldError::required());
    }
    if p.client_secret.expose_secret().is_empty() {
        e.add("clientSecret", FieldError::required());
    }
    for (key, value) in [
        ("authURL", &p.auth_url),
        ("tokenURL", &p.token_url),
        ("userInfoURL", &p.user_info_url),
    ] {
        if !value.is_empty() && !is_url(value) {
            e.add(
                key,
                FieldError::new("validation_is_url", "Must be a valid URL."),
            );
        }
    }
    e
}

/// Lays `patch` over `base`: objects merge key by key, anything else is replaced.
fn merge_objects(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_objects(existing, v)
                    }
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn pocketbase_s_checks_when_enabled() {
        let o = opts(json!({"oauth2": {"enabled": true, "providers": [
            {"name": "nope", "clientId": "a"},
            {"name": "oidc"},
            {"name": "google", "clientId": "x", "clientSecret": "y", "authURL": "notaurl"},
        ]}}));
        let errs = serde_json::to_value(validate_oauth2(&o)).unwrap_or_default();
        assert_eq!(
            errs["oauth2"]["providers"]["0"]["name"]["code"],
            "validation_missing_provider"
        );
        assert_eq!(
            errs["oauth2"]["providers"]["0"]["clientSecret"]["code"],
            "validation_required"
        );
        assert_eq!(
            errs["oauth2"]["providers"]["1"]["clientId"]["code"],
            "validation_required"
        );
        assert_eq!(
            errs["oauth2"]["providers"]["2"]["authURL"]["code"],
            "validation_is_url"
        );
        let off = opts(json!({"oauth2": {"enabled": false, "providers": [{"name": "nope"}]}}));
        assert!(validate_oauth2(&off).is_empty());
        let dup = opts(json!({"oauth2": {"enabled": true, "providers": [
            {"name": "oidc", "clientId": "a", "clientSecret": "b"},
            {"name": "oidc"},
        ]}}));
        let errs = serde_json::to_value(validate_oauth2(&dup)).unwrap_or_default();
        assert_eq!(
            errs["oauth2"]["providers"]["1"]["name"]["code"],
            "validation_duplicated_provider"
        );
        assert!(errs["oauth2"]["providers"].get("0").is_none());
    }

    #[test]
    fn an_update_keeps_the_stored_secret() {
        let stored = json!([{"name": "oidc", "clientId": "a", "clientSecret": "s"}]);
        let merged = merge_providers(Some(&stored), &json!([{"name": "oidc", "clientId": "b"}]));
        assert_eq!(
            merged,
            json!([{"name": "oidc", "clientId": "b", "clientSecret": "s"}])
        );
        let mut o = opts(json!({"oauth2": {"enabled": true, "providers": merged}}));
        normalize_oauth2(&mut o);
        assert_eq!(o["oauth2"]["providers"][0]["pkce"], Value::Null);
        assert_eq!(o["oauth2"]["providers"][0]["extra"], json!({}));
        assert_eq!(o["oauth2"]["mappedFields"]["avatarURL"], "");
        let c = OAuth2Config::from_options(&o);
        assert_eq!(c.providers[0].client_secret.expose_secret(), "s");
        assert!(!format!("{c:?}").contains("\"s\""));
    }
}
