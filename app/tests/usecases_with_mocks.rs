//! Use cases on `mockall` mocks of the ports: no database, only the decisions.

use basalt::App;
use basalt::ports::clock::MockClock;
use basalt::ports::db::{MockDatabase, Row, SqlValue};
use basalt::ports::random::MockRandom;
use basalt::ports::{Auth, AuthApi, RecordsApi, RequestContext, ServiceError};
use serde_json::{Map, json};
use std::sync::Arc;

/// One `_collections` row: a base collection `posts` whose create rule is `null`.
fn posts_row() -> Row {
    let cols: Arc<[String]> = [
        "id",
        "system",
        "type",
        "name",
        "fields",
        "indexes",
        "listRule",
        "viewRule",
        "createRule",
        "updateRule",
        "deleteRule",
        "options",
        "created",
        "updated",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let fields = json!([
        {"id": "text3208210256", "name": "id", "type": "text", "system": true, "primaryKey": true, "required": true, "min": 15, "max": 15, "pattern": "^[a-z0-9]+$", "autogeneratePattern": "[a-z0-9]{15}"},
        {"id": "text724990059", "name": "title", "type": "text"}
    ]);
    Row::new(
        cols,
        vec![
            "pbc_1".into(),
            SqlValue::Integer(0),
            "base".into(),
            "posts".into(),
            fields.to_string().into(),
            "[]".into(),
            "".into(),
            "".into(),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::Null,
            "{}".into(),
            "2024-01-01 00:00:00.000Z".into(),
            "2024-01-01 00:00:00.000Z".into(),
        ],
    )
}

async fn app_with(db: MockDatabase) -> App {
    let app = App::new(
        Arc::new(db),
        Arc::new(MockClock::new()),
        Arc::new(MockRandom::new()),
    );
    app.reload_collections().await.expect("load collections");
    app
}

#[tokio::test]
async fn a_null_create_rule_refuses_guests_without_touching_the_database() {
    let mut db = MockDatabase::new();
    db.expect_query()
        .times(1)
        .returning(|_, _| Ok(vec![posts_row()]));
    db.expect_begin().times(0);
    db.expect_execute().times(0);
    let app = app_with(db).await;
    let mut body = Map::new();
    body.insert("title".into(), json!("hello"));
    let err = app
        .create_record(&RequestContext::default(), "posts", body.clone())
        .await
        .expect_err("guests may not create");
    assert_eq!(err, ServiceError::SuperusersOnly);
    let user = Auth::Record {
        collection_id: "_pb_users_auth_".into(),
        collection_name: "users".into(),
        id: "u1".into(),
        superuser: false,
    };
    let err = app
        .create_record(&RequestContext::with_auth(user), "posts", body)
        .await
        .expect_err("users may not create");
    assert_eq!(err, ServiceError::SuperusersOnly);
}

#[tokio::test]
async fn unknown_collections_are_404_and_garbage_tokens_are_guests() {
    let mut db = MockDatabase::new();
    db.expect_query()
        .times(1)
        .returning(|_, _| Ok(vec![posts_row()]));
    let app = app_with(db).await;
    let err = app
        .view_record(&RequestContext::default(), "nope", "x")
        .await
        .expect_err("missing collection");
    assert_eq!(
        err,
        ServiceError::MissingCollection(basalt::ports::CollectionLookup::Records)
    );
    assert_eq!(app.authenticate("not-a-jwt").await, Auth::Guest);
    assert_eq!(app.authenticate("").await, Auth::Guest);
}
