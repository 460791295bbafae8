//! The process-wide SQLite engine setup, the same whichever driver touches SQLite first.
//!
//! Basalt links one SQLite: libsql-ffi's, which sqlx's `sqlite-unbundled` calls resolve to as
//! well (ARCHITECTURE.md, "Decisions"). libsql's safety assert calls
//! `sqlite3_config(SQLITE_CONFIG_SERIALIZED)` on its first open, which fails (and panics) when
//! sqlx opened a connection first. So this driver does its own set-up instead, which works in
//! either order, and opens libsql with that assert skipped.

use basalt_ports::db::DbError;
use libsql::ffi;
use std::sync::Once;

/// Makes sure SQLite is initialised in the serialized threading mode libsql's `Send`/`Sync`
/// types rely on. Idempotent and cheap after the first call.
pub(crate) fn ensure_serialized() -> Result<(), DbError> {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // SAFETY: plain calls into the linked SQLite. `sqlite3_config` succeeds if nothing
        // has initialised SQLite yet; otherwise it returns SQLITE_MISUSE and changes nothing:
        // then the mode already in force is the compile-time default, which for a library
        // built with SQLITE_THREADSAFE=1 (checked below) is serialized — nothing in Basalt
        // (sqlx included) calls `sqlite3_config`.
        unsafe {
            let _ = ffi::sqlite3_config(ffi::SQLITE_CONFIG_SERIALIZED);
            ffi::sqlite3_initialize();
        }
    });
    // SAFETY: a pure query of a compile-time setting.
    match unsafe { ffi::sqlite3_threadsafe() } {
        1 => Ok(()),
        mode => Err(DbError::Connection(format!(
            "the linked SQLite is built with SQLITE_THREADSAFE={mode}; libsql needs 1 (serialized)"
        ))),
    }
}
