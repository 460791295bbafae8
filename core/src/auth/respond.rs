//! The answer of every successful auth: `{token, record}` through `on_record_auth_request`,
//! and the auth collection an endpoint names.

use super::tokens;
use crate::App;
use crate::hooks::RecordAuthRequestEvent;
use crate::records::shown::{enrich_records, visibility};
use crate::schema::CollectionRef;
use basalt_domain::record::Record;
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, AuthResponse, CollectionLookup, RequestContext, ServiceError};
use serde_json::Value;

/// The auth collection `name` of an auth endpoint (404 when missing or not an auth
/// collection, each with PocketBase's message).
pub(crate) fn collection(app: &App, name: &str) -> Result<CollectionRef, ServiceError> {
    let c = app
        .find_collection(name)
        .ok_or(ServiceError::MissingCollection(
            CollectionLookup::RecordsWrite,
        ))?;
    if c.is_auth() {
        Ok(c)
    } else {
        Err(ServiceError::MissingCollection(CollectionLookup::Auth))
    }
}

/// The `{token, record, meta?}` answer for `record`, through `on_record_auth_request`
/// (whose default action renders the record, enriched, as its owner sees it). `mfa_id` is
/// the MFA id a first factor handed out, when the request sent one.
pub(crate) async fn respond(
    app: &App,
    c: &CollectionRef,
    record: Record,
    method: &str,
    meta: Option<Value>,
    _mfa_id: Option<&str>,
) -> Result<AuthResponse, ServiceError> {
    let token = tokens::sign(app, c, &record)?;
    let mut event = RecordAuthRequestEvent {
        app: app.clone(),
        collection: c.clone(),
        record,
        token,
        auth_method: method.to_owned(),
        meta,
        response: None,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_auth_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                let c = &e.collection;
                let auth = Auth::Record {
                    collection_id: c.id.clone(),
                    collection_name: c.name.clone(),
                    id: e.record.id().to_owned(),
                    superuser: c.is_superusers(),
                };
                let mut records = vec![e.record.clone()];
                let app = e.app.clone();
                let req = RequestContext::with_auth(auth.clone());
                enrich_records(&app, c, &req, &mut records).await?;
                let shown = records.pop().unwrap_or_else(|| e.record.clone());
                e.response = Some(AuthResponse {
                    token: e.token.clone(),
                    record: shown.to_json(c, visibility(c, &auth, shown.id(), false)),
                    meta: e.meta.clone(),
                });
                Ok(())
            })
        })
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}
