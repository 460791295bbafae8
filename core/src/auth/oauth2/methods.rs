//! The `oauth2` part of `auth-methods`: each configured provider with a fresh `state`, its
//! PKCE verifier and challenge, and the authorization URL (ending in `&redirect_uri=` for
//! the client to complete), in PocketBase's shape.

use crate::App;
use crate::error::AppError;
use basalt_domain::collection::Collection;
use basalt_domain::oauth2::{OAuth2Config, Provider, ProviderKind, build_auth_url};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// PocketBase's `security.RandomString` alphabet.
fn random_string(app: &App, n: usize) -> Result<String, AppError> {
    app.random_from_pattern(&format!("[a-zA-Z0-9]{{{n}}}"))
}

/// The S256 PKCE challenge of `verifier`.
fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `{enabled, providers}` of collection `c` (providers only when enabled).
pub(crate) fn oauth2_methods(app: &App, c: &Collection) -> Result<(bool, Vec<Value>), AppError> {
    let config = OAuth2Config::from_options(&c.options);
    if !config.enabled {
        return Ok((false, Vec::new()));
    }
    let mut providers = Vec::with_capacity(config.providers.len());
    for pc in &config.providers {
        let Some(p) = Provider::from_config(pc) else {
            tracing::debug!(name = %pc.name, "Failed to setup OAuth2 provider");
            continue;
        };
        let state = random_string(app, 30)?;
        let mut params: Vec<(&str, String)> = Vec::new();
        if p.kind == ProviderKind::Apple {
            params.push(("response_mode", "form_post".into()));
        }
        let (verifier, challenge, method) = if p.pkce {
            let verifier = random_string(app, 43)?;
            let challenge = s256_challenge(&verifier);
            params.push(("code_challenge", challenge.clone()));
            params.push(("code_challenge_method", "S256".into()));
            (verifier, challenge, "S256")
        } else {
            (String::new(), String::new(), "")
        };
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let url = build_auth_url(&p.auth_url, &p.client_id, &p.scopes, &state, &params)
            + "&redirect_uri=";
        providers.push(json!({
            "name": p.name,
            "displayName": p.display_name,
            "logo": p.logo,
            "state": state,
            "authURL": url,
            "authUrl": url,
            "codeVerifier": verifier,
            "codeChallenge": challenge,
            "codeChallengeMethod": method,
        }));
    }
    Ok((true, providers))
}

#[cfg(test)]
mod tests {
    /// A verifier and challenge pair PocketBase 0.40 handed out.
    #[test]
    fn pocketbase_s_challenge() {
        assert_eq!(
            super::s256_challenge("Py2LaNJmnpx3kdx7xJZ0vKl3RXGhD54rawOGQVmodkF"),
            "XvzMncukX6E_2CEZulKauBaFGgyKgNLgHh031-DyeA4"
        );
    }
}
