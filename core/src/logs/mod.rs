//! Request and application logs, as PocketBase keeps them in `auxiliary.db`'s `_logs`.
//!
//! Logs are written off the request path: [`LogsApi::record_request`] and the
//! [`Logger`] turn what they are given into a [`LogEntry`] under the `logs` settings and
//! push it into a bounded queue without waiting (a full queue drops the entry and counts
//! it, [`App::dropped_logs`]); one writer task per app (`writer.rs`) inserts them in
//! batches, one transaction each, when [`BATCH_SIZE`] are waiting, every
//! [`FLUSH_INTERVAL`], on [`App::flush_logs`] and when the app goes away.
//!
//! `query.rs` reads them (`GET /api/logs`, `/api/logs/{id}`, `/api/logs/stats`; filters
//! and sorts compile against `_logs` described as a collection), `api.rs` is the
//! [`LogsApi`] impl, `cleanup.rs` the `__pbLogsCleanup__` job and the settings-reload
//! cleanup.
//!
//! [`LogsApi`]: basalt_ports::LogsApi
//! [`LogsApi::record_request`]: basalt_ports::LogsApi::record_request

mod api;
pub(crate) mod cleanup;
pub(crate) mod entry;
mod logger;
mod query;
mod writer;

pub use entry::{DEBUG, ERROR, INFO, WARN};
pub use logger::Logger;

use crate::App;
use crate::error::AppError;
use entry::LogEntry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Entries waiting for the writer at most; more are dropped.
pub const QUEUE_CAPACITY: usize = 10_000;
/// Entries written in one transaction at most (PocketBase's batch size).
pub const BATCH_SIZE: usize = 200;
/// How long an entry waits for its batch to fill at most.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(500);

/// What the writer is asked to do.
pub(crate) enum Command {
    /// Write this entry (with its batch).
    Log(LogEntry),
    /// Write what is waiting, then answer.
    Flush(oneshot::Sender<()>),
}

/// An app's log queue: the writer's sender (started on first use, in the runtime of the
/// caller) and the count of dropped entries.
#[derive(Default)]
pub(crate) struct LogsState {
    sender: Mutex<Option<mpsc::Sender<Command>>>,
    dropped: AtomicU64,
}

impl App {
    /// Queues `entry` for the writer without waiting: dropped (and counted) when the queue
    /// is full or there is no async runtime to write from.
    pub(crate) fn enqueue_log(&self, entry: LogEntry) {
        let state = &self.inner.logs;
        let sent = match self.log_sender() {
            Some(tx) => tx.try_send(Command::Log(entry)).is_ok(),
            None => false,
        };
        if !sent {
            let n = state.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n == 1 || n.is_multiple_of(1000) {
                tracing::warn!(dropped = n, "log queue full: log entries dropped");
            }
        }
    }

    /// The writer's sender, starting the writer when there is none (or its runtime ended).
    fn log_sender(&self) -> Option<mpsc::Sender<Command>> {
        let mut sender = self
            .inner
            .logs
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match sender.as_ref() {
            Some(tx) if !tx.is_closed() => Some(tx.clone()),
            _ => {
                let runtime = tokio::runtime::Handle::try_current().ok()?;
                let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
                runtime.spawn(writer::run(rx, writer::Writer::new(self)));
                *sender = Some(tx.clone());
                Some(tx)
            }
        }
    }

    /// How many log entries were dropped because the queue was full.
    pub fn dropped_logs(&self) -> u64 {
        self.inner.logs.dropped.load(Ordering::Relaxed)
    }

    /// Writes every queued log now and waits for it (at shutdown, in tests).
    pub async fn flush_logs(&self) {
        let Some(tx) = self.log_sender() else { return };
        let (ack, done) = oneshot::channel();
        if tx.send(Command::Flush(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// The app's logger (PocketBase's `app.Logger()`): see [`Logger`].
    pub fn logger(&self) -> Logger {
        Logger::new(self)
    }
}

/// Creates `_logs` in `auxiliary.db` when missing (at bootstrap).
pub(crate) async fn create_table(app: &App) -> Result<(), AppError> {
    crate::store::logs::create_table(app.auxiliary_db().as_ref()).await?;
    Ok(())
}
