//! `GET /api/health`.

mod common;

use common::*;

#[tokio::test]
async fn health_as_guest() {
    let srv = TestServer::start().await;

    let resp = srv
        .client()
        .get(srv.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[reqwest::header::CONTENT_TYPE],
        "application/json"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": 200, "message": "API is healthy.", "data": {}})
    );

    // A garbage token is just a guest.
    let (status, body) = srv
        .req(Method::GET, "/api/health", Some("garbage"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"code": 200, "message": "API is healthy.", "data": {}})
    );

    // HEAD is served too, with no body.
    let resp = srv
        .client()
        .head(srv.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.unwrap().is_empty());

    // Other methods are not routed: 404, not 405.
    let (status, body) = srv.req(Method::POST, "/api/health", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));
}

#[tokio::test]
async fn health_as_superuser_has_extra_data() {
    let srv = TestServer::start().await;
    let (status, body) = srv.su(Method::GET, "/api/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code"], 200);
    assert_eq!(body["message"], "API is healthy.");
    let data = body["data"].as_object().unwrap();
    let mut keys: Vec<_> = data.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["canBackup", "possibleProxyHeader", "realIP"]);
    assert_eq!(data["realIP"], "127.0.0.1");
    assert_eq!(data["possibleProxyHeader"], "");
    assert_eq!(data["canBackup"], true);

    // A regular user gets the guest shape.
    let (token, _) = srv.create_user("health@example.com", "Passw0rd!1234").await;
    let (status, body) = srv
        .req(Method::GET, "/api/health", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"code": 200, "message": "API is healthy.", "data": {}})
    );
}
