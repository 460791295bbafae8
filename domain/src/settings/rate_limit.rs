//! Rate-limit rules (PocketBase's `RateLimitRule`): part of the settings (`rateLimits.rules`)
//! and enforced by the HTTP adapter, which reaches this one type through `basalt_ports`.

use serde::{Deserialize, Serialize};

/// One rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitRule {
    /// What it applies to: a tag, `collection:action`, `*:action`, a path or a path prefix
    /// (ending with `/`), optionally after a method (`POST /api/`).
    pub label: String,
    /// `""` (everyone), `@guest` or `@auth`.
    pub audience: String,
    /// The window, in seconds.
    pub duration: i64,
    /// Requests allowed per window and client.
    pub max_requests: i64,
}

/// PocketBase's default rules (the settings' defaults; rate limiting itself is off by
/// default).
pub fn default_rate_limit_rules() -> Vec<RateLimitRule> {
    let rule = |label: &str, max_requests, duration| RateLimitRule {
        label: label.into(),
        audience: String::new(),
        duration,
        max_requests,
    };
    vec![
        rule("*:auth", 2, 3),
        rule("*:create", 20, 5),
        rule("/api/batch", 3, 1),
        rule("/api/", 300, 10),
    ]
}
