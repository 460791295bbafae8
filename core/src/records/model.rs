//! The record write path (PocketBase's `app.Save` / `app.Delete` on a record): every path
//! that writes a record (the API, hooks, cron jobs, migrations, library code) comes here,
//! so every path fires the same model hooks:
//!
//! `on_record_create|update|delete` → (`on_record_validate` → the field checks) → the
//! password hash → `on_record_*_execute` → the row written (on delete: the row deleted,
//! then the records referencing it cascaded, cleared or the delete refused; see
//! `references`) → after the commit: realtime and `on_record_after_*_success`; on failure:
//! `on_record_after_*_error`.
//!
//! Each save runs in a transaction of its own unless the app is already in one, so what
//! hooks write through `e.app` commits or rolls back with the record.

use super::auth_refs;
use super::prepare;
use super::references;
use crate::App;
use crate::error::AppError;
use crate::files::records as files;
use crate::hooks::{RecordErrorEvent, RecordEvent};
use crate::realtime::{Change, broadcast};
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::collection::{Collection, SUPERUSERS};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::record::Record;
use basalt_ports::ServiceError;
use basalt_ports::db::DbError;
use basalt_ports::hook::{BoxFuture, Chain, Event};
use serde_json::Map;

/// Which model action a save or delete is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Action {
    /// A new record.
    Create,
    /// A stored record.
    Update,
    /// A stored record, deleted.
    Delete,
}

/// How a save checks the record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Checks {
    /// `on_record_validate` and the field checks.
    Validate,
    /// No validation (PocketBase's `SaveNoValidate`): a relation cleared by a delete.
    Skip,
}

/// Creates (when [`Record::is_new`]) or updates `record` through the model hooks. (Boxed,
/// as [`delete`]: a delete's cascade saves and deletes again from inside the chain.)
pub(crate) fn save<'a>(
    app: &'a App,
    record: &'a mut Record,
    checks: Checks,
) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        let c = collection_of(app, record)?;
        let action = if record.is_new() {
            Action::Create
        } else {
            Action::Update
        };
        let ahead = files::write_ahead(app, &c, record).await?;
        let coll = c.clone();
        let rec = &mut *record;
        let result = app
            .run_in_transaction(|tx| async move { run(&tx, coll, rec, action, checks).await })
            .await;
        ahead.settle(&c, record, result.is_ok()).await;
        result
    })
}

/// [`save`] without validation (PocketBase's `SaveNoValidate`).
pub(crate) fn save_unchecked<'a>(
    app: &'a App,
    record: &'a mut Record,
) -> BoxFuture<'a, Result<(), AppError>> {
    save(app, record, Checks::Skip)
}

/// Deletes `record` through the model hooks (and the relation delete semantics). Boxed: the
/// cascade of `references` deletes again from inside this chain.
pub(crate) fn delete<'a>(
    app: &'a App,
    record: &'a mut Record,
) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        let c = collection_of(app, record)?;
        app.run_in_transaction(|tx| async move {
            run(&tx, c, record, Action::Delete, Checks::Validate).await
        })
        .await
    })
}

