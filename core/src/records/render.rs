//! Records as a client sees them: each record as `shown` makes it, `expand`, then `fields`.
//! Every API serialization goes through here: list, view, create/update responses, custom
//! routes' `record_response` and realtime events.

use super::expand;
use crate::App;
use crate::query::RequestScope;
use crate::schema::CollectionRef;
use basalt_domain::query::FieldsPicker;
use basalt_domain::record::Record;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::{Map, Value};

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
