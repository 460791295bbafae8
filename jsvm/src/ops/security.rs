//! `$security`'s JWT and hash helpers (PocketBase's `security` package).

use crate::ops::common::{HostError, HostResult};
use basalt_ports::ServiceError;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};
use sha2::Digest;

fn text<'a>(args: &'a Value, key: &str) -> &'a str {
    args.get(key).and_then(Value::as_str).unwrap_or("")
}

fn fail(message: impl Into<String>) -> HostError {
    HostError::Service(ServiceError::bad_request(message))
}

/// Runs `$security` operation `op`.
pub(crate) fn run(op: &str, args: &Value) -> HostResult {
    match op {
        "security.createJWT" => {
            let mut claims = args
                .get("payload")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let duration = args.get("duration").and_then(Value::as_f64).unwrap_or(0.0);
            let now = chrono::Utc::now().timestamp();
            claims.insert("exp".into(), json!(now + duration as i64));
            let key = EncodingKey::from_secret(text(args, "secret").as_bytes());
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
                .map(|t| json!(t))
                .map_err(|e| fail(e.to_string()))
        }
        "security.parseJWT" => parse_jwt(args),
        "security.hash" => {
            let t = text(args, "text").as_bytes();
            Ok(json!(match text(args, "alg") {
                "md5" => hex::encode(<md5::Md5 as md5::Digest>::digest(t)),
                "sha512" => hex::encode(sha2::Sha512::digest(t)),
                _ => hex::encode(sha2::Sha256::digest(t)),
            }))
        }
        "security.hmac" => {
            let (t, k) = (text(args, "text").as_bytes(), text(args, "key").as_bytes());
            let out = if text(args, "alg") == "sha512" {
                let mut m =
                    Hmac::<sha2::Sha512>::new_from_slice(k).map_err(|e| fail(e.to_string()))?;
                m.update(t);
                hex::encode(m.finalize().into_bytes())
            } else {
                let mut m =
                    Hmac::<sha2::Sha256>::new_from_slice(k).map_err(|e| fail(e.to_string()))?;
                m.update(t);
                hex::encode(m.finalize().into_bytes())
            };
            Ok(json!(out))
        }
        _ => Err(ServiceError::internal_message(format!("unknown operation {op}")).into()),
    }
}

/// `parseJWT(token, secret)` (HS256, `exp` checked) or `parseUnverifiedJWT(token)`.
fn parse_jwt(args: &Value) -> HostResult {
    let token = text(args, "token");
    match args.get("secret").and_then(Value::as_str) {
        Some(secret) => {
            let mut v = Validation::new(Algorithm::HS256);
            v.required_spec_claims.clear();
            v.validate_exp = true;
            jsonwebtoken::decode::<Map<String, Value>>(
                token,
                &DecodingKey::from_secret(secret.as_bytes()),
                &v,
            )
            .map(|d| Value::Object(d.claims))
            .map_err(|e| fail(e.to_string()))
        }
        None => {
            let payload = token.split('.').nth(1).ok_or_else(|| fail("invalid JWT"))?;
            let bytes = base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                payload.trim_end_matches('='),
            )
            .map_err(|_| fail("invalid JWT"))?;
            serde_json::from_slice(&bytes).map_err(|e| fail(e.to_string()))
        }
    }
}
