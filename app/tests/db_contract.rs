//! The `Database` port's contract, written once and run against every driver: sqlx's SQLite,
//! libsql's local engine, libsql's remote mode (against the Hrana stand-in server in
//! `support/hrana.rs`) and libsql's embedded replica (against the stand-in primary in
//! `support/replica.rs`). Drivers are opened through `db_connect_from_url`, the same path
//! `--db` / `BASALT_DB` take.

mod support;

use basalt::ports::db::{Database, DbError, SqlValue};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::hrana::{self, HranaServer};
use support::replica::{self, ReplicaPrimary};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Driver {
    Sqlx,
    LibsqlLocal,
    LibsqlRemote,
    LibsqlReplica,
}

/// A fresh database on one driver, and what it needs to stay up.
struct Fixture {
    driver: Driver,
    url: String,
    db: Arc<dyn Database>,
    dir: tempfile::TempDir,
    opens: AtomicUsize,
    _server: Option<HranaServer>,
    _primary: Option<ReplicaPrimary>,
}

impl Fixture {
    async fn new(driver: Driver) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = (driver == Driver::LibsqlRemote)
            .then(|| hrana::start(&dir.path().join("served.db"), "t0k3n"));
        let primary = (driver == Driver::LibsqlReplica)
            .then(|| replica::start(&dir.path().join("primary.db")));
        let url = match (driver, &server, &primary) {
            (Driver::Sqlx, ..) => "sqlite:".into(),
            (Driver::LibsqlLocal, ..) => "libsql:".into(),
            (Driver::LibsqlRemote, Some(s), _) => {
                let host = s.url.trim_start_matches("http://");
                format!("libsql+http://{host}?authToken={}", s.token)
            }
            (Driver::LibsqlReplica, _, Some(p)) => {
                let host = p.url.trim_start_matches("http://");
                format!("libsql+http://{host}?authToken=t0k3n&syncInterval=1")
            }
            _ => unreachable!("remote fixtures have a server"),
        };
        let db = open(
            &handle_url(driver, &url, dir.path(), 0),
            &dir.path().join("data.db"),
        )
        .await;
        db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, x)", &[])
            .await
            .expect("create");
        Fixture {
            driver,
            url,
            db,
            dir,
            opens: AtomicUsize::new(1),
            _server: server,
            _primary: primary,
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("data.db")
    }

    /// Another, independent handle on the same database (another process, in effect).
    async fn open(&self) -> Arc<dyn Database> {
        let n = self.opens.fetch_add(1, Ordering::SeqCst);
        open(
            &handle_url(self.driver, &self.url, self.dir.path(), n),
            &self.path(),
        )
        .await
    }

    /// Whether the files are ours (pragmas, crash safety) rather than a server's.
    fn local(&self) -> bool {
        matches!(self.driver, Driver::Sqlx | Driver::LibsqlLocal)
    }
}

/// The URL of the `n`th handle: each embedded replica gets a file of its own.
fn handle_url(driver: Driver, url: &str, dir: &Path, n: usize) -> String {
    match driver {
        Driver::LibsqlReplica => {
            let file = dir.join(format!("replica-{n}.db"));
            format!("{url}&replica={}", file.display())
        }
        _ => url.to_owned(),
    }
}

async fn open(url: &str, path: &Path) -> Arc<dyn Database> {
    let connect = basalt::db_connect_from_url(url).expect("url");
    connect(path).await.expect("open")
}

async fn count(db: &dyn Database, sql: &str) -> i64 {
    let rows = db.query(sql, &[]).await.expect("count");
    match rows[0].values()[0] {
        SqlValue::Integer(n) => n,
        ref other => panic!("count is {other:?}"),
    }
}

