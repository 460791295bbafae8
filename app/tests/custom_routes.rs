//! Custom routes added in `on_serve`, through the app's real HTTP stack (`ApiScenario`).

use basalt::OnServe;
use basalt::ports::hook::{Event, Handler};
use basalt::router::{RequestEvent, body_limit, gzip, require_superuser_auth};
use basalt::testing::{ApiScenario, TestApp};
use serde_json::json;

async fn app() -> (TestApp, String) {
    let t = TestApp::new().await.expect("test app");
    let mut su = t.app.new_record("_superusers").expect("superuser");
    su.set("email", json!("root@example.com"));
    su.set_password("password-123");
    t.app.save(&mut su).await.expect("save superuser");
    let token = t
        .auth_token("_superusers", "root@example.com")
        .await
        .expect("token");
    t.app.on_serve().bind_func(|e| {
        Box::pin(async move {
            let r = &mut e.router;
            r.bind(
                Handler::new(|e: &mut RequestEvent| {
                    Box::pin(async move {
                        e.next().await?;
                        e.response_headers_mut()
                            .insert("x-served-by", "basalt-test".parse().expect("header"));
                        Ok(())
                    })
                })
                .id("tag"),
            );
            r.get("/hello/{name}", |e| {
                Box::pin(async move {
                    let name = e.path_param("name").unwrap_or("").to_owned();
                    let total = e.app.collections().len();
                    e.json(200, &json!({"hello": name, "collections": total}))
                })
            });
            let admin = r.group("/api/admin-tools");
            admin.bind(require_superuser_auth());
            admin
                .get("/big", |e| {
                    Box::pin(async move { e.string(200, "abc".repeat(2000)) })
                })
                .bind(gzip());
            admin
                .post("/small", |e| {
                    Box::pin(async move {
                        let body = e.body_bytes().await?;
                        e.json(200, &json!({"len": body.len()}))
                    })
                })
                .bind(body_limit(10));
            e.next().await
        })
    });
    (t, token)
}

#[tokio::test]
async fn path_params_app_access_and_global_middlewares() {
    let (t, _) = app().await;
    let res = ApiScenario {
        url: "/hello/ann".into(),
        expected_content: vec![r#""hello":"ann""#.into(), r#""collections":6"#.into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(res.header("x-served-by"), Some("basalt-test"));
    // The built-in API still answers, behind the same middlewares.
    let res = ApiScenario {
        url: "/api/health".into(),
        expected_content: vec![r#""message":"API is healthy.""#.into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn superuser_group_gzip_and_body_limit() {
    let (t, token) = app().await;
    ApiScenario {
        url: "/api/admin-tools/big".into(),
        expected_status: 401,
        expected_content: vec![r#""status":401"#.into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    let res = ApiScenario {
        url: "/api/admin-tools/big".into(),
        headers: vec![
            ("authorization".into(), token.clone()),
            ("accept-encoding".into(), "gzip".into()),
        ],
        ..ApiScenario::default()
    }
    .send(&t)
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    ApiScenario {
        method: "POST".into(),
        url: "/api/admin-tools/small".into(),
        headers: vec![("authorization".into(), token.clone())],
        body: Some(b"0123456789abcdef".to_vec()),
        expected_status: 413,
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    ApiScenario {
        method: "POST".into(),
        url: "/api/admin-tools/small".into(),
        headers: vec![("authorization".into(), token)],
        body: Some(b"0123".to_vec()),
        expected_content: vec![r#"{"len":4}"#.into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
}

#[tokio::test]
async fn custom_routes_see_the_real_client_ip() {
    let t = TestApp::new().await.expect("test app");
    t.app.on_serve().bind_func(|e| {
        Box::pin(async move {
            e.router.get("/whoami", |e| {
                Box::pin(async move {
                    let real = e.real_ip().map(|ip| ip.to_string());
                    e.json(200, &json!({"real": real}))
                })
            });
            e.next().await
        })
    });
    let whoami = |ip: &str| ApiScenario {
        url: "/whoami".into(),
        headers: vec![("X-Real-IP".into(), ip.into())],
        expected_content: vec!["*".into()],
        ..ApiScenario::default()
    };
    // untrusted: the header is ignored (an in-process request has no peer address)
    let res = whoami("198.51.100.4").test(&t).await;
    assert_eq!(res.json()["real"], serde_json::Value::Null);
    let mut settings = (*t.app.settings()).clone();
    settings.trusted_proxy.headers = vec!["X-Real-IP".into()];
    t.app.save_settings(settings).await.expect("settings");
    let res = whoami("198.51.100.4").test(&t).await;
    assert_eq!(res.json()["real"], "198.51.100.4");
}
