//! The sqlx SQLite driver for Basalt's [`Database`](basalt_ports::Database) port.
//!
//! One writer connection (so writes are serialized in-process, never by retrying
//! `SQLITE_BUSY`) and a pool of reader connections, all with the pragmas of ARCHITECTURE.md ("SQLite connections").

mod convert;
mod database;
mod schema_epoch;
mod transaction;

pub use database::{SqliteConfig, SqliteDatabase};
