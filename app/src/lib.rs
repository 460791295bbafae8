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
//! This crate is the composition root: the only one that names concrete adapters
//! (`basalt-sqlite`, `basalt-libsql`, `basalt-http`). The use cases, hooks and [`App`] are
//! `basalt-core`'s, re-exported here, and run on the ports of `basalt-ports`.

pub mod cli;
mod dbconnect;
pub mod files;
mod http_server;
mod infra;
pub mod jshooks;
pub mod mail;
pub mod migrations;
mod restart;
mod serve_event;
mod server;
pub mod testing;

pub use basalt_core::{
    App, AppError, CollectionRef, SuperuserMode, backups, cron, logs, realtime, settings,
};
pub use dbconnect::{
    AUTH_TOKEN_ENV, DbConnect, DbConnectFuture, db_connect_from_url, default_db_connect,
};
pub use infra::{OsRandom, SystemClock};
pub use restart::ExecRestart;
pub use serve_event::{OnServe, ServeEvent};
pub use server::{
    AppConfig, ServeConfig, new_app, open, open_with, open_with_config, openapi_document, serve,
    shutdown_signal, spawn,
};

/// PocketBase's `app.OnXxx()` hooks and their events ([`basalt_core::hooks`]), with
/// `on_serve`'s [`ServeEvent`].
pub mod hooks {
    pub use crate::serve_event::{OnServe, ServeEvent};
    pub use basalt_core::hooks::*;
}

/// What programs built on Basalt usually import: `use basalt::prelude::*;`.
pub mod prelude {
    pub use crate::serve_event::OnServe;
    pub use basalt_ports::hook::Event;
}

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
