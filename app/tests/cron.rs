//! The cron scheduler through the library API: `app.cron()` jobs run by id and by tick (with
//! an injected time), panics are contained, the server starts and stops the scheduler, and
//! Basalt's own `__pb*` jobs do their work on a real data dir.

use basalt::ports::db::SqlValue;
use basalt::ports::{Auth, Clock, Database, RecordsApi, RequestContext};
use basalt::{App, OsRandom, ServeConfig, default_db_connect};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use tokio::sync::mpsc;

/// A clock the test sets.
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

async fn app_at(now: &str) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = default_db_connect()(&dir.path().join("data.db"))
        .await
        .expect("data.db");
    let clock = Arc::new(TestClock(AtomicI64::new(at(now).timestamp_millis())));
    let app = App::new(db, clock, Arc::new(OsRandom));
    app.bootstrap().await.expect("bootstrap");
    (dir, app)
}

fn superuser() -> RequestContext {
    RequestContext::with_auth(Auth::Record {
        collection_id: String::new(),
        collection_name: "_superusers".into(),
        id: String::new(),
        superuser: true,
    })
}

async fn wait_all(handles: Vec<tokio::task::JoinHandle<()>>) -> usize {
    let n = handles.len();
    for h in handles {
        h.await.expect("a run's task ends normally");
    }
    n
}

#[tokio::test]
async fn a_job_added_through_the_app_runs_when_due_and_on_demand() {
    let (_dir, app) = app_at("2024-03-15T10:03:30Z").await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    app.cron()
        .add("hello", "*/5 * * * *", move || {
            let tx = tx.clone();
            async move {
                tx.send("hello").expect("send");
            }
        })
        .expect("add");

    // Not due at 10:04; due at 10:05 (seconds don't matter).
    assert_eq!(
        wait_all(app.cron().run_due(at("2024-03-15T10:04:00Z"))).await,
        0
    );
    assert!(rx.try_recv().is_err());
    assert_eq!(
        wait_all(app.cron().run_due(at("2024-03-15T10:05:17Z"))).await,
        1
    );
    assert_eq!(rx.try_recv(), Ok("hello"));
    // The system jobs run on the hour: 11:00 starts the user's job and the two cleanups.
    assert_eq!(
        wait_all(app.cron().run_due(at("2024-03-15T11:00:00Z"))).await,
        3
    );
    assert_eq!(rx.try_recv(), Ok("hello"));

    // On demand, due or not.
    app.cron()
        .run("hello")
        .expect("known id")
        .await
        .expect("run");
    assert_eq!(rx.try_recv(), Ok("hello"));
    assert!(app.cron().run("nobody").is_none());

    let listed: Vec<_> = app
        .cron()
        .jobs()
        .iter()
        .map(|j| (j.id().to_owned(), j.expression().to_owned()))
        .collect();
    assert_eq!(
        listed,
        [
            ("hello".to_owned(), "*/5 * * * *".to_owned()),
            ("__pbDBOptimize__".to_owned(), "0 0 * * *".to_owned()),
            ("__pbMFACleanup__".to_owned(), "0 * * * *".to_owned()),
            ("__pbOTPCleanup__".to_owned(), "0 * * * *".to_owned()),
            ("__pbLogsCleanup__".to_owned(), "0 */6 * * *".to_owned()),
        ]
    );

    // An invalid expression is refused; removing a job stops it.
    assert!(app.cron().add("bad", "61 * * * *", || async {}).is_err());
    app.cron().remove("hello");
    assert_eq!(app.cron().total(), 4);
    assert_eq!(
        wait_all(app.cron().run_due(at("2024-03-15T10:10:00Z"))).await,
        0
    );
}

#[tokio::test]
async fn a_panicking_job_does_not_stop_the_others_or_the_scheduler() {
    let (_dir, app) = app_at("2024-03-15T10:03:30Z").await;
    let cron = app.cron();
    cron.remove_all();
    let runs = Arc::new(AtomicUsize::new(0));
    cron.add("a-boom", "* * * * *", || async { panic!("job failed") })
        .expect("boom");
    let counted = runs.clone();
    cron.add("b-next", "* * * * *", move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    })
    .expect("next");
    for (round, minute) in ["10:04", "10:05", "10:06"].iter().enumerate() {
        let started = cron.run_due(at(&format!("2024-03-15T{minute}:00Z")));
        assert_eq!(wait_all(started).await, 2);
        assert_eq!(runs.load(Ordering::SeqCst), round + 1);
    }
    // Running the panicking one by hand is contained too.
    cron.run("a-boom").expect("known").await.expect("contained");
}

#[tokio::test]
async fn the_server_starts_and_stops_the_scheduler() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = basalt::open(dir.path()).await.expect("open");
    assert!(!app.cron().has_started());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = ServeConfig {
        http: "127.0.0.1:0".into(),
        ..ServeConfig::default()
    };
    let (_addr, server) = basalt::spawn(app.clone(), &config, async {
        let _ = stopped.await;
    })
    .await
    .expect("spawn");
    // `spawn` runs the server in a task; give it a moment to get going.
    for _ in 0..100 {
        if app.cron().has_started() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(app.cron().has_started());
    stop.send(()).expect("stop");
    server.await.expect("join").expect("served");
    assert!(!app.cron().has_started());
}

