//! The record use cases on `mockall` mocks of the ports: for each rule and validation
//! branch, the answer and the statements that reached the database (none, when a check
//! refuses before any query).

use crate::test_support::{
    Log, Script, app, collection, expect_reads, expect_schema, expect_transactions, rows,
    statements, superuser, user, users,
};
use basalt_domain::collection::Collection;
use basalt_ports::db::{MockDatabase, Row, SqlValue};
use basalt_ports::{
    CollectionLookup, Input, ListQuery, QueryParam, RecordsApi, RequestContext, ServiceError,
};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// `posts`, owned through `author`: list and view rules `author = @request.auth.id`,
/// create rule `@request.auth.id != ""`, update and delete superusers only.
fn posts() -> Collection {
    collection(json!({
        "id": "pbc_posts", "name": "posts", "type": "base",
        "listRule": "author = @request.auth.id",
        "viewRule": "author = @request.auth.id",
        "createRule": "@request.auth.id != \"\"",
        "updateRule": null, "deleteRule": null,
        "fields": [
            {"name": "title", "type": "text", "required": true},
            {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        ],
    }))
}

fn body(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn post_row(id: &str, title: &str, author: &str) -> Vec<Row> {
    rows(
        &["id", "title", "author"],
        vec![vec![id.into(), title.into(), author.into()]],
    )
}

fn no_rows() -> Script {
    Arc::new(|_, _| Vec::new())
}

/// A database with `collections` and no other statement allowed.
fn quiet_db(collections: &[Collection]) -> MockDatabase {
    let mut db = MockDatabase::new();
    expect_schema(&mut db, collections);
    db.expect_begin().times(0);
    db.expect_execute().times(0);
    db
}

// ---- list ----

#[tokio::test]
async fn a_null_list_rule_is_superusers_only_and_reads_nothing() {
    let mut c = posts();
    c.rules.list = None;
    let app = app(quiet_db(&[users(), c])).await;
    let err = app
        .list_records(&user("u1"), "posts", ListQuery::default())
        .await
        .expect_err("null rule");
    assert_eq!(err, ServiceError::SuperusersOnly);
}

#[tokio::test]
async fn the_list_rule_and_the_filter_are_one_where_with_bound_values() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), posts()]);
    expect_reads(
        &mut db,
        &log,
        Arc::new(|sql, _| {
            if sql.contains("COUNT(*)") {
                rows(&["n"], vec![vec![SqlValue::Integer(31)]])
            } else {
                post_row("p1", "hello", "u1")
            }
        }),
    );
    let app = app(db).await;
    let query = ListQuery {
        filter: Some("title = 'hello'".into()),
        sort: Some("-title".into()),
        per_page: Some(10),
        page: Some(2),
        ..ListQuery::default()
    };
    let page = app
        .list_records(&user("u1"), "posts", query)
        .await
        .expect("list");
    assert_eq!((page.page, page.per_page), (2, 10));
    assert_eq!((page.total_items, page.total_pages), (31, 4));
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0]["id"], "p1");
    let sql = statements(&log);
    assert_eq!(sql.len(), 2, "{sql:?}");
    // the rule first, then the filter, each parenthesized; every value bound
    assert_eq!(
        sql[0],
        "SELECT `posts`.* FROM `posts` WHERE (`posts`.`author` = ?) AND (`posts`.`title` = ?) \
         ORDER BY `posts`.`title` DESC LIMIT ? OFFSET ? \
         | Text(\"u1\"), Text(\"hello\"), Integer(10), Integer(10)"
    );
    assert!(
        sql[1].starts_with("SELECT COUNT(*) AS n FROM `posts` WHERE ("),
        "{}",
        sql[1]
    );
    assert!(
        sql[1].ends_with(r#"Text("u1"), Text("hello")"#),
        "{}",
        sql[1]
    );
}

