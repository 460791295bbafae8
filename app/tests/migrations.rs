//! Migrations in Rust on a real SQLite data dir: the runner (up, down, history-sync), each
//! migration in its own transaction, the process-wide registry, applied-on-serve, and the
//! templates `basalt migrate create`/`collections` write (compiled here from the fixtures).

use basalt::domain::collection::Collection;
use basalt::migrations::{MigrationsList, Runner, template};
use basalt::{App, AppError, ServeConfig};
use serde_json::json;

/// The fixture directory `basalt migrate create` + `collections` would write; its
/// `register()` adds two migrations to the process-wide list.
#[path = "fixtures/migrations/mod.rs"]
mod fixture_migrations;

const INIT: &str = "1640988000_init.go";
const M1: &str = "1700000001_create_posts.rs";
const M2: &str = "1700000002_create_tags.rs";
const M3: &str = "1700000003_broken.rs";

async fn fresh() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = basalt::open(dir.path()).await.expect("open");
    (dir, app)
}

/// Creates a base collection `name` with a `title` field and one record in it, through `app`.
async fn create_with_record(app: &App, name: &str) -> Result<(), AppError> {
    let mut c = Collection::from_json(&json!({
        "name": name,
        "type": "base",
        "fields": [{"name": "title", "type": "text"}],
    }))
    .map_err(|e| AppError::Config(e.to_string()))?;
    app.save_collection(&mut c).await?;
    let mut r = app.new_record(name)?;
    r.set("title", json!("first"));
    app.save(&mut r).await
}

async fn drop_named(app: &App, name: &str) -> Result<(), AppError> {
    let c = app
        .find_collection(name)
        .ok_or_else(|| AppError::NotFound(name.into()))?;
    app.drop_collection(&c).await
}

/// Two good migrations (posts, tags) and, with `broken`, a third that creates a collection
/// and a record and then fails.
fn list(broken: bool) -> MigrationsList {
    let mut list = MigrationsList::new();
    // Registered out of order: the list sorts by file name.
    list.register(
        M2,
        |app| async move { create_with_record(&app, "tags").await },
        |app| async move { drop_named(&app, "tags").await },
    );
    list.register(
        M1,
        |app| async move { create_with_record(&app, "posts").await },
        |app| async move { drop_named(&app, "posts").await },
    );
    if broken {
        list.register(
            M3,
            |app| async move {
                create_with_record(&app, "broken").await?;
                Err(AppError::Config("boom".into()))
            },
            |_app| async { Ok(()) },
        );
    }
    list
}

/// `_migrations` rows, by file name.
async fn history(app: &App) -> Vec<String> {
    let rows = app
        .db()
        .query("SELECT `file` FROM `_migrations` ORDER BY `file`", &[])
        .await
        .expect("history");
    rows.iter().map(|r| r.text("file").to_owned()).collect()
}

async fn table_exists(app: &App, name: &str) -> bool {
    !app.db()
        .query(
            "SELECT 1 AS `x` FROM sqlite_master WHERE `type` = 'table' AND `name` = ?",
            &[name.into()],
        )
        .await
        .expect("sqlite_master")
        .is_empty()
}

async fn titles(app: &App, collection: &str) -> Vec<String> {
    app.find_all_records(collection)
        .await
        .expect("records")
        .iter()
        .map(|r| r.text("title").to_owned())
        .collect()
}

#[tokio::test]
async fn up_applies_in_order_and_a_failing_migration_rolls_back_only_itself() {
    let (_dir, app) = fresh().await;
    assert_eq!(history(&app).await, [INIT]);

    let err = Runner::new(&app, list(true))
        .up()
        .await
        .expect_err("the third migration fails");
    assert_eq!(err.file.as_deref(), Some(M3));
    assert!(!err.reverting);
    assert_eq!(err.completed, [M1, M2]);
    assert!(matches!(&err.source, AppError::Config(m) if m == "boom"));
    assert_eq!(
        err.to_string(),
        "failed to apply migration 1700000003_broken.rs: boom"
    );

    // The first two committed, with their rows.
    assert_eq!(history(&app).await, [INIT, M1, M2]);
    assert_eq!(titles(&app, "posts").await, ["first"]);
    assert_eq!(titles(&app, "tags").await, ["first"]);
    // The third left nothing: no row, no table, no collection (in the cache or stored).
    assert!(app.find_collection("broken").is_none());
    assert!(!table_exists(&app, "broken").await);
    app.reload_collections().await.expect("reload");
    assert!(app.find_collection("broken").is_none());

    // Applied ones are not applied again; the rest of the list has nothing new.
    let again = Runner::new(&app, list(false)).up().await.expect("up");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(titles(&app, "posts").await, ["first"]);
}

