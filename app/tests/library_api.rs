//! The Rust query API on a real SQLite data dir: filters with bound `{:name}` placeholders.

use basalt::ports::{Auth, CollectionsApi, RecordsApi, RequestContext};
use serde_json::{Map, Value, json};

fn superuser() -> Auth {
    Auth::Record {
        collection_id: String::new(),
        collection_name: "_superusers".into(),
        id: String::new(),
        superuser: true,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

async fn seeded() -> (tempfile::TempDir, basalt::App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = basalt::open(dir.path()).await.expect("open");
    let su = superuser();
    app.create_collection(
        &su,
        json!({"name": "teams", "type": "base", "fields": [{"name": "name", "type": "text"}]}),
    )
    .await
    .expect("teams");
    let teams = app.find_collection("teams").expect("teams collection");
    app.create_collection(
        &su,
        json!({"name": "people", "type": "base", "fields": [
            {"name": "email", "type": "text"},
            {"name": "age", "type": "number"},
            {"name": "team", "type": "relation", "collectionId": teams.id, "maxSelect": 1}
        ]}),
    )
    .await
    .expect("people");
    let req = RequestContext::with_auth(su);
    let red = app
        .create_record(&req, "teams", obj(json!({"name": "red"})))
        .await
        .expect("red");
    let blue = app
        .create_record(&req, "teams", obj(json!({"name": "blue"})))
        .await
        .expect("blue");
    for (email, age, team) in [
        ("a@x.io", 30, &red),
        ("b@x.io", 20, &blue),
        ("c@x.io", 40, &blue),
    ] {
        app.create_record(
            &req,
            "people",
            obj(json!({"email": email, "age": age, "team": team["id"]})),
        )
        .await
        .expect("person");
    }
    (dir, app)
}

fn emails(records: &[basalt::domain::record::Record]) -> Vec<&str> {
    records.iter().map(|r| r.text("email")).collect()
}

#[tokio::test]
async fn placeholders_bind_user_input_so_injection_matches_nothing() {
    let (_dir, app) = seeded().await;
    let params = obj(json!({"email": "x' || 1=1 || email='"}));
    let found = app
        .find_records_by_filter("people", "email = {:email}", "", 10, 0, &params)
        .await
        .expect("query");
    assert!(found.is_empty());
    assert_eq!(
        app.count_records("people", "email = {:email}", &params)
            .await
            .expect("count"),
        0
    );
    let params = obj(json!({"email": "b@x.io"}));
    let first = app
        .find_first_record_by_filter("people", "email = {:email}", &params)
        .await
        .expect("first");
    assert_eq!(
        first.map(|r| r.text("email").to_owned()).as_deref(),
        Some("b@x.io")
    );
}

#[tokio::test]
async fn filters_sort_limit_offset_and_relation_paths() {
    let (_dir, app) = seeded().await;
    let params = obj(json!({"min": 25}));
    let found = app
        .find_records_by_filter("people", "age >= {:min}", "-age", 0, 0, &params)
        .await
        .expect("query");
    assert_eq!(emails(&found), ["c@x.io", "a@x.io"]);
    let page = app
        .find_records_by_filter("people", "", "age", 1, 1, &Map::new())
        .await
        .expect("page");
    assert_eq!(emails(&page), ["a@x.io"]);
    let blue = app
        .find_records_by_filter(
            "people",
            "team.name = 'blue'",
            "-team.name,email",
            0,
            0,
            &Map::new(),
        )
        .await
        .expect("rel");
    assert_eq!(emails(&blue), ["b@x.io", "c@x.io"]);
    let by_team = app
        .find_records_by_filter("people", "", "team.name,-age", 0, 0, &Map::new())
        .await
        .expect("rel sort");
    assert_eq!(emails(&by_team), ["c@x.io", "b@x.io", "a@x.io"]);
    assert_eq!(app.find_all_records("people").await.expect("all").len(), 3);
    assert_eq!(
        app.count_records("people", "", &Map::new())
            .await
            .expect("count"),
        3
    );
    assert!(
        app.find_records_by_filter("people", "nope = 1", "", 0, 0, &Map::new())
            .await
            .is_err()
    );
    assert!(
        app.find_records_by_filter("missing", "", "", 0, 0, &Map::new())
            .await
            .is_err()
    );
}
