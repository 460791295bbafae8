//! The rate limiter over a real TCP listener (clients are told apart by IP).

use crate::support::*;
use basalt_http::router::{DEFAULT_RATE_LIMIT_ID, Router};
use basalt_http::{HttpConfig, RateLimitConfig, RateLimitRule};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn rule(label: &str, audience: &str, max_requests: i64) -> RateLimitRule {
    RateLimitRule {
        label: label.into(),
        audience: audience.into(),
        duration: 60,
        max_requests,
    }
}

async fn serve(router: Router<TestApp>, config: HttpConfig) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
    let ep = app_with(router, config);
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(ep).await;
    });
    addr
}

/// One HTTP/1.1 request; returns the status and the body as JSON (or null).
async fn request(addr: SocketAddr, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: {t}\r\n"));
    let body = if method == "POST" { "{}" } else { "" };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut raw),
    )
    .await
    .expect("response in time")
    .unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn config(rules: Arc<Mutex<RateLimitConfig>>) -> HttpConfig {
    HttpConfig {
        rate_limits: Some(Arc::new(move || Arc::new(rules.lock().unwrap().clone()))),
        ..HttpConfig::default()
    }
}

fn routes() -> Router<TestApp> {
    let mut r = Router::new();
    r.get("/api/myapp/limited", named("limited"));
    r.get("/api/myapp/other", named("other"));
    r.get("/api/myapp/free", named("free"))
        .unbind(&[DEFAULT_RATE_LIMIT_ID]);
    r
}

#[tokio::test]
async fn rules_by_path_method_and_audience() {
    let settings = Arc::new(Mutex::new(RateLimitConfig {
        enabled: true,
        rules: vec![
            rule("GET /api/myapp/limited", "", 2),
            rule("/api/myapp/", "@guest", 1),
            rule("/api/health", "", 1),
        ],
        excluded_ips: vec![],
    }));
    let addr = serve(routes(), config(settings.clone())).await;
    let too_many = json!({"status": 429, "message": "Too Many Requests.", "data": {}});

    // METHOD /path label: 2 requests per window.
    assert_eq!(
        request(addr, "GET", "/api/myapp/limited", None).await.0,
        200
    );
    assert_eq!(
        request(addr, "GET", "/api/myapp/limited", None).await.0,
        200
    );
    let (status, body) = request(addr, "GET", "/api/myapp/limited", None).await;
    assert_eq!((status, body), (429, too_many.clone()));

    // A path-prefix label limited to guests: an authenticated record passes.
    assert_eq!(request(addr, "GET", "/api/myapp/other", None).await.0, 200);
    assert_eq!(request(addr, "GET", "/api/myapp/other", None).await.0, 429);
    assert_eq!(
        request(addr, "GET", "/api/myapp/other", Some("user"))
            .await
            .0,
        200
    );
    assert_eq!(
        request(addr, "GET", "/api/myapp/other", Some("user"))
            .await
            .0,
        200
    );

    // Superusers are never limited.
    for _ in 0..3 {
        assert_eq!(
            request(addr, "GET", "/api/myapp/limited", Some("super"))
                .await
                .0,
            200
        );
    }
    // A route can unbind the limiter.
    for _ in 0..3 {
        assert_eq!(request(addr, "GET", "/api/myapp/free", None).await.0, 200);
    }

    // Built-in routes are limited too.
    assert_eq!(request(addr, "GET", "/api/health", None).await.0, 200);
    let (status, body) = request(addr, "GET", "/api/health", None).await;
    assert_eq!((status, body), (429, too_many));

    // Settings are read per request: disabling lifts every limit.
    settings.lock().unwrap().enabled = false;
    assert_eq!(request(addr, "GET", "/api/health", None).await.0, 200);
}

#[tokio::test]
async fn collection_action_labels_on_builtin_record_routes() {
    let settings = Arc::new(Mutex::new(RateLimitConfig {
        enabled: true,
        rules: vec![rule("posts:create", "", 1), rule("*:create", "", 2)],
        excluded_ips: vec![],
    }));
    let addr = serve(Router::new(), config(settings)).await;
    let path = "/api/collections/posts/records";
    assert_eq!(request(addr, "POST", path, None).await.0, 200);
    assert_eq!(request(addr, "POST", path, None).await.0, 429);
    let other = "/api/collections/tags/records";
    assert_eq!(request(addr, "POST", other, None).await.0, 200);
    assert_eq!(request(addr, "POST", other, None).await.0, 200);
    assert_eq!(request(addr, "POST", other, None).await.0, 429);
}

#[tokio::test]
async fn excluded_ips_and_disabled_by_default() {
    let settings = Arc::new(Mutex::new(RateLimitConfig {
        enabled: true,
        rules: vec![rule("/api/", "", 1)],
        excluded_ips: vec!["127.0.0.0/8".into()],
    }));
    let addr = serve(routes(), config(settings)).await;
    for _ in 0..3 {
        assert_eq!(
            request(addr, "GET", "/api/myapp/limited", None).await.0,
            200
        );
    }
    let addr = serve(routes(), HttpConfig::default()).await;
    for _ in 0..3 {
        assert_eq!(request(addr, "GET", "/api/health", None).await.0, 200);
    }
}
