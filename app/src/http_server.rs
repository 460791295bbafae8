//! The HTTP/1.1 server loop: accepts TCP connections and serves the poem endpoint on each
//! with hyper, configured for many long-lived connections (realtime streams):
//!
//! - `TCP_NODELAY` on every connection (as Go's server, hence PocketBase, does), so small
//!   writes such as realtime events leave at once instead of waiting on Nagle's algorithm;
//! - a read buffer of at most 8 KiB per connection (hyper's minimum; poem's server lets it
//!   grow to 16 KiB even for an idle stream), which is most of an idle connection's memory.
//!
//! Graceful shutdown: stop accepting, ask every connection to finish its current response
//! (realtime streams are closed by the broker first), and abort what is left after `grace`.

use poem::endpoint::BoxEndpoint;
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// hyper's smallest allowed read buffer limit.
const MAX_READ_BUFFER: usize = 8192;

/// Serves `endpoint` on `listener` until `shutdown` resolves, then drains connections for at
/// most `grace`.
pub(crate) async fn serve(
    listener: TcpListener,
    endpoint: BoxEndpoint<'static>,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> std::io::Result<()> {
    let local = LocalAddr(Addr::SocketAddr(listener.local_addr()?));
    let endpoint = Arc::new(endpoint);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, remote) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // e.g. EMFILE: back off a little instead of spinning
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(error = %e, "cannot set TCP_NODELAY");
                }
                let remote = RemoteAddr(Addr::SocketAddr(remote));
                connections.spawn(connection(
                    stream,
                    endpoint.clone(),
                    local.clone(),
                    remote,
                    stop_rx.clone(),
                ));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            left = connections.len(),
            "connections still open after the graceful-shutdown deadline; closing them"
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// Serves one connection until it closes, or finishes its current response on shutdown.
async fn connection(
    stream: tokio::net::TcpStream,
    endpoint: Arc<BoxEndpoint<'static>>,
    local: LocalAddr,
    remote: RemoteAddr,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let service =
        hyper::service::service_fn(move |req: poem::http::Request<hyper::body::Incoming>| {
            let endpoint = endpoint.clone();
            let request: poem::Request = (req, local.clone(), remote.clone(), Scheme::HTTP).into();
            async move {
                let response = endpoint.get_response(request).await;
                Ok::<_, Infallible>(hyper::Response::from(response))
            }
        });
    let conn = hyper::server::conn::http1::Builder::new()
        .max_buf_size(MAX_READ_BUFFER)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    let served = tokio::select! {
        served = conn.as_mut() => served,
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = served {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
