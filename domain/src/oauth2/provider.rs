//! A provider resolved from a collection's configuration over its built-in defaults.

use super::config::ProviderConfig;
use super::providers::provider_spec;
use super::values::{ProviderKind, to_text};
use secrecy::SecretString;
use serde_json::{Map, Value};

/// A provider ready to use: its defaults with the collection's configuration laid over them
/// (PocketBase's `InitProvider`: each non-empty configured value replaces the default).
#[derive(Debug, Clone)]
pub struct Provider {
    /// The configured name (`oidc2`, `google`, ...).
    pub name: String,
    /// How its user is fetched and mapped.
    pub kind: ProviderKind,
    /// The name to show.
    pub display_name: String,
    /// The SVG logo.
    pub logo: &'static str,
    /// Whether PKCE is used.
    pub pkce: bool,
    /// The scopes requested.
    pub scopes: Vec<String>,
    /// The OAuth2 client id.
    pub client_id: String,
    /// The OAuth2 client secret.
    pub client_secret: SecretString,
    /// The authorization endpoint.
    pub auth_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The user info endpoint (empty: from the id_token, for OIDC and Apple).
    pub user_info_url: String,
    /// Provider-specific settings (`jwksURL`, `issuers`, `idTokenEmailClaim`).
    pub extra: Map<String, Value>,
}

impl Provider {
    /// The provider configured by `config`; `None` for an unknown provider name.
    pub fn from_config(config: &ProviderConfig) -> Option<Provider> {
        let spec = provider_spec(&config.name)?;
        let or = |set: &str, default: &str| {
            if set.is_empty() {
                default.to_owned()
            } else {
                set.to_owned()
            }
        };
        let mut scopes: Vec<String> = spec.scopes.iter().map(|s| (*s).to_owned()).collect();
        if spec.kind == ProviderKind::Microsoft
            && config
                .extra
                .get("idTokenEmailClaim")
                .is_some_and(|v| !to_text(v).is_empty())
            && !scopes.iter().any(|s| s == "openid")
        {
            scopes.push("openid".into());
        }
        Some(Provider {
            name: config.name.clone(),
            kind: spec.kind,
            display_name: or(&config.display_name, spec.display_name),
            logo: spec.logo,
            pkce: config.pkce.unwrap_or(spec.pkce),
            scopes,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            auth_url: or(&config.auth_url, spec.auth_url),
            token_url: or(&config.token_url, spec.token_url),
            user_info_url: or(&config.user_info_url, spec.user_info_url),
            extra: config.extra.clone(),
        })
    }

    /// Apple's key set, or the `jwksURL` extra of an OIDC provider (empty: none).
    pub fn jwks_url(&self) -> String {
        match self.kind {
            ProviderKind::Apple => "https://appleid.apple.com/auth/keys".to_owned(),
            _ => self.extra.get("jwksURL").map(to_text).unwrap_or_default(),
        }
    }
}
