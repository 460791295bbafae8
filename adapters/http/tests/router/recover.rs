//! A panicking handler answers PocketBase's 500 and the server keeps serving.

use crate::support::*;
use basalt_http::HttpConfig;
use basalt_http::router::Router;
use poem::http::StatusCode;
use poem::test::TestClient;

fn routes() -> Router<TestApp> {
    let mut r = Router::new();
    r.get("/boom", |e| {
        Box::pin(async move {
            if e.path_param("never").is_none() {
                panic!("handler exploded");
            }
            e.no_content(204)
        })
    });
    r.get("/fine", |e| {
        Box::pin(async move { e.string(200, "still here") })
    });
    r
}

#[tokio::test]
async fn panics_become_500s() {
    let cli = client(routes());
    for _ in 0..2 {
        let res = send(cli.get("/boom")).await;
        assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.json(),
            error_body(500, "Something went wrong while processing your request.")
        );
        assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
        let res = send(cli.get("/fine")).await;
        assert_eq!(res.text(), "still here");
    }
}

#[tokio::test]
async fn dev_mode_shows_the_panic() {
    let config = HttpConfig {
        dev: true,
        ..HttpConfig::default()
    };
    let cli = TestClient::new(app_with(routes(), config));
    let res = send(cli.get("/boom")).await;
    let message = res.json()["message"].as_str().unwrap_or("").to_owned();
    assert!(message.contains("handler exploded"), "{message}");
}
