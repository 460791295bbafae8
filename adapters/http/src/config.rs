//! Settings of the HTTP layer.

use crate::client_ip::NetworkProvider;
use crate::ratelimit::RateLimitProvider;

/// Settings of the HTTP layer.
#[derive(Clone)]
pub struct HttpConfig {
    /// Show internal error details in 500 responses (`--dev`).
    pub dev: bool,
    /// The largest accepted request body, in bytes (PocketBase's default: 32 MiB).
    pub body_limit: usize,
    /// Allowed CORS origins; empty means any (`*`).
    pub origins: Vec<String>,
    /// The rate-limit settings (PocketBase's `settings.rateLimits`), read at every request;
    /// `None` disables rate limiting.
    pub rate_limits: Option<RateLimitProvider>,
    /// The trusted-proxy and superuser-IP settings (PocketBase's `trustedProxy`,
    /// `superuserIPs`), read at every request; `None`: the peer address, no whitelist.
    pub network: Option<NetworkProvider>,
    /// The document `GET /api/openapi.json` starts from: the built-in operations and the
    /// documented custom routes (`openapi_json_with`); `None`: the built-in ones only.
    pub document: Option<std::sync::Arc<serde_json::Value>>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("dev", &self.dev)
            .field("body_limit", &self.body_limit)
            .field("origins", &self.origins)
            .field(
                "rate_limits",
                &self.rate_limits.as_ref().map(|_| "provider"),
            )
            .field("document", &self.document.as_ref().map(|_| "document"))
            .field("network", &self.network.as_ref().map(|_| "provider"))
            .finish()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            dev: false,
            body_limit: 32 << 20,
            origins: Vec::new(),
            rate_limits: None,
            document: None,
            network: None,
        }
    }
}
