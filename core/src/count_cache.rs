//! Values read from the database, remembered while nothing was written through this app
//! and for at most [`TTL`]: list totals (`COUNT(*)`), so a busy list endpoint counts once
//! per change, not once per request, and the auth records tokens name.

use crate::versioned::WriteVersion;
use basalt_ports::db::SqlValue;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a total is trusted at most (bounds what writes by other processes can hide).
const TTL: Duration = Duration::from_secs(1);
/// Entries kept at most; the cache is emptied when full.
const CAPACITY: usize = 512;

/// Remembered values by key.
pub(crate) struct VersionedCache<V> {
    version: Arc<WriteVersion>,
    entries: Mutex<HashMap<String, (u64, Instant, V)>>,
}

/// List totals.
pub(crate) type CountCache = VersionedCache<i64>;

impl<V: Clone> VersionedCache<V> {
    pub(crate) fn new(version: Arc<WriteVersion>) -> Self {
        Self {
            version,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The key of a query: its SQL text and parameters.
    pub(crate) fn query_key(sql: &str, params: &[SqlValue]) -> String {
        format!("{sql}\u{0}{params:?}")
    }

    /// The write version to record with a value that is about to be read.
    pub(crate) fn version(&self) -> u64 {
        self.version.get()
    }

    /// The value for `key`, if it was read at the current write version within the TTL.
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        let now = self.version.get();
        let entries = self.entries.lock().ok()?;
        let (version, at, value) = entries.get(key)?;
        (*version == now && at.elapsed() < TTL).then(|| value.clone())
    }

    /// Remembers `value`, read when the write version was `version`.
    pub(crate) fn put(&self, key: String, version: u64, total: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, (version, Instant::now(), total));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_or_the_ttl_forgets_a_total() {
        let version = Arc::new(WriteVersion::default());
        let cache = CountCache::new(version.clone());
        let key = CountCache::query_key("SELECT COUNT(*)", &[SqlValue::Integer(1)]);
        assert_eq!(cache.get(&key), None);
        cache.put(key.clone(), cache.version(), 7);
        assert_eq!(cache.get(&key), Some(7));
        assert_eq!(
            cache.get(&CountCache::query_key(
                "SELECT COUNT(*)",
                &[SqlValue::Integer(2)]
            )),
            None
        );
        version.bump();
        assert_eq!(cache.get(&key), None);
        // Counted before a write finished: stored with the old version, never served.
        cache.put(key.clone(), 0, 9);
        assert_eq!(cache.get(&key), None);
    }
}
