//! Middleware order (router → groups outer→inner → route, by priority), replacing by id,
//! unbinding, short-circuits, and changing the response after `next()`.

use crate::support::*;
use basalt_http::router::Router;
use basalt_ports::ServiceError;
use basalt_ports::hook::Handler;
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn order_is_router_groups_route_then_priority() {
    let mut r = Router::new();
    r.bind(mark("global"));
    r.bind(mark("global-early").priority(-5));
    let outer = r.group("/a");
    outer.bind(mark("outer"));
    let inner = outer.group("/b");
    inner.bind(mark("inner"));
    inner.bind(mark("inner-late").priority(10));
    inner
        .get("/c", log_action())
        .bind(mark("route"))
        .bind(mark("route-first").priority(-10));
    let cli = client(r);
    let res = send(cli.get("/a/b/c")).await;
    assert_eq!(
        res.json(),
        json!([
            "route-first",
            "global-early",
            "global",
            "outer",
            "inner",
            "route",
            "inner-late"
        ])
    );
}

#[tokio::test]
async fn unbind_and_replace_by_id() {
    let mut r = Router::new();
    r.bind(mark("global").id("g"));
    r.bind(mark("other-global").id("og"));
    let g = r.group("/g");
    g.bind(mark("group").id("grp"));
    g.get("/plain", log_action());
    // The route drops an inherited global and replaces the group's by id.
    g.get("/custom", log_action())
        .unbind(&["g"])
        .bind(mark("group-replaced").id("grp"));
    let quiet = r.group("/quiet");
    quiet.unbind(&["og"]);
    quiet.get("/x", log_action());
    // Bound again on a route below the group that unbound it: back for that route.
    quiet
        .get("/y", log_action())
        .bind(mark("og-again").id("og"));
    r.get("/top", log_action());
    let cli = client(r);

    assert_eq!(
        send(cli.get("/g/plain")).await.json(),
        json!(["global", "other-global", "group"])
    );
    assert_eq!(
        send(cli.get("/g/custom")).await.json(),
        json!(["other-global", "group-replaced"])
    );
    assert_eq!(send(cli.get("/quiet/x")).await.json(), json!(["global"]));
    assert_eq!(
        send(cli.get("/quiet/y")).await.json(),
        json!(["global", "og-again"])
    );
    assert_eq!(
        send(cli.get("/top")).await.json(),
        json!(["global", "other-global"])
    );
}

#[tokio::test]
async fn a_middleware_without_next_ends_the_request() {
    let mut r = Router::new();
    r.get("/stop", |e| {
        Box::pin(async move { e.string(200, "the action ran") })
    })
    .bind_func(|e| Box::pin(async move { e.string(418, "short-circuited") }));
    r.get("/deny", |e| {
        Box::pin(async move { e.string(200, "the action ran") })
    })
    .bind_func(|e| Box::pin(async move { Err(e.forbidden_error("")) }));
    r.get("/silent", log_action())
        .bind_func(|_e| Box::pin(async move { Ok(()) }));
    let cli = client(r);

    let res = send(cli.get("/stop")).await;
    assert_eq!(res.status.as_u16(), 418);
    assert_eq!(res.text(), "short-circuited");
    let res = send(cli.get("/deny")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json(),
        error_body(403, "You are not allowed to perform this request.")
    );
    // No response and no error: an empty 200, as Go's net/http does.
    let res = send(cli.get("/silent")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.is_empty());
}

#[tokio::test]
async fn middlewares_see_and_change_the_response_after_next() {
    let mut r = Router::new();
    r.bind(Handler::new(|e: &mut Ev| {
        Box::pin(async move {
            e.response_headers_mut()
                .insert("x-before", "1".parse().unwrap());
            let result = e.next().await;
            let status = e.status();
            if let Some(res) = e.response_mut() {
                res.headers_mut()
                    .insert("x-seen-status", status.to_string().parse().unwrap());
            }
            result
        })
    }));
    r.get("/ok", |e| Box::pin(async move { e.no_content(204) }));
    r.get("/err", |_e| {
        Box::pin(async move { Err(ServiceError::NotFound("Gone.".into())) })
    });
    let cli = client(r);

    let res = send(cli.get("/ok")).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(res.header("x-seen-status"), Some("204"));
    assert_eq!(res.header("x-before"), Some("1"));
    // Headers set on the event go out with error responses too.
    let res = send(cli.get("/err")).await;
    assert_eq!(res.json(), error_body(404, "Gone."));
    assert_eq!(res.header("x-before"), Some("1"));
}

#[tokio::test]
async fn handlers_see_the_app() {
    let mut r = Router::<TestApp>::new();
    r.get("/app", |e| {
        Box::pin(async move {
            let name = e.app.name;
            e.string(200, name)
        })
    });
    assert_eq!(send(client(r).get("/app")).await.text(), "test");
}
