//! The `_migrations` history: one row per applied migration (`file`, `applied` in
//! microseconds), as PocketBase keeps it.

use basalt_ports::Database;
use basalt_ports::db::{DbError, SqlValue};

/// The table, as PocketBase creates it.
pub(crate) const TABLE_SQL: &str = "CREATE TABLE IF NOT EXISTS `_migrations` (`file` VARCHAR(255) PRIMARY KEY NOT NULL, `applied` INTEGER NOT NULL)";

/// Creates the table when missing.
pub(crate) async fn ensure_table(db: &dyn Database) -> Result<(), DbError> {
    db.execute(TABLE_SQL, &[]).await?;
    Ok(())
}

/// Records a file as applied: `file`, `applied` (microseconds).
pub(crate) const INSERT_SQL: &str = "INSERT INTO `_migrations` (`file`, `applied`) VALUES (?, ?)";

/// One row when `file` is recorded.
pub(crate) const CONTAINS_SQL: &str = "SELECT 1 AS `x` FROM `_migrations` WHERE `file` = ? LIMIT 1";

/// Records `file` as applied at `applied` (microseconds).
pub(crate) async fn insert(db: &dyn Database, file: &str, applied: i64) -> Result<(), DbError> {
    db.execute(INSERT_SQL, &[file.into(), applied.into()])
        .await?;
    Ok(())
}

/// Forgets `file`.
pub(crate) async fn delete(db: &dyn Database, file: &str) -> Result<(), DbError> {
    db.execute("DELETE FROM `_migrations` WHERE `file` = ?", &[file.into()])
        .await?;
    Ok(())
}

/// Whether `file` is recorded.
pub(crate) async fn contains(db: &dyn Database, file: &str) -> Result<bool, DbError> {
    Ok(!db.query(CONTAINS_SQL, &[file.into()]).await?.is_empty())
}

/// Every recorded file, by name.
pub(crate) async fn files(db: &dyn Database) -> Result<Vec<String>, DbError> {
    let rows = db
        .query("SELECT `file` FROM `_migrations` ORDER BY `file`", &[])
        .await?;
    Ok(rows.iter().map(|r| r.text("file").to_owned()).collect())
}

/// Up to `n` of `among` that are recorded, the most recently applied first.
pub(crate) async fn last_applied(
    db: &dyn Database,
    among: &[&str],
    n: usize,
) -> Result<Vec<String>, DbError> {
    if among.is_empty() || n == 0 {
        return Ok(Vec::new());
    }
    let names: Vec<SqlValue> = among.iter().map(|f| SqlValue::from(*f)).collect();
    let marks = vec!["?"; names.len()].join(", ");
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    // `applied` in seconds (older PocketBase) and microseconds compare alike when padded to
    // 16 digits, as PocketBase orders them.
    let sql = format!(
        "SELECT `file` FROM `_migrations` WHERE `applied` IS NOT NULL AND `file` IN ({marks}) \
         ORDER BY substr(`applied`||'0000000000000000', 0, 17) DESC, `file` DESC LIMIT {limit}"
    );
    let rows = db.query(&sql, &names).await?;
    Ok(rows.iter().map(|r| r.text("file").to_owned()).collect())
}
