//! The driving port behind the live API document (`GET /api/openapi.json`): which
//! collections it documents for a caller, with the JSON Schemas of their records.

use crate::service::{Auth, ServiceResult};
use async_trait::async_trait;
use basalt_domain::collection::{CollectionType, RecordSchemas};

/// One collection of the live document.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionDoc {
    /// The collection's name (its paths are `/collections/{name}/…`).
    pub name: String,
    /// Base, auth or view.
    pub kind: CollectionType,
    /// The schemas of its records and of the bodies that write them.
    pub schemas: RecordSchemas,
}

/// What the live API document needs from the app.
#[async_trait]
pub trait DocsApi: Send + Sync {
    /// The collections documented for `auth`: every one for superusers; for anyone else,
    /// when the settings make the document public (`openapi.public`), those a rule opens to
    /// non-superusers; otherwise PocketBase's 401 (guests) or 403.
    async fn documented_collections(&self, auth: &Auth) -> ServiceResult<Vec<CollectionDoc>>;
}
