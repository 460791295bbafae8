//! Choosing the driver: `AppConfig::db_connect` is called for data.db and auxiliary.db, and a
//! database that cannot be opened stops start-up with a one-line error.

use basalt::{AppConfig, DbConnect, db_connect_from_url, default_db_connect};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn db_connect_is_called_for_data_and_auxiliary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seen: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let inner = default_db_connect();
    let log = seen.clone();
    let db_connect: DbConnect = Arc::new(move |path| {
        log.lock().unwrap().push(path.to_owned());
        inner(path)
    });
    let app = basalt::open_with_config(&AppConfig {
        data_dir: dir.path().to_owned(),
        db_connect,
        ..AppConfig::default()
    })
    .await
    .expect("open");
    assert_eq!(
        *seen.lock().unwrap(),
        [dir.path().join("data.db"), dir.path().join("auxiliary.db")]
    );
    assert!(app.find_collection("users").is_some(), "bootstrapped");
    assert!(dir.path().join("auxiliary.db").is_file());
}

#[tokio::test]
async fn a_database_that_does_not_answer_stops_start_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = AppConfig {
        data_dir: dir.path().to_owned(),
        db_connect: db_connect_from_url("libsql+http://127.0.0.1:1?authToken=s3cret").expect("url"),
        ..AppConfig::default()
    };
    let Err(err) = basalt::open_with_config(&config).await else {
        panic!("opened a database nothing serves (port 1)");
    };
    let err = err.to_string();
    assert!(err.starts_with("cannot open data.db: "), "{err}");
    assert!(!err.contains('\n') && !err.contains("s3cret"), "{err}");
}

#[tokio::test]
async fn libsql_local_data_dir_round_trips_through_the_app() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = AppConfig {
        data_dir: dir.path().to_owned(),
        db_connect: db_connect_from_url("libsql:").expect("url"),
        ..AppConfig::default()
    };
    let app = basalt::open_with_config(&config).await.expect("open");
    let users = app.find_collection("users").expect("users").id.clone();
    drop(app);
    // The same files, reopened with the other driver: one on-disk format.
    let app = basalt::open(dir.path()).await.expect("reopen with sqlx");
    assert_eq!(app.find_collection("users").expect("users").id, users);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedded_replica_without_its_primary_stops_start_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = AppConfig {
        data_dir: dir.path().to_owned(),
        db_connect: db_connect_from_url("libsql+http://127.0.0.1:1?replica=&authToken=s3cret")
            .expect("url"),
        ..AppConfig::default()
    };
    let Err(err) = basalt::open_with_config(&config).await else {
        panic!("opened a replica of a primary nothing serves (port 1)");
    };
    let err = err.to_string();
    assert!(err.starts_with("cannot open data.db: "), "{err}");
    assert!(err.contains("replica"), "{err}");
    assert!(!err.contains('\n') && !err.contains("s3cret"), "{err}");
}