#[tokio::test]
async fn superusers_pass_the_list_rule_and_skip_total_counts_nothing() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), posts()]);
    expect_reads(&mut db, &log, Arc::new(|_, _| post_row("p1", "a", "u9")));
    let app = app(db).await;
    let query = ListQuery {
        skip_total: true,
        ..ListQuery::default()
    };
    let page = app
        .list_records(&superuser(), "posts", query)
        .await
        .expect("list");
    assert_eq!((page.total_items, page.total_pages), (-1, -1));
    assert_eq!(
        statements(&log),
        ["SELECT `posts`.* FROM `posts` LIMIT ? OFFSET ? | Integer(30), Integer(0)"]
    );
}

#[tokio::test]
async fn a_filter_that_does_not_parse_is_a_400_on_filter_before_any_read() {
    let app = app(quiet_db(&[users(), posts()])).await;
    let query = ListQuery {
        filter: Some("title = ".into()),
        ..ListQuery::default()
    };
    let err = app
        .list_records(&user("u1"), "posts", query)
        .await
        .expect_err("syntax");
    assert!(
        matches!(
            err,
            ServiceError::InvalidParam {
                param: QueryParam::Filter,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unknown_sort_field_is_a_400_on_sort() {
    let app = app(quiet_db(&[users(), posts()])).await;
    let query = ListQuery {
        sort: Some("nope".into()),
        ..ListQuery::default()
    };
    let err = app
        .list_records(&superuser(), "posts", query)
        .await
        .expect_err("unknown field");
    assert!(
        matches!(
            err,
            ServiceError::InvalidParam {
                param: QueryParam::Sort,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn only_superusers_filter_by_request_or_collection_data() {
    let app = app(quiet_db(&[users(), posts()])).await;
    for (filter, field) in [
        ("@request.method = 'GET'", "@request."),
        ("@collection.users.id != ''", "@collection."),
    ] {
        let query = ListQuery {
            filter: Some(filter.into()),
            ..ListQuery::default()
        };
        let err = app
            .list_records(&user("u1"), "posts", query)
            .await
            .expect_err("superuser-only filter");
        assert_eq!(err, ServiceError::SuperuserOnlyFilter(field));
    }
}

// ---- view ----

#[tokio::test]
async fn a_record_the_view_rule_hides_is_a_404() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), posts()]);
    expect_reads(&mut db, &log, no_rows());
    let app = app(db).await;
    let err = app
        .view_record(&user("u2"), "posts", "p1")
        .await
        .expect_err("hidden");
    assert_eq!(err, ServiceError::Missing);
    let sql = statements(&log);
    assert_eq!(sql.len(), 1);
    assert!(
        sql[0].starts_with("SELECT `posts`.* FROM `posts` WHERE (`posts`.`id` = ?) AND ("),
        "{}",
        sql[0]
    );
    assert!(
        sql[0].ends_with(r#"LIMIT 1 | Text("p1"), Text("u2")"#),
        "{}",
        sql[0]
    );
}

#[tokio::test]
async fn unknown_collections_are_the_404_of_their_endpoint() {
    let app = app(quiet_db(&[users(), posts()])).await;
    let req = RequestContext::default();
    let view = app.view_record(&req, "nope", "x").await.expect_err("view");
    assert_eq!(
        view,
        ServiceError::MissingCollection(CollectionLookup::Records)
    );
    let create = app
        .create_record(&req, "nope", Map::new())
        .await
        .expect_err("create");
    assert_eq!(
        create,
        ServiceError::MissingCollection(CollectionLookup::RecordsWrite)
    );
}

// ---- create ----

#[tokio::test]
async fn a_null_create_rule_refuses_without_touching_the_database() {
    let mut c = posts();
    c.rules.create = None;
    let app = app(quiet_db(&[users(), c])).await;
    let err = app
        .create_record(&user("u1"), "posts", body(json!({"title": "x"})))
        .await
        .expect_err("superusers only");
    assert_eq!(err, ServiceError::SuperusersOnly);
}

#[tokio::test]
async fn records_of_view_collections_cannot_be_written() {
    let view = collection(json!({
        "id": "pbc_view", "name": "stats", "type": "view", "listRule": "", "viewRule": "",
        "viewQuery": "SELECT id FROM users",
    }));
    let app = app(quiet_db(&[users(), view])).await;
    let err = app
        .create_record(&superuser(), "stats", Map::new())
        .await
        .expect_err("view");
    assert_eq!(err, ServiceError::UnsupportedCollectionType);
    let err = app
        .delete_record(&superuser(), "stats", "x")
        .await
        .expect_err("view");
    assert_eq!(err, ServiceError::UnsupportedCollectionType);
}

#[tokio::test]
async fn a_failing_create_rule_is_a_400_checked_against_the_new_values_before_any_write() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), posts()]);
    expect_reads(&mut db, &log, no_rows());
    db.expect_begin().times(0);
    let app = app(db).await;
    let err = app
        .create_record(
            &RequestContext::default(),
            "posts",
            body(json!({"title": "x"})),
        )
        .await
        .expect_err("guests fail the rule");
    assert_eq!(
        err,
        ServiceError::invalid(Input::RecordCreate, Default::default())
    );
    let sql = statements(&log);
    assert_eq!(sql.len(), 1);
    assert!(
        sql[0].starts_with("WITH `__basalt_new` AS (SELECT ? AS `id`, "),
        "{}",
        sql[0]
    );
    assert!(
        sql[0].contains("SELECT 1 AS ok FROM `__basalt_new` WHERE ("),
        "{}",
        sql[0]
    );
    assert!(
        sql[0].contains(r#"Text("__temp_id__basalt")"#),
        "{}",
        sql[0]
    );
}

#[tokio::test]
async fn a_record_failing_validation_is_a_400_with_its_field_errors_and_rolls_back() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), posts()]);
    expect_reads(
        &mut db,
        &log,
        Arc::new(|_, _| rows(&["ok"], vec![vec![SqlValue::Integer(1)]])),
    );
    expect_transactions(&mut db, &log, no_rows());
    let app = app(db).await;
    let err = app
        .create_record(&user("u1"), "posts", body(json!({"title": ""})))
        .await
        .expect_err("title is required");
    let ServiceError::Invalid { input, errors } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*input, Input::RecordCreate);
    assert_eq!(
        errors.get("title").map(|e| e.code.as_str()),
        Some("validation_required")
    );
    assert_eq!(
        statements(&log).last().map(String::as_str),
        Some("ROLLBACK")
    );
    assert!(!statements(&log).iter().any(|s| s.starts_with("INSERT")));
}

