//! The response helpers and the `*_error` helpers.

use crate::support::*;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_http::router::Router;
use poem::http::StatusCode;
use serde_json::json;

fn routes(dir: &std::path::Path) -> Router<TestApp> {
    let mut r = Router::new();
    r.get("/json", |e| {
        Box::pin(async move { e.json(201, &json!({"a": 1, "b": {"c": 2, "d": 3}})) })
    });
    r.get("/string", |e| {
        Box::pin(async move { e.string(200, "plain") })
    });
    r.get("/html", |e| {
        Box::pin(async move { e.html(200, "<p>hi</p>") })
    });
    r.get("/redirect", |e| {
        Box::pin(async move { e.redirect(307, "/elsewhere") })
    });
    r.get("/bad-redirect", |e| {
        Box::pin(async move { e.redirect(200, "/elsewhere") })
    });
    r.get("/no-content", |e| {
        Box::pin(async move { e.no_content(204) })
    });
    r.get("/stream", |e| {
        Box::pin(async move {
            let chunks = futures_util::stream::iter(
                ["one,", "two,", "three"].map(|c| Ok::<_, std::io::Error>(bytes::Bytes::from(c))),
            );
            e.stream(200, "text/csv", chunks)
        })
    });
    r.get("/blob", |e| {
        Box::pin(async move { e.blob(200, "application/octet-stream", vec![0u8, 1, 2]) })
    });
    let file = dir.join("data.json");
    r.get("/file", move |e| {
        let file = file.clone();
        Box::pin(async move { e.file(&file) })
    });
    let missing = dir.join("missing.txt");
    r.get("/missing-file", move |e| {
        let missing = missing.clone();
        Box::pin(async move { e.file(&missing) })
    });
    r.get("/errors/{kind}", |e| {
        Box::pin(async move {
            let err = match e.path_param("kind").unwrap_or("") {
                "bad" => {
                    let mut data = ValidationErrors::new();
                    data.add("title", FieldError::new("validation_required", "Missing."));
                    e.bad_request_error("invalid title", data)
                }
                "bad-default" => e.bad_request_error("", ValidationErrors::new()),
                "not-found" => e.not_found_error(""),
                "forbidden" => e.forbidden_error("no way!"),
                "unauthorized" => e.unauthorized_error(""),
                "too-many" => e.too_many_requests_error(""),
                _ => e.internal_server_error("secret detail"),
            };
            Err(err)
        })
    });
    r
}

#[tokio::test]
async fn response_helpers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.json"), br#"{"from":"file"}"#).unwrap();
    let cli = client(routes(dir.path()));

    let res = send(cli.get("/json")).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.json(), json!({"a": 1, "b": {"c": 2, "d": 3}}));
    // `fields` picks keys, as PocketBase's e.JSON does.
    let res = send(cli.get("/json?fields=a,b.d")).await;
    assert_eq!(res.json(), json!({"a": 1, "b": {"d": 3}}));

    let res = send(cli.get("/string")).await;
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.text(), "plain");
    let res = send(cli.get("/html")).await;
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.text(), "<p>hi</p>");

    let res = send(cli.get("/redirect")).await;
    assert_eq!(res.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(res.header("location"), Some("/elsewhere"));
    let res = send(cli.get("/bad-redirect")).await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);

    let res = send(cli.get("/no-content")).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(res.body.is_empty());

    let res = send(cli.get("/stream")).await;
    assert_eq!(res.header("content-type"), Some("text/csv"));
    assert_eq!(res.text(), "one,two,three");

    let res = send(cli.get("/blob")).await;
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    assert_eq!(&res.body[..], &[0, 1, 2]);

    let res = send(cli.get("/file")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.text(), r#"{"from":"file"}"#);
    let etag = res.header("etag").expect("etag").to_owned();
    let res = send(cli.get("/file").header("If-None-Match", etag)).await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    let res = send(cli.get("/missing-file")).await;
    assert_eq!(res.json(), error_body(404, "File not found."));
}

#[tokio::test]
async fn error_helpers_use_pocketbase_messages() {
    let dir = tempfile::tempdir().unwrap();
    let cli = client(routes(dir.path()));
    let get = |kind: &'static str| {
        let cli = &cli;
        async move { send(cli.get(format!("/errors/{kind}"))).await }
    };
    let res = get("bad").await;
    assert_eq!(
        res.json(),
        json!({"status": 400, "message": "Invalid title.", "data": {
            "title": {"code": "validation_required", "message": "Missing."}
        }})
    );
    assert_eq!(
        get("bad-default").await.json(),
        error_body(400, "Something went wrong while processing your request.")
    );
    assert_eq!(
        get("not-found").await.json(),
        error_body(404, "The requested resource wasn't found.")
    );
    assert_eq!(get("forbidden").await.json(), error_body(403, "No way!"));
    assert_eq!(
        get("unauthorized").await.json(),
        error_body(401, "Missing or invalid authentication.")
    );
    let res = get("too-many").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.json(), error_body(429, "Too Many Requests."));
    // Internal messages are for the logs (and --dev).
    assert_eq!(
        get("internal").await.json(),
        error_body(500, "Something went wrong while processing your request.")
    );
}
