//! Keeping prepared statements true to the schema. sqlx caches prepared statements per
//! connection together with their result columns; after an `ALTER TABLE` SQLite re-prepares
//! such a statement with new columns while sqlx still holds the old ones (wrong values, or a
//! panic). So every connection opened before the last committed schema change is retired
//! when it is next taken from its pool, and a fresh one (with an empty cache) replaces it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When the schema last changed, shared by the writer, the readers and open transactions.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaEpoch(Arc<Mutex<Option<Instant>>>);

impl SchemaEpoch {
    /// Records that a schema change was committed now.
    pub(crate) fn bump(&self) {
        if let Ok(mut t) = self.0.lock() {
            *t = Some(Instant::now());
        }
    }

    /// True for a connection of age `age` that was opened before the last schema change.
    pub(crate) fn is_stale(&self, age: Duration) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|t| *t)
            .is_some_and(|changed| age >= changed.elapsed())
    }
}

/// True when `sql` changes the schema (`CREATE`, `ALTER`, `DROP`).
pub(crate) fn is_ddl(sql: &str) -> bool {
    let head: String = sql
        .trim_start()
        .chars()
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    head.starts_with("CREATE") || head.starts_with("ALTER") || head.starts_with("DROP")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_is_recognised() {
        assert!(is_ddl("  alter table t add column x"));
        assert!(is_ddl("CREATE INDEX i ON t (a)"));
        assert!(is_ddl("drop view v"));
        assert!(!is_ddl("SELECT * FROM t"));
        assert!(!is_ddl("INSERT INTO t VALUES (1)"));
    }

    #[test]
    fn only_connections_older_than_the_change_are_stale() {
        let epoch = SchemaEpoch::default();
        assert!(!epoch.is_stale(Duration::from_secs(3600)));
        epoch.bump();
        assert!(epoch.is_stale(Duration::from_secs(3600)));
        std::thread::sleep(Duration::from_millis(5));
        assert!(!epoch.is_stale(Duration::from_millis(1)));
    }
}