#[tokio::test]
async fn a_valid_create_inserts_once_and_answers_the_stored_record() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), posts()]);
    expect_reads(
        &mut db,
        &log,
        Arc::new(|sql, _| {
            if sql.contains("COUNT(DISTINCT") {
                rows(&["n"], vec![vec![SqlValue::Integer(1)]])
            } else {
                rows(&["ok"], vec![vec![SqlValue::Integer(1)]])
            }
        }),
    );
    expect_transactions(
        &mut db,
        &log,
        Arc::new(|_, _| rows(&["n"], vec![vec![SqlValue::Integer(1)]])),
    );
    let app = app(db).await;
    let created = app
        .create_record(
            &user("u1"),
            "posts",
            body(json!({"title": "hello", "author": "u1"})),
        )
        .await
        .expect("created");
    assert_eq!(created["title"], "hello");
    assert_eq!(created["author"], "u1");
    // the id comes from the pattern `[a-z0-9]{15}` with zero randomness
    assert_eq!(created["id"], "000000000000000");
    let sql = statements(&log);
    let inserts: Vec<&String> = sql.iter().filter(|s| s.starts_with("INSERT")).collect();
    assert_eq!(inserts.len(), 1, "{sql:?}");
    assert!(
        inserts[0].starts_with("INSERT INTO `posts` ("),
        "{}",
        inserts[0]
    );
    assert_eq!(sql.last().map(String::as_str), Some("COMMIT"));
}

