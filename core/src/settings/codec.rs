//! The `value` of the `_params` row the settings live in (id `settings`, as PocketBase keeps
//! them): the stored JSON, or that JSON encrypted when a key is configured. The row itself
//! is read and written by `crate::store::params`.

use super::Settings;
use super::crypto::EncryptionKey;
use crate::error::AppError;
use secrecy::zeroize::Zeroizing;
use serde_json::Value;

/// The `_params` id of the settings row.
pub(crate) const SETTINGS_PARAM: &str = "settings";

/// The `value` to store: the settings' stored JSON, encrypted with `key` when there is one.
pub(crate) fn encode(settings: &Settings, key: Option<&EncryptionKey>) -> Result<String, AppError> {
    let json = Zeroizing::new(settings.to_storage_json().to_string());
    match key {
        None => Ok(json.as_str().to_owned()),
        Some(key) => key
            .encrypt(json.as_bytes())
            .map_err(|e| AppError::Encryption(e.to_string())),
    }
}

/// What a stored `value` held.
pub(crate) struct Decoded {
    /// The settings.
    pub settings: Settings,
    /// The value was plain JSON (not encrypted).
    pub plain: bool,
}

/// Reads a stored `value` as PocketBase does: plain JSON first, else encrypted with `key`.
/// An encrypted value without a key, or one the key does not open, is a
/// [`AppError::Config`]: the server must not start on the wrong settings.
pub(crate) fn decode(value: &[u8], key: Option<&EncryptionKey>) -> Result<Decoded, AppError> {
    if let Ok(json @ Value::Object(_)) = serde_json::from_slice::<Value>(value) {
        return parse(&json).map(|settings| Decoded {
            settings,
            plain: true,
        });
    }
    let Some(key) = key else {
        return Err(AppError::Config(
            "the stored settings are encrypted (or invalid) and no encryption key is set: \
             start with --encryptionEnv NAME, NAME being the environment variable that holds \
             the 32-character key"
                .into(),
        ));
    };
    let text = String::from_utf8_lossy(value);
    let plain = key.decrypt(&text).map_err(|_| {
        AppError::Config(format!(
            "cannot decrypt the stored settings with the key from {}: wrong key, or the \
             data was altered",
            key.source()
        ))
    })?;
    let json: Value =
        serde_json::from_slice(&plain).map_err(|e| AppError::corrupt("decrypted settings", e))?;
    parse(&json).map(|settings| Decoded {
        settings,
        plain: false,
    })
}

/// Stored JSON, laid over the defaults (a key PocketBase did not write yet keeps its default).
fn parse(json: &Value) -> Result<Settings, AppError> {
    Settings::default()
        .patched(json)
        .map_err(|e| AppError::corrupt("stored settings", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn key(k: &str) -> EncryptionKey {
        EncryptionKey::new(k.into()).unwrap()
    }

    #[test]
    fn plain_and_encrypted_round_trips() {
        let mut s = Settings::default();
        s.smtp.password = "hunter2".into();
        let plain = encode(&s, None).unwrap();
        assert!(plain.contains("hunter2"));
        let d = decode(plain.as_bytes(), None).unwrap();
        assert!(d.plain);
        assert_eq!(d.settings.smtp.password.expose_secret(), "hunter2");

        let k = key("0123456789abcdef0123456789abcdef");
        let sealed = encode(&s, Some(&k)).unwrap();
        assert!(!sealed.contains("hunter2") && !sealed.contains("smtp"));
        let d = decode(sealed.as_bytes(), Some(&k)).unwrap();
        assert!(!d.plain);
        assert_eq!(d.settings.smtp.password.expose_secret(), "hunter2");
        // Plain JSON still reads with a key configured (and gets re-saved encrypted).
        assert!(decode(plain.as_bytes(), Some(&k)).unwrap().plain);
    }

    #[test]
    fn encrypted_without_the_right_key_is_a_config_error() {
        let k = key("0123456789abcdef0123456789abcdef");
        let sealed = encode(&Settings::default(), Some(&k)).unwrap();
        assert!(
            matches!(decode(sealed.as_bytes(), None), Err(AppError::Config(m)) if m.contains("--encryptionEnv"))
        );
        let wrong = key("ffffffffffffffffffffffffffffffff");
        assert!(
            matches!(decode(sealed.as_bytes(), Some(&wrong)), Err(AppError::Config(m)) if m.contains("wrong key"))
        );
    }

    #[test]
    fn reads_pocketbases_stored_json() {
        // A PocketBase v0.40.6 `_params.value` (a new data dir's, abridged: missing keys keep
        // their defaults).
        let stored = br##"{"superuserIPs":[],"smtp":{"enabled":false,"port":587,"host":"smtp.example.com","username":"u","password":"secretpw","authMethod":"","tls":false,"localName":""},"s3":{"enabled":false,"bucket":"","region":"","endpoint":"","accessKey":"ak","secret":"s3sec","forcePathStyle":false},"meta":{"accentColor":"#1055c9","appName":"Acme","appURL":"http://localhost:8090","senderName":"Support","senderAddress":"support@example.com","hideControls":false}}"##;
        let s = decode(stored, None).unwrap().settings;
        assert_eq!(s.smtp.password.expose_secret(), "secretpw");
        assert_eq!(s.s3.secret.expose_secret(), "s3sec");
        assert_eq!(s.batch.max_requests, 50);
    }
}
