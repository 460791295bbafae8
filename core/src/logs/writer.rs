//! The writer task: takes queued entries and inserts them in batches, one transaction per
//! batch, into `auxiliary.db`.

use super::entry::LogEntry;
use super::{BATCH_SIZE, Command, FLUSH_INTERVAL};
use crate::App;
use crate::WeakApp;
use crate::store::logs::{self as store, NewLog};
use basalt_domain::pattern::{ID_PATTERN, generate_from_pattern};
use basalt_ports::{Database, DbError, Random};
use std::sync::Arc;
use tokio::sync::mpsc;

/// What the writer writes with: the auxiliary database and randomness for the ids; the
/// app itself weakly, for the settings at write time.
pub(crate) struct Writer {
    app: WeakApp,
    aux: Arc<dyn Database>,
    random: Arc<dyn Random>,
}

impl Writer {
    pub(crate) fn new(app: &App) -> Self {
        Self {
            app: Arc::downgrade(&app.inner),
            aux: app.auxiliary_db().clone(),
            random: app.random().clone(),
        }
    }

    /// Writes `batch` (emptying it) unless `logs.maxDays` is 0 by now. A failed batch is
    /// logged and dropped.
    async fn write(&self, batch: &mut Vec<LogEntry>) {
        if batch.is_empty() {
            return;
        }
        let logs = std::mem::take(batch);
        let max_data_size = match App::from_weak(&self.app) {
            Some(app) => {
                let settings = app.settings();
                if settings.logs.max_days <= 0 {
                    return;
                }
                settings.logs.max_data_size
            }
            None => 0,
        };
        if let Err(e) = self.insert(&logs, max_data_size).await {
            tracing::warn!(error = %e, count = logs.len(), "failed to write logs");
        }
    }

    async fn insert(&self, logs: &[LogEntry], max_data_size: i64) -> Result<(), DbError> {
        let mut tx = self.aux.begin().await?;
        for log in logs {
            let id = generate_from_pattern(ID_PATTERN, &mut |n| self.random.index(n))
                .unwrap_or_default();
            let data = log.stored_data(max_data_size);
            let row = NewLog {
                id: &id,
                created: &log.created,
                level: log.level,
                message: log.stored_message(),
                data: &data,
            };
            store::insert(tx.as_mut(), &row).await?;
        }
        tx.commit().await
    }
}

/// The writer's loop: a batch is written when it is full, every [`FLUSH_INTERVAL`], on a
/// flush command and when every sender is gone (the app was dropped).
pub(crate) async fn run(mut rx: mpsc::Receiver<Command>, writer: Writer) {
    let mut batch: Vec<LogEntry> = Vec::with_capacity(BATCH_SIZE);
    let mut tick = tokio::time::interval(FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            command = rx.recv() => match command {
                Some(Command::Log(entry)) => {
                    batch.push(entry);
                    if batch.len() >= BATCH_SIZE {
                        writer.write(&mut batch).await;
                    }
                }
                Some(Command::Flush(ack)) => {
                    writer.write(&mut batch).await;
                    let _ = ack.send(());
                }
                None => {
                    writer.write(&mut batch).await;
                    return;
                }
            },
            _ = tick.tick() => writer.write(&mut batch).await,
        }
    }
}
