//! One record as a client is shown it: `on_record_enrich` first, then only the fields it may
//! see (hidden fields for superusers only; an auth record's email for its owner,
//! superusers and managers, or when `emailVisibility` is on).

use crate::App;
use crate::hooks::RecordEnrichEvent;
use crate::schema::CollectionRef;
use basalt_domain::collection::Collection;
use basalt_domain::record::{Record, Visibility};
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, RequestContext, ServiceError};

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
