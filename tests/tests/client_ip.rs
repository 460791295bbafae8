//! The client IP behind a proxy (`trustedProxy`), the superuser IP whitelist
//! (`superuserIPs`), `/api/health`'s proxy hints and PocketBase's default CORS, on the real
//! binary.

mod common;

use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// GET `path` as a guest with `headers`; the status.
async fn get_with(srv: &TestServer, path: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut rb = srv.client().get(srv.url(path));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb.send().await.expect("send").status()
}

/// The `(userIP, remoteIP)` of the request logs whose client was `ip` (polled: logs are
/// written in the background).
async fn logged_ips(srv: &TestServer, ip: &str) -> Vec<(String, String)> {
    let path = format!(
        "/api/logs?{}",
        common::encode_query(&[("filter", &format!("data.userIP = '{ip}'"))])
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, body) = srv.su(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if !items.is_empty() || std::time::Instant::now() > deadline {
            return items
                .iter()
                .map(|i| {
                    let text = |k: &str| i["data"][k].as_str().unwrap_or("").to_owned();
                    (text("userIP"), text("remoteIP"))
                })
                .collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Settings a rate limit of 2 guest requests per minute on `/api/health`.
fn health_limit() -> Value {
    json!({"enabled": true, "rules": [
        {"label": "/api/health", "maxRequests": 2, "duration": 60, "audience": "@guest"}
    ]})
}

#[tokio::test]
async fn rate_limits_follow_the_trusted_proxy_header() {
    let srv = TestServer::start().await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"rateLimits": health_limit()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // the header is not trusted: every client shares the proxy's (the peer's) budget
    let a = [("X-Forwarded-For", "203.0.113.1")];
    let b = [("X-Forwarded-For", "203.0.113.2")];
    assert_eq!(get_with(&srv, "/api/health", &a).await, StatusCode::OK);
    assert_eq!(get_with(&srv, "/api/health", &b).await, StatusCode::OK);
    assert_eq!(
        get_with(&srv, "/api/health", &a).await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // trusted: each client has its own budget, whatever the others do
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": false}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = [("X-Forwarded-For", "198.51.100.7, 203.0.113.3")];
    let d = [("X-Forwarded-For", "198.51.100.7, 203.0.113.4")];
    assert_eq!(get_with(&srv, "/api/health", &c).await, StatusCode::OK);
    assert_eq!(get_with(&srv, "/api/health", &c).await, StatusCode::OK);
    assert_eq!(
        get_with(&srv, "/api/health", &c).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // the rightmost IP counts, so d is another client
    assert_eq!(get_with(&srv, "/api/health", &d).await, StatusCode::OK);
    // and the request log names the client, not the proxy
    let logged = logged_ips(&srv, "203.0.113.4").await;
    assert_eq!(logged, [("203.0.113.4".to_owned(), "127.0.0.1".to_owned())]);

    // leftmost: c and d are now the same client (198.51.100.7)
    let (status, _) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let e = [("X-Forwarded-For", "198.51.100.9, 203.0.113.5")];
    let f = [("X-Forwarded-For", "198.51.100.9, 203.0.113.6")];
    assert_eq!(get_with(&srv, "/api/health", &e).await, StatusCode::OK);
    assert_eq!(get_with(&srv, "/api/health", &f).await, StatusCode::OK);
    assert_eq!(
        get_with(&srv, "/api/health", &e).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn superusers_only_from_whitelisted_ips() {
    let srv = TestServer::start().await;
    let token = srv.superuser_token().await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({
                "trustedProxy": {"headers": ["X-Real-IP"], "useLeftmostIP": false},
                "superuserIPs": ["10.1.0.0/16"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let settings = |ip: Option<&'static str>| {
        let mut rb = srv
            .client()
            .get(srv.url("/api/settings"))
            .header("Authorization", token.clone());
        if let Some(ip) = ip {
            rb = rb.header("X-Real-IP", ip);
        }
        async move {
            let res = rb.send().await.expect("send");
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = settings(None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"status": 403, "message": "You are not allowed to perform this request.", "data": {}})
    );
    assert_eq!(settings(Some("10.2.0.1")).await.0, StatusCode::FORBIDDEN);
    let (status, body) = settings(Some("10.1.44.5")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["superuserIPs"], json!(["10.1.0.0/16"]));
    // guests and other requests are not affected
    assert_eq!(get_with(&srv, "/api/health", &[]).await, StatusCode::OK);

    // health tells a whitelisted superuser its IP as seen through the proxy
    let res = srv
        .client()
        .get(srv.url("/api/health"))
        .header("Authorization", token.clone())
        .header("X-Real-IP", "10.1.44.5")
        .send()
        .await
        .expect("health");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["data"]["realIP"], "10.1.44.5");
    assert_eq!(body["data"]["possibleProxyHeader"], "X-Real-IP");
    assert_eq!(body["data"]["canBackup"], true);
}

#[tokio::test]
async fn health_hints_at_an_untrusted_proxy() {
    let srv = TestServer::start().await;
    let token = srv.superuser_token().await;
    let res = srv
        .client()
        .get(srv.url("/api/health"))
        .header("Authorization", token)
        .header("X-Forwarded-For", "203.0.113.1")
        .send()
        .await
        .expect("health");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["data"]["realIP"], "127.0.0.1");
    assert_eq!(body["data"]["possibleProxyHeader"], "X-Forwarded-For");
}

#[tokio::test]
async fn cors_as_pocketbase_answers_it() {
    let srv = TestServer::start().await;
    let res = srv
        .client()
        .request(Method::OPTIONS, srv.url("/api/collections/users/records"))
        .header("Origin", "http://app.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("preflight");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert_eq!(
        h["access-control-allow-methods"],
        "GET,HEAD,PUT,PATCH,POST,DELETE"
    );
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization,content-type"
    );
    let vary: Vec<&str> = h
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(
        vary,
        [
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers"
        ]
    );
    let res = srv
        .client()
        .get(srv.url("/api/health"))
        .header("Origin", "http://app.example")
        .send()
        .await
        .expect("get");
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert_eq!(res.headers()["vary"], "Origin");
}
