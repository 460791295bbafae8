//! The system collections that point at an auth record by `collectionRef` + `recordRef`:
//! `_mfas` (MFA sessions), `_otps` (one-time passwords) and `_authOrigins` (where a record
//! signed in from). Their rows are ordinary records, saved and deleted through the write
//! path (so the cron cleanups and record hooks see them as PocketBase's do).

use crate::App;
use crate::error::AppError;
use basalt_domain::datetime::parse_datetime;
use basalt_domain::record::Record;
use serde_json::{Map, Value};

/// PocketBase's `_mfas`.
pub(crate) const MFAS: &str = "_mfas";
/// PocketBase's `_otps`.
pub(crate) const OTPS: &str = "_otps";
/// PocketBase's `_authOrigins`.
pub(crate) const AUTH_ORIGINS: &str = "_authOrigins";

/// A new, unsaved row of `table` pointing at `record` of auth collection `collection_id`.
pub(crate) fn new_ref(
    app: &App,
    table: &str,
    collection_id: &str,
    record_id: &str,
) -> Result<Record, AppError> {
    let c = app.query_collection(table)?;
    let mut row = Record::new(&c);
    row.set("collectionRef", Value::from(collection_id));
    row.set("recordRef", Value::from(record_id));
    Ok(row)
}

/// The row `id` of `table`, if any.
pub(crate) async fn find(app: &App, table: &str, id: &str) -> Result<Option<Record>, AppError> {
    if id.is_empty() {
        return Ok(None);
    }
    let mut params = Map::new();
    params.insert("id".into(), Value::from(id));
    app.find_first_record_by_filter(table, "id = {:id}", &params)
        .await
}

/// Every row of `table` pointing at `record_id` of collection `collection_id`, newest first.
pub(crate) async fn find_by_record(
    app: &App,
    table: &str,
    collection_id: &str,
    record_id: &str,
) -> Result<Vec<Record>, AppError> {
    let mut params = Map::new();
    params.insert("c".into(), Value::from(collection_id));
    params.insert("r".into(), Value::from(record_id));
    app.find_records_by_filter(
        table,
        "collectionRef = {:c} && recordRef = {:r}",
        "-created",
        0,
        0,
        &params,
    )
    .await
}

/// Whether `row` was created more than `seconds` ago (PocketBase's `HasExpired`).
pub(crate) fn has_expired(app: &App, row: &Record, seconds: i64) -> bool {
    let Some(created) = parse_datetime(row.text("created")) else {
        return true;
    };
    let elapsed = app.now_datetime() - created;
    elapsed > chrono::Duration::seconds(seconds)
}

/// Deletes `row`, logging (not failing on) an error, as PocketBase does for used and
/// expired MFA sessions and OTPs.
pub(crate) async fn delete_logged(app: &App, mut row: Record, what: &'static str) {
    let id = row.id().to_owned();
    if let Err(e) = app.delete(&mut row).await {
        tracing::warn!(error = %e, id, what, "failed to delete");
    }
}

/// The `(enabled, duration)` of an auth option with those keys (`mfa`, `otp`).
pub(crate) fn option_on(c: &basalt_domain::collection::Collection, key: &str) -> (bool, i64) {
    let o = c.auth_option(key);
    let enabled = o
        .and_then(|o| o.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let duration = o
        .and_then(|o| o.get("duration"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    (enabled, duration)
}
