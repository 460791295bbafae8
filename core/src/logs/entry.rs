//! A log entry in PocketBase's shape (`level`, `message`, `data`), and the request entry the
//! activity logger's [`RequestLog`] becomes under the `logs` settings.

use basalt_domain::settings::LogsConfig;
use basalt_ports::RequestLog;
use serde_json::{Map, Value};

/// `slog`'s debug level.
pub const DEBUG: i64 = -4;
/// `slog`'s info level (successful requests).
pub const INFO: i64 = 0;
/// `slog`'s warn level.
pub const WARN: i64 = 4;
/// `slog`'s error level (requests that ended with an error).
pub const ERROR: i64 = 8;

/// PocketBase's largest stored message, in bytes.
const MAX_MESSAGE_SIZE: usize = 8000;
/// PocketBase's default largest serialized `data`, in bytes (`logs.maxDataSize` 0).
const DEFAULT_MAX_DATA_SIZE: usize = 16 << 10;

/// A log waiting to be written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogEntry {
    /// When it was logged (PocketBase's datetime text).
    pub(crate) created: String,
    /// Its level.
    pub(crate) level: i64,
    /// Its message.
    pub(crate) message: String,
    /// Its attributes.
    pub(crate) data: Map<String, Value>,
}

impl LogEntry {
    /// The message as stored: at most 8000 bytes, as PocketBase cuts it.
    pub(crate) fn stored_message(&self) -> &str {
        cut(&self.message, MAX_MESSAGE_SIZE)
    }

    /// The data as stored: serialized JSON, keys sorted (as Go writes maps); when longer
    /// than `max_data_size` (0: 16 KiB), the attributes that fit plus
    /// `"__pb_truncated__": true`.
    pub(crate) fn stored_data(&self, max_data_size: i64) -> String {
        let max = usize::try_from(max_data_size)
            .ok()
            .filter(|m| *m > 0)
            .unwrap_or(DEFAULT_MAX_DATA_SIZE);
        let sorted = sorted(&self.data);
        let full = Value::Object(sorted.clone()).to_string();
        if full.len() <= max {
            return full;
        }
        let mut kept = Map::new();
        let mut size = 2;
        for (key, value) in sorted {
            let len = key.len() + 4 + value.to_string().len();
            if size + len > max {
                break;
            }
            size += len;
            kept.insert(key, value);
        }
        kept.insert("__pb_truncated__".to_owned(), Value::Bool(true));
        Value::Object(kept).to_string()
    }
}

/// `data`'s keys in order (serde_json keeps insertion order when `preserve_order` is on).
fn sorted(data: &Map<String, Value>) -> Map<String, Value> {
    let mut pairs: Vec<(&String, &Value)> = data.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The entry PocketBase's activity logger writes for `log`, or `None` when the settings or
/// the route leave it out: `maxDays` 0, a successful request of a
/// `skip_success_activity_log` route, or a level under `minLevel`. `logIP` and
/// `logAuthId` decide whether the IPs and the auth record's id are kept.
pub(crate) fn request_entry(
    log: RequestLog,
    settings: &LogsConfig,
    created: String,
) -> Option<LogEntry> {
    if settings.max_days <= 0 || (log.error.is_none() && log.skip_success) {
        return None;
    }
    let level = if log.error.is_some() { ERROR } else { INFO };
    if level < settings.min_level {
        return None;
    }
    let method = cut_marked(&log.method.to_ascii_uppercase(), 50);
    let url = cut_marked(&log.url, 3000);
    let mut data = Map::new();
    data.insert("type".into(), "request".into());
    data.insert("execTime".into(), number(log.exec_time_ms));
    if let Some(error) = log.error {
        data.insert("error".into(), error.message.into());
        data.insert("details".into(), error.details);
    }
    data.insert("method".into(), method.clone().into());
    data.insert("status".into(), log.status.into());
    data.insert("referer".into(), cut_marked(&log.referer, 2000).into());
    data.insert("userAgent".into(), cut_marked(&log.user_agent, 2000).into());
    match &log.auth {
        basalt_ports::Auth::Record {
            collection_name,
            id,
            ..
        } => {
            data.insert("auth".into(), collection_name.clone().into());
            if settings.log_auth_id {
                data.insert("authId".into(), id.clone().into());
            }
        }
        basalt_ports::Auth::Guest => {
            data.insert("auth".into(), "".into());
        }
    }
    if settings.log_ip {
        let ip = |v: Option<String>| Value::from(v.unwrap_or_default());
        data.insert("userIP".into(), ip(log.user_ip));
        data.insert("remoteIP".into(), ip(log.remote_ip));
    }
    let message = format!(
        "{method} {}",
        path_unescape(&url).unwrap_or_else(|| url.clone())
    );
    data.insert("url".into(), url.into());
    Some(LogEntry {
        created,
        level,
        message,
        data,
    })
}

/// A float as JSON (a non-finite one as 0).
fn number(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::from(0), Value::Number)
}