/// Deletes every record of `c` in one transaction, each through [`delete`] (so the delete
/// hooks and the relation semantics apply to each, as PocketBase's `TruncateCollection`
/// does); a record already deleted by an earlier one's cascade is skipped.
pub(crate) async fn truncate(app: &App, c: &Collection) -> Result<(), AppError> {
    if c.is_view() {
        return Err(AppError::Validation(view_error()));
    }
    let name = c.name.clone();
    app.run_in_transaction(|tx| async move {
        loop {
            let batch = tx
                .find_records_by_filter(&name, "", "", 500, 0, &serde_json::Map::new())
                .await?;
            if batch.is_empty() {
                return Ok(());
            }
            for mut record in batch {
                match delete(&tx, &mut record).await {
                    Ok(()) | Err(AppError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    })
    .await
}

/// The collection of `record`, which must not be a view.
fn collection_of(app: &App, record: &Record) -> Result<CollectionRef, AppError> {
    let c = app
        .find_collection(&record.collection_id)
        .ok_or_else(|| AppError::NotFound(format!("collection {:?}", record.collection_id)))?;
    if c.is_view() {
        return Err(AppError::Validation(view_error()));
    }
    Ok(c)
}

fn view_error() -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    errs.add(
        "collectionId",
        FieldError::new(
            "validation_view_collection_save",
            "View collection records cannot be saved or deleted.",
        ),
    );
    errs
}

/// One model action on a transactional app: the hook chain, then (after the commit, or on
/// failure) the after hooks.
async fn run(
    app: &App,
    c: CollectionRef,
    record: &mut Record,
    action: Action,
    checks: Checks,
) -> Result<(), AppError> {
    let hooks = app.hooks();
    let taken = std::mem::replace(record, Record::new(&c));
    let mut event = RecordEvent::new(app.clone(), c, taken);
    let (hook, failure) = match action {
        Action::Create => (&hooks.on_record_create, &hooks.on_record_after_create_error),
        Action::Update => (&hooks.on_record_update, &hooks.on_record_after_update_error),
        Action::Delete => (&hooks.on_record_delete, &hooks.on_record_after_delete_error),
    };
    let result = hook
        .trigger(&mut event, move |e| {
            Box::pin(default_action(e, action, checks))
        })
        .await;
    let RecordEvent {
        collection,
        record: done,
        ..
    } = event;
    *record = done;
    match result {
        Ok(()) => {
            if action == Action::Delete {
                record.mark_new();
            } else {
                record.mark_stored();
                record.clear_uploads();
                record.mark_files_stored(&collection);
            }
            after_success(app, collection, record.clone(), action).await;
            Ok(())
        }
        Err(error) => {
            let mut e = RecordErrorEvent {
                app: app.clone(),
                collection,
                record: record.clone(),
                error: error.clone(),
                chain: Chain::default(),
            };
            if let Err(err) = failure
                .trigger(&mut e, |_| Box::pin(async { Ok(()) }))
                .await
            {
                tracing::error!(error = %err, "after-error record hook failed");
            }
            Err(error.into())
        }
    }
}

/// Queues, for after the commit, the realtime event of a create or update (a delete's is
/// prepared before it, see [`delete_row`]) and `on_record_after_*_success`.
async fn after_success(app: &App, c: CollectionRef, record: Record, action: Action) {
    let outer = app.non_transactional();
    app.after_commit(Box::new(move || {
        Box::pin(async move {
            match action {
                Action::Create => broadcast::changed(&outer, Change::Create, &c, &record).await,
                Action::Update => broadcast::changed(&outer, Change::Update, &c, &record).await,
                Action::Delete => {}
            }
            let hooks = outer.hooks();
            let hook = match action {
                Action::Create => &hooks.on_record_after_create_success,
                Action::Update => &hooks.on_record_after_update_success,
                Action::Delete => &hooks.on_record_after_delete_success,
            };
            let mut e = RecordEvent::new(outer.clone(), c, record);
            if let Err(err) = hook.trigger(&mut e, |_| Box::pin(async { Ok(()) })).await {
                tracing::error!(error = %err, "after-success record hook failed");
            }
        })
    }))
    .await;
}

/// The default action of `on_record_create`/`update`/`delete`.
async fn default_action(
    e: &mut RecordEvent,
    action: Action,
    checks: Checks,
) -> Result<(), ServiceError> {
    let app = e.app.clone();
    if action == Action::Delete {
        if e.collection.is_superusers() {
            refuse_only_superuser(&app).await?;
        }
        return app
            .hooks()
            .on_record_delete_execute
            .trigger(e, |e| Box::pin(delete_row(e)))
            .await;
    }
    let is_create = action == Action::Create;
    prepare::fill_generated(&app, &e.collection, &mut e.record, is_create)?;
    if checks == Checks::Validate {
        app.hooks()
            .on_record_validate
            .trigger(e, move |e| Box::pin(validate(e, is_create)))
            .await?;
    }
    prepare::hash_pending_password(&app, &e.collection, &mut e.record, is_create).await?;
    prepare::rotate_token_key_on_email_change(&app, &e.collection, &mut e.record, is_create)
        .await?;
    let execute = if is_create {
        &app.hooks().on_record_create_execute
    } else {
        &app.hooks().on_record_update_execute
    };
    execute
        .trigger(e, move |e| Box::pin(write_row(e, is_create)))
        .await
}

/// PocketBase keeps at least one superuser: deleting the last one (through the API, a
/// truncate or the `superuser delete` command) is refused. Counted on the delete's
/// transaction, so a truncate refuses its last delete and rolls back whole.
async fn refuse_only_superuser(app: &App) -> Result<(), ServiceError> {
    if app.count_records(SUPERUSERS, "", &Map::new()).await? <= 1 {
        return Err(ServiceError::OnlySuperuser);
    }
    Ok(())
}

/// The default action of `on_record_validate`: the field checks and relation existence.
async fn validate(e: &mut RecordEvent, is_create: bool) -> Result<(), ServiceError> {
    let mut errs = e
        .record
        .validate_fields(&e.collection, e.record.pending_password(), is_create);
    prepare::check_relations(&e.app, &e.collection, &e.record, &mut errs).await?;
    if errs.is_empty() {
        e.next().await
    } else {
        Err(AppError::Validation(errs).into())
    }
}

/// The default action of `on_record_create_execute`/`update_execute`: the INSERT/UPDATE,
/// with UNIQUE violations turned into `validation_not_unique` field errors. One statement on
/// the save's transaction (SQLite undoes a failed statement by itself, so no savepoint).
///
/// The record's new files are stored first and removed again when the write fails or its
/// transaction rolls back; the files it no longer names are removed once it commits.
async fn write_row(e: &mut RecordEvent, is_create: bool) -> Result<(), ServiceError> {
    let stored = files::store_uploads(&e.app, &e.collection, &e.record).await?;
    let before = match (is_create, e.record.stored_id()) {
        (false, Some(old)) if e.collection.is_auth() => {
            super::read::find_by_id(&e.app, &e.collection, old).await?
        }
        _ => None,
    };
    let db = e.app.db().as_ref();
    let res = match (is_create, e.record.stored_id()) {
        (false, Some(old)) => rows::update(db, &e.collection, old, &e.record).await,
        _ => rows::insert(db, &e.collection, &e.record).await,
    };
    if res.is_err() {
        stored.discard().await;
    } else {
        stored.discard_on_rollback(&e.app).await;
        files::remove_dropped_after_commit(&e.app, &e.collection, &e.record).await;
    }
    match res {
        Ok(()) => {
            if let Some(before) = before {
                auth_refs::on_update(&e.app, &e.collection, &before, &e.record).await?;
            }
            Ok(())
        }
        Err(unique @ DbError::Unique(_)) => {
            Err(AppError::Validation(prepare::unique_errors(&e.collection, &unique)).into())
        }
        Err(other) => Err(other.into()),
    }
}

/// The default action of `on_record_delete_execute`: the realtime delete events prepared
/// while the subscribers' rules can still see the record (checked outside the transaction,
/// sent once the delete commits), the row deleted, then the records referencing it handled
/// (`references`). A record that is not stored (any more) is [`AppError::NotFound`].
async fn delete_row(e: &mut RecordEvent) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let outer = app.non_transactional();
    let pending = broadcast::prepare_delete(&outer, &e.collection, &e.record).await;
    let id = e.record.stored_id().unwrap_or(e.record.id()).to_owned();
    if !rows::delete(app.db().as_ref(), &e.collection, &id).await? {
        return Err(AppError::NotFound(format!("record {id:?}")).into());
    }
    let writes = references::Writes {
        delete,
        save_unchecked,
    };
    references::on_delete(&app, &e.collection, &id, writes).await?;
    auth_refs::on_delete(&app, &e.collection, &id).await?;
    files::remove_record_dir_after_commit(&app, &e.collection, &id).await;
    let c = e.collection.clone();
    app.after_commit(Box::new(move || {
        Box::pin(async move { broadcast::deliver_delete(&outer, &c, &id, pending).await })
    }))
    .await;
    Ok(())
}
