//! The sqlx driver on a real SQLite file: typed values, UNIQUE errors, transactions.

use basalt_ports::db::{Database, DbError, SqlValue};
use basalt_sqlite::{SqliteConfig, SqliteDatabase};

async fn open() -> (tempfile::TempDir, SqliteDatabase) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = SqliteDatabase::open(&dir.path().join("data.db"), &SqliteConfig::default())
        .await
        .expect("open");
    db.execute(
        "CREATE TABLE t (id TEXT PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)",
        &[],
    )
    .await
    .expect("create");
    (dir, db)
}

#[tokio::test]
async fn typed_values_round_trip() {
    let (_dir, db) = open().await;
    let big = (1i64 << 53) + 1;
    db.execute(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
        &[
            "a".into(),
            big.into(),
            1.5f64.into(),
            "héllo ✓".into(),
            SqlValue::Blob(vec![0, 1, 255]),
            SqlValue::Null,
        ],
    )
    .await
    .expect("insert");
    let rows = db
        .query("SELECT * FROM t WHERE id = ?", &["a".into()])
        .await
        .expect("select");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.get("i"), Some(&SqlValue::Integer(big)));
    assert_eq!(r.get("r"), Some(&SqlValue::Real(1.5)));
    assert_eq!(r.get("s"), Some(&SqlValue::Text("héllo ✓".into())));
    assert_eq!(r.get("b"), Some(&SqlValue::Blob(vec![0, 1, 255])));
    assert_eq!(r.get("n"), Some(&SqlValue::Null));
}

#[tokio::test]
async fn unique_violations_are_reported_as_such() {
    let (_dir, db) = open().await;
    db.execute("INSERT INTO t (id) VALUES (?)", &["x".into()])
        .await
        .expect("first");
    let err = db
        .execute("INSERT INTO t (id) VALUES (?)", &["x".into()])
        .await
        .expect_err("dup");
    assert!(
        matches!(err, DbError::Unique(ref m) if m.contains("t.id")),
        "{err:?}"
    );
}

#[tokio::test]
async fn rollback_and_drop_discard_writes_commit_keeps_them() {
    let (_dir, db) = open().await;
    let mut tx = db.begin().await.expect("begin");
    tx.execute("INSERT INTO t (id) VALUES ('rolled')", &[])
        .await
        .expect("insert");
    tx.rollback().await.expect("rollback");
    {
        let mut tx = db.begin().await.expect("begin");
        tx.execute("INSERT INTO t (id) VALUES ('dropped')", &[])
            .await
            .expect("insert");
    }
    let mut tx = db.begin().await.expect("begin");
    tx.execute("INSERT INTO t (id) VALUES ('kept')", &[])
        .await
        .expect("insert");
    let inside = tx
        .query("SELECT id FROM t", &[])
        .await
        .expect("read own write");
    assert_eq!(inside.len(), 1);
    tx.commit().await.expect("commit");
    let rows = db
        .query("SELECT id FROM t ORDER BY id", &[])
        .await
        .expect("select");
    let ids: Vec<&str> = rows.iter().map(|r| r.text("id")).collect();
    assert_eq!(ids, vec!["kept"]);
}

#[tokio::test]
async fn math_functions_are_compiled_in() {
    let (_dir, db) = open().await;
    let rows = db
        .query("SELECT round(degrees(acos(-1.0))) AS d", &[])
        .await
        .expect("math functions");
    assert_eq!(rows[0].get("d"), Some(&SqlValue::Real(180.0)));
}

#[tokio::test]
async fn reads_see_new_columns_after_a_schema_change() {
    let (_dir, db) = open().await;
    db.execute("INSERT INTO t (id, i) VALUES ('a', 1)", &[])
        .await
        .expect("insert");
    // warm every reader's statement cache with `SELECT *` on the old shape
    for _ in 0..16 {
        let rows = db
            .query("SELECT * FROM t WHERE id = ?", &["a".into()])
            .await
            .expect("select");
        assert_eq!(rows[0].columns().len(), 6);
    }
    let mut tx = db.begin().await.expect("begin");
    tx.execute(
        "ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x' NOT NULL",
        &[],
    )
    .await
    .expect("alter");
    tx.commit().await.expect("commit");
    for _ in 0..16 {
        let rows = db
            .query("SELECT * FROM t WHERE id = ?", &["a".into()])
            .await
            .expect("select after alter");
        assert_eq!(rows[0].columns().len(), 7);
        assert_eq!(rows[0].get("id"), Some(&SqlValue::Text("a".into())));
        assert_eq!(rows[0].get("extra"), Some(&SqlValue::Text("x".into())));
    }
}