#[tokio::test]
async fn applied_stamps_are_microseconds() {
    let (_dir, app) = fresh().await;
    let before = chrono::Utc::now().timestamp_micros();
    Runner::new(&app, list(false)).up().await.expect("up");
    let rows = app
        .db()
        .query(
            "SELECT `applied` FROM `_migrations` WHERE `file` = ?",
            &[M1.into()],
        )
        .await
        .expect("row");
    let applied = rows[0]
        .get("applied")
        .and_then(|v| v.as_i64())
        .expect("int");
    // Millisecond clock: at most 1 ms before `before`.
    assert!(applied >= before - 1000, "{applied} < {before}");
    assert!(applied <= chrono::Utc::now().timestamp_micros());
}

#[tokio::test]
async fn a_panicking_migration_is_rolled_back_and_reported() {
    let (_dir, app) = fresh().await;
    let mut list = MigrationsList::new();
    list.register(
        "1700000001_panics.rs",
        |app| async move {
            create_with_record(&app, "half").await?;
            panic!("half-way");
        },
        |_app| async { Ok(()) },
    );
    let err = Runner::new(&app, list).up().await.expect_err("panics");
    assert_eq!(err.file.as_deref(), Some("1700000001_panics.rs"));
    assert!(err.to_string().contains("half-way"), "{err}");
    assert!(err.completed.is_empty());
    assert_eq!(history(&app).await, [INIT]);
    assert!(!table_exists(&app, "half").await);
    assert!(app.find_collection("half").is_none());
}

#[tokio::test]
async fn down_reverts_the_last_applied_in_reverse_order_and_deletes_their_rows() {
    let (_dir, app) = fresh().await;
    let runner = Runner::new(&app, list(false));
    assert_eq!(runner.up().await.expect("up"), [M1, M2]);
    assert_eq!(runner.applied().await.expect("applied"), [M1, M2]);

    assert_eq!(runner.down(1).await.expect("down 1"), [M2]);
    assert_eq!(history(&app).await, [INIT, M1]);
    assert!(app.find_collection("tags").is_none());
    assert!(!table_exists(&app, "tags").await);
    assert_eq!(titles(&app, "posts").await, ["first"]);

    // Re-applied, then both reverted, the latest first; the system row stays.
    assert_eq!(runner.up().await.expect("up again"), [M2]);
    assert_eq!(runner.down(usize::MAX).await.expect("down all"), [M2, M1]);
    assert_eq!(history(&app).await, [INIT]);
    assert!(app.find_collection("posts").is_none());
    assert!(app.find_collection("users").is_some());

    // Nothing left to revert.
    assert!(runner.down(1).await.expect("down none").is_empty());
}

#[tokio::test]
async fn a_failing_down_stops_and_keeps_its_row() {
    let (_dir, app) = fresh().await;
    let mut list = list(false);
    list.register(
        "1700000009_sticky.rs",
        |app| async move { create_with_record(&app, "sticky").await },
        |app| async move {
            drop_named(&app, "sticky").await?;
            Err(AppError::Config("cannot revert".into()))
        },
    );
    let runner = Runner::new(&app, list);
    runner.up().await.expect("up");
    let err = runner.down(2).await.expect_err("down fails");
    assert!(err.reverting);
    assert_eq!(err.file.as_deref(), Some("1700000009_sticky.rs"));
    assert!(err.completed.is_empty());
    assert_eq!(
        err.to_string(),
        "failed to revert migration 1700000009_sticky.rs: cannot revert"
    );
    // The drop inside the failed down was rolled back with it.
    assert_eq!(titles(&app, "sticky").await, ["first"]);
    assert_eq!(history(&app).await, [INIT, M1, M2, "1700000009_sticky.rs"]);
}

