//! `GET /api/openapi.json` and `basalt openapi`: the live OpenAPI document, with typed paths
//! per collection. Basalt only (PocketBase has no OpenAPI document): skipped under
//! `BASALT_TEST_BIN`.

mod common;

use common::*;
use std::process::{Command, Stdio};

fn is_basalt() -> bool {
    std::env::var_os("BASALT_TEST_BIN").is_none()
}

async fn document(srv: &TestServer, token: Option<&str>) -> (StatusCode, Value) {
    srv.req(Method::GET, "/api/openapi.json", token, None).await
}

fn posts_def() -> Value {
    json!({
        "name": "posts", "type": "base",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": null, "deleteRule": null,
        "fields": [
            {"name": "title", "type": "text", "required": true, "max": 120},
            {"name": "views", "type": "number", "onlyInt": true},
            {"name": "status", "type": "select", "values": ["draft", "live"], "maxSelect": 1},
            {"name": "site", "type": "url"},
            {"name": "when", "type": "date"},
            {"name": "cover", "type": "file", "maxSelect": 1}
        ]
    })
}

#[tokio::test]
async fn superusers_get_typed_paths_for_every_collection_and_they_follow_changes() {
    if !is_basalt() {
        return;
    }
    let srv = TestServer::start().await;
    let su = srv.superuser_token().await;
    let (status, doc) = document(&srv, Some(&su)).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/openapi.json"]["get"].is_object());
    // the built-in operations stay, the default collections get theirs
    assert!(doc["paths"]["/collections/{collection}/records"]["get"].is_object());
    assert!(doc["paths"]["/collections/users/auth-with-password"]["post"].is_object());
    assert!(doc["paths"]["/collections/_superusers/records"]["get"].is_object());
    assert!(doc["paths"].get("/collections/posts/records").is_none());
    let users = &doc["components"]["schemas"]["UsersRecord"]["properties"];
    assert_eq!(users["verified"]["type"], "boolean");
    assert!(users.get("password").is_none() && users.get("tokenKey").is_none());

    srv.create_collection(posts_def()).await;
    let (_, doc) = document(&srv, Some(&su)).await;
    let list = &doc["paths"]["/collections/posts/records"];
    assert_eq!(list["get"]["operationId"], "listPosts");
    assert_eq!(
        list["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"],
        "#/components/schemas/PostsCreate",
        "a collection with files takes multipart bodies"
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["PostsCreate"]["required"], json!(["title"]));
    let record = &schemas["PostsRecord"]["properties"];
    assert_eq!(record["title"], json!({"type": "string", "maxLength": 120}));
    assert_eq!(record["views"]["type"], "integer");
    assert_eq!(record["status"]["enum"], json!(["draft", "live", ""]));
    assert_eq!(record["site"]["anyOf"][1]["format"], "uri");
    assert_eq!(record["when"]["format"], "pocketbase-datetime");
    assert_eq!(record["collectionName"]["const"], "posts");
    let one = &doc["paths"]["/collections/posts/records/{id}"];
    assert!(one["get"].is_object() && one["patch"].is_object() && one["delete"].is_object());
    assert_eq!(
        schemas["PostsUpdate"]["properties"]["views+"]["type"],
        "number"
    );

    // a real record fits its schema's types
    let rec = srv
        .create_record(
            "posts",
            json!({"title": "hello", "views": 3, "status": "live"}),
        )
        .await;
    for (key, kind) in [
        ("title", "string"),
        ("views", "integer"),
        ("status", "string"),
    ] {
        assert_eq!(record[key]["type"], kind, "{key}");
    }
    assert_eq!(rec["views"], 3);

    let (status, _) = srv.su(Method::DELETE, "/api/collections/posts", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, doc) = document(&srv, Some(&su)).await;
    assert!(doc["paths"].get("/collections/posts/records").is_none());
    assert!(doc["components"]["schemas"].get("PostsRecord").is_none());
}

#[tokio::test]
async fn others_see_it_only_when_the_setting_allows_and_then_only_open_collections() {
    if !is_basalt() {
        return;
    }
    let srv = TestServer::start().await;
    srv.create_collection(posts_def()).await;
    srv.create_collection(json!({"name": "secrets", "type": "base",
        "fields": [{"name": "code", "type": "text"}]}))
        .await;
    let (user, _) = srv.create_user("user@example.com", "1234567890").await;
    let (status, body) = document(&srv, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, err_body(401, MSG_REQUIRES_AUTH));
    let (status, body) = document(&srv, Some(&user)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, err_body(403, MSG_NOT_ALLOWED));

    let (status, settings) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"openapi": {"public": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["openapi"], json!({"public": true}));
    for token in [None, Some(user.as_str())] {
        let (status, doc) = document(&srv, token).await;
        assert_eq!(status, StatusCode::OK, "{doc}");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/collections/posts/records"));
        assert!(paths.contains_key("/collections/users/records"));
        // every rule null: superusers only, so not documented for others
        assert!(!paths.contains_key("/collections/secrets/records"));
        assert!(!paths.contains_key("/collections/_superusers/records"));
    }
    let su = srv.superuser_token().await;
    let (_, doc) = document(&srv, Some(&su)).await;
    assert!(doc["paths"]["/collections/secrets/records"].is_object());
}

#[tokio::test]
async fn the_cli_writes_the_same_document_with_collection_filters() {
    if !is_basalt() {
        return;
    }
    let srv = TestServer::start().await;
    srv.create_collection(posts_def()).await;
    let su = srv.superuser_token().await;
    let (_, live) = document(&srv, Some(&su)).await;
    let run = |args: &[&str]| {
        Command::new(server_bin())
            .arg("openapi")
            .args(args)
            .arg("--dir")
            .arg(srv.dir().join("pb_data"))
            .stdin(Stdio::null())
            .output()
            .expect("basalt openapi")
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(written, live, "the CLI writes what a superuser gets");

    let out = run(&["--collection", "posts"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let only: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(only["paths"]["/collections/posts/records"].is_object());
    assert!(only["paths"].get("/collections/users/records").is_none());

    let out = run(&["--collection", "nope"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no collection \"nope\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
