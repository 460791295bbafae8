//! The `_externalAuths` links between auth records and provider users
//! (`collectionRef`, `recordRef`, `provider`, `providerId`), written through the model
//! hooks like any record.

use crate::App;
use crate::error::AppError;
use basalt_domain::record::Record;
use serde_json::{Map, Value, json};

/// The name of the links' system collection.
const EXTERNAL_AUTHS: &str = "_externalAuths";

fn params(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

/// The link of `provider`'s user `provider_id` in collection `collection_id`, if any.
pub(crate) async fn find(
    app: &App,
    collection_id: &str,
    provider: &str,
    provider_id: &str,
) -> Result<Option<Record>, AppError> {
    app.find_first_record_by_filter(
        EXTERNAL_AUTHS,
        "collectionRef = {:c} && provider = {:p} && providerId = {:pid}",
        &params(&[("c", collection_id), ("p", provider), ("pid", provider_id)]),
    )
    .await
}

/// Deletes every link of `record` (PocketBase's `DeleteAllExternalAuthsByRecord`).
pub(crate) async fn delete_all_of(app: &App, record: &Record) -> Result<(), AppError> {
    let links = app
        .find_records_by_filter(
            EXTERNAL_AUTHS,
            "collectionRef = {:c} && recordRef = {:r}",
            "",
            0,
            0,
            &params(&[("c", &record.collection_id), ("r", record.id())]),
        )
        .await?;
    for mut link in links {
        app.delete(&mut link).await?;
    }
    Ok(())
}

/// Links `record` to `provider`'s user `provider_id`.
pub(crate) async fn create(
    app: &App,
    record: &Record,
    provider: &str,
    provider_id: &str,
) -> Result<(), AppError> {
    let mut link = app.new_record(EXTERNAL_AUTHS)?;
    link.set("collectionRef", json!(record.collection_id));
    link.set("recordRef", json!(record.id()));
    link.set("provider", json!(provider));
    link.set("providerId", json!(provider_id));
    app.save(&mut link).await
}
