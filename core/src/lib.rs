//! Basalt's core: the use cases behind PocketBase's API (records, collections, auth,
//! settings, realtime, cron, migrations), the hooks that extend them, and [`App`], the
//! facade over them. It runs on the ports of `basalt-ports` only and never names a concrete
//! adapter: the `basalt` crate (the composition root) picks the database driver and the HTTP
//! server, and re-exports this crate as the library users extend.

mod app;
mod auth;
mod auth_mail;
pub mod backups;
mod batch;
mod bootstrap;
mod collections;
mod count_cache;
pub mod cron;
mod error;
pub mod files;
pub mod hooks;
pub mod logs;
pub mod mail;
pub mod migrations;
mod query;
pub mod realtime;
mod records;
mod schema;
pub mod settings;
mod store;
mod superuser;
#[cfg(test)]
mod test_support;
mod tx;
mod versioned;

pub use app::App;
pub(crate) use app::WeakApp;
pub use error::AppError;
pub use schema::CollectionRef;
pub use superuser::SuperuserMode;