// ---- update ----

#[tokio::test]
async fn only_managers_change_verified_on_an_auth_record() {
    let log = Log::default();
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users()]);
    expect_reads(
        &mut db,
        &log,
        Arc::new(|_, _| {
            rows(
                &["id", "email", "verified", "tokenKey", "password"],
                vec![vec![
                    "u1".into(),
                    "a@example.com".into(),
                    SqlValue::Integer(0),
                    "k".into(),
                    "h".into(),
                ]],
            )
        }),
    );
    db.expect_begin().times(0);
    let app = app(db).await;
    let err = app
        .update_record(&user("u1"), "users", "u1", body(json!({"verified": true})))
        .await
        .expect_err("not a manager");
    let ServiceError::Invalid { input, errors } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*input, Input::RecordUpdate);
    assert_eq!(
        errors.get("verified").map(|e| e.code.as_str()),
        Some("validation_values_mismatch")
    );
}

// ---- delete and relation references ----

/// `posts` with open rules, and `comments` whose `post` relation is `required`, with
/// `cascade_delete` as given.
fn posts_and_comments(cascade: bool) -> Vec<Collection> {
    let mut p = posts();
    p.rules.delete = Some(String::new());
    let comments = collection(json!({
        "id": "pbc_comments", "name": "comments", "type": "base",
        "fields": [
            {"name": "post", "type": "relation", "collectionId": "pbc_posts", "maxSelect": 1,
             "required": true, "cascadeDelete": cascade},
        ],
    }));
    vec![users(), p, comments]
}

fn db_for_delete(collections: &[Collection], log: &Log) -> MockDatabase {
    let mut db = MockDatabase::new();
    expect_schema(&mut db, collections);
    expect_reads(&mut db, log, Arc::new(|_, _| post_row("p1", "hello", "u1")));
    expect_transactions(
        &mut db,
        log,
        Arc::new(|sql, params| {
            let c1 = SqlValue::from("c1");
            if sql.starts_with("SELECT `comments`.*") && !params.contains(&c1) {
                rows(&["id", "post"], vec![vec!["c1".into(), "p1".into()]])
            } else {
                Vec::new()
            }
        }),
    );
    db
}

#[tokio::test]
async fn a_required_reference_refuses_the_delete_and_rolls_it_back() {
    let log = Log::default();
    let collections = posts_and_comments(false);
    let app = app(db_for_delete(&collections, &log)).await;
    let err = app
        .delete_record(&superuser(), "posts", "p1")
        .await
        .expect_err("comment c1 requires the post");
    assert!(matches!(err, ServiceError::RequiredReference(_)), "{err:?}");
    let sql = statements(&log);
    let tx: Vec<&str> = sql
        .iter()
        .skip_while(|s| !s.starts_with("DELETE"))
        .map(String::as_str)
        .collect();
    assert_eq!(tx.len(), 3, "{sql:?}");
    assert_eq!(tx[0], r#"DELETE FROM `posts` WHERE `id` = ? | Text("p1")"#);
    assert!(
        tx[1].starts_with("SELECT `comments`.* FROM `comments` WHERE (`comments`.`post` = ?)"),
        "{}",
        tx[1]
    );
    assert_eq!(tx[2], "ROLLBACK");
}

#[tokio::test]
async fn a_cascading_reference_is_deleted_in_the_same_transaction() {
    let log = Log::default();
    let collections = posts_and_comments(true);
    let app = app(db_for_delete(&collections, &log)).await;
    app.delete_record(&superuser(), "posts", "p1")
        .await
        .expect("deleted with its comment");
    let sql = statements(&log);
    let writes: Vec<&str> = sql
        .iter()
        .filter(|s| s.starts_with("DELETE") || *s == "COMMIT" || *s == "ROLLBACK")
        .map(String::as_str)
        .collect();
    assert_eq!(
        writes,
        [
            r#"DELETE FROM `posts` WHERE `id` = ? | Text("p1")"#,
            r#"DELETE FROM `comments` WHERE `id` = ? | Text("c1")"#,
            "COMMIT"
        ]
    );
}

#[tokio::test]
async fn a_record_the_update_rule_hides_is_a_404_and_nothing_is_written() {
    let log = Log::default();
    let mut c = posts();
    c.rules.update = Some("author = @request.auth.id".into());
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), c]);
    expect_reads(&mut db, &log, no_rows());
    db.expect_begin().times(0);
    let app = app(db).await;
    let err = app
        .update_record(
            &user("u2"),
            "posts",
            "p1",
            body(json!({"title": "mine now"})),
        )
        .await
        .expect_err("not the author");
    assert_eq!(err, ServiceError::Missing);
    let sql = statements(&log);
    assert_eq!(sql.len(), 1);
    assert!(sql[0].contains("(`posts`.`author` = ?)"), "{}", sql[0]);
}

