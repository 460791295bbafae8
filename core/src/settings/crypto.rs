//! Settings encryption at rest, in PocketBase's format (`tools/security/encrypt.go`):
//! AES-256-GCM keyed by the 32 bytes of the key text, a random 12-byte nonce prepended to the
//! ciphertext (and its tag), the whole in standard base64. A `pb_data` encrypted by one reads
//! in the other with the same key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

/// The nonce size of AES-GCM, prepended to each ciphertext.
const NONCE_LEN: usize = 12;

/// The key the settings are encrypted with: exactly 32 bytes of text (AES-256), held as a
/// secret (`Debug` prints `[REDACTED]`).
#[derive(Clone)]
pub struct EncryptionKey {
    key: SecretString,
    /// Where it came from, for error messages (`env NAME`, or `the configured key`).
    source: String,
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why a key cannot be used, or a value not decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The key is missing, empty or not 32 bytes long.
    #[error("{0}")]
    BadKey(String),
    /// The stored value is not base64, is too short, or fails authentication (wrong key or
    /// altered data).
    #[error("the data cannot be decrypted with this key (wrong key, or altered data)")]
    Decrypt,
    /// Encryption failed (it does not, for values of sane sizes).
    #[error("encryption failed")]
    Encrypt,
}

impl EncryptionKey {
    /// A key from its text, which must be exactly 32 bytes (32 ASCII characters).
    pub fn new(key: SecretString) -> Result<Self, CryptoError> {
        Self::with_source(key, "the configured encryption key".into())
    }

    /// The key held by the environment variable `name` (PocketBase's `--encryptionEnv`).
    /// A variable that is unset, empty or not 32 bytes long is an error naming it.
    pub fn from_env(name: &str) -> Result<Self, CryptoError> {
        let value = std::env::var(name).unwrap_or_default();
        if value.is_empty() {
            return Err(CryptoError::BadKey(format!(
                "the encryption key environment variable {name} is not set or empty"
            )));
        }
        Self::with_source(value.into(), format!("the environment variable {name}"))
    }

    fn with_source(key: SecretString, source: String) -> Result<Self, CryptoError> {
        let len = key.expose_secret().len();
        if len != 32 {
            return Err(CryptoError::BadKey(format!(
                "the encryption key in {source} must be 32 characters long (it has {len} bytes)"
            )));
        }
        Ok(Self { key, source })
    }

    /// Where the key came from, for messages (`the environment variable NAME`).
    pub fn source(&self) -> &str {
        &self.source
    }

    fn cipher(&self) -> Result<Aes256Gcm, CryptoError> {
        Aes256Gcm::new_from_slice(self.key.expose_secret().as_bytes())
            .map_err(|_| CryptoError::BadKey("the encryption key must be 32 bytes".into()))
    }

    /// Encrypts `plain`: base64(nonce ‖ ciphertext ‖ tag), with a fresh random nonce.
    pub fn encrypt(&self, plain: &[u8]) -> Result<String, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()?
            .encrypt(&Nonce::from(nonce), plain)
            .map_err(|_| CryptoError::Encrypt)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    /// Decrypts what [`EncryptionKey::encrypt`] (or PocketBase's `security.Encrypt`) wrote.
    /// The result is wiped from memory when dropped.
    pub fn decrypt(&self, text: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let raw = STANDARD
            .decode(text.trim())
            .map_err(|_| CryptoError::Decrypt)?;
        if raw.len() < NONCE_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Decrypt)?;
        self.cipher()?
            .decrypt(&Nonce::from(nonce), sealed)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn key(k: &str) -> EncryptionKey {
        EncryptionKey::new(k.into()).expect("valid key")
    }

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let k = key(KEY);
        let a = k.encrypt(b"{\"smtp\":{}}").unwrap();
        let b = k.encrypt(b"{\"smtp\":{}}").unwrap();
        assert_ne!(a, b, "same nonce twice");
        assert!(!a.contains("smtp"));
        assert_eq!(k.decrypt(&a).unwrap().as_slice(), b"{\"smtp\":{}}");
        assert_eq!(k.decrypt(&b).unwrap().as_slice(), b"{\"smtp\":{}}");
        // nonce (12) + plaintext (11) + tag (16), in base64.
        assert_eq!(STANDARD.decode(&a).unwrap().len(), 12 + 11 + 16);
    }

    #[test]
    fn reads_what_pocketbase_wrote() {
        // `$security.encrypt("hello", KEY)` printed by PocketBase v0.40.6 (a pb_hooks script).
        let from_pb = "K7M1Onr94C1IuVVyRawAjOlEYzb24frCUak6/EF/DNnt";
        assert_eq!(key(KEY).decrypt(from_pb).unwrap().as_slice(), b"hello");
    }

    #[test]
    fn tampering_or_a_wrong_key_fails() {
        let k = key(KEY);
        let sealed = k.encrypt(b"secret settings").unwrap();
        let mut raw = STANDARD.decode(&sealed).unwrap();
        for i in [0, NONCE_LEN, raw.len() - 1] {
            raw[i] ^= 1;
            assert_eq!(k.decrypt(&STANDARD.encode(&raw)), Err(CryptoError::Decrypt));
            raw[i] ^= 1;
        }
        let other = key("ffffffffffffffffffffffffffffffff");
        assert_eq!(other.decrypt(&sealed), Err(CryptoError::Decrypt));
        assert_eq!(k.decrypt("not base64!"), Err(CryptoError::Decrypt));
        assert_eq!(k.decrypt("AAAA"), Err(CryptoError::Decrypt));
    }

    #[test]
    fn keys_must_be_32_bytes_and_stay_hidden() {
        assert!(matches!(
            EncryptionKey::new("short".into()),
            Err(CryptoError::BadKey(m)) if m.contains("32") && !m.contains("short")
        ));
        assert!(EncryptionKey::new(format!("{KEY}x").into()).is_err());
        assert!(!format!("{:?}", key(KEY)).contains(KEY));
    }

    #[test]
    fn from_env_names_the_variable() {
        let name = "BASALT_TEST_SETTINGS_KEY_UNSET_9F2C";
        let err = EncryptionKey::from_env(name).unwrap_err().to_string();
        assert!(err.contains(name) && err.contains("not set"), "{err}");
    }
}
