//! Running `on_record_enrich` over records about to be serialized for a client.

use super::RecordEnrichEvent;
use crate::App;
use crate::schema::CollectionRef;
use basalt_domain::record::Record;
use basalt_ports::hook::Chain;
use basalt_ports::{RequestContext, ServiceError};

impl App {
    /// Runs `on_record_enrich` on each record (in place) for the client of `req`.
    pub(crate) async fn enrich_records(
        &self,
        c: &CollectionRef,
        req: &RequestContext,
        records: &mut [Record],
    ) -> Result<(), ServiceError> {
        let hook = &self.inner.hooks.on_record_enrich;
        if hook.is_empty() {
            return Ok(());
        }
        for slot in records.iter_mut() {
            let mut event = RecordEnrichEvent {
                app: self.clone(),
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
}

impl App {
    /// `record` as the API would show it to the caller of `req` (visible fields,
    /// `on_record_enrich`, and the request's `expand`/`fields`): for custom routes that
    /// answer with a record (PocketBase's `apis.EnrichRecord`).
    pub async fn record_response(
        &self,
        req: &RequestContext,
        record: Record,
    ) -> Result<serde_json::Value, ServiceError> {
        let c = self
            .find_collection(&record.collection_id)
            .ok_or_else(ServiceError::not_found)?;
        self.render_record(&c, req, &serde_json::Map::new(), record)
            .await
    }
}
