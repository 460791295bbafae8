//! API rules: `null` (superusers only) vs `""` (everyone).

mod common;

use common::*;

const RECORDS: &str = "/api/collections/items/records";

fn only_superusers() -> Value {
    err_body(403, MSG_ONLY_SUPERUSERS)
}

async fn items(srv: &TestServer, rule: Value) -> Value {
    srv.create_collection(json!({
        "name": "items",
        "type": "base",
        "listRule": rule,
        "viewRule": rule,
        "createRule": rule,
        "updateRule": rule,
        "deleteRule": rule,
        "fields": [{"name": "title", "type": "text"}]
    }))
    .await
}

#[tokio::test]
async fn null_rules_are_superuser_only() {
    let srv = TestServer::start().await;
    let c = items(&srv, Value::Null).await;
    assert_eq!(c["listRule"], Value::Null);
    let seeded = srv.create_record("items", json!({"title": "seed"})).await;
    let id = seeded["id"].as_str().unwrap().to_string();
    let one = format!("{RECORDS}/{id}");
    let (user_token, _) = srv.create_user("user@example.com", "Passw0rd!1234").await;

    for (who, token) in [
        ("guest", None),
        ("garbage token", Some("garbage")),
        ("user", Some(user_token.as_str())),
    ] {
        let cases: [(Method, &str, Option<Value>); 6] = [
            (Method::GET, RECORDS, None),
            (Method::GET, &one, None),
            (Method::POST, RECORDS, Some(json!({"title": "new"}))),
            (Method::PATCH, &one, Some(json!({"title": "changed"}))),
            (Method::DELETE, &one, None),
            // The rule is checked before the record is looked up.
            (
                Method::DELETE,
                "/api/collections/items/records/nonexistent12345",
                None,
            ),
        ];
        for (method, path, body) in cases {
            let (status, got) = srv.req(method.clone(), path, token, body).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{who} {method} {path}: {got}"
            );
            assert_eq!(got, only_superusers(), "{who} {method} {path}");
        }
        let (status, _) = srv
            .req(
                Method::GET,
                "/api/collections/items/records/nonexistent12345",
                token,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }

    // Nothing happened.
    assert_eq!(srv.count("items").await, 1);
    let (_, got) = srv.su(Method::GET, &one, None).await;
    assert_eq!(got["title"], "seed");

    // Superusers bypass the rules.
    let (status, list) = srv.su(Method::GET, RECORDS, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["totalItems"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
    let (status, got) = srv.su(Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["title"], "seed");
    let (status, created) = srv
        .su(Method::POST, RECORDS, Some(json!({"title": "by su"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(created["title"], "by su");
    let (status, updated) = srv
        .su(Method::PATCH, &one, Some(json!({"title": "su edit"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["title"], "su edit");
    let (status, _) = srv.su(Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, got) = srv
        .su(
            Method::GET,
            "/api/collections/items/records/nonexistent12345",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(got, err_body(404, MSG_NOT_FOUND));
    assert_eq!(srv.count("items").await, 1);
}

#[tokio::test]
async fn empty_rules_are_public() {
    let srv = TestServer::start().await;
    let c = items(&srv, json!("")).await;
    assert_eq!(c["listRule"], "");
    let (user_token, _) = srv.create_user("user@example.com", "Passw0rd!1234").await;

    for (who, token) in [
        ("guest", None),
        ("garbage token", Some("garbage")),
        ("user", Some(user_token.as_str())),
    ] {
        let (status, created) = srv
            .req(Method::POST, RECORDS, token, Some(json!({"title": who})))
            .await;
        assert_eq!(status, StatusCode::OK, "{who}: {created}");
        assert_eq!(created["title"], who);
        let one = format!("{RECORDS}/{}", created["id"].as_str().unwrap());

        let (status, list) = srv.req(Method::GET, RECORDS, token, None).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(list["totalItems"], 1, "{who}");
        assert_eq!(list["items"][0], created);

        let (status, got) = srv.req(Method::GET, &one, token, None).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(got, created);

        let (status, updated) = srv
            .req(Method::PATCH, &one, token, Some(json!({"title": "edited"})))
            .await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(updated["title"], "edited");

        let (status, body) = srv.req(Method::DELETE, &one, token, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{who}");
        assert_eq!(body, Value::Null);

        // With a public rule a missing record is a plain 404.
        let (status, body) = srv.req(Method::GET, &one, token, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(body, err_body(404, MSG_NOT_FOUND));
        assert_eq!(srv.count("items").await, 0);
    }
}

#[tokio::test]
async fn rules_apply_per_action_and_changes_take_effect() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "items",
        "type": "base",
        "listRule": "",
        "viewRule": null,
        "createRule": "",
        "updateRule": null,
        "deleteRule": null,
        "fields": [{"name": "title", "type": "text"}]
    }))
    .await;

    let (status, created) = srv
        .req(Method::POST, RECORDS, None, Some(json!({"title": "a"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let one = format!("{RECORDS}/{}", created["id"].as_str().unwrap());

    let (status, list) = srv.req(Method::GET, RECORDS, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["totalItems"], 1);

    let (status, body) = srv.req(Method::GET, &one, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, only_superusers());
    let (status, body) = srv
        .req(Method::PATCH, &one, None, Some(json!({"title": "b"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, only_superusers());
    let (status, body) = srv.req(Method::DELETE, &one, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, only_superusers());

    // Open view, lock list.
    let (status, _) = srv
        .su(
            Method::PATCH,
            "/api/collections/items",
            Some(json!({"viewRule": "", "listRule": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = srv.req(Method::GET, RECORDS, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, only_superusers());
    let (status, got) = srv.req(Method::GET, &one, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["title"], "a");

    // Lock create.
    let (status, _) = srv
        .su(
            Method::PATCH,
            "/api/collections/items",
            Some(json!({"createRule": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = srv
        .req(Method::POST, RECORDS, None, Some(json!({"title": "c"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, only_superusers());
    assert_eq!(srv.count("items").await, 1);
}
