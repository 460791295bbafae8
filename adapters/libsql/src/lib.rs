//! The libsql driver for Basalt's [`Database`](basalt_ports::Database) port, in three modes
//! ([`LibsqlTarget`]): a local file on libsql's own engine, a remote libsql server over HTTP
//! (Hrana) with an auth token, and an embedded replica (a local file synced from a remote
//! primary: reads local, writes to the primary).
//!
//! Every mode shares one code path ([`LibsqlDatabase`]): one writer connection behind an async
//! mutex (writes are serialized in-process) and a small pool of reader connections; only
//! opening differs. Local and replica files get the same pragmas as the sqlx driver.

mod convert;
mod database;
mod engine;
mod pool;
mod statement;
mod transaction;

pub use database::{LibsqlConfig, LibsqlDatabase, LibsqlTarget};
