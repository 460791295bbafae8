//! Opening a data dir and serving the HTTP API on it.

use crate::error::AppError;
use crate::{App, OsRandom, SystemClock};
use basalt_http::{HttpConfig, router};
use basalt_ports::Database;
use basalt_sqlite::{SqliteConfig, SqliteDatabase};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `basalt serve` is told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (`127.0.0.1:8090`).
    pub http: String,
    /// The data dir (`pb_data`).
    pub data_dir: PathBuf,
    /// Development mode: internal error details in responses, debug logs.
    pub dev: bool,
    /// Allowed CORS origins (empty: any).
    pub origins: Vec<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            http: "127.0.0.1:8090".into(),
            data_dir: PathBuf::from("pb_data"),
            dev: false,
            origins: Vec::new(),
        }
    }
}

/// Opens (creating if needed) the data dir with the default SQLite driver and bootstraps it.
pub async fn open(data_dir: &Path) -> Result<App, AppError> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        AppError::Config(format!(
            "cannot create data dir {}: {e}",
            data_dir.display()
        ))
    })?;
    let db = SqliteDatabase::open(&data_dir.join("data.db"), &SqliteConfig::default())
        .await
        .map_err(|e| {
            AppError::Config(format!(
                "cannot open {}: {e}",
                data_dir.join("data.db").display()
            ))
        })?;
    open_with(Arc::new(db)).await
}

/// Builds and bootstraps an app on any [`Database`] driver (the DBConnect equivalent).
pub async fn open_with(db: Arc<dyn Database>) -> Result<App, AppError> {
    let app = App::new(db, Arc::new(SystemClock), Arc::new(OsRandom));
    app.bootstrap().await?;
    Ok(app)
}

fn http_config(config: &ServeConfig) -> HttpConfig {
    HttpConfig {
        dev: config.dev,
        origins: config.origins.clone(),
        ..HttpConfig::default()
    }
}

/// Serves the API until `shutdown` resolves, then stops accepting and drains requests.
pub async fn serve(
    app: App,
    config: &ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    let listener = tokio::net::TcpListener::bind(&config.http)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", config.http)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", config.http)))?;
    run(app, listener, http_config(config), addr, shutdown).await
}

/// Starts serving in the background on `config.http` (port 0 picks a free one); returns the
/// bound address and the server task. For tests and embedding.
pub async fn spawn(
    app: App,
    config: &ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, tokio::task::JoinHandle<Result<(), AppError>>), AppError> {
    let listener = tokio::net::TcpListener::bind(&config.http)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", config.http)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", config.http)))?;
    let http = http_config(config);
    Ok((addr, tokio::spawn(run(app, listener, http, addr, shutdown))))
}

async fn run(
    app: App,
    listener: tokio::net::TcpListener,
    http: HttpConfig,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    let services: basalt_http::SharedServices = Arc::new(app);
    let endpoint = router(services, http);
    tracing::info!(%addr, "server started");
    poem::Server::new_with_acceptor(
        poem::listener::TcpAcceptor::from_tokio(listener)
            .map_err(|e| AppError::Config(e.to_string()))?,
    )
    .run_with_graceful_shutdown(endpoint, shutdown, Some(std::time::Duration::from_secs(5)))
    .await
    .map_err(|e| AppError::Internal(format!("server: {e}")))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
