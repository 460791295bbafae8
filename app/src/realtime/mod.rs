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
mod broadcast;
mod client;

pub(crate) use broadcast::Change;
pub use client::RealtimeClient;
pub(crate) use client::{SendError, Subscription};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Messages a client may have queued before it counts as too slow and is disconnected.
pub const DEFAULT_QUEUE_CAPACITY: usize = 512;

/// How long a connection may go without a message before it is closed (PocketBase's).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The connected realtime clients.
pub struct Broker {
    clients: RwLock<HashMap<String, Arc<RealtimeClient>>>,
    capacity: AtomicUsize,
    shutting_down: AtomicBool,
}

impl Default for Broker {
    fn default() -> Self {
        Self {
            clients: RwLock::new(HashMap::new()),
            capacity: AtomicUsize::new(DEFAULT_QUEUE_CAPACITY),
            shutting_down: AtomicBool::new(false),
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
