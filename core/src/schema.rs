//! The collections cache: every collection as last loaded from `_collections`, shared by
//! every clone of an app, and [`CollectionRef`], a cheap handle into it.

use crate::App;
use crate::error::AppError;
use crate::store::collections as store;
use basalt_domain::collection::Collection;
use basalt_ports::db::Transaction;
use std::sync::Arc;

impl App {
    /// Every collection, as last loaded.
    pub fn collections(&self) -> Arc<Vec<Collection>> {
        self.inner
            .collections
            .read()
            .map(|c| c.list.clone())
            .unwrap_or_default()
    }

    /// The collection with this id, or (case-insensitively) this name: a cheap handle into
    /// the cache (`Deref<Target = Collection>`); `.to_collection()` for an owned copy.
    pub fn find_collection(&self, id_or_name: &str) -> Option<CollectionRef> {
        let cache = self.inner.collections.read().ok()?;
        let all = &cache.shared;
        all.iter()
            .find(|c| c.id == id_or_name)
            .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name)))
            .map(|c| CollectionRef(c.clone()))
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
            *guard = CollectionsCache {
                shared: list.iter().cloned().map(Arc::new).collect(),
                list: Arc::new(list),
            };
        }
        if let Some(tx) = &self.tx {
            tx.mark_schema_changed();
        }
    }
}

/// The collections as loaded: as one list (for the filter compiler) and one by one, shared.
#[derive(Default)]
pub(crate) struct CollectionsCache {
    list: Arc<Vec<Collection>>,
    shared: Vec<Arc<Collection>>,
}

/// A collection of the cache, shared rather than copied (what [`App::find_collection`]
/// returns). Derefs to [`Collection`].
#[derive(Clone)]
pub struct CollectionRef(Arc<Collection>);

impl CollectionRef {
    /// An owned copy of the collection.
    pub fn to_collection(&self) -> Collection {
        (*self.0).clone()
    }

    /// The shared collection.
    pub fn shared(&self) -> Arc<Collection> {
        self.0.clone()
    }
}

impl std::ops::Deref for CollectionRef {
    type Target = Collection;
    fn deref(&self) -> &Collection {
        &self.0
    }
}

impl std::fmt::Debug for CollectionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (*self.0).fmt(f)
    }
}