#[tokio::test]
async fn history_sync_drops_rows_of_unregistered_migrations_only() {
    let (_dir, app) = fresh().await;
    Runner::new(&app, list(false)).up().await.expect("up");
    // A row of PocketBase's own system migrations (a data dir PocketBase created).
    app.db()
        .execute(
            "INSERT INTO `_migrations` (`file`, `applied`) VALUES (?, ?)",
            &["1717233556_v0.23_migrate.go".into(), 1i64.into()],
        )
        .await
        .expect("insert");

    let mut only_first = MigrationsList::new();
    only_first.register(M1, |_app| async { Ok(()) }, |_app| async { Ok(()) });
    let removed = Runner::new(&app, only_first)
        .history_sync()
        .await
        .expect("sync");
    assert_eq!(removed, [M2]);
    assert_eq!(
        history(&app).await,
        [INIT, M1, "1717233556_v0.23_migrate.go"]
    );
    // The tables stay: history-sync only forgets.
    assert!(table_exists(&app, "tags").await);

    // With nothing registered, only the system rows remain.
    let removed = Runner::new(&app, MigrationsList::new())
        .history_sync()
        .await
        .expect("sync all");
    assert_eq!(removed, [M1]);
    assert_eq!(history(&app).await, [INIT, "1717233556_v0.23_migrate.go"]);
}

#[tokio::test]
async fn system_migrations_are_never_run_nor_reverted() {
    let (_dir, app) = fresh().await;
    let mut list = MigrationsList::new();
    list.register(
        INIT,
        |_app| async { Err(AppError::Config("must not run".into())) },
        |_app| async { Err(AppError::Config("must not revert".into())) },
    );
    let runner = Runner::new(&app, list);
    assert!(runner.up().await.expect("up").is_empty());
    assert!(runner.down(usize::MAX).await.expect("down").is_empty());
    assert_eq!(history(&app).await, [INIT]);
}

#[tokio::test]
async fn app_migrations_apply_on_serve_before_listening_unless_turned_off() {
    let (_dir, app) = fresh().await;
    app.register_migration(
        "1700000100_on_serve.rs",
        |app| async move { create_with_record(&app, "served").await },
        |app| async move { drop_named(&app, "served").await },
    );
    assert!(app.migrations().get("1700000100_on_serve.rs").is_some());

    let off = ServeConfig {
        http: "127.0.0.1:0".into(),
        run_migrations: false,
        ..ServeConfig::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (_, task) = basalt::spawn(app.clone(), &off, async {
        let _ = stop_rx.await;
    })
    .await
    .expect("spawn without migrations");
    assert!(
        !history(&app)
            .await
            .contains(&"1700000100_on_serve.rs".to_owned())
    );
    assert!(app.find_collection("served").is_none());
    let _ = stop_tx.send(());
    task.await.expect("join").expect("served");

    let on = ServeConfig {
        http: "127.0.0.1:0".into(),
        ..ServeConfig::default()
    };
    assert!(on.run_migrations, "on by default");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, task) = basalt::spawn(app.clone(), &on, async {
        let _ = stop_rx.await;
    })
    .await
    .expect("spawn");
    // Applied before `spawn` returned, i.e. before the first request could arrive.
    assert!(
        history(&app)
            .await
            .contains(&"1700000100_on_serve.rs".to_owned())
    );
    assert_eq!(titles(&app, "served").await, ["first"]);
    let stream = tokio::net::TcpStream::connect(addr).await;
    assert!(stream.is_ok(), "listening on {addr}");
    let _ = stop_tx.send(());
    task.await.expect("join").expect("served");
}

