//! Opening a data dir and serving the HTTP API on it.

use crate::dbconnect::{DbConnect, default_db_connect};
use crate::hooks::AppEvent;
use crate::serve_event::{OnServe, ServeEvent};
use crate::settings::resolve_key;
use crate::{App, AppError, OsRandom, SystemClock};
use basalt_http::{HttpConfig, Router, router_with};
use basalt_ports::Database;
use poem::EndpointExt;
use secrecy::SecretString;
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
    /// The environment variable holding the 32-character key the settings are encrypted with
    /// at rest (PocketBase's `EncryptionEnv`, `--encryptionEnv`). Unset or empty is an error.
    pub encryption_env: Option<String>,
    /// The settings encryption key itself, for programs that get it elsewhere than from the
    /// environment (32 characters). Set this or `encryption_env`, not both.
    pub encryption_key: Option<SecretString>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("pb_data"),
            db_connect: default_db_connect(),
            encryption_env: None,
            encryption_key: None,
        }
    }
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("data_dir", &self.data_dir)
            .field("encryption_env", &self.encryption_env)
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
/// `config.db_connect`, and bootstraps it. A database that cannot be opened, a bad or missing
/// encryption key, or stored settings the key does not decrypt are an [`AppError::Config`].
pub async fn open_with_config(config: &AppConfig) -> Result<App, AppError> {
    let app = new_app(config).await?;
    app.bootstrap().await?;
    Ok(app)
}

/// Like [`open_with_config`] without the bootstrap: bind hooks (`on_bootstrap` among
/// them) on the returned app, then call [`App::bootstrap`] (PocketBase's `New` + `Start`).
pub async fn new_app(config: &AppConfig) -> Result<App, AppError> {
    let key = resolve_key(
        config.encryption_env.as_deref(),
        config.encryption_key.as_ref(),
    )?;
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
    let app = App::with_auxiliary(data, auxiliary, Arc::new(SystemClock), Arc::new(OsRandom));
    app.set_file_storage(
        Arc::new(crate::files::AdapterFileStores::default()),
        dir.clone(),
    );
    app.set_mailers(Arc::new(crate::mail::AdapterMailers::from_env()));
    if let Some(key) = key {
        app.set_encryption_key(key);
    }
    Ok(app)
}

/// Builds and bootstraps an app on one [`Database`] (for `data.db` and `auxiliary.db` alike).
pub async fn open_with(db: Arc<dyn Database>) -> Result<App, AppError> {
    let app = App::new(db, Arc::new(SystemClock), Arc::new(OsRandom));
    app.set_mailers(Arc::new(crate::mail::AdapterMailers::from_env()));
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

/// Serves the API until `shutdown` resolves, then stops accepting and drains requests. The
/// app's cron scheduler runs meanwhile.
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
    let endpoint = build_endpoint(&app, http_config(config), public_dir(config)).await?;
    run(app, listener, endpoint, addr, shutdown).await
}

/// `pb_public`, next to the data dir (PocketBase's default `--publicDir`).
fn public_dir(config: &ServeConfig) -> Option<PathBuf> {
    let parent = config.data_dir.parent().unwrap_or_else(|| Path::new(""));
    Some(parent.join("pb_public"))
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
    let endpoint = build_endpoint(&app, http_config(config), public_dir(config)).await?;
    Ok((
        addr,
        tokio::spawn(run(app, listener, endpoint, addr, shutdown)),
    ))
}

/// The routes users add in `on_serve`, with `pb_public` (when given and present) served
/// last, as PocketBase does.
pub(crate) async fn custom_router(
    app: &App,
    public_dir: Option<PathBuf>,
) -> Result<Router<App>, AppError> {
    let mut event = ServeEvent::new(app.clone());
    app.on_serve()
        .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
        .await?;
    let mut router = event.router;
    if let Some(dir) = public_dir.filter(|d| d.is_dir())
        && !router.has_route("GET", "/{path...}")
    {
        router.get("/{path...}", basalt_http::router::static_dir(dir, false));
    }
    Ok(router)
}

/// The HTTP endpoint serving `app`: custom routes from `on_serve`, then the built-in API,
/// under the global middlewares; rate limits come from the settings at each request.
pub(crate) async fn build_endpoint(
    app: &App,
    mut http: HttpConfig,
    public_dir: Option<PathBuf>,
) -> Result<poem::endpoint::BoxEndpoint<'static>, AppError> {
    let router = custom_router(app, public_dir).await?;
    http.document = Some(Arc::new(basalt_http::openapi_value_with(&router)));
    let custom = router
        .try_into_endpoint(app.clone())
        .map_err(|e| AppError::Config(format!("invalid custom routes: {e}")))?;
    http.rate_limits = Some(rate_limits_from_settings(app.clone()));
    http.network = Some(network_from_settings(app.clone()));
    let services: basalt_http::SharedServices = Arc::new(app.clone());
    Ok(router_with(services, http, Some(custom))
        .map_to_response()
        .boxed())
}

