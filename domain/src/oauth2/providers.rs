//! The OAuth2 providers Basalt knows, with PocketBase's defaults (`tools/auth/*.go`).

use super::values::ProviderKind;

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
