//! Every SQL statement of the core, by what it reads or writes: record rows ([`records`]),
//! `_collections` rows and collection tables ([`collections`]), `_params` ([`params`]),
//! `_migrations` ([`migrations`]), `_logs` in `auxiliary.db` ([`logs`]), the system tables and maintenance ([`system`]) and
//! savepoints ([`savepoints`]). Values are always bound parameters; identifiers come only
//! from validated collection and field names (and our own savepoint names).

pub(crate) mod collections;
pub(crate) mod logs;
pub(crate) mod migrations;
pub(crate) mod params;
pub(crate) mod records;
pub(crate) mod savepoints;
pub(crate) mod system;
