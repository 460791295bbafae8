//! The record use cases, one concern a file:
//!
//! - `read`: list and view through the API, and the guarded single-record lookup;
//! - `write`: create and update through the API (rule, auth form checks, save, response);
//! - `delete`: delete through the API;
//! - `model`: the write path every save and delete takes (model hooks, transactions,
//!   realtime after the commit);
//! - `references`: what a delete does to the records referencing the deleted one;
//! - `prepare`: generated values, relation checks and password hashing before a write;
//! - `access`: the create rule on a record not stored yet, and the manage rule;
//! - `auth_form`: the auth-record form checks (`verified`, `email`, `oldPassword`);
//! - `render`, `expand` and `shown`: records as a client sees them.
//!
//! Queries are built with `crate::query` and run by `crate::store::records`.

pub(crate) mod access;
pub(crate) mod auth_form;
mod auth_refs;
pub(crate) mod delete;
pub(crate) mod expand;
pub(crate) mod model;
pub(crate) mod prepare;
pub(crate) mod read;
pub(crate) mod references;
pub(crate) mod render;
pub(crate) mod shown;
pub(crate) mod write;

#[cfg(test)]
mod tests;

use crate::App;
use async_trait::async_trait;
use basalt_ports::{ListQuery, ListResult, RecordForm, RecordsApi, RequestContext, ServiceError};
use serde_json::Value;

#[async_trait]
impl RecordsApi for App {
    async fn list_records(
        &self,
        req: &RequestContext,
        collection: &str,
        query: ListQuery,
    ) -> Result<ListResult, ServiceError> {
        read::list(self, req, collection, query).await
    }

    async fn view_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
    ) -> Result<Value, ServiceError> {
        read::view(self, req, collection, id).await
    }

    async fn create_record_form(
        &self,
        req: &RequestContext,
        collection: &str,
        form: RecordForm,
    ) -> Result<Value, ServiceError> {
        write::create(self, req, collection, form).await
    }

    async fn update_record_form(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
        form: RecordForm,
    ) -> Result<Value, ServiceError> {
        write::update(self, req, collection, id, form).await
    }

    async fn delete_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
    ) -> Result<(), ServiceError> {
        delete::delete(self, req, collection, id).await
    }
}