async fn typed_values_round_trip(driver: Driver) {
    let f = Fixture::new(driver).await;
    let cases: Vec<(&str, SqlValue, &str)> = vec![
        ("max", SqlValue::Integer(i64::MAX), "integer"),
        ("min", SqlValue::Integer(i64::MIN), "integer"),
        ("2^53+1", SqlValue::Integer((1 << 53) + 1), "integer"),
        ("neg", SqlValue::Integer(-42), "integer"),
        ("real", SqlValue::Real(1.5), "real"),
        ("tiny", SqlValue::Real(-1.0e-300), "real"),
        ("pi", SqlValue::Real(std::f64::consts::PI), "real"),
        ("huge", SqlValue::Real(1.797_693_134_862_315_7e308), "real"),
        ("text", SqlValue::Text("héllo ✓ 日本語 👩‍👩‍👧 é".into()), "text"),
        ("empty", SqlValue::Text(String::new()), "text"),
        ("digits", SqlValue::Text("007".into()), "text"),
        ("blob", SqlValue::Blob((0..=255).collect()), "blob"),
        ("noblob", SqlValue::Blob(Vec::new()), "blob"),
        ("null", SqlValue::Null, "null"),
    ];
    for (id, v, _) in &cases {
        f.db.execute(
            "INSERT INTO t (id, x) VALUES (?, ?)",
            &[SqlValue::Text((*id).into()), v.clone()],
        )
        .await
        .expect("insert");
    }
    for (id, v, kind) in &cases {
        let rows =
            f.db.query(
                "SELECT x, typeof(x) AS k, ? AS echo FROM t WHERE id = ?",
                &[v.clone(), SqlValue::Text((*id).into())],
            )
            .await
            .expect("select");
        assert_eq!(rows.len(), 1, "{driver:?} {id}");
        assert_eq!(rows[0].get("x"), Some(v), "{driver:?} {id} stored");
        assert_eq!(rows[0].get("echo"), Some(v), "{driver:?} {id} bound");
        assert_eq!(rows[0].text("k"), *kind, "{driver:?} {id} storage class");
    }
    // Column names and order, NULL and typed columns side by side.
    let rows =
        f.db.query(
            "SELECT 1 AS one, 'x' AS two, NULL AS three, 2.5 AS four",
            &[],
        )
        .await
        .expect("literals");
    assert_eq!(rows[0].columns(), ["one", "two", "three", "four"]);
    assert_eq!(
        rows[0].values(),
        [
            SqlValue::Integer(1),
            SqlValue::Text("x".into()),
            SqlValue::Null,
            SqlValue::Real(2.5)
        ]
    );
    assert!(
        f.db.query("SELECT * FROM t WHERE 0", &[])
            .await
            .expect("empty")
            .is_empty()
    );
}

async fn errors_are_typed(driver: Driver) {
    let f = Fixture::new(driver).await;
    f.db.execute("INSERT INTO t (id) VALUES ('x')", &[])
        .await
        .expect("first");
    let err =
        f.db.execute("INSERT INTO t (id) VALUES ('x')", &[])
            .await
            .expect_err("dup");
    assert_eq!(
        err,
        DbError::Unique("UNIQUE constraint failed: t.id".into()),
        "{driver:?}"
    );
    let mut tx = f.db.begin().await.expect("begin");
    let err = tx
        .execute("INSERT INTO t (id) VALUES ('x')", &[])
        .await
        .expect_err("dup in tx");
    assert!(matches!(err, DbError::Unique(_)), "{driver:?}: {err:?}");
    tx.rollback().await.expect("rollback");
    for bad in ["SELEC 1", "SELECT * FROM missing"] {
        let err = f.db.query(bad, &[]).await.expect_err(bad);
        assert!(
            matches!(err, DbError::Query(_)),
            "{driver:?} {bad}: {err:?}"
        );
    }
    let err =
        f.db.execute("INSERT INTO missing VALUES (1)", &[])
            .await
            .expect_err("missing table");
    assert!(matches!(err, DbError::Query(_)), "{driver:?}: {err:?}");
}