#[tokio::test]
async fn a_manager_passing_the_manage_rule_may_verify_a_record() {
    const ID: &str = "aaaaaaaaaaaaaa1";
    let log = Log::default();
    let mut u = users();
    u.options
        .insert("manageRule".into(), json!("@request.auth.id = 'boss'"));
    let mut db = MockDatabase::new();
    expect_schema(&mut db, std::slice::from_ref(&u));
    expect_reads(
        &mut db,
        &log,
        Arc::new(|sql, _| {
            if sql.starts_with("SELECT 1 AS ok") {
                rows(&["ok"], vec![vec![SqlValue::Integer(1)]])
            } else if sql.contains("`users`.`id` AS id") {
                rows(&["id"], vec![vec![ID.into()]])
            } else {
                rows(
                    &["id", "email", "verified", "tokenKey", "password"],
                    vec![vec![
                        ID.into(),
                        "a@example.com".into(),
                        SqlValue::Integer(0),
                        "k".repeat(50).into(),
                        "h".into(),
                    ]],
                )
            }
        }),
    );
    expect_transactions(&mut db, &log, no_rows());
    let app = app(db).await;
    let updated = app
        .update_record(&user("boss"), "users", ID, body(json!({"verified": true})))
        .await
        .expect("the manager verifies u1");
    assert_eq!(updated["verified"], true);
    // a manager sees the email too
    assert_eq!(updated["email"], "a@example.com");
    let sql = statements(&log);
    assert!(
        sql.iter()
            .any(|s| s.starts_with("SELECT 1 AS ok FROM `users` WHERE (`users`.`id` = ?) AND (")),
        "{sql:?}"
    );
    let update = sql.iter().position(|s| s.starts_with("UPDATE `users` SET"));
    let commit = sql.iter().position(|s| s == "COMMIT");
    assert!(update.is_some() && update < commit, "{sql:?}");
}

