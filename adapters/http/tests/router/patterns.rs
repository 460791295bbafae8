//! Path patterns: `{id}`, `{path...}`, `{$}`, trailing-slash prefixes, nested groups,
//! precedence, redirects, methods, conflicts, and falling through to the built-in API.

use crate::support::*;
use basalt_http::router::Router;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

fn routes() -> Router<TestApp> {
    let mut r = Router::new();
    r.get("/posts/{id}", named("post"));
    r.get("/posts/latest", named("latest"));
    r.get("/files/{path...}", named("files"));
    r.get("/exact/{$}", named("exact"));
    r.get("/prefix/", named("prefix"));
    r.get("/{$}", named("root"));
    r.any("/any/{x}", named("any"));
    r.post("/posts/{id}", named("post-post"));
    let g = r.group("/api/myapp");
    g.get("/hello", named("hello"));
    let inner = g.group("/v2");
    inner.get("/items/{item}/parts/{part}", named("parts"));
    r
}

#[tokio::test]
async fn wildcards_and_precedence() {
    let cli = client(routes());
    let res = send(cli.get("/posts/abc")).await;
    assert_eq!(
        res.json(),
        json!({"route": "post", "params": {"id": "abc"}})
    );
    // A literal segment is more specific than a wildcard.
    let res = send(cli.get("/posts/latest")).await;
    assert_eq!(res.json()["route"], "latest");
    // Escapes are decoded in values.
    let res = send(cli.get("/posts/a%20b")).await;
    assert_eq!(res.json()["params"]["id"], "a b");
    // `{id}` is one non-empty segment.
    assert_eq!(
        send(cli.get("/posts/a/b")).await.status,
        StatusCode::NOT_FOUND
    );

    let res = send(cli.get("/files/a/b/c.txt")).await;
    assert_eq!(res.json()["params"]["path"], "a/b/c.txt");
    let res = send(cli.get("/files/")).await;
    assert_eq!(res.json()["params"]["path"], "");

    // Method routing: the POST route, GET answering HEAD, any-method routes.
    let res = send(cli.post("/posts/abc")).await;
    assert_eq!(res.json()["route"], "post-post");
    assert_eq!(send(cli.head("/posts/abc")).await.status, StatusCode::OK);
    let res = send(cli.delete("/any/1")).await;
    assert_eq!(res.json()["route"], "any");
}

#[tokio::test]
async fn exact_trailing_slash_prefixes_and_redirects() {
    let cli = client(routes());
    assert_eq!(send(cli.get("/exact/")).await.json()["route"], "exact");
    assert_eq!(
        send(cli.get("/exact/more")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(send(cli.get("/")).await.json()["route"], "root");
    assert_eq!(
        send(cli.get("/prefix/deep/er")).await.json()["route"],
        "prefix"
    );

    // `/files` and `/prefix` redirect to their trailing-slash routes, query kept.
    let res = send(cli.get("/prefix?a=1")).await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.header("location"), Some("/prefix/?a=1"));
    let res = send(cli.get("/files")).await;
    assert_eq!(res.header("location"), Some("/files/"));
    // Unclean paths redirect to their clean form.
    let res = send(cli.get("/posts/x/../abc")).await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.header("location"), Some("/posts/abc"));
    let res = send(cli.get("/posts//abc")).await;
    assert_eq!(res.header("location"), Some("/posts/abc"));
}

#[tokio::test]
async fn nested_groups_concatenate_prefixes() {
    let cli = client(routes());
    assert_eq!(
        send(cli.get("/api/myapp/hello")).await.json()["route"],
        "hello"
    );
    let res = send(cli.get("/api/myapp/v2/items/7/parts/9")).await;
    assert_eq!(
        res.json(),
        json!({"route": "parts", "params": {"item": "7", "part": "9"}})
    );
}

#[tokio::test]
async fn unmatched_requests_fall_through_to_the_builtin_api() {
    let cli = client(routes());
    let res = send(cli.get("/api/health")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["message"], "API is healthy.");
    // Wrong method on a custom path: not custom, and unknown to the API.
    let res = send(cli.put("/posts/abc")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        res.json(),
        error_body(404, "The requested resource wasn't found.")
    );
    // Global middlewares wrap custom routes too.
    let res = send(cli.get("/posts/abc")).await;
    assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn a_custom_route_overrides_a_builtin_one() {
    let mut r = Router::new();
    r.get("/api/health", named("mine"));
    let cli = client(r);
    assert_eq!(send(cli.get("/api/health")).await.json()["route"], "mine");
}

#[tokio::test]
async fn the_endpoint_alone_answers_404_for_unmatched() {
    let cli = TestClient::new(routes().into_endpoint(TestApp { name: "x" }));
    let res = send(cli.get("/nope")).await;
    assert_eq!(
        res.json(),
        error_body(404, "The requested resource wasn't found.")
    );
    assert_eq!(send(cli.get("/posts/1")).await.json()["route"], "post");
}

#[test]
fn conflicting_and_invalid_patterns_are_rejected() {
    let mut r = Router::<TestApp>::new();
    r.get("/a/{x}", named("a"));
    r.get("/a/{y}", named("b"));
    let err = r.try_into_endpoint(TestApp { name: "x" }).unwrap_err();
    assert_eq!(
        err,
        basalt_http::router::RouterError::Conflict {
            route: "GET /a/{y}".into(),
            other: "GET /a/{x}".into(),
        }
    );

    // A method-only route and a path-only one overlap without either being more specific.
    let mut r = Router::<TestApp>::new();
    r.get("/a/{x}", named("a"));
    r.any("/a/b", named("b"));
    assert!(r.try_into_endpoint(TestApp { name: "x" }).is_err());

    // `/a/{rest...}` and `/a/` are the same pattern.
    let mut r = Router::<TestApp>::new();
    r.get("/a/{rest...}", named("a"));
    assert!(r.has_route("GET", "/a/"));
    assert!(!r.has_route("POST", "/a/"));
    r.get("/a/", named("b"));
    assert!(r.try_into_endpoint(TestApp { name: "x" }).is_err());

    let mut r = Router::<TestApp>::new();
    r.get("/a/{x...}/b", named("a"));
    assert!(r.try_into_endpoint(TestApp { name: "x" }).is_err());
}