async fn exec_results(driver: Driver) {
    let f = Fixture::new(driver).await;
    f.db.execute("CREATE TABLE n (k INTEGER PRIMARY KEY, v TEXT)", &[])
        .await
        .expect("create");
    let r =
        f.db.execute("INSERT INTO n (k, v) VALUES (41, 'a')", &[])
            .await
            .expect("insert");
    assert_eq!(
        (r.rows_affected, r.last_insert_rowid),
        (1, 41),
        "{driver:?}"
    );
    let r =
        f.db.execute("INSERT INTO n (v) VALUES ('b'), ('c')", &[])
            .await
            .expect("insert");
    assert_eq!(
        (r.rows_affected, r.last_insert_rowid),
        (2, 43),
        "{driver:?}"
    );
    let r =
        f.db.execute("UPDATE n SET v = 'z' WHERE k > ?", &[41.into()])
            .await
            .expect("update");
    assert_eq!(r.rows_affected, 2, "{driver:?}");
    let r =
        f.db.execute("DELETE FROM n WHERE k = 999", &[])
            .await
            .expect("delete");
    assert_eq!(r.rows_affected, 0, "{driver:?}");
    // A statement that returns rows runs through `execute` too, its rows dropped.
    let r =
        f.db.execute("INSERT INTO n (v) VALUES ('r') RETURNING k", &[])
            .await
            .expect("insert returning");
    assert_eq!(
        (r.rows_affected, r.last_insert_rowid),
        (1, 44),
        "{driver:?}"
    );
    assert_eq!(
        count(&*f.db, "SELECT count(*) FROM n WHERE v = 'r'").await,
        1
    );
    if f.local() {
        // The cron's nightly maintenance, on the writer.
        for sql in ["PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA optimize"] {
            f.db.execute(sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{driver:?} {sql}: {e}"));
        }
    }
}

async fn transactions_commit_rollback_and_drop(driver: Driver) {
    let f = Fixture::new(driver).await;
    let mut tx = f.db.begin().await.expect("begin");
    tx.execute("INSERT INTO t (id) VALUES ('rolled')", &[])
        .await
        .expect("insert");
    tx.rollback().await.expect("rollback");
    {
        let mut tx = f.db.begin().await.expect("begin");
        tx.execute("INSERT INTO t (id) VALUES ('dropped')", &[])
            .await
            .expect("insert");
    }
    // A failed statement leaves the transaction usable; the caller rolls back on error.
    let mut tx = f.db.begin().await.expect("begin");
    tx.execute("INSERT INTO t (id) VALUES ('failed')", &[])
        .await
        .expect("insert");
    tx.execute("INSERT INTO nowhere VALUES (1)", &[])
        .await
        .expect_err("bad statement");
    tx.rollback().await.expect("rollback after error");
    let mut tx = f.db.begin().await.expect("begin");
    tx.execute("INSERT INTO t (id) VALUES ('kept')", &[])
        .await
        .expect("insert");
    tx.execute("CREATE TABLE made_in_tx (x)", &[])
        .await
        .expect("ddl in tx");
    let inside = tx.query("SELECT id FROM t", &[]).await.expect("own write");
    assert_eq!(inside.len(), 1, "{driver:?}");
    tx.commit().await.expect("commit");
    let rows =
        f.db.query("SELECT id FROM t ORDER BY id", &[])
            .await
            .expect("select");
    let ids: Vec<&str> = rows.iter().map(|r| r.text("id")).collect();
    assert_eq!(ids, vec!["kept"], "{driver:?}");
    assert_eq!(count(&*f.db, "SELECT count(*) FROM made_in_tx").await, 0);
    // The writer is free again after all of that.
    f.db.execute("INSERT INTO t (id) VALUES ('after')", &[])
        .await
        .expect("write after");
}

async fn readers_run_during_a_write(driver: Driver) {
    let f = Fixture::new(driver).await;
    f.db.execute("INSERT INTO t (id) VALUES ('old')", &[])
        .await
        .expect("seed");
    let mut tx = f.db.begin().await.expect("begin");
    tx.execute("INSERT INTO t (id) VALUES ('new')", &[])
        .await
        .expect("insert");
    let started = Instant::now();
    let readers: Vec<_> = (0..12)
        .map(|_| {
            let db = f.db.clone();
            tokio::spawn(async move { count(&*db, "SELECT count(*) FROM t").await })
        })
        .collect();
    for r in readers {
        assert_eq!(
            r.await.expect("reader"),
            1,
            "{driver:?}: saw an uncommitted row"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{driver:?}: readers waited on the writer"
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        count(&*f.db, "SELECT count(*) FROM t").await,
        2,
        "{driver:?}"
    );
}

async fn writes_are_serialized(driver: Driver) {
    let f = Fixture::new(driver).await;
    f.db.execute("CREATE TABLE c (k INTEGER PRIMARY KEY, v INTEGER)", &[])
        .await
        .expect("create");
    f.db.execute("INSERT INTO c VALUES (1, 0)", &[])
        .await
        .expect("seed");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = f.db.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    // Read-modify-write: only correct if transactions never interleave.
                    let mut tx = db.begin().await.expect("begin");
                    let rows = tx
                        .query("SELECT v FROM c WHERE k = 1", &[])
                        .await
                        .expect("read");
                    let SqlValue::Integer(v) = rows[0].values()[0] else {
                        panic!("not an integer")
                    };
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    tx.execute("UPDATE c SET v = ? WHERE k = 1", &[(v + 1).into()])
                        .await
                        .expect("write");
                    tx.commit().await.expect("commit");
                    db.execute("UPDATE c SET v = v + 1 WHERE k = 1", &[])
                        .await
                        .expect("plain write");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("writer task");
    }
    assert_eq!(
        count(&*f.db, "SELECT v FROM c WHERE k = 1").await,
        80,
        "{driver:?}"
    );
}

async fn pragmas_where_they_apply(driver: Driver) {
    let f = Fixture::new(driver).await;
    if !f.local() {
        return; // a server's connections are configured by the server
    }
    let reader = |sql: &'static str| {
        let db = f.db.clone();
        async move { db.query(sql, &[]).await.expect(sql)[0].values()[0].clone() }
    };
    assert_eq!(
        reader("PRAGMA journal_mode").await,
        SqlValue::Text("wal".into())
    );
    let mut tx = f.db.begin().await.expect("begin");
    for (sql, want) in [
        ("PRAGMA journal_mode", SqlValue::Text("wal".into())),
        ("PRAGMA synchronous", SqlValue::Integer(1)),
        ("PRAGMA foreign_keys", SqlValue::Integer(1)),
        ("PRAGMA temp_store", SqlValue::Integer(2)),
        ("PRAGMA cache_size", SqlValue::Integer(-32000)),
        ("PRAGMA busy_timeout", SqlValue::Integer(10_000)),
    ] {
        let got = tx.query(sql, &[]).await.expect(sql)[0].values()[0].clone();
        assert_eq!(got, want, "{driver:?} writer {sql}");
        assert_eq!(reader(sql).await, want, "{driver:?} reader {sql}");
    }
    tx.rollback().await.expect("rollback");
    // Readers are read-only connections.
    let err =
        f.db.query("INSERT INTO t (id) VALUES ('via reader') RETURNING id", &[])
            .await
            .expect_err("reader write");
    assert!(matches!(err, DbError::Query(_)), "{driver:?}: {err:?}");
}

