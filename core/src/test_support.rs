//! Helpers for the core's unit tests: apps on `mockall` mocks of the ports, with a schema
//! and scripted statements.

use crate::App;
use basalt_domain::collection::{Collection, ensure_system_fields};
use basalt_ports::clock::MockClock;
use basalt_ports::db::{MockDatabase, Row, SqlValue};
use basalt_ports::random::MockRandom;
use basalt_ports::{Auth, RequestContext};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A collection from PocketBase's JSON, with its system fields.
pub(crate) fn collection(value: Value) -> Collection {
    let mut c = Collection::from_json(&value).expect("collection JSON");
    ensure_system_fields(&mut c);
    c
}

/// The `_collections` row of `c`.
fn collection_row(c: &Collection) -> Row {
    let cols: Arc<[String]> = crate::store::collections::COLLECTION_COLUMNS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    Row::new(cols, crate::store::collections::collection_params(c))
}

/// Rows with these columns.
pub(crate) fn rows(columns: &[&str], values: Vec<Vec<SqlValue>>) -> Vec<Row> {
    let cols: Arc<[String]> = columns.iter().map(|s| (*s).to_owned()).collect();
    values
        .into_iter()
        .map(|v| Row::new(cols.clone(), v))
        .collect()
}

/// Expects the collections cache to be loaded once, with `collections`.
pub(crate) fn expect_schema(db: &mut MockDatabase, collections: &[Collection]) {
    let rows: Vec<Row> = collections.iter().map(collection_row).collect();
    db.expect_query()
        .withf(|sql, _| sql.contains("FROM `_collections`"))
        .times(1)
        .returning(move |_, _| Ok(rows.clone()));
}

/// An app on `db` (whose schema expectation is set), a fixed clock and zero randomness,
/// with its collections loaded.
pub(crate) async fn app(db: MockDatabase) -> App {
    let mut clock = MockClock::new();
    clock
        .expect_now_millis()
        .return_const(1_704_067_200_000_i64);
    let mut random = MockRandom::new();
    random.expect_index().return_const(0_usize);
    let app = App::new(Arc::new(db), Arc::new(clock), Arc::new(random));
    app.reload_collections().await.expect("load collections");
    app
}

/// A request by record `id` of auth collection `users` (its values already loaded, so the
/// rules need no query for `@request.auth`).
pub(crate) fn user(id: &str) -> RequestContext {
    let mut record = Map::new();
    record.insert("id".into(), json!(id));
    RequestContext {
        auth: Auth::Record {
            collection_id: "_pb_users_auth_".into(),
            collection_name: "users".into(),
            id: id.into(),
            superuser: false,
        },
        auth_record: Some(Arc::new(record)),
        ..RequestContext::default()
    }
}

/// A request by a superuser.
pub(crate) fn superuser() -> RequestContext {
    RequestContext::with_auth(Auth::Record {
        collection_id: "pbc_3142635823".into(),
        collection_name: "_superusers".into(),
        id: "root".into(),
        superuser: true,
    })
}

/// The `users` auth collection (open rules).
pub(crate) fn users() -> Collection {
    collection(json!({
        "id": "_pb_users_auth_", "name": "users", "type": "auth",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": [{"name": "name", "type": "text"}],
    }))
}

/// What a scripted database or transaction logs: each statement (with its parameters,
/// `sql | p1, p2`), then `COMMIT` or `ROLLBACK`.
pub(crate) type Log = Arc<std::sync::Mutex<Vec<String>>>;

/// The answer of a scripted statement to its SQL and parameters.
pub(crate) type Script = Arc<dyn Fn(&str, &[SqlValue]) -> Vec<Row> + Send + Sync>;

fn logged(log: &Log, sql: &str, params: &[SqlValue]) {
    let params: Vec<String> = params.iter().map(|p| format!("{p:?}")).collect();
    log.lock()
        .expect("log")
        .push(format!("{sql} | {}", params.join(", ")));
}

/// Expects transactions on `db` whose statements are logged and answered by `script`
/// (writes affect one row).
pub(crate) fn expect_transactions(db: &mut MockDatabase, log: &Log, script: Script) {
    use basalt_ports::db::{ExecResult, MockTransaction};
    let log = log.clone();
    db.expect_begin().returning(move || {
        let mut tx = MockTransaction::new();
        let (l, s) = (log.clone(), script.clone());
        tx.expect_query().returning(move |sql, params| {
            logged(&l, sql, params);
            Ok(s(sql, params))
        });
        let l = log.clone();
        tx.expect_execute().returning(move |sql, params| {
            logged(&l, sql, params);
            Ok(ExecResult {
                rows_affected: 1,
                last_insert_rowid: 0,
            })
        });
        let l = log.clone();
        tx.expect_commit().returning(move || {
            l.lock().expect("log").push("COMMIT".into());
            Ok(())
        });
        let l = log.clone();
        tx.expect_rollback().returning(move || {
            l.lock().expect("log").push("ROLLBACK".into());
            Ok(())
        });
        Ok(Box::new(tx))
    });
}

/// Expects reads (outside transactions) answered by `script` and logged.
pub(crate) fn expect_reads(db: &mut MockDatabase, log: &Log, script: Script) {
    let log = log.clone();
    db.expect_query()
        .withf(|sql, _| !sql.contains("FROM `_collections`"))
        .returning(move |sql, params| {
            logged(&log, sql, params);
            Ok(script(sql, params))
        });
}

/// The logged statements.
pub(crate) fn statements(log: &Log) -> Vec<String> {
    log.lock().expect("log").clone()
}
