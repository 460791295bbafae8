//! The driven port for outgoing HTTP requests (OAuth2 token exchanges, user info, key
//! sets, avatar downloads). Bodies are small and held whole; the adapter caps the answer's
//! size and the time a request may take.

use async_trait::async_trait;

/// An outgoing request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The absolute `http://` or `https://` URL.
    pub url: String,
    /// Header names and values (may hold credentials: never log them).
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
    /// Refuse hosts that resolve to loopback, private, link-local, multicast or unspecified
    /// addresses (PocketBase's `safeHTTPClient`, for URLs a provider handed out).
    pub public_only: bool,
}

/// The answer to an [`OutgoingRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncomingResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The body, whole.
    pub body: Vec<u8>,
}

impl IncomingResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpClientError {
    /// The URL cannot be requested (not absolute, not HTTP(S)).
    #[error("invalid request url: {0}")]
    InvalidUrl(String),
    /// Connecting, sending or receiving failed.
    #[error("request failed: {0}")]
    Transport(String),
    /// The request took too long.
    #[error("request timed out")]
    Timeout,
    /// A `public_only` request to a host that resolves to a non-public address.
    #[error("address {0} is invalid or resolves to a disallowed IP")]
    DisallowedAddress(String),
    /// The answer's body is larger than the client accepts.
    #[error("response body too large")]
    TooLarge,
}

/// Sends HTTP requests.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HttpClient: Send + Sync {
    /// Sends `request` and reads the whole answer (any status).
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpClientError>;
}
