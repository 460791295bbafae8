//! `POST /api/collections/{c}/auth-refresh`: a new token for the authenticated record,
//! through `on_record_auth_refresh_request`. A token that is not refreshable (an
//! impersonation token) is answered again unchanged, as PocketBase does; the collection's
//! `authRule` is checked again, MFA and the auth alert are not (method `""`).

use super::respond::{Finish, finish};
use super::tokens;
use crate::App;
use crate::hooks::RecordAuthRefreshRequestEvent;
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, AuthResponse, CollectionLookup, RequestContext, ServiceError};

/// A fresh `{token, record}` for `req.auth`, which must be a record of `collection`.
pub(crate) async fn refresh(
    app: &App,
    req: &RequestContext,
    collection: &str,
) -> Result<AuthResponse, ServiceError> {
    let auth = &req.auth;
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
    let current = tokens::from_header(req.header("authorization")).to_owned();
    let req = req.clone();
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
                let token = if tokens::is_refreshable(&current) {
                    tokens::sign(&app, &e.collection, &record)?
                } else {
                    current
                };
                let auth = Finish {
                    token,
                    method: "",
                    meta: None,
                    mfa_id: None,
                };
                e.response = Some(finish(&app, &e.collection, record, auth, &req).await?);
                Ok(())
            })
        })
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}