/// The rate limits of the current settings, converted once per settings change (the
/// provider runs on every request).
fn rate_limits_from_settings(app: App) -> basalt_http::RateLimitProvider {
    type Converted = (
        Arc<crate::settings::Settings>,
        Arc<basalt_http::RateLimitConfig>,
    );
    let last: std::sync::Mutex<Option<Converted>> = std::sync::Mutex::new(None);
    Arc::new(move || {
        let settings = app.settings();
        let mut last = last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*last {
            Some((seen, config)) if Arc::ptr_eq(seen, &settings) => config.clone(),
            _ => {
                let r = &settings.rate_limits;
                let config = Arc::new(basalt_http::RateLimitConfig {
                    enabled: r.enabled,
                    rules: r.rules.clone(),
                    excluded_ips: r.excluded_ips.clone(),
                });
                *last = Some((settings, config.clone()));
                config
            }
        }
    })
}

/// The trusted-proxy and superuser-IP settings, converted once per settings change (the
/// provider runs on every request).
fn network_from_settings(app: App) -> basalt_http::NetworkProvider {
    type Converted = (
        Arc<crate::settings::Settings>,
        Arc<basalt_http::NetworkConfig>,
    );
    let last: std::sync::Mutex<Option<Converted>> = std::sync::Mutex::new(None);
    Arc::new(move || {
        let settings = app.settings();
        let mut last = last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*last {
            Some((seen, config)) if Arc::ptr_eq(seen, &settings) => config.clone(),
            _ => {
                let config = Arc::new(basalt_http::NetworkConfig {
                    trusted_headers: settings.trusted_proxy.headers.clone(),
                    use_leftmost_ip: settings.trusted_proxy.use_leftmost_ip,
                    superuser_ips: settings.superuser_ips.clone(),
                });
                *last = Some((settings, config.clone()));
                config
            }
        }
    })
}

/// The OpenAPI document `GET /api/openapi.json` answers a superuser: the built-in
/// operations, the custom routes `on_serve` adds (those annotated with `Route::openapi`),
/// and typed paths for each collection — only those named in `collections`, when given.
pub async fn openapi_document(
    app: &App,
    collections: Option<&[String]>,
) -> Result<String, AppError> {
    let router = custom_router(app, None).await?;
    let base = basalt_http::openapi_value_with(&router);
    let superuser = basalt_ports::Auth::Record {
        collection_id: String::new(),
        collection_name: basalt_domain::collection::SUPERUSERS.into(),
        id: String::new(),
        superuser: true,
    };
    let mut docs = basalt_ports::DocsApi::documented_collections(app, &superuser).await?;
    if let Some(names) = collections {
        for name in names {
            if !docs.iter().any(|d| d.name.eq_ignore_ascii_case(name)) {
                return Err(AppError::Config(format!("no collection {name:?}")));
            }
        }
        docs.retain(|d| names.iter().any(|n| n.eq_ignore_ascii_case(&d.name)));
    }
    let doc = basalt_http::live_document(&base, &docs);
    Ok(serde_json::to_string_pretty(&doc).unwrap_or_default())
}

async fn run(
    app: App,
    listener: tokio::net::TcpListener,
    endpoint: poem::endpoint::BoxEndpoint<'static>,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    let cron = app.cron().clone();
    // The scheduler runs while the server does (PocketBase starts it on serve).
    cron.start();
    // Realtime streams never end by themselves: close them when shutdown starts, so the
    // graceful shutdown can finish.
    let closing = app.clone();
    let shutdown = async move {
        shutdown.await;
        closing.realtime().close_all();
    };
    tracing::info!(%addr, "server started");
    let served = crate::http_server::serve(
        listener,
        endpoint,
        shutdown,
        std::time::Duration::from_secs(5),
    )
    .await
    .map_err(AppError::Server);
    cron.stop();
    let mut event = AppEvent::new(app.clone());
    if let Err(e) = app
        .on_terminate()
        .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
        .await
    {
        tracing::error!(error = %e, "on_terminate hook failed");
    }
    // The logs of the last requests are still queued: write them before returning.
    app.flush_logs().await;
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
