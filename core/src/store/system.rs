//! The system tables of a data dir (`_params`, `_collections`, `_migrations`, as PocketBase
//! creates them), the first-start record in `_migrations`, and SQLite's maintenance
//! statements.

use super::migrations;
use basalt_domain::sql::SqlValue;
use basalt_ports::Database;
use basalt_ports::db::{DbError, Transaction};

const SYSTEM_TABLES: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS `_params` (`id` TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, `value` JSON DEFAULT NULL, `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL, `updated` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS `_collections` (`id` TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, `system` BOOLEAN DEFAULT FALSE NOT NULL, `type` TEXT DEFAULT 'base' NOT NULL, `name` TEXT UNIQUE NOT NULL, `fields` JSON DEFAULT '[]' NOT NULL, `indexes` JSON DEFAULT '[]' NOT NULL, `listRule` TEXT DEFAULT NULL, `viewRule` TEXT DEFAULT NULL, `createRule` TEXT DEFAULT NULL, `updateRule` TEXT DEFAULT NULL, `deleteRule` TEXT DEFAULT NULL, `options` JSON DEFAULT '{}' NOT NULL, `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL, `updated` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL)",
    "CREATE INDEX IF NOT EXISTS `idx__collections_type` ON `_collections` (`type`)",
    migrations::TABLE_SQL,
];

/// Creates the system tables that are missing, inside `tx`.
pub(crate) async fn create_tables(tx: &mut dyn Transaction) -> Result<(), DbError> {
    for sql in SYSTEM_TABLES {
        tx.execute(sql, &[]).await?;
    }
    Ok(())
}

/// Whether migration `file` is recorded, inside `tx`.
pub(crate) async fn has_migration(tx: &mut dyn Transaction, file: &str) -> Result<bool, DbError> {
    Ok(!tx
        .query(migrations::CONTAINS_SQL, &[file.into()])
        .await?
        .is_empty())
}

/// Records migration `file` as applied at `applied` (microseconds), inside `tx`.
pub(crate) async fn record_migration(
    tx: &mut dyn Transaction,
    file: &str,
    applied: i64,
) -> Result<(), DbError> {
    tx.execute(migrations::INSERT_SQL, &[file.into(), applied.into()])
        .await?;
    Ok(())
}

/// Truncates the WAL of `db` (`PRAGMA wal_checkpoint(TRUNCATE)`, PocketBase's nightly job).
pub(crate) async fn checkpoint(db: &dyn Database) -> Result<(), DbError> {
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)", &[]).await?;
    Ok(())
}

/// Lets SQLite refresh its query planner statistics (`PRAGMA optimize`).
pub(crate) async fn optimize(db: &dyn Database) -> Result<(), DbError> {
    db.execute("PRAGMA optimize", &[]).await?;
    Ok(())
}

/// Writes a consistent copy of the database to the new file `path` (`VACUUM INTO`). It
/// goes through `query`, which runs on a reader: the copy is one read transaction, so
/// writers go on meanwhile.
pub(crate) async fn vacuum_into(db: &dyn Database, path: &str) -> Result<(), DbError> {
    db.query("VACUUM INTO ?", &[SqlValue::Text(path.to_owned())])
        .await?;
    Ok(())
}