async fn busy_handler_waits_for_another_writer(driver: Driver) {
    let f = Fixture::new(driver).await;
    let other = f.open().await;
    let mut held = other.begin().await.expect("other begin");
    held.execute("INSERT INTO t (id) VALUES ('other')", &[])
        .await
        .expect("other insert");
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        held.commit().await.expect("other commit");
    });
    let started = Instant::now();
    f.db.execute("INSERT INTO t (id) VALUES ('mine')", &[])
        .await
        .unwrap_or_else(|e| panic!("{driver:?}: {e:?} after {:?}", started.elapsed()));
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{driver:?}: did not wait for the other writer ({:?})",
        started.elapsed()
    );
    release.await.expect("release");
    assert_eq!(
        count(&*f.db, "SELECT count(*) FROM t").await,
        2,
        "{driver:?}"
    );
}

async fn math_functions(driver: Driver) {
    let f = Fixture::new(driver).await;
    let rows =
        f.db.query("SELECT round(degrees(acos(-1.0))) AS d", &[])
            .await
            .expect("math functions");
    assert_eq!(rows[0].get("d"), Some(&SqlValue::Real(180.0)), "{driver:?}");
}

/// Statement caches must not outlive a schema change: `SELECT *` after `ALTER TABLE` sees
/// the new column, with every value in its place (sqlx once returned shifted values).
async fn reads_see_new_columns_after_a_schema_change(driver: Driver) {
    let f = Fixture::new(driver).await;
    f.db.execute("CREATE TABLE sc (id TEXT PRIMARY KEY, i INTEGER)", &[])
        .await
        .expect("create");
    f.db.execute("INSERT INTO sc (id, i) VALUES ('a', 1)", &[])
        .await
        .expect("insert");
    for _ in 0..16 {
        let rows =
            f.db.query("SELECT * FROM sc WHERE id = ?", &["a".into()])
                .await
                .expect("select");
        assert_eq!(rows[0].columns().len(), 2, "{driver:?}");
    }
    let mut tx = f.db.begin().await.expect("begin");
    tx.execute(
        "ALTER TABLE sc ADD COLUMN extra TEXT DEFAULT 'x' NOT NULL",
        &[],
    )
    .await
    .expect("alter");
    tx.commit().await.expect("commit");
    for _ in 0..16 {
        let rows =
            f.db.query("SELECT * FROM sc WHERE id = ?", &["a".into()])
                .await
                .expect("select after alter");
        assert_eq!(rows[0].columns().len(), 3, "{driver:?}");
        assert_eq!(
            rows[0].get("id"),
            Some(&SqlValue::Text("a".into())),
            "{driver:?}"
        );
        assert_eq!(
            rows[0].get("extra"),
            Some(&SqlValue::Text("x".into())),
            "{driver:?}"
        );
    }
}

