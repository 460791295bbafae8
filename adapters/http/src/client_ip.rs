//! Where a request's client IP is read: the one place to change when trusted proxy
//! headers are honoured.

use poem::Request;

/// The TCP peer's IP (PocketBase's `RemoteIP`).
pub(crate) fn remote_ip(req: &Request) -> Option<String> {
    req.remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
}

/// The client's IP (PocketBase's `RealIP`): for now the TCP peer's.
pub(crate) fn real_ip(req: &Request) -> Option<String> {
    remote_ip(req)
}
