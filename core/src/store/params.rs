//! `_params` rows: PocketBase's key-value table (`id`, `value`, `created`, `updated`), where
//! the settings live under id `settings`.

use basalt_ports::Database;
use basalt_ports::db::{DbError, SqlValue};

/// The stored `value` of row `id`, when the row exists and holds something.
pub(crate) async fn read(db: &dyn Database, id: &str) -> Result<Option<Vec<u8>>, DbError> {
    let rows = db
        .query("SELECT `value` FROM `_params` WHERE `id` = ?", &[id.into()])
        .await?;
    let value = match rows.first().and_then(|r| r.get("value")) {
        // PocketBase writes the plain JSON as a BLOB and the encrypted text as TEXT.
        Some(SqlValue::Blob(b)) => b.clone(),
        Some(SqlValue::Text(t)) => t.clone().into_bytes(),
        _ => return Ok(None),
    };
    Ok((!value.iter().all(u8::is_ascii_whitespace)).then_some(value))
}

/// Inserts or replaces row `id` (`created` is kept on update).
pub(crate) async fn write(
    db: &dyn Database,
    id: &str,
    value: String,
    now: String,
) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO `_params` (`id`, `value`, `created`, `updated`) VALUES (?, ?, ?, ?) \
         ON CONFLICT (`id`) DO UPDATE SET `value` = excluded.`value`, `updated` = excluded.`updated`",
        &[id.into(), value.into(), now.clone().into(), now.into()],
    )
    .await?;
    Ok(())
}
