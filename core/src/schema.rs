//! The collections cache: every collection as last loaded from `_collections`, shared by
//! every clone of an app, and [`CollectionRef`], a cheap handle into it.

use basalt_domain::collection::Collection;
use std::sync::Arc;

/// The collections as loaded: as one list (for the filter compiler) and one by one, shared.
#[derive(Default)]
pub(crate) struct CollectionsCache {
    list: Arc<Vec<Collection>>,
    shared: Vec<Arc<Collection>>,
}

impl CollectionsCache {
    /// The cache of `list`.
    pub(crate) fn new(list: Vec<Collection>) -> Self {
        Self {
            shared: list.iter().cloned().map(Arc::new).collect(),
            list: Arc::new(list),
        }
    }

    /// Every collection.
    pub(crate) fn list(&self) -> Arc<Vec<Collection>> {
        self.list.clone()
    }

    /// The collection with this id, or (case-insensitively) this name.
    pub(crate) fn find(&self, id_or_name: &str) -> Option<CollectionRef> {
        let all = &self.shared;
        all.iter()
            .find(|c| c.id == id_or_name)
            .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name)))
            .map(|c| CollectionRef(c.clone()))
    }
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
