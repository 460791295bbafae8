//! Auth tokens, PocketBase's scheme: HS256 JWTs signed with the record's `tokenKey` + the
//! collection's `authToken.secret`, so a new password (which rotates `tokenKey`) revokes
//! every older token. Expiry is checked against the app's clock.

use crate::App;
use crate::error::AppError;
use crate::schema::CollectionRef;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_domain::token::{AuthClaims, TOKEN_TYPE_AUTH, TOKEN_TYPE_FILE, signing_key};
use basalt_ports::Auth;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The optional scheme prefix PocketBase accepts in the `Authorization` header.
const AUTH_HEADER_PREFIX: &str = "Bearer ";

/// A kind of token an auth record signs: its `type` claim and the collection option
/// holding its secret and duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `auth` (`authToken`): the `Authorization` header's.
    Auth,
    /// `file` (`fileToken`): protected files' `?token=`.
    File,
    /// `verification` (`verificationToken`): the verification mail's.
    Verification,
    /// `passwordReset` (`passwordResetToken`): the password reset mail's.
    PasswordReset,
    /// `emailChange` (`emailChangeToken`): the email change mail's.
    EmailChange,
}

impl TokenKind {
    fn claim(self) -> &'static str {
        match self {
            TokenKind::Auth => TOKEN_TYPE_AUTH,
            TokenKind::File => TOKEN_TYPE_FILE,
            TokenKind::Verification => "verification",
            TokenKind::PasswordReset => "passwordReset",
            TokenKind::EmailChange => "emailChange",
        }
    }

    fn option(self) -> &'static str {
        match self {
            TokenKind::Auth => "authToken",
            TokenKind::File => "fileToken",
            TokenKind::Verification => "verificationToken",
            TokenKind::PasswordReset => "passwordResetToken",
            TokenKind::EmailChange => "emailChangeToken",
        }
    }
}

/// Signs a new auth token for `record` of auth collection `c`.
pub(crate) fn sign(app: &App, c: &Collection, record: &Record) -> Result<String, AppError> {
    sign_kind(app, c, record, TokenKind::Auth)
}

/// Signs a new token of `kind` for `record` of auth collection `c`.
pub(crate) fn sign_kind(
    app: &App,
    c: &Collection,
    record: &Record,
    kind: TokenKind,
) -> Result<String, AppError> {
    let (secret, duration) = c.token_config(kind.option());
    let claims = AuthClaims {
        id: record.id().to_owned(),
        kind: kind.claim().into(),
        collection_id: c.id.clone(),
        refreshable: kind == TokenKind::Auth,
        exp: app.now_secs() + duration,
    };
    let key = signing_key(record.text("tokenKey"), &secret);
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&key),
    )
    .map_err(AppError::from)
}

/// Signs a mail token of `kind` (verification, password reset, email change) for `record`,
/// with PocketBase's claims: `type`, `id`, `collectionId`, `email`, and `newEmail` for an
/// email change.
pub(crate) fn sign_mail_token(
    app: &App,
    c: &Collection,
    record: &Record,
    kind: TokenKind,
    new_email: Option<&str>,
) -> Result<String, AppError> {
    let (secret, duration) = c.token_config(kind.option());
    let mut claims = Map::new();
    claims.insert("type".into(), kind.claim().into());
    claims.insert("id".into(), record.id().into());
    claims.insert("collectionId".into(), c.id.clone().into());
    claims.insert("email".into(), record.text("email").into());
    if let Some(new_email) = new_email {
        claims.insert("newEmail".into(), new_email.into());
    }
    claims.insert("exp".into(), (app.now_secs() + duration).into());
    let key = signing_key(record.text("tokenKey"), &secret);
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&key),
    )
    .map_err(AppError::from)
}

/// A token's claims without checking it (PocketBase's `ParseUnverifiedJWT`); empty when it
/// is not a JWT.
pub(crate) fn unverified_claims(token: &str) -> Map<String, Value> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token).unwrap_or_default()
}