/// `s` cut to at most `max` bytes (on a character boundary).
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// PocketBase's `cutStr`: longer than `max` bytes → the first `max` and `...`.
fn cut_marked(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_owned()
    } else {
        format!("{}...", cut(s, max))
    }
}

/// Go's `url.PathUnescape`: `%XX` decoded (`+` kept); `None` on a malformed escape or
/// text that does not decode to UTF-8.
fn path_unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_ports::{Auth, RequestError};

    fn request() -> RequestLog {
        RequestLog {
            method: "get".into(),
            url: "/api/health?a=%20b".into(),
            status: 200,
            exec_time_ms: 1.5,
            auth: Auth::Record {
                collection_id: "c".into(),
                collection_name: "users".into(),
                id: "u1".into(),
                superuser: false,
            },
            user_ip: Some("10.0.0.1".into()),
            remote_ip: Some("127.0.0.1".into()),
            referer: String::new(),
            user_agent: "ua".into(),
            error: None,
            skip_success: false,
        }
    }

    #[test]
    fn a_request_becomes_pocketbases_entry() {
        let e = request_entry(request(), &LogsConfig::default(), "t".into()).unwrap();
        assert_eq!(e.level, INFO);
        assert_eq!(e.message, "GET /api/health?a= b");
        let data = Value::Object(e.data);
        assert_eq!(data["url"], "/api/health?a=%20b");
        assert_eq!(data["method"], "GET");
        assert_eq!(data["auth"], "users");
        assert_eq!(data["userIP"], "10.0.0.1");
        assert_eq!(data["remoteIP"], "127.0.0.1");
        assert_eq!(data["execTime"], 1.5);
        assert!(data.get("authId").is_none());
        assert!(data.get("error").is_none());
    }

    #[test]
    fn settings_decide_what_is_kept() {
        let mut s = LogsConfig {
            log_ip: false,
            log_auth_id: true,
            ..LogsConfig::default()
        };
        let e = request_entry(request(), &s, "t".into()).unwrap();
        assert!(e.data.get("userIP").is_none() && e.data.get("remoteIP").is_none());
        assert_eq!(e.data["authId"], "u1");
        s.max_days = 0;
        assert!(request_entry(request(), &s, "t".into()).is_none());
        s.max_days = 1;
        s.min_level = WARN;
        assert!(request_entry(request(), &s, "t".into()).is_none());
        let failed = RequestLog {
            status: 500,
            error: Some(RequestError {
                message: "boom".into(),
                details: Value::Null,
            }),
            skip_success: true,
            ..request()
        };
        let e = request_entry(failed, &s, "t".into()).unwrap();
        assert_eq!(e.level, ERROR);
        assert_eq!(e.data["error"], "boom");
        assert_eq!(e.data["details"], Value::Null);
    }

    #[test]
    fn skipped_successes_and_long_values() {
        let skipped = RequestLog {
            skip_success: true,
            ..request()
        };
        assert!(request_entry(skipped, &LogsConfig::default(), "t".into()).is_none());
        assert_eq!(cut_marked("abcdef", 3), "abc...");
        assert_eq!(cut("é", 1), "");
        assert_eq!(path_unescape("/a%2"), None);
        assert_eq!(path_unescape("/a+%41").as_deref(), Some("/a+A"));
    }

    #[test]
    fn oversized_data_is_truncated() {
        let mut data = Map::new();
        data.insert("a".into(), "x".repeat(10).into());
        data.insert("b".into(), "y".repeat(100).into());
        let e = LogEntry {
            created: "t".into(),
            level: 0,
            message: "m".repeat(9000),
            data,
        };
        assert_eq!(e.stored_message().len(), 8000);
        let stored: Value = serde_json::from_str(&e.stored_data(50)).unwrap();
        assert_eq!(
            stored,
            serde_json::json!({"a": "xxxxxxxxxx", "__pb_truncated__": true})
        );
        assert!(e.stored_data(0).contains("yyy"));
    }
}
