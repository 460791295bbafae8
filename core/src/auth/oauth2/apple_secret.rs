//! `POST /api/settings/apple/generate-client-secret` (superusers only): Apple's client
//! secret, an ES256 JWT signed with the developer's private key (PocketBase's
//! `forms.AppleClientSecretCreate`).

use crate::App;
use crate::query::require_superuser;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::{Auth, ServiceError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

/// The longest lifetime Apple accepts (about six months), in seconds.
const MAX_DURATION: i64 = 15_777_000;

fn text(body: &Map<String, Value>, key: &str) -> String {
    body.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn exactly_ten() -> FieldError {
    FieldError::new(
        "validation_length_invalid",
        "The length must be exactly 10.",
    )
    .with_param("max", 10)
    .with_param("min", 10)
}

/// Whether `key` holds a PEM `PRIVATE KEY` block (PocketBase's pattern).
fn looks_like_pem(key: &str) -> bool {
    key.find("-----BEGIN PRIVATE KEY----")
        .is_some_and(|start| key[start..].contains("-----END PRIVATE KEY-----"))
}

/// The client secret for `body` (`clientId`, `teamId`, `keyId`, `privateKey`, `duration`).
pub(crate) fn generate(
    app: &App,
    auth: &Auth,
    body: &Map<String, Value>,
) -> Result<String, ServiceError> {
    require_superuser(auth)?;
    let (client_id, team_id, key_id) = (
        text(body, "clientId"),
        text(body, "teamId"),
        text(body, "keyId"),
    );
    let private_key = text(body, "privateKey");
    let duration = body.get("duration").and_then(Value::as_i64).unwrap_or(0);
    let mut errs = ValidationErrors::new();
    if client_id.is_empty() {
        errs.add("clientId", FieldError::required());
    }
    for (key, value) in [("teamId", &team_id), ("keyId", &key_id)] {
        if value.is_empty() {
            errs.add(key, FieldError::required());
        } else if value.chars().count() != 10 {
            errs.add(key, exactly_ten());
        }
    }
    if private_key.is_empty() {
        errs.add("privateKey", FieldError::required());
    } else if !looks_like_pem(&private_key) {
        errs.add(
            "privateKey",
            FieldError::new("validation_match_invalid", "Must be in a valid format."),
        );
    }
    if duration == 0 {
        errs.add("duration", FieldError::required());
    } else if duration < 1 {
        errs.add(
            "duration",
            FieldError::new(
                "validation_min_greater_equal_than_required",
                "Must be no less than 1.",
            )
            .with_param("threshold", 1),
        );
    } else if duration > MAX_DURATION {
        errs.add(
            "duration",
            FieldError::new(
                "validation_max_less_equal_than_required",
                format!("Must be no greater than {MAX_DURATION}."),
            )
            .with_param("threshold", MAX_DURATION),
        );
    }
    if !errs.is_empty() {
        return Err(ServiceError::BadRequest {
            message: "Invalid client secret data.".into(),
            data: errs,
        });
    }
    let failed = |e: &dyn std::fmt::Display| {
        ServiceError::bad_request(format!(
            "Failed to generate client secret. Raw error: \n{e}"
        ))
    };
    let key = pkcs8_der(&private_key)
        .map(|der| EncodingKey::from_ec_der(&der))
        .ok_or_else(|| failed(&NOT_PEM))?;
    let now = app.now_secs();
    let claims = json!({
        "iss": team_id,
        "sub": client_id,
        "aud": ["https://appleid.apple.com"],
        "exp": now + duration,
        "iat": now,
    });
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key_id);
    jsonwebtoken::encode(&header, &claims, &key).map_err(|e| {
        tracing::debug!(error = %e, "Apple client secret signing failed");
        failed(&NOT_PEM)
    })
}

/// Go's `jwt.ErrKeyMustBePEMEncoded` text, PocketBase's answer for a key it cannot use.
const NOT_PEM: &str = "invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key.";

/// The DER bytes of the first `PRIVATE KEY` PEM block of `pem`.
fn pkcs8_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let start = pem.find("-----BEGIN PRIVATE KEY-----")? + "-----BEGIN PRIVATE KEY-----".len();
    let end = start + pem[start..].find("-----END PRIVATE KEY-----")?;
    let body: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}
