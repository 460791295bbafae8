//! Importing collection definitions (PocketBase's `ImportCollections`): every item created
//! or replacing the stored definition, optionally dropping the missing ones, in one
//! transaction.

use super::save::{SaveError, from_body, save_in};
use crate::App;
use crate::error::AppError;
use crate::store::collections as store;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::schema;
use basalt_ports::{Input, ServiceError};
use serde_json::Value;

/// Imports `items` (an empty list is a 400), deleting the other non-system collections when
/// `delete_missing`.
pub(crate) async fn import(
    app: &App,
    items: &[Value],
    delete_missing: bool,
) -> Result<(), ServiceError> {
    if items.is_empty() {
        let mut data = ValidationErrors::new();
        data.add("collections", FieldError::required());
        return Err(ServiceError::invalid(Input::Form, data));
    }
    app.run_in_transaction(|tx| async move {
        import_in_transaction(&tx, items, delete_missing)
            .await
            .map_err(AppError::from)
    })
    .await
    .map_err(ServiceError::from)
}

/// The import on a transactional app. The cache is reloaded after each item, so a later
/// item may relate to (or name in its rules) an earlier one.
async fn import_in_transaction(
    app: &App,
    items: &[Value],
    delete_missing: bool,
) -> Result<(), ServiceError> {
    let import_failed = |msg: String| {
        let mut data = ValidationErrors::new();
        data.add(
            "collections",
            FieldError::new("validation_collections_import_failure", msg),
        );
        ServiceError::invalid(Input::CollectionsImport, data)
    };
    let mut tx = app.db().begin().await?;
    let mut kept: Vec<String> = Vec::new();
    for item in items {
        let id = item.get("id").and_then(Value::as_str).unwrap_or("");
        let name = item.get("name").and_then(Value::as_str).unwrap_or("");
        let existing = app
            .collections()
            .iter()
            .find(|c| {
                (!id.is_empty() && c.id == id)
                    || (id.is_empty() && c.name.eq_ignore_ascii_case(name))
            })
            .cloned();
        // An imported definition replaces the stored one whole (keeping its id).
        let mut c = from_body(item)
            .map_err(|e| import_failed(format!("Invalid collection \"{name}\": {e}.")))?;
        if let Some(o) = &existing {
            c.id = o.id.clone();
        }
        let saved = match save_in(app, tx.as_mut(), c, existing.as_ref()).await {
            Ok(saved) => saved,
            Err(SaveError::App(e)) => return Err(e.into()),
            Err(SaveError::Invalid(errs)) => {
                return Err(import_failed(format!(
                    "Collections import failed for \"{name}\": {errs}."
                )));
            }
            Err(SaveError::Rejected(raw)) => {
                return Err(import_failed(format!(
                    "Collections import failed for \"{name}\": {raw}."
                )));
            }
        };
        kept.push(saved.id);
        app.reload_collections_in(tx.as_mut()).await?;
    }
    if delete_missing {
        let missing: Vec<Collection> = app
            .collections()
            .iter()
            .filter(|c| !c.system && !kept.contains(&c.id))
            .cloned()
            .collect();
        for c in missing {
            store::run_statements(tx.as_mut(), &schema::drop_statements(&c)).await?;
            store::delete(tx.as_mut(), &c.id).await?;
        }
    }
    app.reload_collections_in(tx.as_mut()).await?;
    tx.commit().await?;
    Ok(())
}
