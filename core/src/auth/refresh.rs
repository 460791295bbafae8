//! `POST /api/collections/{c}/auth-refresh`: a new token for the authenticated record,
//! through `on_record_auth_refresh_request`.

use super::respond::respond;
use crate::App;
use crate::hooks::RecordAuthRefreshRequestEvent;
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, AuthResponse, CollectionLookup, ServiceError};

/// A fresh `{token, record}` for `auth`, which must be a record of `collection`.
pub(crate) async fn refresh(
    app: &App,
    auth: &Auth,
    collection: &str,
) -> Result<AuthResponse, ServiceError> {
    let Auth::Record {
        collection_id,
        collection_name,
        id,
        ..
    } = auth
    else {
        return Err(ServiceError::AuthRequired);
    };
    let c = app
        .find_collection(collection)
        .ok_or(ServiceError::MissingCollection(
            CollectionLookup::RecordsWrite,
        ))?;
    if *collection_id != c.id {
        return Err(ServiceError::WrongAuthCollection(collection_name.clone()));
    }
    let record = crate::records::read::find_by_id(app, &c, id)
        .await?
        .ok_or(ServiceError::Missing)?;
    let mut event = RecordAuthRefreshRequestEvent {
        app: app.clone(),
        collection: c,
        record,
        response: None,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_auth_refresh_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                let app = e.app.clone();
                let record = e.record.clone();
                e.response =
                    Some(respond(&app, &e.collection, record, "refresh", None, None).await?);
                Ok(())
            })
        })
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}
