//! The collection use cases: `save` (create and update), `delete`, `import`, `model` (the
//! collection model hooks every change goes through), `view_fields` (a view's fields from its
//! query), `list` (the collections list) and `docs` (the collections of the live API
//! document). The [`CollectionsApi`] driving port is implemented here, superusers only.

mod auth_options;
pub(crate) mod delete;
mod docs;
pub(crate) mod import;
mod list;
pub(crate) mod model;
pub(crate) mod save;
mod view_fields;

use crate::App;
use crate::query::require_superuser;
use crate::records::read::page_bounds;
use async_trait::async_trait;
use basalt_domain::collection::{Collection, CollectionType, scaffolds};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::{Auth, CollectionsApi, Input, ListQuery, ListResult, ServiceError};
use list::{paginate, sort_json};
use serde_json::Value;

/// The collection `id_or_name` (404 when missing).
fn found(app: &App, id_or_name: &str) -> Result<Collection, ServiceError> {
    app.find_collection(id_or_name)
        .map(|c| c.to_collection())
        .ok_or_else(ServiceError::not_found)
}

#[async_trait]
impl CollectionsApi for App {
    async fn list_collections(
        &self,
        auth: &Auth,
        query: ListQuery,
    ) -> Result<ListResult, ServiceError> {
        require_superuser(auth)?;
        let mut all: Vec<Value> = self
            .collections()
            .iter()
            .map(|c| c.to_json(false))
            .collect();
        if let Some(sort) = query.sort.as_deref().filter(|s| !s.trim().is_empty()) {
            sort_json(&mut all, sort)?;
        }
        let (page, per_page) = page_bounds(&query);
        Ok(paginate(all, page, per_page, query.skip_total))
    }

    async fn view_collection(&self, auth: &Auth, id_or_name: &str) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        Ok(found(self, id_or_name)?.to_json(false))
    }

    async fn create_collection(&self, auth: &Auth, body: Value) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        if !body.is_object() {
            return Err(ServiceError::InvalidFormat);
        }
        let type_name = body.get("type").and_then(Value::as_str).unwrap_or("");
        if !type_name.is_empty() && CollectionType::parse(type_name).is_none() {
            let mut data = ValidationErrors::new();
            data.add(
                "type",
                FieldError::new("validation_in_invalid", "Must be a valid value."),
            );
            return Err(ServiceError::invalid(Input::CollectionCreate, data));
        }
        let c = save::from_body(&body).map_err(|_| ServiceError::InvalidFormat)?;
        let mut c = c;
        self.save_collection(&mut c).await?;
        Ok(c.to_json(false))
    }

    async fn update_collection(
        &self,
        auth: &Auth,
        id_or_name: &str,
        body: Value,
    ) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        let original = found(self, id_or_name)?;
        if !body.is_object() {
            return Err(ServiceError::InvalidFormat);
        }
        let c = save::with_patch(&original, &body).map_err(|_| ServiceError::InvalidFormat)?;
        let mut c = c;
        self.save_collection(&mut c).await?;
        Ok(c.to_json(false))
    }

    async fn delete_collection(&self, auth: &Auth, id_or_name: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let c = found(self, id_or_name)?;
        self.drop_collection(&c).await?;
        Ok(())
    }

    async fn import_collections(&self, auth: &Auth, body: Value) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let items = match body.get("collections") {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let delete_missing = body
            .get("deleteMissing")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        import::import(self, items, delete_missing).await
    }

    async fn collection_scaffolds(&self, auth: &Auth) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        Ok(scaffolds().clone())
    }

    async fn truncate_collection(&self, auth: &Auth, id_or_name: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let c = found(self, id_or_name)?;
        if c.is_view() {
            return Err(ServiceError::TruncateView);
        }
        // PocketBase answers any failed truncate with this 400 (the cause is logged)
        self.truncate_records(&c)
            .await
            .map_err(|e| ServiceError::TruncateBlocked(basalt_ports::Cause::new(e)))?;
        Ok(())
    }
}
