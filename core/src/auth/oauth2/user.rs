//! A provider's user, fetched with the token (`FetchAuthUser` of each of PocketBase's
//! providers) and mapped by `basalt_domain::oauth2::map_user`.

use super::client::{Token, fetch_user_info, get_with_token};
use super::id_token::{Checks, verified_claims};
use crate::App;
use basalt_domain::oauth2::{AuthUser, Provider, ProviderKind, map_user};
use basalt_ports::Cause;
use serde_json::{Map, Value};

/// The user `token` belongs to at provider `p`.
pub(crate) async fn fetch_auth_user(
    app: &App,
    p: &Provider,
    token: &Token,
) -> Result<AuthUser, Cause> {
    let mut id_token_claims = None;
    let raw = match p.kind {
        ProviderKind::Oidc if p.user_info_url.is_empty() => {
            let issuers = match p.extra.get("issuers") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
                _ => Vec::new(),
            };
            let checks = Checks {
                audience: Some(&p.client_id),
                issuers,
                jwks_url: p.jwks_url(),
                ..Checks::default()
            };
            verified_claims(app, token.id_token(), &checks).await?
        }
        ProviderKind::Apple => {
            let checks = Checks {
                audience: Some(&p.client_id),
                issuer: Some("https://appleid.apple.com"),
                exp_required: true,
                jwks_url: p.jwks_url(),
                ..Checks::default()
            };
            verified_claims(app, token.id_token(), &checks).await?
        }
        ProviderKind::Microsoft => {
            if p.extra.contains_key("idTokenEmailClaim") {
                id_token_claims = verified_claims(app, token.id_token(), &Checks::default())
                    .await
                    .ok();
            }
            fetch_user_info(app, &p.user_info_url, token).await?
        }
        _ => fetch_user_info(app, &p.user_info_url, token).await?,
    };
    let mut user = map_user(p.kind, raw, &p.extra, id_token_claims.as_ref());
    if p.kind == ProviderKind::Github {
        user.email = github_primary_email(app, &p.user_info_url, token).await?;
    }
    user.access_token = token.access_token.clone();
    user.refresh_token = token.refresh_token.clone();
    user.expiry = token.expiry.clone();
    Ok(user)
}

/// GitHub's verified primary address from `<user info>/emails` (none when the token may
/// not read them).
async fn github_primary_email(
    app: &App,
    user_info_url: &str,
    token: &Token,
) -> Result<String, Cause> {
    let r = get_with_token(app, &format!("{user_info_url}/emails"), token).await?;
    if matches!(r.status, 401 | 403 | 404) {
        return Ok(String::new());
    }
    let emails: Vec<Map<String, Value>> = serde_json::from_slice(&r.body).map_err(Cause::new)?;
    Ok(emails
        .iter()
        .find(|e| {
            e.get("verified") == Some(&Value::Bool(true))
                && e.get("primary") == Some(&Value::Bool(true))
        })
        .and_then(|e| e.get("email").and_then(Value::as_str))
        .unwrap_or("")
        .to_owned())
}
