//! `run_in_transaction` on `mockall` mocks: which statements reach the transaction, and
//! that it commits on `Ok` and rolls back on `Err` or panic, without a database.

use basalt::ports::clock::MockClock;
use basalt::ports::db::{ExecResult, MockDatabase, MockTransaction};
use basalt::ports::random::MockRandom;
use basalt::{App, AppError};
use std::sync::{Arc, Mutex};

type Log = Arc<Mutex<Vec<String>>>;

/// A database whose one transaction logs each statement, then `COMMIT` or `ROLLBACK`.
fn logging_db(log: &Log) -> MockDatabase {
    let mut db = MockDatabase::new();
    let log = log.clone();
    db.expect_begin().times(1).returning(move || {
        let mut tx = MockTransaction::new();
        let l = log.clone();
        tx.expect_execute().returning(move |sql, _| {
            l.lock().unwrap().push(sql.to_owned());
            Ok(ExecResult::default())
        });
        let l = log.clone();
        tx.expect_commit().returning(move || {
            l.lock().unwrap().push("COMMIT".into());
            Ok(())
        });
        let l = log.clone();
        tx.expect_rollback().returning(move || {
            l.lock().unwrap().push("ROLLBACK".into());
            Ok(())
        });
        Ok(Box::new(tx))
    });
    db
}

fn app(db: MockDatabase) -> App {
    App::new(
        Arc::new(db),
        Arc::new(MockClock::new()),
        Arc::new(MockRandom::new()),
    )
}

#[tokio::test]
async fn ok_commits_and_nested_begins_are_savepoints() {
    let log: Log = Arc::default();
    let app = app(logging_db(&log));
    app.run_in_transaction(|tx| async move {
        assert!(tx.is_transactional());
        tx.db().execute("INSERT 1", &[]).await?;
        let mut inner = tx.db().begin().await?;
        inner.execute("INSERT 2", &[]).await?;
        inner.commit().await?;
        let mut undone = tx.db().begin().await?;
        undone.execute("INSERT 3", &[]).await?;
        undone.rollback().await?;
        {
            // Dropped without commit: rolled back before the next statement.
            let mut dropped = tx.db().begin().await?;
            dropped.execute("INSERT 4", &[]).await?;
        }
        tx.db().execute("INSERT 5", &[]).await?;
        Ok(())
    })
    .await
    .expect("commit");
    assert_eq!(
        *log.lock().unwrap(),
        [
            "INSERT 1",
            "SAVEPOINT basalt_sp_1",
            "INSERT 2",
            "RELEASE basalt_sp_1",
            "SAVEPOINT basalt_sp_2",
            "INSERT 3",
            "ROLLBACK TO basalt_sp_2",
            "RELEASE basalt_sp_2",
            "SAVEPOINT basalt_sp_3",
            "INSERT 4",
            "ROLLBACK TO basalt_sp_3",
            "RELEASE basalt_sp_3",
            "INSERT 5",
            "COMMIT"
        ]
    );
}

#[tokio::test]
async fn err_and_panic_roll_back() {
    let log: Log = Arc::default();
    let err = app(logging_db(&log))
        .run_in_transaction(|tx| async move {
            tx.db().execute("INSERT 1", &[]).await?;
            Err::<(), _>(AppError::other("no"))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Other(ref m) if m.to_string() == "no"));
    assert_eq!(*log.lock().unwrap(), ["INSERT 1", "ROLLBACK"]);

    let log: Log = Arc::default();
    let err = app(logging_db(&log))
        .run_in_transaction(|tx| async move {
            tx.db().execute("INSERT 1", &[]).await?;
            if tx.is_transactional() {
                panic!("kaboom");
            }
            Ok(())
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("kaboom"), "{err}");
    assert_eq!(*log.lock().unwrap(), ["INSERT 1", "ROLLBACK"]);
}

#[tokio::test]
async fn a_transactional_app_escaping_its_closure_cannot_write() {
    let log: Log = Arc::default();
    let escaped = app(logging_db(&log))
        .run_in_transaction(|tx| async move { Ok(tx) })
        .await
        .expect("commit");
    let err = escaped.db().execute("INSERT late", &[]).await.unwrap_err();
    assert!(err.to_string().contains("already finished"), "{err}");
    assert_eq!(*log.lock().unwrap(), ["COMMIT"]);
}
