//! Records as a client sees them: `on_record_enrich`, the visible fields (hidden fields for
//! superusers only; the email for its owner, superusers and managers), `expand` and
//! `fields`. Every serialization goes through here: list, view, create/update responses,
//! expanded records, auth responses and realtime events.

use super::expand;
use crate::App;
use crate::hooks::RecordEnrichEvent;
use crate::query::{Gate, RecordQuery, RequestScope, manage_rule};
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::query::FieldsPicker;
use basalt_domain::record::{Record, Visibility};
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, RequestContext, ServiceError};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The response JSON of `records` (all of collection `c`) for `req`: visible fields,
/// `expand` and `fields` applied. `body` is the request body, seen by the rules as
/// `@request.body`. A bad `fields` value is PocketBase's generic 400, raised here, after
/// any write the caller made.
pub(crate) async fn render_records(
    app: &App,
    c: &CollectionRef,
    req: &RequestContext,
    body: &Map<String, Value>,
    records: Vec<Record>,
) -> Result<Vec<Value>, ServiceError> {
    let picker = match req.query.get("fields").and_then(Value::as_str) {
        Some(raw) if !raw.is_empty() => {
            Some(FieldsPicker::parse(raw).map_err(ServiceError::rejected)?)
        }
        _ => None,
    };
    let mut scope = RequestScope::with_body(req, body.clone());
    let mut items = expand::render(app, &mut scope, c, records).await?;
    if let Some(picker) = picker.filter(|p| !p.is_empty()) {
        for item in &mut items {
            picker.pick(item);
        }
    }
    Ok(items)
}

/// What `auth` may see of record `record_id` of `c`; `managed` says the caller passes the
/// collection's `manageRule` for it (managers see the email too).
pub(crate) fn visibility(
    c: &Collection,
    auth: &Auth,
    record_id: &str,
    managed: bool,
) -> Visibility {
    let owner = matches!(auth, Auth::Record { collection_id, id, .. } if *collection_id == c.id && id == record_id);
    Visibility {
        hidden: auth.is_superuser(),
        email: auth.is_superuser() || owner || managed,
    }
}

/// Runs `on_record_enrich` on each record (in place) for the client of `req`.
pub(crate) async fn enrich_records(
    app: &App,
    c: &CollectionRef,
    req: &RequestContext,
    records: &mut [Record],
) -> Result<(), ServiceError> {
    let hook = &app.hooks().on_record_enrich;
    if hook.is_empty() {
        return Ok(());
    }
    for slot in records.iter_mut() {
        let mut event = RecordEnrichEvent {
            app: app.clone(),
            collection: c.clone(),
            record: std::mem::replace(slot, Record::new(c)),
            request: req.clone(),
            chain: Chain::default(),
        };
        let result = hook
            .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
            .await;
        *slot = event.record;
        result?;
    }
    Ok(())
}

/// Which of `ids` (records of auth collection `c`) the caller of `scope` manages through
/// `manageRule` (none for superusers, guests, other collections, or no rule).
pub(crate) async fn managed_ids(
    app: &App,
    c: &Collection,
    scope: &mut RequestScope<'_>,
    ids: &[&str],
) -> Result<HashSet<String>, ServiceError> {
    let Some(rule) = manage_rule(c, scope.auth()) else {
        return Ok(HashSet::new());
    };
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let q = RecordQuery::new(app, c)
        .ids(ids)
        .gated(&Gate::Expr(rule), scope, "default")
        .await?
        .build();
    Ok(rows::select_ids(app.db().as_ref(), &q)
        .await?
        .into_iter()
        .collect())
}