#[tokio::test]
async fn a_failing_migration_stops_serve_from_starting() {
    let (_dir, app) = fresh().await;
    app.register_migration(
        "1700000200_fails.rs",
        |_app| async { Err(AppError::Config("nope".into())) },
        |_app| async { Ok(()) },
    );
    let config = ServeConfig {
        http: "127.0.0.1:0".into(),
        ..ServeConfig::default()
    };
    let err = basalt::spawn(app.clone(), &config, async {})
        .await
        .expect_err("does not start");
    assert_eq!(
        err.to_string(),
        "failed to apply migration 1700000200_fails.rs: nope"
    );
    assert!(matches!(err, AppError::Migration(_)));
}

#[tokio::test]
async fn the_generated_templates_register_globally_and_the_snapshot_imports() {
    fixture_migrations::register();
    let global = basalt::migrations::app_migrations();
    for file in ["1700000000_blank.rs", "1700000001_collections_snapshot.rs"] {
        assert!(global.get(file).is_some(), "{file} registered");
    }

    let (_dir, app) = fresh().await;
    let applied = app.run_migrations_up().await.expect("up");
    assert!(
        applied.contains(&"1700000000_blank.rs".to_owned()),
        "{applied:?}"
    );
    assert!(applied.contains(&"1700000001_collections_snapshot.rs".to_owned()));
    let notes = app.find_collection("fixture_notes").expect("imported");
    assert_eq!(notes.id, "pbc_fixture_notes");
    assert!(notes.field("title").is_some());
    assert!(notes.field("id").is_some(), "system fields completed");
    // Kept: the snapshot does not delete what it does not list.
    assert!(app.find_collection("users").is_some());
}

#[tokio::test]
async fn a_snapshot_of_one_data_dir_recreates_its_collections_in_another() {
    let (_src_dir, src) = fresh().await;
    create_with_record(&src, "posts").await.expect("posts");
    let posts = src.find_collection("posts").expect("posts");
    let mut comments = Collection::from_json(&json!({
        "name": "comments",
        "type": "base",
        "listRule": "post.title != ''",
        "fields": [
            {"name": "post", "type": "relation", "collectionId": posts.id, "maxSelect": 1},
            {"name": "body", "type": "text"}
        ],
    }))
    .expect("comments");
    src.save_collection(&mut comments)
        .await
        .expect("save comments");

    let json = template::snapshot_json(&src.collections());
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
    assert!(items.iter().all(|c| c.get("created").is_none()));
    assert!(items.iter().any(|c| c["name"] == "users"));

    // Into a new data dir: posts, then comments relating to it, in one import.
    let (_dst_dir, dst) = fresh().await;
    dst.import_collections_by_marshaled_json(&json, false)
        .await
        .expect("import");
    assert_eq!(dst.find_collection("posts").expect("posts").id, posts.id);
    let imported = dst.find_collection("comments").expect("comments");
    assert_eq!(imported.id, comments.id);
    assert_eq!(imported.rules.list.as_deref(), Some("post.title != ''"));
    assert!(table_exists(&dst, "comments").await);

    // Into the data dir it came from: nothing changes, nothing fails.
    src.import_collections_by_marshaled_json(&json, false)
        .await
        .expect("re-import");
    assert_eq!(titles(&src, "posts").await, ["first"]);

    // A bad item fails the whole import and says which one.
    let err = dst
        .import_collections(
            &[
                json!({"name": "fine", "type": "base"}),
                json!({"name": "bad name!", "type": "base"}),
            ],
            false,
        )
        .await
        .expect_err("invalid");
    let basalt::AppError::Service(basalt::ports::ServiceError::Invalid { input, errors }) = &err
    else {
        panic!("expected the import's field errors, got {err:?}");
    };
    assert_eq!(*input, basalt::ports::Input::CollectionsImport);
    let item = errors.get("collections").expect("data.collections");
    assert_eq!(item.code, "validation_collections_import_failure");
    assert!(item.message.contains("\"bad name!\""), "{}", item.message);
    assert!(dst.find_collection("fine").is_none(), "rolled back");
    assert!(!table_exists(&dst, "fine").await);
}
