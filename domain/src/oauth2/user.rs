//! The OAuth2 user as PocketBase reports it (`auth.AuthUser`), mapped from each provider's
//! user data (`tools/auth/*.go`'s `FetchAuthUser`).

use super::values::{ProviderKind, to_bool, to_text};
use serde_json::{Map, Value, json};

/// The user a provider answered with, plus the tokens of the sign-in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthUser {
    /// The user's id at the provider.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The username (login).
    pub username: String,
    /// The email, only when the provider says it is verified.
    pub email: String,
    /// The avatar's URL.
    pub avatar_url: String,
    /// The provider's user data as received.
    pub raw_user: Map<String, Value>,
    /// The OAuth2 access token.
    pub access_token: String,
    /// The OAuth2 refresh token.
    pub refresh_token: String,
    /// When the access token expires (`2006-01-02 15:04:05.000Z`), empty when not said.
    pub expiry: String,
}

impl AuthUser {
    /// PocketBase's JSON of the user (the `meta` of an OAuth2 sign-in without `isNew`),
    /// `avatarUrl` being the legacy copy of `avatarURL`.
    pub fn to_json(&self) -> Value {
        json!({
            "expiry": self.expiry,
            "rawUser": self.raw_user,
            "id": self.id,
            "name": self.name,
            "username": self.username,
            "avatarURL": self.avatar_url,
            "accessToken": self.access_token,
            "refreshToken": self.refresh_token,
            "email": self.email,
            "avatarUrl": self.avatar_url,
        })
    }
}

/// The user of a provider of `kind` from its user data `raw` (the user info answer, or the
/// id_token's claims). `extra` is the provider's configured extras and `id_token_claims` the
/// id_token's claims when there is one (Microsoft's `idTokenEmailClaim` reads them). The
/// GitHub email is not in `raw`: the caller sets it from `/user/emails`.
pub fn map_user(
    kind: ProviderKind,
    raw: Map<String, Value>,
    extra: &Map<String, Value>,
    id_token_claims: Option<&Map<String, Value>>,
) -> AuthUser {
    let s = |k: &str| raw.get(k).map(to_text).unwrap_or_default();
    let mut user = AuthUser::default();
    match kind {
        ProviderKind::Oidc => {
            user.id = s("sub");
            user.name = s("name");
            user.username = s("preferred_username");
            user.avatar_url = s("picture");
            if to_bool(raw.get("email_verified")) {
                user.email = s("email");
            }
        }
        ProviderKind::Google => {
            user.id = s("sub");
            user.name = s("name");
            user.avatar_url = s("picture");
            if raw.get("email_verified") == Some(&Value::Bool(true)) {
                user.email = s("email");
            }
        }
        ProviderKind::Apple => {
            user.id = s("sub");
            user.name = s("name");
            if to_bool(raw.get("email_verified")) {
                user.email = s("email");
            }
        }
        ProviderKind::Github => {
            user.id = s("id");
            user.name = s("name");
            user.username = s("login");
            user.avatar_url = s("avatar_url");
        }
        ProviderKind::Gitlab => {
            user.id = s("id");
            user.name = s("name");
            user.username = s("username");
            user.avatar_url = s("avatar_url");
            if chrono::DateTime::parse_from_rfc3339(&s("confirmed_at")).is_ok() {
                user.email = s("email");
            }
        }
        ProviderKind::Microsoft => {
            user.id = s("id");
            user.name = s("displayName");
            user.email = microsoft_email(&s("mail"), extra, id_token_claims);
        }
        ProviderKind::Discord => {
            user.id = s("id");
            user.username = s("username");
            let avatar = s("avatar");
            if !avatar.is_empty() {
                user.avatar_url = format!(
                    "https://cdn.discordapp.com/avatars/{}/{avatar}.png",
                    user.id
                );
            }
            user.name = s("global_name");
            if user.name.is_empty() {
                user.name = user.username.clone();
                let d = s("discriminator");
                if !d.is_empty() && d != "0" {
                    user.name = format!("{}#{d}", user.name);
                }
            }
            if raw.get("verified") == Some(&Value::Bool(true)) {
                user.email = s("email");
            }
        }
    }
    user.raw_user = raw;
    user
}

/// Microsoft's email: Graph's `mail`, or per the `idTokenEmailClaim` extra a claim of the
/// id_token.
fn microsoft_email(
    mail: &str,
    extra: &Map<String, Value>,
    claims: Option<&Map<String, Value>>,
) -> String {
    let claim = |k: &str| {
        claims
            .and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let xms_edov = || {
        if to_bool(claims.and_then(|c| c.get("xms_edov"))) {
            claim("email")
        } else {
            String::new()
        }
    };
    match extra.get("idTokenEmailClaim").map(to_text).as_deref() {
        Some("any_verified") => {
            let primary = claim("verified_primary_email");
            if primary.is_empty() {
                xms_edov()
            } else {
                primary
            }
        }
        Some("verified_primary_email") => claim("verified_primary_email"),
        Some("email_and_xms_edov") => xms_edov(),
        Some("email") => claim("email"),
        _ => mail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn oidc_keeps_the_email_only_when_verified() {
        let u = map_user(
            ProviderKind::Oidc,
            obj(
                json!({"sub": "s1", "name": "N", "preferred_username": "u", "picture": "p",
                "email": "a@b.c", "email_verified": "true"}),
            ),
            &Map::new(),
            None,
        );
        assert_eq!(
            (u.id.as_str(), u.username.as_str(), u.email.as_str()),
            ("s1", "u", "a@b.c")
        );
        let u = map_user(
            ProviderKind::Oidc,
            obj(json!({"sub": "s1", "email": "a@b.c", "email_verified": false})),
            &Map::new(),
            None,
        );
        assert_eq!(u.email, "");
    }

    #[test]
    fn discord_and_github_and_gitlab() {
        let u = map_user(
            ProviderKind::Discord,
            obj(
                json!({"id": "9", "username": "bob", "discriminator": "12", "avatar": "h",
                "email": "x@y.z", "verified": true}),
            ),
            &Map::new(),
            None,
        );
        assert_eq!(u.name, "bob#12");
        assert_eq!(u.avatar_url, "https://cdn.discordapp.com/avatars/9/h.png");
        assert_eq!(u.email, "x@y.z");
        let u = map_user(
            ProviderKind::Github,
            obj(json!({"id": 42, "login": "octo", "name": "Octo", "avatar_url": "a"})),
            &Map::new(),
            None,
        );
        assert_eq!((u.id.as_str(), u.username.as_str()), ("42", "octo"));
        let u = map_user(
            ProviderKind::Gitlab,
            obj(json!({"id": 7, "email": "g@l.b", "confirmed_at": "2020-01-01T00:00:00Z"})),
            &Map::new(),
            None,
        );
        assert_eq!((u.id.as_str(), u.email.as_str()), ("7", "g@l.b"));
    }

    #[test]
    fn microsoft_reads_the_configured_claim() {
        let claims = obj(json!({"email": "c@d.e", "xms_edov": true}));
        let extra = obj(json!({"idTokenEmailClaim": "any_verified"}));
        let u = map_user(
            ProviderKind::Microsoft,
            obj(json!({"id": "m", "displayName": "M", "mail": "graph@x.y"})),
            &extra,
            Some(&claims),
        );
        assert_eq!(u.email, "c@d.e");
        let u = map_user(
            ProviderKind::Microsoft,
            obj(json!({"id": "m", "mail": "graph@x.y"})),
            &Map::new(),
            None,
        );
        assert_eq!(u.email, "graph@x.y");
    }
}