/// Signs a non-refreshable auth token for `record` valid for `duration` seconds (0: the
/// collection's `authToken.duration`), PocketBase's `NewStaticAuthToken`.
pub(crate) fn sign_static(
    app: &App,
    c: &Collection,
    record: &Record,
    duration: i64,
) -> Result<String, AppError> {
    let (secret, default_duration) = c.token_config(TokenKind::Auth.option());
    let duration = if duration > 0 {
        duration
    } else {
        default_duration
    };
    let claims = AuthClaims {
        id: record.id().to_owned(),
        kind: TOKEN_TYPE_AUTH.into(),
        collection_id: c.id.clone(),
        refreshable: false,
        exp: app.now_secs() + duration,
    };
    let key = signing_key(record.text("tokenKey"), &secret);
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&key),
    )
    .map_err(AppError::from)
}

/// The token of an `Authorization` header value (the `Bearer ` prefix is optional).
pub(crate) fn from_header(value: &str) -> &str {
    value
        .strip_prefix(AUTH_HEADER_PREFIX)
        .unwrap_or(value)
        .trim()
}

/// Whether `token`'s claims allow a refresh (impersonation tokens do not).
pub(crate) fn is_refreshable(token: &str) -> bool {
    jsonwebtoken::dangerous::insecure_decode_claims::<AuthClaims>(token)
        .map(|c| c.refreshable)
        .unwrap_or(false)
}

/// The auth record `id` of `c` for a token check, from the cache while nothing was
/// written through the app (at most a second; see `count_cache`).
async fn auth_record(app: &App, c: &Collection, id: &str) -> Option<Record> {
    if app.is_transactional() {
        return crate::records::read::find_by_id(app, c, id).await.ok()?;
    }
    let cache = &app.inner.auth_records;
    let key = format!("{}\u{0}{id}", c.id);
    if let Some(r) = cache.get(&key) {
        return Some(r);
    }
    let version = cache.version();
    let record = crate::records::read::find_by_id(app, c, id).await.ok()??;
    cache.put(key, version, record.clone());
    Some(record)
}

/// The collection and record a valid, unexpired auth token names.
async fn verify(app: &App, token: &str) -> Option<(CollectionRef, Record)> {
    verify_kind(app, token, TokenKind::Auth).await
}

/// The collection and record a valid, unexpired token of `kind` names.
pub(crate) async fn verify_kind(
    app: &App,
    token: &str,
    kind: TokenKind,
) -> Option<(CollectionRef, Record)> {
    let unverified: AuthClaims = jsonwebtoken::dangerous::insecure_decode_claims(token).ok()?;
    if unverified.kind != kind.claim() || unverified.exp < app.now_secs() {
        return None;
    }
    let c = app
        .find_collection(&unverified.collection_id)
        .filter(|c| c.is_auth() && c.id == unverified.collection_id)?;
    let record = auth_record(app, &c, &unverified.id).await?;
    let (secret, _) = c.token_config(kind.option());
    let key = signing_key(record.text("tokenKey"), &secret);
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false; // checked above against the app's clock
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<AuthClaims>(token, &DecodingKey::from_secret(&key), &validation).ok()?;
    Some((c, record))
}

/// Who an `Authorization` header value names (guests for invalid tokens), with the record's
/// values.
pub(crate) async fn authenticate(
    app: &App,
    token: &str,
) -> (Auth, Option<Arc<Map<String, Value>>>) {
    let token = from_header(token);
    if token.is_empty() {
        return (Auth::Guest, None);
    }
    match verify(app, token).await {
        Some((c, r)) => (
            Auth::Record {
                collection_id: c.id.clone(),
                collection_name: c.name.clone(),
                id: r.id().to_owned(),
                superuser: c.is_superusers(),
            },
            Some(Arc::new(r.data)),
        ),
        None => (Auth::Guest, None),
    }
}
