//! `_logs` in `auxiliary.db`: PocketBase's table and indexes, batched inserts, the list,
//! view and hourly stats queries (conditions compiled by `crate::logs::query`, values
//! bound), and the deletes of the cleanup job, the settings reload and the truncate.

use basalt_ports::db::{DbError, Row, SqlValue};
use basalt_ports::{Database, Transaction};

/// PocketBase's `_logs` table and indexes (its `1640988000_aux_init.go`).
const TABLE_SQL: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS `_logs` (`id` TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, `level` INTEGER DEFAULT 0 NOT NULL, `message` TEXT DEFAULT \"\" NOT NULL, `data` JSON DEFAULT \"{}\" NOT NULL, `created` TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL)",
    "CREATE INDEX IF NOT EXISTS idx_logs_level on `_logs` (`level`)",
    "CREATE INDEX IF NOT EXISTS idx_logs_message on `_logs` (`message`)",
    "CREATE INDEX IF NOT EXISTS idx_logs_created_hour on `_logs` (strftime('%Y-%m-%d %H:00:00', `created`))",
];

/// The columns a log is read with, in PocketBase's JSON order.
const COLUMNS: &str =
    "`_logs`.`id`, `_logs`.`created`, `_logs`.`data`, `_logs`.`message`, `_logs`.`level`";

/// A log row to insert.
pub(crate) struct NewLog<'a> {
    /// Its id.
    pub(crate) id: &'a str,
    /// PocketBase's datetime text.
    pub(crate) created: &'a str,
    /// The level (`slog`'s numbers).
    pub(crate) level: i64,
    /// The message.
    pub(crate) message: &'a str,
    /// The data, serialized JSON.
    pub(crate) data: &'a str,
}

/// Creates `_logs` and its indexes when missing.
pub(crate) async fn create_table(db: &dyn Database) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    for sql in TABLE_SQL {
        tx.execute(sql, &[]).await?;
    }
    tx.commit().await
}

/// Inserts one log, inside `tx`.
pub(crate) async fn insert(tx: &mut dyn Transaction, log: &NewLog<'_>) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO `_logs` (`id`, `created`, `level`, `message`, `data`) VALUES (?, ?, ?, ?, ?)",
        &[
            log.id.into(),
            log.created.into(),
            log.level.into(),
            log.message.into(),
            log.data.into(),
        ],
    )
    .await?;
    Ok(())
}

/// One page of logs matching `where_sql` (a condition with `params`), ordered by
/// `order_sql` (with `order_params`; empty: insertion order).
pub(crate) async fn select(
    db: &dyn Database,
    where_sql: &str,
    params: &[SqlValue],
    order_sql: &str,
    order_params: &[SqlValue],
    limit: i64,
    offset: i64,
) -> Result<Vec<Row>, DbError> {
    let order = if order_sql.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {order_sql}")
    };
    let sql = format!("SELECT {COLUMNS} FROM `_logs` WHERE ({where_sql}){order} LIMIT ? OFFSET ?");
    let mut all = params.to_vec();
    all.extend_from_slice(order_params);
    all.push(limit.into());
    all.push(offset.into());
    db.query(&sql, &all).await
}

/// How many logs match `where_sql`.
pub(crate) async fn count(
    db: &dyn Database,
    where_sql: &str,
    params: &[SqlValue],
) -> Result<i64, DbError> {
    let sql = format!("SELECT COUNT(*) AS `total` FROM `_logs` WHERE ({where_sql})");
    let rows = db.query(&sql, params).await?;
    Ok(rows
        .first()
        .and_then(|r| r.get("total"))
        .and_then(SqlValue::as_i64)
        .unwrap_or(0))
}

/// The log `id`, if there is one.
pub(crate) async fn find(db: &dyn Database, id: &str) -> Result<Option<Row>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM `_logs` WHERE `_logs`.`id` = ? LIMIT 1");
    Ok(db.query(&sql, &[id.into()]).await?.into_iter().next())
}

/// The logs matching `where_sql` counted per hour (`total`, `date` as
/// `2006-01-02 15:00:00`), as PocketBase groups them.
pub(crate) async fn stats(
    db: &dyn Database,
    where_sql: &str,
    params: &[SqlValue],
) -> Result<Vec<Row>, DbError> {
    let sql = format!(
        "SELECT COUNT(`_logs`.`id`) AS `total`, strftime('%Y-%m-%d %H:00:00', `_logs`.`created`) AS `date` FROM `_logs` WHERE ({where_sql}) GROUP BY `date`"
    );
    db.query(&sql, params).await
}

/// Deletes the logs created at or before `created_before` (PocketBase's `DeleteOldLogs`).
pub(crate) async fn delete_created_before(
    db: &dyn Database,
    created_before: &str,
) -> Result<u64, DbError> {
    let done = db
        .execute(
            "DELETE FROM `_logs` WHERE `created` <= ?",
            &[created_before.into()],
        )
        .await?;
    Ok(done.rows_affected)
}

/// Deletes the logs created at or before `created_before` or below `min_level` (what a
/// settings reload removes).
pub(crate) async fn delete_outside(
    db: &dyn Database,
    created_before: &str,
    min_level: i64,
) -> Result<u64, DbError> {
    let done = db
        .execute(
            "DELETE FROM `_logs` WHERE `created` <= ? OR `level` < ?",
            &[created_before.into(), min_level.into()],
        )
        .await?;
    Ok(done.rows_affected)
}

/// Deletes every log.
pub(crate) async fn truncate(db: &dyn Database) -> Result<(), DbError> {
    db.execute("DELETE FROM `_logs`", &[]).await?;
    Ok(())
}

/// Reclaims the space of deleted logs (`VACUUM`), as PocketBase does after a truncate.
pub(crate) async fn vacuum(db: &dyn Database) -> Result<(), DbError> {
    db.execute("VACUUM", &[]).await?;
    Ok(())
}
