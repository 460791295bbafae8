//! The built-in middlewares: require_*, body_limit, gzip, skip_success_activity_log.

use crate::support::*;
use basalt_http::HttpConfig;
use basalt_http::router::{
    Router, body_limit, gzip, require_auth, require_guest_only, require_superuser_auth,
    require_superuser_or_owner_auth, skip_success_activity_log,
};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;
use std::io::Read;

fn ok_action()
-> impl for<'a> Fn(&'a mut Ev) -> basalt_ports::hook::BoxFuture<'a, basalt_ports::hook::HookResult>
+ Send
+ Sync
+ 'static {
    |e: &mut Ev| {
        Box::pin(async move {
            let who = match &e.auth {
                basalt_ports::Auth::Guest => "guest".to_owned(),
                basalt_ports::Auth::Record { id, .. } => id.clone(),
            };
            e.string(200, who)
        })
    }
}

fn auth_routes() -> Router<TestApp> {
    let mut r = Router::new();
    r.get("/any-auth", ok_action()).bind(require_auth(&[]));
    r.get("/users-only", ok_action())
        .bind(require_auth(&["users", "other"]));
    r.get("/super", ok_action()).bind(require_superuser_auth());
    r.get("/owner/{id}", ok_action())
        .bind(require_superuser_or_owner_auth(""));
    r.get("/owned/{ownerId}/x", ok_action())
        .bind(require_superuser_or_owner_auth("ownerId"));
    r.get("/guests", ok_action()).bind(require_guest_only());
    r
}

async fn call(cli: &TestClient<impl poem::Endpoint>, path: &str, token: Option<&str>) -> Res {
    let mut req = cli.get(path);
    if let Some(t) = token {
        req = req.header("Authorization", t);
    }
    send(req).await
}

#[tokio::test]
async fn require_auth_and_superuser() {
    let cli = client(auth_routes());
    let unauthorized = error_body(
        401,
        "The request requires valid record authorization token.",
    );
    let forbidden = error_body(
        403,
        "The authorized record is not allowed to perform this action.",
    );

    let res = call(&cli, "/any-auth", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json(), unauthorized);
    assert_eq!(call(&cli, "/any-auth", Some("member")).await.text(), "m1");
    assert_eq!(call(&cli, "/any-auth", Some("super")).await.text(), "s1");

    assert_eq!(call(&cli, "/users-only", Some("user")).await.text(), "u1");
    let res = call(&cli, "/users-only", Some("member")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json(), forbidden);
    assert_eq!(call(&cli, "/users-only", None).await.json(), unauthorized);

    assert_eq!(call(&cli, "/super", Some("super")).await.text(), "s1");
    assert_eq!(call(&cli, "/super", Some("user")).await.json(), forbidden);
    assert_eq!(call(&cli, "/super", None).await.json(), unauthorized);
}

