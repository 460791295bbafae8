//! The OAuth2 providers Basalt knows, with PocketBase's defaults (`tools/auth/*.go`), and a
//! provider resolved from a collection's configuration over them.

use super::config::ProviderConfig;
use secrecy::SecretString;
use serde_json::{Map, Value};

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

/// A provider's built-in defaults.
#[derive(Debug, Clone, Copy)]
pub struct ProviderSpec {
    /// How its user is fetched and mapped.
    pub kind: ProviderKind,
    /// The name shown when the configuration sets none.
    pub display_name: &'static str,
    /// The SVG logo `auth-methods` shows.
    pub logo: &'static str,
    /// Whether PKCE is used unless the configuration says otherwise.
    pub pkce: bool,
    /// The scopes requested.
    pub scopes: &'static [&'static str],
    /// The authorization endpoint.
    pub auth_url: &'static str,
    /// The token endpoint.
    pub token_url: &'static str,
    /// The user info endpoint (empty: from the id_token).
    pub user_info_url: &'static str,
}

const OIDC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Oidc,
    display_name: "OIDC",
    logo: include_str!("logos/oidc.svg"),
    pkce: true,
    scopes: &["openid", "email", "profile"],
    auth_url: "",
    token_url: "",
    user_info_url: "",
};

/// The defaults of provider `name` (`oidc`, `oidc2`, `oidc3`, `google`, `github`, `gitlab`,
/// `microsoft`, `apple`, `discord`); `None` for a name Basalt does not know.
pub fn provider_spec(name: &str) -> Option<ProviderSpec> {
    Some(match name {
        "oidc" | "oidc2" | "oidc3" => OIDC,
        "apple" => ProviderSpec {
            kind: ProviderKind::Apple,
            display_name: "Apple",
            logo: include_str!("logos/apple.svg"),
            pkce: true,
            scopes: &["name", "email"],
            auth_url: "https://appleid.apple.com/auth/authorize",
            token_url: "https://appleid.apple.com/auth/token",
            user_info_url: "",
        },
        "google" => ProviderSpec {
            kind: ProviderKind::Google,
            display_name: "Google",
            logo: include_str!("logos/google.svg"),
            pkce: true,
            scopes: &[
                "https://www.googleapis.com/auth/userinfo.profile",
                "https://www.googleapis.com/auth/userinfo.email",
            ],
            auth_url: "https://accounts.google.com/o/oauth2/v2/auth",
            token_url: "https://oauth2.googleapis.com/token",
            user_info_url: "https://www.googleapis.com/oauth2/v3/userinfo",
        },
        "microsoft" => ProviderSpec {
            kind: ProviderKind::Microsoft,
            display_name: "Microsoft",
            logo: include_str!("logos/microsoft.svg"),
            pkce: true,
            scopes: &["User.Read"],
            auth_url: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            user_info_url: "https://graph.microsoft.com/v1.0/me",
        },
        "github" => ProviderSpec {
            kind: ProviderKind::Github,
            display_name: "GitHub",
            logo: include_str!("logos/github.svg"),
            pkce: true,
            scopes: &["read:user", "user:email"],
            auth_url: "https://github.com/login/oauth/authorize",
            token_url: "https://github.com/login/oauth/access_token",
            user_info_url: "https://api.github.com/user",
        },
        "gitlab" => ProviderSpec {
            kind: ProviderKind::Gitlab,
            display_name: "GitLab",
            logo: include_str!("logos/gitlab.svg"),
            pkce: true,
            scopes: &["read_user"],
            auth_url: "https://gitlab.com/oauth/authorize",
            token_url: "https://gitlab.com/oauth/token",
            user_info_url: "https://gitlab.com/api/v4/user",
        },
        "discord" => ProviderSpec {
            kind: ProviderKind::Discord,
            display_name: "Discord",
            logo: include_str!("logos/discord.svg"),
            pkce: true,
            scopes: &["identify", "email"],
            auth_url: "https://discord.com/api/oauth2/authorize",
            token_url: "https://discord.com/api/oauth2/token",
            user_info_url: "https://discord.com/api/users/@me",
        },
        _ => return None,
    })
}

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
                .is_some_and(|v| !super::user::to_text(v).is_empty())
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
            _ => self
                .extra
                .get("jwksURL")
                .map(super::user::to_text)
                .unwrap_or_default(),
        }
    }
}
