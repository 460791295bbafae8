//! Realtime subscriptions over Server-Sent Events (PocketBase's subscriptions broker and
//! `apis/realtime.go`).
//!
//! - [`Broker`]: the connected clients, each with a bounded queue. Sending never waits: a
//!   client whose queue is full is disconnected, so a slow reader never holds up a writer or
//!   the other clients.
//! - `api`: the [`basalt_ports::RealtimeApi`] use cases (connect, subscribe) with their hooks,
//!   and the per-connection stream (idle timeout, `on_realtime_message_send`).
//! - `broadcast`: every committed record create/update/delete, fanned out to the subscribers
//!   whose rules let them see it, rendered once per (identity, subscription).

mod api;
pub(crate) mod broadcast;
mod client;

pub(crate) use broadcast::Change;
use broadcast::Job;
pub use client::RealtimeClient;
pub(crate) use client::{SendError, Subscription};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// Messages a client may have queued before it counts as too slow and is disconnected.
pub const DEFAULT_QUEUE_CAPACITY: usize = 512;

/// How long a connection may go without a message before it is closed (PocketBase's).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How long after a write a connection holds further messages so that they leave together
/// (see [`Broker::set_flush_interval`]).
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_millis(5);

/// Committed changes the broadcaster may have waiting before writers wait for it. Small on
/// purpose: when rule checks make the fan-out slower than the writes, writers slow down to
/// its pace instead of running ahead, which would only turn into delivery delay.
pub const JOB_QUEUE: usize = 1;

/// The broadcaster task: runs queued changes one after the other until the broker is gone.
/// The jobs own the app they run on, so an idle broadcaster keeps nothing alive.
async fn broadcaster(mut jobs: mpsc::Receiver<Job>) {
    while let Some(job) = jobs.recv().await {
        job.run().await;
    }
}

/// The connected realtime clients.
pub struct Broker {
    clients: RwLock<HashMap<String, Arc<RealtimeClient>>>,
    capacity: AtomicUsize,
    /// [`Broker::set_flush_interval`], in microseconds.
    flush_interval_us: AtomicU64,
    shutting_down: AtomicBool,
    /// The broadcaster's queue, once it runs.
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
}

impl Default for Broker {
    fn default() -> Self {
        Self {
            clients: RwLock::new(HashMap::new()),
            capacity: AtomicUsize::new(DEFAULT_QUEUE_CAPACITY),
            flush_interval_us: AtomicU64::new(micros(DEFAULT_FLUSH_INTERVAL)),
            shutting_down: AtomicBool::new(false),
            jobs: Mutex::new(None),
        }
    }
}

impl Broker {
    /// The number of connected clients.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// True when no client is connected.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The client `id`, if connected.
    pub fn client(&self, id: &str) -> Option<Arc<RealtimeClient>> {
        self.read().get(id).cloned()
    }

    /// Every connected client.
    pub fn clients(&self) -> Vec<Arc<RealtimeClient>> {
        self.read().values().cloned().collect()
    }

    /// Sets how many messages a client may have queued before it is disconnected (for
    /// clients connecting from now on; at least 1).
    pub fn set_queue_capacity(&self, capacity: usize) {
        self.capacity.store(capacity.max(1), Ordering::Relaxed);
    }

    /// The queue capacity of new clients.
    pub fn queue_capacity(&self) -> usize {
        self.capacity.load(Ordering::Relaxed)
    }

    /// Sets the shortest time between two writes to one connection (for connections opened
    /// from now on). A message that finds its connection idle is written at once; one that
    /// comes sooner than this after the previous write waits for the rest of the interval,
    /// and leaves in one write with every message queued meanwhile. Under a stream of
    /// changes this turns one write per message into one per interval (far less CPU on both
    /// ends); `Duration::ZERO` writes every message as soon as it can.
    pub fn set_flush_interval(&self, interval: Duration) {
        self.flush_interval_us
            .store(micros(interval), Ordering::Relaxed);
    }

    /// The flush interval of new connections.
    pub fn flush_interval(&self) -> Duration {
        Duration::from_micros(self.flush_interval_us.load(Ordering::Relaxed))
    }

    /// Disconnects client `id` (its stream ends); false when it was not connected.
    pub fn disconnect(&self, id: &str) -> bool {
        let removed = self.write().remove(id);
        match removed {
            Some(client) => {
                client.close();
                true
            }
            None => false,
        }
    }

    /// Disconnects every client and refuses new ones (graceful shutdown).
    pub fn close_all(&self) {
        self.shutting_down.store(true, Ordering::Release);
        let clients: Vec<_> = self.write().drain().map(|(_, c)| c).collect();
        for client in clients {
            client.close();
        }
    }

    /// Whether [`Broker::close_all`] ran.
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Queues a committed change for the broadcaster: one task that sends changes in the
    /// order they committed, so writers return without waiting for the fan-out. Waits only
    /// when [`JOB_QUEUE`] changes are already waiting (the broadcaster is behind).
    pub(crate) async fn enqueue(&self, job: Job) {
        let sender = {
            let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
            match jobs.as_ref() {
                Some(tx) if !tx.is_closed() => tx.clone(),
                _ => {
                    let (tx, rx) = mpsc::channel(JOB_QUEUE);
                    tokio::spawn(broadcaster(rx));
                    *jobs = Some(tx.clone());
                    tx
                }
            }
        };
        if let Err(mpsc::error::SendError(job)) = sender.send(job).await {
            // the broadcaster's runtime is gone: send from here
            job.run().await;
        }
    }

    pub(crate) fn register(&self, client: Arc<RealtimeClient>) {
        self.write().insert(client.id().to_owned(), client);
    }

    /// Removes `client` if it is still the one registered under its id.
    pub(crate) fn unregister(&self, client: &Arc<RealtimeClient>) {
        let mut clients = self.write();
        if clients
            .get(client.id())
            .is_some_and(|c| Arc::ptr_eq(c, client))
        {
            clients.remove(client.id());
        }
        drop(clients);
        client.close();
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<RealtimeClient>>> {
        self.clients
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<RealtimeClient>>> {
        self.clients
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
