//! The client's IP address as PocketBase's `e.RealIP()` finds it: from the first configured
//! trusted-proxy header present (its last value; the rightmost valid IP in it, or the
//! leftmost with `useLeftmostIP`), else the connecting peer's. Resolved once per request by
//! the auth loader (`auth::load_auth`) and used by the rate limiters, the request context
//! (logs, realtime, rules) and the superuser IP whitelist ([`superuser_allowed`]).

use poem::Request;
use std::net::IpAddr;
use std::sync::Arc;

/// PocketBase's network settings the HTTP layer needs (`trustedProxy`, `superuserIPs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Headers a trusted proxy sets with the client's IP (`X-Forwarded-For`, ...), in order.
    pub trusted_headers: Vec<String>,
    /// Take the leftmost valid IP of the header's list instead of the rightmost.
    pub use_leftmost_ip: bool,
    /// IPs and subnets superusers may call from (empty: anywhere).
    pub superuser_ips: Vec<String>,
}

/// Supplies the current [`NetworkConfig`] (read on every request, so settings changes apply
/// at once).
pub type NetworkProvider = Arc<dyn Fn() -> Arc<NetworkConfig> + Send + Sync>;

/// The client IP of a request, once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientIp(pub(crate) IpAddr);

/// The client IP of `req` under `config`: a trusted header's when one is present and holds a
/// valid IP, else the peer's.
pub(crate) fn real_ip(req: &Request, config: &NetworkConfig) -> Option<IpAddr> {
    for name in &config.trusted_headers {
        let Some(last) = req.headers().get_all(name.as_str()).iter().next_back() else {
            continue;
        };
        let Ok(list) = last.to_str() else { continue };
        if list.is_empty() {
            continue;
        }
        let mut ips = list
            .split(',')
            .filter_map(|s| s.trim().parse::<IpAddr>().ok());
        let found = if config.use_leftmost_ip {
            ips.next()
        } else {
            ips.next_back()
        };
        if found.is_some() {
            return found;
        }
    }
    req.remote_addr().as_socket_addr().map(|a| a.ip())
}

/// The connecting peer's IP (PocketBase's `RemoteIP`).
pub(crate) fn peer(req: &Request) -> Option<IpAddr> {
    req.remote_addr().as_socket_addr().map(|a| a.ip())
}

/// The client IP resolved for `req` (the peer's when the middleware did not run).
pub(crate) fn of(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ClientIp>()
        .map(|c| c.0)
        .or_else(|| req.remote_addr().as_socket_addr().map(|a| a.ip()))
}

/// Whether a superuser calling from `ip` is allowed by `superuserIPs` (always, when empty).
pub(crate) fn superuser_allowed(config: &NetworkConfig, ip: Option<IpAddr>) -> bool {
    config.superuser_ips.is_empty()
        || ip.is_some_and(|ip| basalt_domain::net::ip_in_list(&config.superuser_ips, ip))
}

/// The header that makes a request look proxied, for `/api/health`'s `possibleProxyHeader`:
/// a configured trusted header, or a common proxy header, present on the request.
pub(crate) fn possible_proxy_header(req: &Request, config: &NetworkConfig) -> String {
    const COMMON: [&str; 3] = ["CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For"];
    config
        .trusted_headers
        .iter()
        .map(String::as_str)
        .chain(COMMON)
        .find(|h| {
            req.headers()
                .get(*h)
                .is_some_and(|v| !v.as_bytes().is_empty())
        })
        .unwrap_or("")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder();
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.finish()
    }

    fn cfg(headers: &[&str], leftmost: bool) -> NetworkConfig {
        NetworkConfig {
            trusted_headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            use_leftmost_ip: leftmost,
            superuser_ips: Vec::new(),
        }
    }

    #[test]
    fn trusted_headers_pick_the_client() {
        let r = req(&[("X-Forwarded-For", "203.0.113.7, bogus, 10.0.0.2")]);
        assert_eq!(
            real_ip(&r, &cfg(&["X-Forwarded-For"], false)),
            "10.0.0.2".parse().ok()
        );
        assert_eq!(
            real_ip(&r, &cfg(&["X-Forwarded-For"], true)),
            "203.0.113.7".parse().ok()
        );
        // not trusted: the header is ignored (no peer in a test request)
        assert_eq!(real_ip(&r, &cfg(&[], false)), None);
        // the first configured header present wins; a header without a valid IP is skipped
        let r = req(&[("X-Real-IP", "nope"), ("CF-Connecting-IP", "2001:db8::1")]);
        assert_eq!(
            real_ip(&r, &cfg(&["X-Real-IP", "CF-Connecting-IP"], false)),
            "2001:db8::1".parse().ok()
        );
    }

    #[test]
    fn superuser_whitelist() {
        let mut c = cfg(&[], false);
        assert!(superuser_allowed(&c, None));
        c.superuser_ips = vec!["10.1.0.0/16".into(), "192.0.2.1".into()];
        assert!(superuser_allowed(&c, "10.1.200.3".parse().ok()));
        assert!(superuser_allowed(&c, "192.0.2.1".parse().ok()));
        assert!(!superuser_allowed(&c, "192.0.2.2".parse().ok()));
        assert!(!superuser_allowed(&c, None));
    }

    #[test]
    fn proxy_header_hint() {
        let r = req(&[("X-Forwarded-For", "1.2.3.4")]);
        assert_eq!(
            possible_proxy_header(&r, &cfg(&[], false)),
            "X-Forwarded-For"
        );
        assert_eq!(
            possible_proxy_header(&req(&[]), &cfg(&["X-Real-IP"], false)),
            ""
        );
    }
}
