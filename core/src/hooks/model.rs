//! Saving and deleting records through the model hooks (PocketBase's `app.Save` /
//! `app.Delete`): every path that writes a record (the API, hooks, cron jobs, migrations,
//! library code) goes through here, so every path fires the same hooks.

use super::{RecordErrorEvent, RecordEvent};
use crate::App;
use crate::error::AppError;
use crate::realtime::Change;
use crate::schema::CollectionRef;
use crate::store;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::FieldKind;
use basalt_domain::record::Record;
use basalt_domain::schema::ident;
use basalt_ports::ServiceError;
use basalt_ports::db::DbError;
use basalt_ports::hook::{Chain, Event};
use serde_json::Value;

/// The bcrypt cost PocketBase uses when a password field's `cost` is 0.
const DEFAULT_BCRYPT_COST: u32 = 10;

/// Which model action a save or delete is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Update,
    Delete,
}

impl App {
    /// A new, unsaved record of `collection` (id or name) with every field at its zero value.
    pub fn new_record(&self, collection: &str) -> Result<Record, AppError> {
        let c = self.query_collection(collection)?;
        Ok(Record::new(&c))
    }

    /// The record `id` of `collection`, with the app's own authority (no rules).
    pub async fn find_record_by_id(&self, collection: &str, id: &str) -> Result<Record, AppError> {
        let c = self.query_collection(collection)?;
        self.find_record(&c, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("record {id:?}")))
    }

    /// Creates (when [`Record::is_new`]) or updates `record`: fills generated values,
    /// validates, hashes a password set with [`Record::set_password`], writes, and fires the
    /// model hooks (`on_record_create`/`update`, `_validate`, `_execute`,
    /// `after_*_success` after the commit, `after_*_error`). Runs in a transaction of its
    /// own unless the app is already transactional, so what hooks write through `e.app`
    /// commits or rolls back with the record. Field errors are [`AppError::Validation`].
    pub async fn save(&self, record: &mut Record) -> Result<(), AppError> {
        let c = self.collection_of(record)?;
        if c.is_view() {
            return Err(AppError::Validation(view_error()));
        }
        let action = if record.is_new() {
            Action::Create
        } else {
            Action::Update
        };
        self.run_in_transaction(|tx| async move { tx.run_model(c, record, action).await })
            .await
    }

    /// Deletes `record`, firing `on_record_delete`, `on_record_delete_execute` and
    /// `on_record_after_delete_success`/`error`; in its own transaction unless transactional.
    pub async fn delete(&self, record: &mut Record) -> Result<(), AppError> {
        let c = self.collection_of(record)?;
        if c.is_view() {
            return Err(AppError::Validation(view_error()));
        }
        self.run_in_transaction(|tx| async move { tx.run_model(c, record, Action::Delete).await })
            .await
    }

    /// Deletes every record of `c` in one transaction, each through [`App::delete`] (so the
    /// delete hooks fire for each, as PocketBase's `TruncateCollection` does).
    pub async fn truncate_records(&self, c: &Collection) -> Result<(), AppError> {
        if c.is_view() {
            return Err(AppError::Validation(view_error()));
        }
        let name = c.name.clone();
        self.run_in_transaction(|tx| async move {
            loop {
                let batch = tx
                    .find_records_by_filter(&name, "", "", 500, 0, &serde_json::Map::new())
                    .await?;
                if batch.is_empty() {
                    return Ok(());
                }
                for mut record in batch {
                    tx.delete(&mut record).await?;
                }
            }
        })
        .await
    }

    fn collection_of(&self, record: &Record) -> Result<CollectionRef, AppError> {
        self.query_collection(&record.collection_id)
    }

    async fn run_model(
        &self,
        c: CollectionRef,
        record: &mut Record,
        action: Action,
    ) -> Result<(), AppError> {
        let hooks = &self.inner.hooks;
        let taken = std::mem::replace(record, Record::new(&c));
        let mut event = RecordEvent::new(self.clone(), c, taken);
        let (hook, failure) = match action {
            Action::Create => (&hooks.on_record_create, &hooks.on_record_after_create_error),
            Action::Update => (&hooks.on_record_update, &hooks.on_record_after_update_error),
            Action::Delete => (&hooks.on_record_delete, &hooks.on_record_after_delete_error),
        };
        let result = hook
            .trigger(&mut event, move |e| Box::pin(default_action(e, action)))
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
                }
                let outer = self.non_transactional();
                let (c, r) = (collection, record.clone());
                self.after_commit(Box::new(move || {
                    Box::pin(async move {
                        match action {
                            Action::Create => {
                                outer.realtime_broadcast(Change::Create, &c, &r).await
                            }
                            Action::Update => {
                                outer.realtime_broadcast(Change::Update, &c, &r).await
                            }
                            // sent by `delete_with_realtime`, prepared before the delete
                            Action::Delete => {}
                        }
                        let hook = match action {
                            Action::Create => &outer.inner.hooks.on_record_after_create_success,
                            Action::Update => &outer.inner.hooks.on_record_after_update_success,
                            Action::Delete => &outer.inner.hooks.on_record_after_delete_success,
                        };
                        let mut e = RecordEvent::new(outer.clone(), c, r);
                        if let Err(err) = hook.trigger(&mut e, |_| Box::pin(async { Ok(()) })).await
                        {
                            tracing::error!(error = %err, "after-success record hook failed");
                        }
                    })
                }))
                .await;
                Ok(())
            }
            Err(error) => {
                let mut e = RecordErrorEvent {
                    app: self.clone(),
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

/// The default action of `on_record_create`/`update`/`delete`.
async fn default_action(e: &mut RecordEvent, action: Action) -> Result<(), ServiceError> {
    let app = e.app.clone();
    if action == Action::Delete {
        return delete_with_realtime(e).await;
    }
    let is_create = action == Action::Create;
    app.fill_generated(&e.collection, &mut e.record, is_create)?;
    app.inner
        .hooks
        .on_record_validate
        .trigger(e, move |e| Box::pin(validate(e, is_create)))
        .await?;
    app.hash_pending_password(&e.collection, &mut e.record, is_create)
        .await?;
    let execute = if is_create {
        &app.inner.hooks.on_record_create_execute
    } else {
        &app.inner.hooks.on_record_update_execute
    };
    execute
        .trigger(e, move |e| Box::pin(write_row(e, is_create)))
        .await
}

/// `on_record_delete_execute`, with the realtime delete events prepared just before (while
/// the subscribers' rules can still see the record, checked outside the transaction) and
/// sent once the delete commits.
async fn delete_with_realtime(e: &mut RecordEvent) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let outer = app.non_transactional();
    let pending = outer
        .realtime_prepare_delete(&e.collection, &e.record)
        .await;
    app.inner
        .hooks
        .on_record_delete_execute
        .trigger(e, |e| Box::pin(delete_row(e)))
        .await?;
    let (c, id) = (e.collection.clone(), e.record.id().to_owned());
    app.after_commit(Box::new(move || {
        Box::pin(async move { outer.realtime_deliver_delete(&c, &id, pending).await })
    }))
    .await;
    Ok(())
}

/// The default action of `on_record_validate`: the field checks and relation existence.
async fn validate(e: &mut RecordEvent, is_create: bool) -> Result<(), ServiceError> {
    let mut errs = e
        .record
        .validate_fields(&e.collection, e.record.pending_password(), is_create);
    let app = e.app.clone();
    app.check_relations(&e.collection, &e.record, &mut errs)
        .await?;
    if errs.is_empty() {
        e.next().await
    } else {
        Err(AppError::Validation(errs).into())
    }
}

/// The default action of `on_record_create_execute`/`update_execute`: the INSERT/UPDATE,
/// with UNIQUE violations turned into `validation_not_unique` field errors. One statement on
/// the save's transaction (SQLite undoes a failed statement by itself, so no savepoint).
async fn write_row(e: &mut RecordEvent, is_create: bool) -> Result<(), ServiceError> {
    let db = e.app.db().as_ref();
    let res = match (is_create, e.record.stored_id()) {
        (false, Some(old)) => store::update_record(db, &e.collection, old, &e.record).await,
        _ => store::insert_record(db, &e.collection, &e.record).await,
    };
    match res {
        Ok(()) => Ok(()),
        Err(AppError::Db(DbError::Unique(msg))) => {
            Err(AppError::Validation(unique_errors(&e.collection, &msg)).into())
        }
        Err(other) => Err(other.into()),
    }
}

/// The default action of `on_record_delete_execute` (one statement).
async fn delete_row(e: &mut RecordEvent) -> Result<(), ServiceError> {
    let id = e.record.stored_id().unwrap_or(e.record.id()).to_owned();
    let sql = format!("DELETE FROM {} WHERE `id` = ?", ident(&e.collection.name));
    e.app.db().execute(&sql, &[id.into()]).await?;
    Ok(())
}

/// Maps SQLite's `UNIQUE constraint failed: t.a, t.b` to `validation_not_unique` per field.
pub(crate) fn unique_errors(c: &Collection, msg: &str) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let cols = msg.rsplit(':').next().unwrap_or("");
    for col in cols.split(',') {
        let name = col.trim().rsplit('.').next().unwrap_or("").trim();
        if c.field(name).is_some() {
            errs.add(
                name,
                FieldError::new("validation_not_unique", "Value must be unique."),
            );
        }
    }
    if errs.is_empty() {
        errs.add(
            "id",
            FieldError::new("validation_not_unique", "Value must be unique."),
        );
    }
    errs
}

impl App {
    /// Hashes a password set with [`Record::set_password`] into the password field (and, on
    /// an update of an auth record, rotates its token key so older tokens stop working).
    async fn hash_pending_password(
        &self,
        c: &Collection,
        record: &mut Record,
        is_create: bool,
    ) -> Result<(), AppError> {
        let Some(plain) = record.pending_password().map(str::to_owned) else {
            return Ok(());
        };
        let Some(field) = c
            .fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::Password(_)))
        else {
            record.clear_pending_password();
            return Ok(());
        };
        let cost = match &field.kind {
            FieldKind::Password(o) if o.cost > 0 => o.cost as u32,
            _ => DEFAULT_BCRYPT_COST,
        };
        let hash = self.hash_password(plain, cost).await?;
        record.set(&field.name, Value::String(hash));
        record.clear_pending_password();
        if c.is_auth() && !is_create {
            let key = self.random_from_pattern("[a-zA-Z0-9]{50}")?;
            record.set("tokenKey", Value::String(key));
        }
        Ok(())
    }
}
