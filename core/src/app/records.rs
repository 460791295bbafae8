//! The records part of the library API (PocketBase's `app.Save`, `app.Delete`,
//! `app.FindRecordById`, `apis.EnrichRecord`, ...). Each method hands over to `crate::records`.

use crate::App;
use crate::error::AppError;
use crate::records::{model, read, render};
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::Map;

impl App {
    /// A new, unsaved record of `collection` (id or name) with every field at its zero value.
    pub fn new_record(&self, collection: &str) -> Result<Record, AppError> {
        let c = self.query_collection(collection)?;
        Ok(Record::new(&c))
    }

    /// The record `id` of `collection`, with the app's own authority (no rules).
    pub async fn find_record_by_id(&self, collection: &str, id: &str) -> Result<Record, AppError> {
        let c = self.query_collection(collection)?;
        read::find_by_id(self, &c, id)
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
        model::save(self, record, model::Checks::Validate).await
    }

    /// [`App::save`] without `on_record_validate` and the field checks (PocketBase's
    /// `SaveNoValidate`); the other model hooks fire as usual.
    pub async fn save_no_validate(&self, record: &mut Record) -> Result<(), AppError> {
        model::save(self, record, model::Checks::Skip).await
    }

    /// Deletes `record`, firing `on_record_delete`, `on_record_delete_execute` and
    /// `on_record_after_delete_success`/`error`; in its own transaction unless
    /// transactional. The records referencing it through relation fields are deleted too
    /// (`cascadeDelete`), or lose the id; a required relation that would be left empty
    /// refuses the whole delete ([`AppError::RequiredReference`], nothing changed). A
    /// record that is not stored is [`AppError::NotFound`].
    pub async fn delete(&self, record: &mut Record) -> Result<(), AppError> {
        model::delete(self, record).await
    }

    /// Deletes every record of `c` in one transaction, each through [`App::delete`] (so the
    /// delete hooks and relation semantics apply to each, as PocketBase's
    /// `TruncateCollection` does).
    pub async fn truncate_records(&self, c: &Collection) -> Result<(), AppError> {
        model::truncate(self, c).await
    }

    /// `record` as the API would show it to the caller of `req` (visible fields,
    /// `on_record_enrich`, and the request's `expand`/`fields`): for custom routes that
    /// answer with a record (PocketBase's `apis.EnrichRecord`).
    pub async fn record_response(
        &self,
        req: &RequestContext,
        record: Record,
    ) -> Result<serde_json::Value, ServiceError> {
        let c = self
            .find_collection(&record.collection_id)
            .ok_or(ServiceError::Missing)?;
        let mut items = render::render_records(self, &c, req, &Map::new(), vec![record]).await?;
        items.pop().ok_or(ServiceError::Missing)
    }
}