const CHILD_ENV: &str = "BASALT_CONTRACT_CHILD";

/// Not a test on its own: the writer process of `crash_loses_no_committed_write`. It commits
/// one row at a time and prints `ack N` after each commit, until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child_writer() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (url, path) = spec.split_once('|').expect("url|path");
    let connect = basalt::db_connect_from_url(url).expect("url");
    let db = connect(Path::new(path)).await.expect("open");
    db.execute("CREATE TABLE IF NOT EXISTS w (i INTEGER PRIMARY KEY)", &[])
        .await
        .expect("create");
    for i in 0..1_000_000i64 {
        let mut tx = db.begin().await.expect("begin");
        tx.execute("INSERT INTO w (i) VALUES (?)", &[i.into()])
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
        println!("ack {i}");
    }
}

async fn crash_loses_no_committed_write(driver: Driver) {
    let f = Fixture::new(driver).await;
    if !f.local() {
        return; // the server owns durability; killing our client proves nothing about it
    }
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "crash_child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{}|{}", f.url, f.path().display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn writer");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ack = |line: &str| {
        line.strip_prefix("ack ")
            .and_then(|n| n.parse::<i64>().ok())
    };
    let mut last = -1;
    for line in lines.by_ref() {
        if let Some(n) = ack(&line.expect("line")) {
            last = n;
            if n >= 300 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    child.wait().expect("reap");
    // Acks printed before the kill are still in the pipe: each is a committed write.
    for line in lines.map_while(Result::ok) {
        if let Some(n) = ack(&line) {
            last = last.max(n);
        }
    }
    assert!(last >= 300, "{driver:?}: the writer only acked {last}");
    let db = f.open().await;
    let have = count(&*db, &format!("SELECT count(*) FROM w WHERE i <= {last}")).await;
    assert_eq!(
        have,
        last + 1,
        "{driver:?}: committed writes lost in the crash"
    );
}

/// Runs each contract test against one driver.
macro_rules! contract {
    ($module:ident, $driver:expr) => {
        mod $module {
            use super::*;
            contract!(@tests $driver; typed_values_round_trip, errors_are_typed, exec_results,
                transactions_commit_rollback_and_drop, readers_run_during_a_write,
                writes_are_serialized, pragmas_where_they_apply,
                busy_handler_waits_for_another_writer, math_functions,
                reads_see_new_columns_after_a_schema_change, crash_loses_no_committed_write);
        }
    };
    (@tests $driver:expr; $($test:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                super::$test($driver).await
            }
        )*
    };
}