#[tokio::test]
async fn require_superuser_or_owner() {
    let cli = client(auth_routes());
    assert_eq!(call(&cli, "/owner/u1", Some("user")).await.text(), "u1");
    assert_eq!(call(&cli, "/owner/u1", Some("super")).await.text(), "s1");
    let res = call(&cli, "/owner/u2", Some("user")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json(),
        error_body(403, "You are not allowed to perform this request.")
    );
    let res = call(&cli, "/owner/u1", None).await;
    assert_eq!(
        res.json(),
        error_body(
            401,
            "The request requires superuser or record authorization token."
        )
    );
    assert_eq!(call(&cli, "/owned/m1/x", Some("member")).await.text(), "m1");
    assert_eq!(
        call(&cli, "/owned/u1/x", Some("member")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn require_guest_only_rejects_auth() {
    let cli = client(auth_routes());
    assert_eq!(call(&cli, "/guests", None).await.text(), "guest");
    // An invalid token is a guest's request.
    assert_eq!(call(&cli, "/guests", Some("bogus")).await.text(), "guest");
    let res = call(&cli, "/guests", Some("user")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json(),
        error_body(400, "The request can be accessed only by guests.")
    );
}

fn echo_len()
-> impl for<'a> Fn(&'a mut Ev) -> basalt_ports::hook::BoxFuture<'a, basalt_ports::hook::HookResult>
+ Send
+ Sync
+ 'static {
    |e: &mut Ev| {
        Box::pin(async move {
            let body = e.body_bytes().await?;
            e.json(200, &json!({"len": body.len()}))
        })
    }
}

#[tokio::test]
async fn body_limit_default_and_route_overrides() {
    let mut r = Router::new();
    r.post("/default", echo_len());
    r.post("/bigger", echo_len()).bind(body_limit(1000));
    r.post("/smaller", echo_len()).bind(body_limit(10));
    r.post("/unlimited", echo_len()).bind(body_limit(0));
    let g = r.group("/g");
    g.bind(body_limit(5));
    g.post("/x", echo_len());
    let config = HttpConfig {
        body_limit: 100,
        ..HttpConfig::default()
    };
    let cli = TestClient::new(app_with(r, config));
    let too_large = error_body(413, "Request entity too large.");

    let res = send(cli.post("/default").body(vec![b'a'; 100])).await;
    assert_eq!(res.json(), json!({"len": 100}));
    let res = send(cli.post("/default").body(vec![b'a'; 101])).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json(), too_large);
    assert_eq!(res.header("connection"), Some("close"));

    let res = send(cli.post("/bigger").body(vec![b'a'; 500])).await;
    assert_eq!(res.json(), json!({"len": 500}));
    let res = send(cli.post("/smaller").body(vec![b'a'; 11])).await;
    assert_eq!(res.json(), too_large);
    let res = send(cli.post("/unlimited").body(vec![b'a'; 5000])).await;
    assert_eq!(res.json(), json!({"len": 5000}));
    let res = send(cli.post("/g/x").body(vec![b'a'; 6])).await;
    assert_eq!(res.json(), too_large);

    // Without a Content-Length the limit applies while reading.
    let chunks = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'a'; 8])),
        Ok(bytes::Bytes::from(vec![b'a'; 8])),
    ]);
    let res = send(
        cli.post("/smaller")
            .body(poem::Body::from_bytes_stream(chunks)),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);

    // The built-in API keeps the configured limit.
    let res = send(
        cli.post("/api/collections/posts/records")
            .content_type("application/json")
            .body(format!("{{\"a\":\"{}\"}}", "x".repeat(200))),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn gzip_compresses_when_accepted() {
    let text = "hello gzip ".repeat(200);
    let mut r = Router::new();
    let t = text.clone();
    r.get("/big", move |e| {
        let t = t.clone();
        Box::pin(async move { e.string(200, t) })
    })
    .bind(gzip());
    r.get("/empty", |e| Box::pin(async move { e.no_content(204) }))
        .bind(gzip());
    let cli = client(r);

    let res = send(cli.get("/big").header("Accept-Encoding", "deflate, gzip")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(res.header("vary"), Some("Accept-Encoding"));
    assert!(res.body.len() < text.len());
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&res.body[..])
        .read_to_string(&mut decoded)
        .unwrap();
    assert_eq!(decoded, text);

    let res = send(cli.get("/big")).await;
    assert_eq!(res.header("content-encoding"), None);
    assert_eq!(res.header("vary"), Some("Accept-Encoding"));
    assert_eq!(res.text(), text);

    let res = send(cli.get("/empty").header("Accept-Encoding", "gzip")).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(res.header("content-encoding"), None);
}

#[tokio::test]
async fn skip_success_activity_log_sets_the_flag() {
    fn flag(e: &mut Ev) -> basalt_ports::hook::BoxFuture<'_, basalt_ports::hook::HookResult> {
        Box::pin(async move {
            let skip = e.skip_success_activity_log();
            e.json(200, &json!({"skip": skip}))
        })
    }
    let mut r = Router::new();
    r.get("/skip", flag).bind(skip_success_activity_log());
    r.get("/log", flag);
    let cli = client(r);
    assert_eq!(send(cli.get("/skip")).await.json(), json!({"skip": true}));
    assert_eq!(send(cli.get("/log")).await.json(), json!({"skip": false}));
}
