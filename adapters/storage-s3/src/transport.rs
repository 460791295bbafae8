//! The HTTP transport object_store's S3 client runs on: hyper's pooled HTTP/1.1 client, TLS by
//! rustls with the ring provider and the system's root certificates.
//!
//! object_store's own transport is reqwest; turning on reqwest's rustls turns it on for every
//! crate of the workspace that uses reqwest (features merge), and reqwest's rustls without
//! aws-lc (`rustls-no-provider`) panics in `Client::new()` unless a process-wide provider was
//! installed first. This transport names its provider explicitly, so nothing else changes.

use async_trait::async_trait;
use http_body_util::BodyExt;
use hyper_rustls::{ConfigBuilderExt, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::TokioExecutor;
use object_store::ClientConfigKey;
use object_store::ClientOptions;
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpRequestBody,
    HttpResponse, HttpResponseBody, HttpService,
};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long connecting (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take until the response's head arrives (the request body, a part
/// of up to a few MiB, is sent within it). Response bodies stream without a limit.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long an idle pooled connection is kept.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds [`HyperService`]s for object_store.
#[derive(Debug, Default)]
pub(crate) struct HyperConnector;

impl HttpConnector for HyperConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let allow_http = options
            .get_config_value(&ClientConfigKey::AllowHttp)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let tls = HttpsConnectorBuilder::new().with_tls_config(tls_config().as_ref().clone());
        let tls = if allow_http {
            tls.https_or_http()
        } else {
            tls.https_only()
        };
        let connector = tls.enable_http1().wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build(connector);
        Ok(HttpClient::new(HyperService { client }))
    }
}

/// The TLS client configuration: ring, and the system's root certificates (loaded once). With
/// none found, HTTPS endpoints fail their handshakes (and a warning says why); plain HTTP ones
/// still work.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            // Deprecated since rustls 0.23.48 for lacking post-quantum key exchange, which
            // only aws-lc-rs has; the workspace builds no aws-lc (see the dependency notes).
            #[allow(deprecated)]
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let builder = || {
                rustls::ClientConfig::builder_with_provider(provider.clone())
                    .with_safe_default_protocol_versions()
                    .expect("ring supports rustls' default protocol versions")
            };
            let config = match builder().with_native_roots() {
                Ok(builder) => builder.with_no_client_auth(),
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        "S3 storage: no system root certificates, HTTPS endpoints will fail"
                    );
                    builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth()
                }
            };
            Arc::new(config)
        })
        .clone()
}

/// object_store's [`HttpService`] on hyper.
#[derive(Debug)]
struct HyperService {
    client: Client<HttpsConnector<TcpConnector>, HttpRequestBody>,
}

#[async_trait]
impl HttpService for HyperService {
    async fn call(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let response = match tokio::time::timeout(RESPONSE_TIMEOUT, self.client.request(req)).await
        {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => {
                let kind = if e.is_connect() {
                    HttpErrorKind::Connect
                } else {
                    HttpErrorKind::Request
                };
                return Err(HttpError::new(kind, e));
            }
            Err(elapsed) => return Err(HttpError::new(HttpErrorKind::Timeout, elapsed)),
        };
        let (parts, body) = response.into_parts();
        let body = body.map_err(|e| {
            let kind = if e.is_timeout() {
                HttpErrorKind::Timeout
            } else {
                HttpErrorKind::Interrupted
            };
            HttpError::new(kind, e)
        });
        Ok(HttpResponse::from_parts(parts, HttpResponseBody::new(body)))
    }
}