async fn insert(db: &dyn Database, table: &str, row: &[(&str, SqlValue)]) {
    let cols: Vec<String> = row.iter().map(|(c, _)| format!("`{c}`")).collect();
    let marks = vec!["?"; row.len()].join(", ");
    let sql = format!(
        "INSERT INTO `{table}` ({}) VALUES ({marks})",
        cols.join(", ")
    );
    let values: Vec<SqlValue> = row.iter().map(|(_, v)| v.clone()).collect();
    db.execute(&sql, &values).await.expect("insert");
}

async fn ids(db: &dyn Database, table: &str) -> Vec<String> {
    db.query(&format!("SELECT `id` FROM `{table}` ORDER BY `id`"), &[])
        .await
        .expect("select")
        .iter()
        .map(|r| r.text("id").to_owned())
        .collect()
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

#[tokio::test]
async fn the_cleanup_jobs_delete_mfas_and_otps_past_their_collections_duration() {
    // Now is 12:00:00; `users` keeps OTPs 180 s and MFAs 600 s (PocketBase's defaults),
    // `_superusers` is changed to keep OTPs 60 s.
    let (_dir, app) = app_at("2024-03-15T12:00:00Z").await;
    let su = superuser();
    let user = app
        .create_record(
            &su,
            "users",
            obj(json!({"email": "u@example.com", "password": "12345678", "passwordConfirm": "12345678"})),
        )
        .await
        .expect("user");
    let users = app.find_collection("users").expect("users");
    let supers = app.find_collection("_superusers").expect("_superusers");
    assert_eq!(users.auth_option("otp").expect("otp")["duration"], 180);
    assert_eq!(users.auth_option("mfa").expect("mfa")["duration"], 600);
    basalt::ports::CollectionsApi::update_collection(
        &app,
        &su.auth,
        "_superusers",
        json!({"otp": {"duration": 60}}),
    )
    .await
    .expect("superusers otp duration");

    let db = app.db().clone();
    let uid = user["id"].as_str().expect("id");
    for (id, collection, created) in [
        ("otpusersold0001", &users.id, "2024-03-15 11:56:59.999Z"), // 181 s old: expired
        ("otpusersedge001", &users.id, "2024-03-15 11:57:00.000Z"), // exactly 180 s: kept
        ("otpusersnew0001", &users.id, "2024-03-15 11:59:00.000Z"),
        ("otpsupersold001", &supers.id, "2024-03-15 11:58:59.000Z"), // 61 s: expired
        ("otpsupersnew001", &supers.id, "2024-03-15 11:59:30.000Z"),
    ] {
        insert(
            &*db,
            "_otps",
            &[
                ("id", id.into()),
                ("collectionRef", collection.as_str().into()),
                ("recordRef", uid.into()),
                ("password", "hash".into()),
                ("sentTo", "".into()),
                ("created", created.into()),
                ("updated", created.into()),
            ],
        )
        .await;
    }
    for (id, created) in [
        ("mfausersold0001", "2024-03-15 11:49:59.000Z"), // 601 s: expired
        ("mfausersnew0001", "2024-03-15 11:55:00.000Z"),
    ] {
        insert(
            &*db,
            "_mfas",
            &[
                ("id", id.into()),
                ("collectionRef", users.id.as_str().into()),
                ("recordRef", uid.into()),
                ("method", "password".into()),
                ("created", created.into()),
                ("updated", created.into()),
            ],
        )
        .await;
    }

    let deleted = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = deleted.clone();
    app.on_record_after_delete_success(&["_otps"])
        .bind_func(move |e| {
            seen.lock().unwrap().push(e.record.id().to_owned());
            basalt::ports::hook::Event::next(e)
        });
    app.cron()
        .run("__pbOTPCleanup__")
        .expect("otp job")
        .await
        .expect("run");
    // The cleanup deletes through the record hooks.
    let mut seen = deleted.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        ids(&*db, "_otps").await,
        ["otpsupersnew001", "otpusersedge001", "otpusersnew0001"]
    );
    // The MFA job has not run yet.
    assert_eq!(ids(&*db, "_mfas").await.len(), 2);
    // An on-the-hour tick runs both cleanups.
    wait_all(app.cron().run_due(at("2024-03-15T12:00:00Z"))).await;
    assert_eq!(ids(&*db, "_mfas").await, ["mfausersnew0001"]);
}

#[tokio::test]
async fn the_optimize_job_checkpoints_the_wal_on_both_drivers() {
    for url in ["sqlite:", "libsql:"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = basalt::open_with_config(&basalt::AppConfig {
            data_dir: dir.path().to_owned(),
            db_connect: basalt::db_connect_from_url(url).expect("url"),
            ..basalt::AppConfig::default()
        })
        .await
        .expect("open");
        let wal = dir.path().join("data.db-wal");
        let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        let before = size();
        assert!(before > 0, "{url}: bootstrap wrote to the WAL");
        app.cron()
            .run("__pbDBOptimize__")
            .expect("job")
            .await
            .expect("run");
        // Checkpointed with TRUNCATE; `PRAGMA optimize` (which runs after) may write a little.
        assert!(size() < before / 2, "{url}: the WAL was checkpointed");
    }
}
