//! Deleting a collection: its table dropped and its `_collections` row removed, refused for
//! system collections and for collections other collections' relation fields point at (as
//! PocketBase does; a collection's references to itself don't count). An auth collection's
//! rows in `_mfas`, `_otps`, `_authOrigins` and `_externalAuths` are deleted with it.

use crate::App;
use crate::store::collections as store;
use basalt_domain::collection::Collection;
use basalt_domain::error::ValidationErrors;
use basalt_domain::schema;
use basalt_ports::db::Transaction;
use basalt_ports::{Input, ServiceError};

/// Deletes `c` inside `tx`.
pub(crate) async fn delete_in(
    app: &App,
    tx: &mut dyn Transaction,
    c: &Collection,
) -> Result<(), ServiceError> {
    if c.system {
        return Err(ServiceError::invalid(
            Input::CollectionDelete,
            ValidationErrors::new(),
        ));
    }
    let referencing: Vec<String> = app
        .collections()
        .iter()
        .filter(|other| other.id != c.id && other.relates_to(&c.id))
        .map(|other| other.name.clone())
        .collect();
    if !referencing.is_empty() {
        return Err(ServiceError::CollectionReferenced(referencing));
    }
    store::run_statements(tx, &schema::drop_statements(c)).await?;
    store::delete(tx, &c.id).await?;
    if c.is_auth() {
        // The MFA sessions, OTPs, auth origins and external auths of its records go too.
        store::delete_auth_refs(tx, &c.id).await?;
    }
    Ok(())
}
