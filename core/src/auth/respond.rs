//! The common finish of every auth, PocketBase's `RecordAuthResponse`: the superuser IP and
//! `authRule` checks, then `on_record_auth_request`, whose default action runs MFA
//! (`mfa.rs`), renders the record as its owner sees it, records the auth origin and sends
//! the alert (`alert.rs`), and answers `{token, record, meta?}`. Also the auth collection
//! an endpoint names.

use super::{alert, mfa, rule, tokens};
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

/// The answer of a successful auth of `record` by `method` (`password`, `otp`, `oauth2`;
/// `""` skips MFA and the auth alert): a new auth token, then [`finish`]. `meta` is sent
/// as the answer's `meta`; `mfa_id` is the body's `mfaId` (the query's wins).
pub(crate) async fn respond(
    app: &App,
    c: &CollectionRef,
    record: Record,
    method: &str,
    meta: Option<Value>,
    mfa_id: Option<&str>,
    req: &RequestContext,
) -> Result<AuthResponse, ServiceError> {
    let token = tokens::sign(app, c, &record)?;
    let auth = Finish {
        token,
        method,
        meta,
        mfa_id,
    };
    finish(app, c, record, auth, req).await
}

/// What an auth answers with, besides the record.
pub(crate) struct Finish<'a> {
    /// The token to send.
    pub(crate) token: String,
    /// The auth method (`""`: no MFA, no alert).
    pub(crate) method: &'a str,
    /// The answer's `meta`.
    pub(crate) meta: Option<Value>,
    /// The body's `mfaId`.
    pub(crate) mfa_id: Option<&'a str>,
}

/// [`respond`] with a token already made (refresh, impersonate).
pub(crate) async fn finish(
    app: &App,
    c: &CollectionRef,
    record: Record,
    auth: Finish<'_>,
    req: &RequestContext,
) -> Result<AuthResponse, ServiceError> {
    rule::check(app, c, &record, req).await?;
    let mut event = RecordAuthRequestEvent {
        app: app.clone(),
        collection: c.clone(),
        record,
        token: auth.token,
        auth_method: auth.method.to_owned(),
        meta: auth.meta,
        request: req.clone(),
        mfa_id: auth.mfa_id.map(str::to_owned),
        response: None,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_auth_request
        .trigger(&mut event, |e| Box::pin(default_action(e)))
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}

/// `on_record_auth_request`'s default action.
async fn default_action(e: &mut RecordAuthRequestEvent) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let c = e.collection.clone();
    let req = e.request.clone();
    mfa::check(
        &app,
        &c,
        &e.record,
        &e.auth_method,
        e.mfa_id.as_deref(),
        &req,
    )
    .await?;
    let auth = Auth::Record {
        collection_id: c.id.clone(),
        collection_name: c.name.clone(),
        id: e.record.id().to_owned(),
        superuser: c.is_superusers(),
    };
    let mut records = vec![e.record.clone()];
    let as_owner = RequestContext {
        auth: auth.clone(),
        auth_record: None,
        ..req.clone()
    };
    enrich_records(&app, &c, &as_owner, &mut records).await?;
    let shown = records.pop().unwrap_or_else(|| e.record.clone());
    if !e.auth_method.is_empty()
        && alert::enabled(&c)
        && let Err(error) = alert::record_origin(&app, &c, &e.record, &req).await
    {
        app.logger()
            .with("error", error.to_string())
            .warn("[recordAuthResponse] Failed to send login alert");
    }
    e.response = Some(AuthResponse {
        token: e.token.clone(),
        record: shown.to_json(&c, visibility(&c, &auth, shown.id(), false)),
        meta: e.meta.clone(),
    });
    Ok(())
}