contract!(sqlx_sqlite, Driver::Sqlx);
contract!(libsql_local, Driver::LibsqlLocal);
contract!(libsql_remote, Driver::LibsqlRemote);
contract!(libsql_replica, Driver::LibsqlReplica);

const ORDER_ENV: &str = "BASALT_CONTRACT_ORDER";

/// Not a test on its own: opens both drivers in the order `BASALT_CONTRACT_ORDER` names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_order_child() {
    let Ok(order) = std::env::var(ORDER_ENV) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let urls = match order.as_str() {
        "sqlx-first" => ["sqlite:", "libsql:"],
        _ => ["libsql:", "sqlite:"],
    };
    let mut versions = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let connect = basalt::db_connect_from_url(url).expect("url");
        let db = connect(&dir.path().join(format!("{i}.db")))
            .await
            .expect(url);
        let rows = db
            .query("SELECT sqlite_version() AS v, acos(-1.0) AS pi", &[])
            .await
            .expect("query");
        versions.push(rows[0].text("v").to_owned());
    }
    assert_eq!(
        versions[0], versions[1],
        "two SQLite engines in one process"
    );
    println!("engine ok {}", versions[0]);
}

/// Both drivers share the one SQLite in the binary, whichever opens first.
#[test]
fn both_drivers_in_one_process_in_either_order() {
    for order in ["sqlx-first", "libsql-first"] {
        let out = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "engine_order_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ORDER_ENV, order)
            .output()
            .expect("spawn");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("engine ok"),
            "{order}: {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The embedded replica really is one: a second replica catches up on open and then in the
/// background, the primary holds the rows, and each replica file holds them too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_replicas_sync_from_the_primary() {
    let f = Fixture::new(Driver::LibsqlReplica).await;
    f.db.execute("INSERT INTO t (id) VALUES ('a')", &[])
        .await
        .expect("write through replica 0");
    let other = f.open().await;
    assert_eq!(
        count(&*other, "SELECT count(*) FROM t").await,
        1,
        "synced on open"
    );
    f.db.execute("INSERT INTO t (id) VALUES ('b')", &[])
        .await
        .expect("second write");
    assert_eq!(
        count(&*f.db, "SELECT count(*) FROM t").await,
        2,
        "read your writes"
    );
    let started = Instant::now();
    while count(&*other, "SELECT count(*) FROM t").await < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the other replica never synced in the background"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The bytes are where they should be: on the primary, and in each replica's own file.
    for file in ["primary.db", "replica-0.db", "replica-1.db"] {
        let db = open("libsql:", &f.dir.path().join(file)).await;
        assert_eq!(count(&*db, "SELECT count(*) FROM t").await, 2, "{file}");
    }
}

/// A remote server that refuses the token stops the driver from opening.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_fails_to_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = hrana::start(&dir.path().join("served.db"), "right-token");
    let host = server.url.trim_start_matches("http://");
    let connect =
        basalt::db_connect_from_url(&format!("libsql+http://{host}?authToken=wr0ng")).expect("url");
    let Err(err) = connect(&dir.path().join("data.db")).await else {
        panic!("opened with a wrong token");
    };
    assert!(matches!(err, DbError::Connection(_)), "{err:?}");
    assert!(!err.message().contains("wr0ng"), "{err:?}");
}
