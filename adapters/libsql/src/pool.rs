//! A fixed set of reader connections handed out one task at a time.

use libsql::Connection;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) struct Pool {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

/// A connection taken from the pool; it goes back on drop. It owns its share of the pool, so
/// it can move into the work that uses it (and return only when that work is done).
pub(crate) struct Pooled {
    conn: Option<Connection>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub(crate) fn new(conns: Vec<Connection>) -> Arc<Self> {
        Arc::new(Self {
            permits: Arc::new(Semaphore::new(conns.len())),
            idle: Mutex::new(conns),
        })
    }

    pub(crate) async fn get(self: &Arc<Self>) -> Pooled {
        // The semaphore is never closed, and there are as many permits as connections.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("reader pool semaphore");
        let conn = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .expect("a permit guarantees an idle connection");
        Pooled {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
        }
    }
}

impl Pooled {
    pub(crate) fn conn(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
    }
}
