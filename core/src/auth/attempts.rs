//! PocketBase's extra rate limit on `auth-with-otp`: OTPs are short digit strings, so each
//! record allows at most 5 attempts per client IP in a 180 s window (`@pb_otp_{id}`),
//! whatever `settings.rateLimits` says.

use crate::App;
use std::collections::HashMap;
use std::sync::Mutex;

/// Attempts allowed per window.
const MAX_ATTEMPTS: u32 = 5;
/// The window, in seconds.
const WINDOW_SECS: i64 = 180;

/// The attempt counters of an app (kept in `App::extension`).
#[derive(Default)]
pub(crate) struct OtpAttempts {
    windows: Mutex<HashMap<(String, String), (i64, u32)>>,
}

/// Counts an attempt on `record_id` from `ip`; false once the window's attempts are used
/// up. Without an IP nothing is counted (as PocketBase does for an empty client key).
pub(crate) fn allow(app: &App, record_id: &str, ip: Option<&str>) -> bool {
    let Some(ip) = ip.filter(|ip| !ip.is_empty()) else {
        return true;
    };
    let now = app.now_secs();
    let state = app.extension::<OtpAttempts>();
    let mut windows = state
        .windows
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    windows.retain(|_, (start, _)| now - *start < WINDOW_SECS);
    let entry = windows
        .entry((format!("@pb_otp_{record_id}"), ip.to_owned()))
        .or_insert((now, 0));
    if entry.1 >= MAX_ATTEMPTS {
        return false;
    }
    entry.1 += 1;
    true
}
