//! The resend limits of `request-verification` and `request-password-reset` (PocketBase's
//! `@limitVerificationEmail_…` / `@limitPasswordResetEmail_…` store keys): once a mail was
//! sent for a record, another request within two minutes sends nothing (and still answers
//! 204). Kept in memory, per app, as PocketBase's `app.Store()`.

use std::collections::HashMap;
use std::sync::Mutex;

/// How long a sent mail holds back the next one for the same record, in seconds.
pub(crate) const RESEND_AFTER_SECS: i64 = 120;

/// Keys of records that were sent a mail recently, with when the hold ends (app clock).
#[derive(Default)]
pub(crate) struct Throttle {
    until: Mutex<HashMap<String, i64>>,
}

impl Throttle {
    /// Whether `key` is held at `now`.
    pub(crate) fn has(&self, key: &str, now: i64) -> bool {
        let Ok(mut map) = self.until.lock() else {
            return false;
        };
        map.retain(|_, until| *until > now);
        map.contains_key(key)
    }

    /// Holds `key` from `now` on for [`RESEND_AFTER_SECS`].
    pub(crate) fn set(&self, key: String, now: i64) {
        if let Ok(mut map) = self.until.lock() {
            map.insert(key, now + RESEND_AFTER_SECS);
        }
    }

    /// Releases `key`.
    pub(crate) fn remove(&self, key: &str) {
        if let Ok(mut map) = self.until.lock() {
            map.remove(key);
        }
    }
}

/// The verification mail's key for a record.
pub(crate) fn verification_key(collection_id: &str, record_id: &str) -> String {
    format!("@limitVerificationEmail_{collection_id}{record_id}")
}

/// The password reset mail's key for a record.
pub(crate) fn password_reset_key(collection_id: &str, record_id: &str) -> String {
    format!("@limitPasswordResetEmail_{collection_id}{record_id}")
}
