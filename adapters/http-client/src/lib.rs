//! [`HyperHttpClient`], the [`HttpClient`] port on hyper's pooled HTTP/1.1 client: TLS by
//! rustls with the ring provider and the system's root certificates, a time limit per
//! request and a cap on the answer's size. `public_only` requests check the host's
//! addresses before connecting (PocketBase's `safeHTTPClient` for avatar downloads).

mod tls;

use async_trait::async_trait;
use basalt_ports::{HttpClient, HttpClientError, IncomingResponse, OutgoingRequest};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::net::IpAddr;
use std::time::Duration;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take, the answer's body included (PocketBase gives the whole
/// OAuth2 exchange 30 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read (PocketBase's default body limit, 32 MiB).
const MAX_BODY: usize = 32 << 20;

/// Outgoing HTTP(S) requests on hyper.
#[derive(Clone)]
pub struct HyperHttpClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for HyperHttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HyperHttpClient")
    }
}

impl Default for HyperHttpClient {
    fn default() -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls::tls_config().as_ref().clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }
}

/// Whether `ip` is an address a `public_only` request may reach.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_unspecified()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast())
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg & 0xfe00) == 0xfc00
                || (seg & 0xffc0) == 0xfe80)
                && v6
                    .to_ipv4_mapped()
                    .is_none_or(|v4| is_public(IpAddr::V4(v4)))
        }
    }
}

/// Refuses a host that resolves to any non-public address.
async fn check_public(uri: &http::Uri) -> Result<(), HttpClientError> {
    let host = uri
        .host()
        .ok_or_else(|| HttpClientError::InvalidUrl(uri.to_string()))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| HttpClientError::Transport(e.to_string()))?;
    for addr in addrs {
        if !is_public(addr.ip()) {
            return Err(HttpClientError::DisallowedAddress(addr.to_string()));
        }
    }
    Ok(())
}

#[async_trait]
impl HttpClient for HyperHttpClient {
    async fn send(&self, req: OutgoingRequest) -> Result<IncomingResponse, HttpClientError> {
        let uri: http::Uri = req
            .url
            .parse()
            .map_err(|_| HttpClientError::InvalidUrl(req.url.clone()))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(HttpClientError::InvalidUrl(req.url));
        }
        if req.public_only {
            check_public(&uri).await?;
        }
        let mut builder = http::Request::builder()
            .method(req.method.as_str())
            .uri(uri);
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(Full::new(Bytes::from(req.body)))
            .map_err(|e| HttpClientError::Transport(e.to_string()))?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| HttpClientError::Transport(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        HttpClientError::TooLarge
                    } else {
                        HttpClientError::Transport(e.to_string())
                    }
                })?
                .to_bytes();
            let headers = parts
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            Ok(IncomingResponse {
                status: parts.status.as_u16(),
                headers,
                body: body.to_vec(),
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| HttpClientError::Timeout)?
    }
}

/// An error and its sources, joined by `: ` (hyper's top-level message says little).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        text.push_str(": ");
        text.push_str(&s.to_string());
        next = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn public_only_refuses_loopback_before_connecting() {
        let client = HyperHttpClient::default();
        let err = client
            .send(OutgoingRequest {
                method: "GET".into(),
                url: "http://127.0.0.1:9/x.png".into(),
                public_only: true,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, HttpClientError::DisallowedAddress(_)),
            "{err}"
        );
        let err = client
            .send(OutgoingRequest {
                method: "GET".into(),
                url: "ftp://example.com/".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(matches!(err, HttpClientError::InvalidUrl(_)), "{err}");
    }
}
