//! A fixed set of reader connections handed out one task at a time.

use libsql::Connection;
use std::sync::Mutex;
use tokio::sync::{Semaphore, SemaphorePermit};

pub(crate) struct Pool {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

/// A connection taken from the pool; it goes back on drop.
pub(crate) struct Pooled<'a> {
    conn: Option<Connection>,
    pool: &'a Pool,
    _permit: SemaphorePermit<'a>,
}

impl Pool {
    pub(crate) fn new(conns: Vec<Connection>) -> Self {
        Self {
            permits: Semaphore::new(conns.len()),
            idle: Mutex::new(conns),
        }
    }

    pub(crate) async fn get(&self) -> Pooled<'_> {
        // The semaphore is never closed, and there are as many permits as connections.
        let permit = self.permits.acquire().await.expect("reader pool semaphore");
        let conn = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .expect("a permit guarantees an idle connection");
        Pooled {
            conn: Some(conn),
            pool: self,
            _permit: permit,
        }
    }
}

impl Pooled<'_> {
    pub(crate) fn conn(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl Drop for Pooled<'_> {
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
