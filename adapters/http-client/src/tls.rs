//! The TLS client configuration: ring, and the system's root certificates (loaded once).
//! With none found, HTTPS requests fail their handshakes (and a warning says why).

use std::sync::{Arc, OnceLock};

/// The shared client configuration.
pub(crate) fn tls_config() -> Arc<rustls::ClientConfig> {
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
            use hyper_rustls::ConfigBuilderExt;
            let config = match builder().with_native_roots() {
                Ok(builder) => builder.with_no_client_auth(),
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        "HTTP client: no system root certificates, HTTPS requests will fail"
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
