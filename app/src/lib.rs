//! Basalt: a PocketBase-compatible backend in one binary, and the library you build your own
//! binary with.
//!
//! ```no_run
//! # async fn run() -> Result<(), basalt::AppError> {
//! let app = basalt::open(std::path::Path::new("pb_data")).await?;
//! basalt::serve(app, &basalt::ServeConfig::default(), basalt::shutdown_signal()).await?;
//! # Ok(()) }
//! ```
//!
//! This crate is the composition root: it is the only one that names concrete adapters
//! (`basalt-sqlite`, `basalt-libsql`, `basalt-http`); the use cases run on the ports of `basalt-ports`.

mod app;
mod bootstrap;
pub mod cli;
mod count_cache;
pub mod cron;
mod dbconnect;
mod error;
mod find;
pub mod hooks;
mod http_server;
mod infra;
pub mod migrations;
pub mod realtime;
mod server;
pub mod settings;
mod store;
mod superuser;
pub mod testing;
mod transaction;
mod tx;
mod usecases;
mod versioned;

pub use app::{App, CollectionRef};
pub use dbconnect::{
    AUTH_TOKEN_ENV, DbConnect, DbConnectFuture, db_connect_from_url, default_db_connect,
};
pub use error::AppError;
pub use infra::{OsRandom, SystemClock};
pub use server::{
    AppConfig, ServeConfig, new_app, open, open_with, open_with_config, openapi_document, serve,
    shutdown_signal, spawn,
};
pub use superuser::SuperuserMode;

/// The router for custom routes (`on_serve`'s `e.router`), its request event, built-in
/// middlewares (`require_auth`, `body_limit`, `gzip`, ...) and `static_dir`.
pub mod router {
    pub use basalt_http::router::*;
    /// The request event custom routes and middlewares of a Basalt app receive.
    pub type RequestEvent = basalt_http::router::RequestEvent<crate::App>;
}

/// Re-exports of the crates users extend Basalt with.
pub use basalt_domain as domain;
pub use basalt_ports as ports;
