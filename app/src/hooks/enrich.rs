//! Running `on_record_enrich` over records about to be serialized for a client.

use super::RecordEnrichEvent;
use crate::App;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_ports::hook::Chain;
use basalt_ports::{RequestContext, ServiceError};

impl App {
    /// Runs `on_record_enrich` on each record (in place) for the client of `req`.
    pub(crate) async fn enrich_records(
        &self,
        c: &Collection,
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