#[tokio::test]
async fn expand_checks_each_target_with_its_view_rule_and_drops_what_a_null_rule_hides() {
    let log = Log::default();
    let mut open_posts = posts();
    open_posts.rules.view = Some(String::new());
    let mut hidden_users = users();
    hidden_users.rules.view = None;
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[hidden_users, open_posts]);
    expect_reads(
        &mut db,
        &log,
        Arc::new(|_, _| post_row("p1", "hello", "u1")),
    );
    let hidden = app(db).await;
    let mut req = user("u1");
    req.query.insert("expand".into(), json!("author"));
    let shown = hidden.view_record(&req, "posts", "p1").await.expect("view");
    // users' view rule is null: the path adds nothing at all
    assert!(shown.get("expand").is_none(), "{shown}");
    assert_eq!(statements(&log).len(), 1, "no query for the hidden expand");

    let log = Log::default();
    let mut db = MockDatabase::new();
    let mut open_posts = posts();
    open_posts.rules.view = Some(String::new());
    let mut own_users = users();
    own_users.rules.view = Some("id = @request.auth.id".into());
    expect_schema(&mut db, &[own_users, open_posts]);
    expect_reads(
        &mut db,
        &log,
        Arc::new(|sql, _| {
            if sql.starts_with("SELECT `users`.*") {
                rows(&["id", "name"], vec![vec!["u1".into(), "Ann".into()]])
            } else {
                post_row("p1", "hello", "u1")
            }
        }),
    );
    let own = app(db).await;
    let shown = own.view_record(&req, "posts", "p1").await.expect("view");
    assert_eq!(shown["expand"]["author"]["name"], "Ann");
    let sql = statements(&log);
    assert_eq!(sql.len(), 2, "{sql:?}");
    assert!(
        sql[1].starts_with(
            "SELECT `users`.* FROM `users` WHERE (`users`.`id` IN (SELECT value FROM json_each(?))) AND (`users`.`id` = ?)"
        ),
        "{}",
        sql[1]
    );
    assert!(
        sql[1].ends_with(r#"Text("[\"u1\"]"), Text("u1")"#),
        "{}",
        sql[1]
    );
}

#[tokio::test]
async fn an_optional_reference_is_cleared_without_validation() {
    let log = Log::default();
    let mut collections = posts_and_comments(false);
    let comments = collections.last_mut().expect("comments");
    let basalt_domain::field::FieldKind::Relation(opts) = &mut comments.fields[1].kind else {
        panic!("post is a relation");
    };
    opts.required = false;
    let app = app(db_for_delete(&collections, &log)).await;
    app.delete_record(&superuser(), "posts", "p1")
        .await
        .expect("deleted; the comment keeps existing without its post");
    let sql = statements(&log);
    let writes: Vec<&str> = sql
        .iter()
        .filter(|s| s.starts_with("DELETE") || s.starts_with("UPDATE") || *s == "COMMIT")
        .map(String::as_str)
        .collect();
    assert_eq!(writes.len(), 3, "{sql:?}");
    assert_eq!(
        writes[0],
        r#"DELETE FROM `posts` WHERE `id` = ? | Text("p1")"#
    );
    assert!(
        writes[1].starts_with("UPDATE `comments` SET "),
        "{}",
        writes[1]
    );
    // the relation is stored empty, the record under its id
    assert!(writes[1].contains(r#"Text(""), "#), "{}", writes[1]);
    assert!(writes[1].ends_with(r#"Text("c1")"#), "{}", writes[1]);
    assert_eq!(writes[2], "COMMIT");
    // no validation: the relation ids were not looked up
    assert!(!sql.iter().any(|s| s.contains("COUNT(DISTINCT")), "{sql:?}");
}

#[tokio::test]
async fn a_unique_violation_is_a_field_error_of_the_create() {
    use basalt_ports::db::{DbError, ExecResult, MockTransaction};
    let mut c = posts();
    c.rules.create = Some(String::new());
    let mut db = MockDatabase::new();
    expect_schema(&mut db, &[users(), c]);
    db.expect_begin().times(1).returning(|| {
        let mut tx = MockTransaction::new();
        tx.expect_query().returning(|_, _| Ok(Vec::new()));
        tx.expect_execute().returning(|sql, _| {
            if sql.starts_with("INSERT") {
                Err(DbError::Unique(
                    "UNIQUE constraint failed: posts.title".into(),
                ))
            } else {
                Ok(ExecResult::default())
            }
        });
        tx.expect_rollback().times(1).returning(|| Ok(()));
        tx.expect_commit().times(0);
        Ok(Box::new(tx))
    });
    let app = app(db).await;
    let err = app
        .create_record(
            &RequestContext::default(),
            "posts",
            body(json!({"title": "taken"})),
        )
        .await
        .expect_err("title taken");
    let ServiceError::Invalid { input, errors } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*input, Input::RecordCreate);
    assert_eq!(
        errors.get("title").map(|e| e.code.as_str()),
        Some("validation_not_unique")
    );
}
