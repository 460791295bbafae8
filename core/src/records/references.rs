//! What a record's delete does to the records that reference it through relation fields,
//! as PocketBase 0.40 does (`cascadeRecordDelete`): inside the delete's transaction, after
//! its row is gone, every referencing record (collections by name, fields in order; views
//! skipped) loses the deleted id. If that leaves its field empty and the field has
//! `cascadeDelete`, the record is deleted too (recursively, through the model hooks);
//! else, if the field is required, the whole delete fails with
//! [`AppError::RequiredReference`] and rolls back; otherwise the record is saved without
//! validation (model hooks, realtime and `updated` as for any update). API rules do not
//! apply: the delete was already allowed.

use crate::App;
use crate::error::AppError;
use crate::query::RecordQuery;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::field::RelationOptions;
use basalt_domain::query::relation_ids;
use basalt_domain::record::Record;
use basalt_ports::hook::BoxFuture;
use serde_json::Value;
use std::collections::HashSet;

/// Referencing records loaded at a time.
const BATCH: i64 = 4000;

/// A record write of the write path (which calls this module, so it hands its writes in).
pub(crate) type Write = for<'a> fn(&'a App, &'a mut Record) -> BoxFuture<'a, Result<(), AppError>>;

/// The writes a delete's references need: deleting a record (with its own references), and
/// saving one without validation.
#[derive(Clone, Copy)]
pub(crate) struct Writes {
    /// Deletes a record through the model hooks.
    pub(crate) delete: Write,
    /// Saves a record through the model hooks, without validation.
    pub(crate) save_unchecked: Write,
}

/// Handles the records referencing record `id` of `c`, just deleted on `app` (transactional).
pub(crate) async fn on_delete(
    app: &App,
    c: &Collection,
    id: &str,
    writes: Writes,
) -> Result<(), AppError> {
    let mut referencing: Vec<_> = app
        .collections()
        .iter()
        .filter(|other| !other.is_view() && other.relates_to(&c.id))
        .cloned()
        .collect();
    referencing.sort_by(|a, b| a.name.cmp(&b.name));
    for other in &referencing {
        for (field, opts) in other.relations_to(&c.id) {
            let same = other.id == c.id;
            let reference = Reference {
                collection: other,
                field: &field.name,
                opts,
            };
            unlink_all(app, &reference, id, same, writes).await?;
        }
    }
    Ok(())
}

/// One relation field pointing at the deleted record's collection.
struct Reference<'c> {
    collection: &'c Collection,
    field: &'c str,
    opts: &'c RelationOptions,
}

/// Takes `id` out of the relation of every record holding it, a batch at a time
/// until none is left (a record of the deleted one's own collection never counts itself).
async fn unlink_all(
    app: &App,
    reference: &Reference<'_>,
    id: &str,
    same_collection: bool,
    writes: Writes,
) -> Result<(), AppError> {
    let (c, field) = (reference.collection, reference.field);
    let multiple = reference.opts.max_select > 1;
    let mut done: HashSet<String> = HashSet::new();
    loop {
        let mut q = RecordQuery::new(app, c).referencing(field, multiple, id);
        if same_collection {
            q = q.except(id);
        }
        let q = q.page(Some(BATCH), 0).build();
        let batch = rows::select(app.db().as_ref(), c, &q).await?;
        let total = batch.len() as i64;
        // a hook that keeps a record from changing must not make this loop forever
        let fresh: Vec<Record> = batch
            .into_iter()
            .filter(|r| done.insert(r.id().to_owned()))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        for record in fresh {
            unlink(app, reference, record, id, writes).await?;
        }
        if total < BATCH {
            return Ok(());
        }
    }
}

/// Takes `id` out of `record`'s relation: deletes it (cascade, nothing left),
/// refuses (required, nothing left) or saves it without validation.
async fn unlink(
    app: &App,
    reference: &Reference<'_>,
    mut record: Record,
    id: &str,
    writes: Writes,
) -> Result<(), AppError> {
    let (field, opts) = (reference.field, reference.opts);
    let mut ids = relation_ids(record.get(field));
    if let Some(at) = ids.iter().position(|x| x == id) {
        ids.remove(at);
    }
    if ids.is_empty() && opts.cascade_delete {
        return match (writes.delete)(app, &mut record).await {
            // already gone through another path of the same cascade
            Ok(()) | Err(AppError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        };
    }
    if ids.is_empty() && opts.required {
        return Err(AppError::RequiredReference {
            record: record.id().to_owned(),
            collection: reference.collection.name.clone(),
        });
    }
    let value = if opts.max_select > 1 {
        Value::from(ids)
    } else {
        Value::from(ids.into_iter().next().unwrap_or_default())
    };
    record.set(field, value);
    (writes.save_unchecked)(app, &mut record).await
}
