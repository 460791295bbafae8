//! `bind_body` (JSON, urlencoded and multipart forms) and `request_info`.

use crate::support::*;
use basalt_http::router::Router;
use poem::http::StatusCode;
use poem::test::TestForm;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Deserialize, Serialize)]
struct Post {
    title: String,
    #[serde(default)]
    views: i64,
    #[serde(default)]
    published: bool,
}

#[derive(Debug, Deserialize, Serialize)]
struct Tagged {
    name: String,
    tags: Vec<String>,
}

fn routes() -> Router<TestApp> {
    let mut r = Router::new();
    r.post("/post", |e| {
        Box::pin(async move {
            let p: Post = e.bind_body().await?;
            e.json(200, &p)
        })
    });
    r.post("/tagged", |e| {
        Box::pin(async move {
            let t: Tagged = e.bind_body().await?;
            e.json(200, &t)
        })
    });
    r.post("/info/{id}", |e| {
        Box::pin(async move {
            let info = e.request_info().await?;
            // The body stays readable after request_info.
            let again: serde_json::Value = e.bind_body().await?;
            let auth = match &info.context.auth {
                basalt_ports::Auth::Guest => "".to_owned(),
                basalt_ports::Auth::Record { id, .. } => id.clone(),
            };
            e.json(
                200,
                &json!({
                    "method": info.context.method,
                    "query": info.context.query,
                    "header": info.context.headers.get("x-custom"),
                    "auth": auth,
                    "body": info.body,
                    "again": again,
                    "id": e.path_param("id"),
                    "q": e.query_param("q"),
                }),
            )
        })
    });
    r
}

#[tokio::test]
async fn binds_json() {
    let cli = client(routes());
    let res = send(
        cli.post("/post")
            .body_json(&json!({"title": "Hi", "views": 3, "published": true})),
    )
    .await;
    assert_eq!(
        res.json(),
        json!({"title": "Hi", "views": 3, "published": true})
    );
    let res = send(
        cli.post("/post")
            .content_type("application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json(),
        error_body(400, "An error occurred while loading the submitted data.")
    );
    let res = send(cli.post("/post").content_type("text/plain").body("x")).await;
    assert_eq!(res.json(), error_body(400, "Unsupported Content-Type."));
}

#[tokio::test]
async fn binds_forms_with_typed_fields() {
    let cli = client(routes());
    let res = send(
        cli.post("/post")
            .content_type("application/x-www-form-urlencoded")
            .body("title=A+b&views=12&published=true"),
    )
    .await;
    assert_eq!(
        res.json(),
        json!({"title": "A b", "views": 12, "published": true})
    );
    let res = send(
        cli.post("/post")
            .multipart(TestForm::new().text("title", "M").text("views", "5")),
    )
    .await;
    assert_eq!(
        res.json(),
        json!({"title": "M", "views": 5, "published": false})
    );
    // A repeated key binds to a list.
    let res = send(
        cli.post("/tagged").multipart(
            TestForm::new()
                .text("name", "n")
                .text("tags", "a")
                .text("tags", "b"),
        ),
    )
    .await;
    assert_eq!(res.json(), json!({"name": "n", "tags": ["a", "b"]}));
}

#[tokio::test]
async fn request_info_has_the_request_and_the_body() {
    let cli = client(routes());
    let res = send(
        cli.post("/info/abc?q=1&x=y")
            .header("Authorization", "user")
            .header("X-Custom", "v")
            .body_json(&json!({"a": 1})),
    )
    .await;
    assert_eq!(
        res.json(),
        json!({
            "method": "POST",
            "query": {"q": "1", "x": "y"},
            "header": "v",
            "auth": "u1",
            "body": {"a": 1},
            "again": {"a": 1},
            "id": "abc",
            "q": "1",
        })
    );
    // An urlencoded form body reads as strings.
    let res = send(
        cli.post("/info/abc")
            .content_type("application/x-www-form-urlencoded")
            .body("a=1&a=2&b=x"),
    )
    .await;
    assert_eq!(res.json()["body"], json!({"a": ["1", "2"], "b": "x"}));
}
