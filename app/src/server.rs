//! Opening a data dir and serving the HTTP API on it.

use crate::dbconnect::{DbConnect, default_db_connect};
use crate::error::AppError;
use crate::hooks::AppEvent;
use crate::{App, OsRandom, SystemClock};
use basalt_http::{HttpConfig, router};
use basalt_ports::Database;
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
    /// Apply the pending migrations ([`App::run_migrations_up`]) before listening, as
    /// PocketBase's `serve` does. On by default.
    pub run_migrations: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            http: "127.0.0.1:8090".into(),
            data_dir: PathBuf::from("pb_data"),
            dev: false,
            origins: Vec::new(),
            run_migrations: true,
        }
    }
}

/// How [`open_with_config`] opens a data dir (PocketBase's `pocketbase.Config`).
#[derive(Clone)]
pub struct AppConfig {
    /// The data dir (`pb_data`).
    pub data_dir: PathBuf,
    /// Opens `data.db` and `auxiliary.db` (PocketBase's `DBConnect`); sqlx's SQLite by default.
    pub db_connect: DbConnect,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("pb_data"),
            db_connect: default_db_connect(),
        }
    }
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// Opens (creating if needed) the data dir with the default SQLite driver and bootstraps it.
pub async fn open(data_dir: &Path) -> Result<App, AppError> {
    open_with_config(&AppConfig {
        data_dir: data_dir.to_owned(),
        ..AppConfig::default()
    })
    .await
}

/// Opens (creating if needed) the data dir, connecting `data.db` and `auxiliary.db` with
/// `config.db_connect`, and bootstraps it. A database that cannot be opened is a
/// [`AppError::Config`] naming it.
pub async fn open_with_config(config: &AppConfig) -> Result<App, AppError> {
    let app = new_app(config).await?;
    app.bootstrap().await?;
    Ok(app)
}

/// Like [`open_with_config`] without the bootstrap: bind hooks (`on_bootstrap` among
/// them) on the returned app, then call [`App::bootstrap`] (PocketBase's `New` + `Start`).
pub async fn new_app(config: &AppConfig) -> Result<App, AppError> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Config(format!("cannot create data dir {}: {e}", dir.display())))?;
    let connect = |name: &'static str| async move {
        (config.db_connect)(&dir.join(name)).await.map_err(|e| {
            let why = e.message().replace('\n', " ");
            AppError::Config(format!("cannot open {name}: {why}"))
        })
    };
    let data = connect("data.db").await?;
    let auxiliary = connect("auxiliary.db").await?;
    Ok(App::with_auxiliary(
        data,
        auxiliary,
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    ))
}

/// Builds and bootstraps an app on one [`Database`] (for `data.db` and `auxiliary.db` alike).
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
    migrate_before_serving(&app, config).await?;
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
    migrate_before_serving(&app, config).await?;
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
    let services: basalt_http::SharedServices = Arc::new(app.clone());
    let endpoint = router(services, http);
    tracing::info!(%addr, "server started");
    let served = poem::Server::new_with_acceptor(
        poem::listener::TcpAcceptor::from_tokio(listener)
            .map_err(|e| AppError::Config(e.to_string()))?,
    )
    .run_with_graceful_shutdown(endpoint, shutdown, Some(std::time::Duration::from_secs(5)))
    .await
    .map_err(|e| AppError::Internal(format!("server: {e}")));
    let mut event = AppEvent::new(app.clone());
    if let Err(e) = app
        .on_terminate()
        .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
        .await
    {
        tracing::error!(error = %e, "on_terminate hook failed");
    }
    served
}

/// Applies the pending migrations when `config.run_migrations`.
async fn migrate_before_serving(app: &App, config: &ServeConfig) -> Result<(), AppError> {
    if config.run_migrations {
        for file in app.run_migrations_up().await? {
            tracing::info!(%file, "applied migration");
        }
    }
    Ok(())
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
