//! The collections of the live API document ([`DocsApi`]): every one for superusers; for
//! others, when `openapi.public` is on, those a record rule opens to non-superusers.

use crate::App;
use crate::query::require_superuser;
use async_trait::async_trait;
use basalt_domain::collection::{Collection, record_schemas};
use basalt_ports::{Auth, CollectionDoc, DocsApi, ServiceError};

#[async_trait]
impl DocsApi for App {
    async fn documented_collections(
        &self,
        auth: &Auth,
    ) -> Result<Vec<CollectionDoc>, ServiceError> {
        let everyone = auth.is_superuser();
        if !everyone && !self.settings().openapi.public {
            require_superuser(auth)?;
        }
        Ok(self
            .collections()
            .iter()
            .filter(|c| everyone || opened(c))
            .map(|c| CollectionDoc {
                name: c.name.clone(),
                kind: c.kind,
                schemas: record_schemas(c),
            })
            .collect())
    }
}

/// Whether a rule of `c` lets anyone but superusers at its records.
fn opened(c: &Collection) -> bool {
    let r = &c.rules;
    [&r.list, &r.view, &r.create, &r.update, &r.delete]
        .iter()
        .any(|rule| rule.is_some())
}
