//! The example's composite flow through the real router, in process (`basalt::testing`).

use basalt::ports::ServiceError;
use basalt::ports::hook::Event;
use basalt::testing::{ApiScenario, TestApp};
use serde_json::{Map, json};

/// A test app with the example installed, its migration applied and one user (token).
async fn setup() -> (TestApp, String) {
    let t = TestApp::new().await.expect("test app");
    basalt_examples::install(&t.app);
    let applied = t.app.run_migrations_up().await.expect("migrations");
    assert_eq!(applied, [basalt_examples::MIGRATION]);
    let mut user = t.app.new_record("users").expect("user");
    user.set("email", json!("ann@example.com"));
    user.set_password("password-123");
    t.app.save(&mut user).await.expect("save user");
    let token = t
        .auth_token("users", "ann@example.com")
        .await
        .expect("token");
    (t, token)
}

fn create(token: Option<&str>, body: serde_json::Value) -> ApiScenario {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    if let Some(t) = token {
        headers.push(("authorization".into(), t.into()));
    }
    ApiScenario {
        name: "create post".into(),
        method: "POST".into(),
        url: "/api/myapp/posts".into(),
        body: Some(body.to_string().into_bytes()),
        headers,
        ..ApiScenario::default()
    }
}

async fn count(t: &TestApp, c: &str) -> i64 {
    t.app
        .count_records(c, "", &Map::new())
        .await
        .expect("count")
}

#[tokio::test]
async fn guests_are_refused() {
    let (t, _) = setup().await;
    let s = ApiScenario {
        expected_status: 401,
        expected_content: vec![r#""status":401"#.into()],
        ..create(None, json!({"title": "t"}))
    };
    s.test(&t).await;
    assert_eq!(count(&t, "posts").await, 0);
}

#[tokio::test]
async fn a_post_is_created_audited_and_enriched() {
    let (t, token) = setup().await;
    let s = ApiScenario {
        expected_content: vec![r#""title":"Hello""#.into(), r#""words":3"#.into()],
        not_expected_content: vec!["internal_note".into(), "created through myapp".into()],
        expected_events: Some(
            [
                ("OnRecordCreate", 2),
                ("OnRecordValidate", 2),
                ("OnRecordCreateExecute", 2),
                ("OnRecordAfterCreateSuccess", 2),
                ("OnRecordEnrich", 1),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        ),
        ..create(
            Some(&token),
            json!({"title": "Hello", "body": "one two three"}),
        )
    };
    let res = s.test(&t).await;
    let id = res.json()["id"].as_str().expect("id").to_owned();
    let stored = t.app.find_record_by_id("posts", &id).await.expect("post");
    assert_eq!(stored.text("internal_note"), "created through myapp");
    let audits = t.app.find_all_records("audits").await.expect("audits");
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].text("post"), id);
    assert_eq!(audits[0].text("actor"), stored.text("author"));

    // The same title again: the bound-filter uniqueness check answers 400.
    let again = ApiScenario {
        expected_status: 400,
        expected_content: vec![r#""title":{"code":"validation_not_unique""#.into()],
        ..create(Some(&token), json!({"title": "Hello"}))
    };
    again.test(&t).await;
    // A title that tries to break out of the filter matches nothing and is just a title.
    let sneaky = "x' || 1=1 || title='";
    let s = ApiScenario {
        expected_content: vec![r#""words":0"#.into()],
        ..create(Some(&token), json!({"title": sneaky}))
    };
    s.test(&t).await;
    assert_eq!(count(&t, "posts").await, 2);

    // The enrich hook applies to the built-in API too.
    let view = ApiScenario {
        url: format!("/api/collections/posts/records/{id}"),
        expected_content: vec![r#""words":3"#.into()],
        not_expected_content: vec!["internal_note".into()],
        ..ApiScenario::default()
    };
    view.test(&t).await;
}

#[tokio::test]
async fn a_failing_audit_rolls_the_post_back() {
    let (t, token) = setup().await;
    t.app.on_record_create(&["audits"]).bind_func(|e| {
        Box::pin(async move {
            if e.record.text("action") == "create" {
                return Err(ServiceError::bad_request("The audit log is full."));
            }
            e.next().await
        })
    });
    let s = ApiScenario {
        expected_status: 400,
        expected_content: vec![r#""message":"The audit log is full.""#.into()],
        ..create(Some(&token), json!({"title": "Doomed"}))
    };
    s.test(&t).await;
    assert_eq!(count(&t, "posts").await, 0);
    assert_eq!(count(&t, "audits").await, 0);
}

#[tokio::test]
async fn the_migration_goes_down() {
    let (t, _) = setup().await;
    let reverted = t.app.run_migrations_down(1).await.expect("down");
    assert_eq!(reverted, [basalt_examples::MIGRATION]);
    assert!(t.app.find_collection("posts").is_none());
    assert!(t.app.find_collection("audits").is_none());
}
