//! Auth token claims, signed as HS256 JWTs by the app with PocketBase's key scheme.

use serde::{Deserialize, Serialize};

/// The `type` claim of an auth token.
pub const TOKEN_TYPE_AUTH: &str = "auth";

/// The `type` claim of a file token (protected files' `?token=`).
pub const TOKEN_TYPE_FILE: &str = "file";

/// The claims of an auth token, exactly as PocketBase writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthClaims {
    /// The record id.
    pub id: String,
    /// The token kind (`auth`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The auth collection id.
    pub collection_id: String,
    /// Whether `auth-refresh` may renew it.
    #[serde(default)]
    pub refreshable: bool,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}

/// The HMAC key of a record's tokens: the record's `tokenKey` followed by the collection's
/// token secret, so changing either (a new password changes the `tokenKey`) revokes them.
pub fn signing_key(record_token_key: &str, collection_secret: &str) -> Vec<u8> {
    format!("{record_token_key}{collection_secret}").into_bytes()
}
