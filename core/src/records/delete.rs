//! Deleting a record through the API: the delete rule is part of the lookup (404 when it
//! fails), `on_record_delete_request`'s default action deletes through the model hooks,
//! with the relation delete semantics (`references`).

use super::model;
use super::read::{collection, find_guarded};
use crate::App;
use crate::error::AppError;
use crate::hooks::RecordRequestEvent;
use crate::query::{RequestScope, gate};
use basalt_ports::{Cause, CollectionLookup, RequestContext, ServiceError};
use serde_json::Map;

/// `DELETE /api/collections/{c}/records/{id}`.
pub(crate) async fn delete(
    app: &App,
    req: &RequestContext,
    collection: &str,
    id: &str,
) -> Result<(), ServiceError> {
    let c = self::collection(app, collection, CollectionLookup::Records)?;
    if c.is_view() {
        return Err(ServiceError::UnsupportedCollectionType);
    }
    let gate = gate(&c.rules.delete, &req.auth).or_forbidden()?;
    let record = find_guarded(app, &c, id, &gate, &mut RequestScope::new(req)).await?;
    let mut event = RecordRequestEvent::new(app.clone(), req.clone(), Map::new(), c, record);
    app.hooks()
        .on_record_delete_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                let app = e.app.clone();
                model::delete(&app, &mut e.record)
                    .await
                    .map_err(delete_failed)
            })
        })
        .await
}

/// A failed delete as PocketBase answers it: a hook's own error as is, anything else (a
/// required relation reference above all) its 400.
fn delete_failed(err: AppError) -> ServiceError {
    match err {
        AppError::Service(e) => e,
        other => ServiceError::RequiredReference(Cause::new(other)),
    }
}
