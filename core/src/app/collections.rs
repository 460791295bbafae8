//! The collections part of the library API (PocketBase's `app.FindCollectionByNameOrId`,
//! `app.Save(collection)`, `app.ImportCollections`, ...). Each method hands over to
//! `crate::collections` or reads the cache of `crate::schema`.

use crate::App;
use crate::collections;
use crate::error::AppError;
use crate::schema::{CollectionRef, CollectionsCache};
use crate::store::collections as store;
use basalt_domain::collection::Collection;
use basalt_ports::db::Transaction;
use serde_json::Value;
use std::sync::Arc;

impl App {
    /// Every collection, as last loaded.
    pub fn collections(&self) -> Arc<Vec<Collection>> {
        self.inner
            .collections
            .read()
            .map(|c| c.list())
            .unwrap_or_default()
    }

    /// The collection with this id, or (case-insensitively) this name: a cheap handle into
    /// the cache (`Deref<Target = Collection>`); `.to_collection()` for an owned copy.
    pub fn find_collection(&self, id_or_name: &str) -> Option<CollectionRef> {
        self.inner.collections.read().ok()?.find(id_or_name)
    }

    /// Reloads the collections cache from `_collections`.
    pub async fn reload_collections(&self) -> Result<(), AppError> {
        let list = store::load(self.db().as_ref()).await?;
        self.set_collections(list);
        Ok(())
    }

    /// Reloads the collections cache from inside a transaction (sees its uncommitted rows).
    pub(crate) async fn reload_collections_in(
        &self,
        tx: &mut dyn Transaction,
    ) -> Result<(), AppError> {
        let list = store::load_in(tx).await?;
        self.set_collections(list);
        Ok(())
    }

    fn set_collections(&self, list: Vec<Collection>) {
        if let Ok(mut guard) = self.inner.collections.write() {
            *guard = CollectionsCache::new(list);
        }
        if let Some(tx) = &self.tx {
            tx.mark_schema_changed();
        }
    }

    /// Creates or updates (when a collection with its id exists) `c`: completes and
    /// validates it, migrates its table and stores it, through `on_collection_create` /
    /// `on_collection_update`, `_validate`, `_execute` and the after hooks. On success `c`
    /// is the stored definition (ids, system fields, secrets filled in).
    pub async fn save_collection(&self, c: &mut Collection) -> Result<(), AppError> {
        collections::model::save(self, c).await
    }

    /// Deletes collection `c` and its table (system collections and collections other
    /// collections relate to are refused), through `on_collection_delete` and friends.
    pub async fn drop_collection(&self, c: &Collection) -> Result<(), AppError> {
        collections::model::drop(self, c).await
    }

    /// Imports collection definitions (PocketBase's `ImportCollections`), in one transaction:
    /// each item (PocketBase's collection JSON) creates a collection, or replaces the
    /// definition of the stored one with its id (or, without an id, its name). With
    /// `delete_missing`, non-system collections not in `collections` are dropped. This is
    /// what `POST /api/collections/import` and `basalt migrate collections` snapshots run.
    /// (The service API's version is `CollectionsApi::import_collections(&app, &auth, body)`.)
    ///
    /// A rejected item fails the whole import with PocketBase's 400
    /// (`data.collections.code = "validation_collections_import_failure"`).
    pub async fn import_collections(
        &self,
        collections: &[Value],
        delete_missing: bool,
    ) -> Result<(), AppError> {
        Ok(collections::import::import(self, collections, delete_missing).await?)
    }

    /// [`App::import_collections`] from a JSON array of collections (PocketBase's
    /// `ImportCollectionsByMarshaledJSON`).
    pub async fn import_collections_by_marshaled_json(
        &self,
        json: &str,
        delete_missing: bool,
    ) -> Result<(), AppError> {
        let items: Vec<Value> = serde_json::from_str(json)
            .map_err(|e| AppError::Config(format!("collections import: invalid JSON: {e}")))?;
        self.import_collections(&items, delete_missing).await
    }
}
