//! Hooks and transactions through the public surface: the library API and `ApiScenario`
//! requests through the real HTTP stack, on real SQLite data dirs.

use basalt::AppError;
use basalt::domain::collection::Collection;
use basalt::ports::ServiceError;
use basalt::ports::hook::{Event, Handler};
use basalt::testing::{ApiScenario, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A test app with `posts(title, secret hidden-able, views)` open to everyone and
/// `audits(post required, note)`.
async fn app_with_posts() -> TestApp {
    let t = TestApp::new().await.expect("test app");
    let mut posts = Collection::from_json(&json!({
        "name": "posts", "type": "base",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": [
            {"name": "title", "type": "text", "required": true},
            {"name": "secret", "type": "text"},
            {"name": "views", "type": "number"}
        ]
    }))
    .expect("posts json");
    t.app.save_collection(&mut posts).await.expect("posts");
    let mut audits = Collection::from_json(&json!({
        "name": "audits", "type": "base",
        "fields": [
            {"name": "post", "type": "text", "required": true},
            {"name": "note", "type": "text", "max": 10}
        ]
    }))
    .expect("audits json");
    t.app.save_collection(&mut audits).await.expect("audits");
    t.reset_events();
    t
}

fn post_json(body: Value) -> ApiScenario {
    ApiScenario {
        method: "POST".into(),
        url: "/api/collections/posts/records".into(),
        body: Some(body.to_string().into_bytes()),
        headers: vec![("content-type".into(), "application/json".into())],
        ..ApiScenario::default()
    }
}

async fn count(t: &TestApp, collection: &str) -> i64 {
    t.app
        .count_records(collection, "", &serde_json::Map::new())
        .await
        .expect("count")
}

type Log = Arc<Mutex<Vec<String>>>;

fn logger(log: &Log, name: &'static str) -> Handler<basalt::hooks::RecordEvent> {
    let log = log.clone();
    Handler::new(move |e: &mut basalt::hooks::RecordEvent| {
        let log = log.clone();
        Box::pin(async move {
            log.lock().unwrap().push(format!("{name}:before"));
            e.next().await?;
            log.lock().unwrap().push(format!("{name}:after"));
            Ok(())
        })
    })
}

#[tokio::test]
async fn hooks_run_by_priority_then_registration_and_unbind_removes_them() {
    let t = app_with_posts().await;
    let log: Log = Arc::default();
    t.app
        .on_record_create(&["posts"])
        .bind(logger(&log, "late").priority(10));
    let first = t
        .app
        .on_record_create(&["posts"])
        .bind(logger(&log, "first"));
    t.app
        .on_record_create(&["posts"])
        .bind(logger(&log, "second"));
    t.app
        .on_record_create(&["posts"])
        .bind(logger(&log, "early").priority(-5));
    t.app
        .on_record_create(&["audits"])
        .bind(logger(&log, "audits-only"));

    post_json(json!({"title": "one"})).test(&t).await;
    assert_eq!(
        *log.lock().unwrap(),
        [
            "early:before",
            "first:before",
            "second:before",
            "late:before",
            "late:after",
            "second:after",
            "first:after",
            "early:after"
        ]
    );

    log.lock().unwrap().clear();
    t.app.on_record_create(&[]).unbind(&[&first]);
    post_json(json!({"title": "two"})).test(&t).await;
    assert_eq!(
        *log.lock().unwrap(),
        [
            "early:before",
            "second:before",
            "late:before",
            "late:after",
            "second:after",
            "early:after"
        ]
    );
    assert_eq!(count(&t, "posts").await, 2);
}

#[tokio::test]
async fn a_request_hook_without_next_stops_the_default_action() {
    let t = app_with_posts().await;
    t.app.on_record_create_request(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.response = Some(json!({"intercepted": e.record.text("title")}));
            Ok(())
        })
    });
    post_json(json!({"title": "kept out"}))
        .expected_content(&[r#"{"intercepted":"kept out"}"#])
        .events(&[("OnRecordCreateRequest", 1)])
        .test(&t)
        .await;
    assert_eq!(count(&t, "posts").await, 0);
}

#[tokio::test]
async fn a_hook_error_is_the_response() {
    let t = app_with_posts().await;
    t.app.on_record_create(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            if e.record.text("title") == "forbidden" {
                return Err(ServiceError::bad_request("No forbidden titles."));
            }
            e.next().await
        })
    });
    let res = post_json(json!({"title": "forbidden"}))
        .status(400)
        .test(&t)
        .await;
    assert_eq!(
        res.json(),
        json!({"status": 400, "message": "No forbidden titles.", "data": {}})
    );
    post_json(json!({"title": "fine"})).test(&t).await;
    assert_eq!(count(&t, "posts").await, 1);
}

/// The audit flow: an after-create step in `on_record_create` writes an audit record
/// through `e.app`; when that write fails, the post is rolled back with it.
fn bind_audit(t: &TestApp) {
    t.app.on_record_create(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.next().await?;
            let mut audit = e.app.new_record("audits")?;
            audit.set("post", json!(e.record.id()));
            audit.set("note", json!(e.record.text("title")));
            e.app.save(&mut audit).await?;
            Ok(())
        })
    });
}

#[tokio::test]
async fn hook_writes_commit_and_roll_back_with_the_record() {
    let t = app_with_posts().await;
    bind_audit(&t);
    let res = post_json(json!({"title": "short"}))
        .events(&[
            ("OnRecordCreateRequest", 1),
            ("OnRecordCreate", 2),
            ("OnRecordValidate", 2),
            ("OnRecordCreateExecute", 2),
            ("OnRecordAfterCreateSuccess", 2),
            ("OnRecordEnrich", 1),
        ])
        .test(&t)
        .await;
    let id = res.json()["id"].as_str().expect("id").to_owned();
    let audits = t.app.find_all_records("audits").await.expect("audits");
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].text("post"), id);

    // "far too long" breaks the audit's max 10: the post must not be stored either.
    post_json(json!({"title": "far too long"}))
        .status(400)
        .expected_content(&[r#""note":{"code":"validation_max_text_constraint""#])
        .events(&[
            ("OnRecordCreateRequest", 1),
            ("OnRecordCreate", 2),
            ("OnRecordValidate", 2),
            ("OnRecordCreateExecute", 1),
            ("OnRecordAfterCreateError", 2),
        ])
        .test(&t)
        .await;
    assert_eq!(count(&t, "posts").await, 1);
    assert_eq!(count(&t, "audits").await, 1);
}

#[tokio::test]
async fn a_panicking_hook_rolls_back_and_answers_500() {
    let t = app_with_posts().await;
    t.app.on_record_create(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.next().await?;
            if e.record.text("title") == "boom" {
                panic!("hook exploded");
            }
            Ok(())
        })
    });
    post_json(json!({"title": "boom"}))
        .status(500)
        .expected_content(&[r#""status":500"#])
        .not_expected_content(&["hook exploded"])
        .test(&t)
        .await;
    assert_eq!(count(&t, "posts").await, 0);
    post_json(json!({"title": "calm"})).test(&t).await;
    assert_eq!(count(&t, "posts").await, 1);
}

#[tokio::test]
async fn enrich_hides_fields_and_adds_computed_ones_everywhere() {
    let t = app_with_posts().await;
    t.app.on_record_enrich(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.record.hide(&["secret"]);
            e.record.with_custom_data(true);
            let shout = e.record.text("title").to_uppercase();
            e.record.set("shout", json!(shout));
            e.next().await
        })
    });
    let res = post_json(json!({"title": "hey", "secret": "s3"}))
        .expected_content(&[r#""shout":"HEY""#])
        .not_expected_content(&["secret", "s3"])
        .test(&t)
        .await;
    let id = res.json()["id"].as_str().expect("id").to_owned();
    ApiScenario {
        url: format!("/api/collections/posts/records/{id}"),
        ..ApiScenario::default()
    }
    .expected_content(&[r#""shout":"HEY""#])
    .not_expected_content(&["secret"])
    .events(&[("OnRecordViewRequest", 1), ("OnRecordEnrich", 1)])
    .test(&t)
    .await;
    ApiScenario {
        url: "/api/collections/posts/records".into(),
        ..ApiScenario::default()
    }
    .expected_content(&[r#""shout":"HEY""#, r#""totalItems":1"#])
    .not_expected_content(&["secret"])
    .test(&t)
    .await;
    // The stored value is untouched.
    let stored = t.app.find_record_by_id("posts", &id).await.expect("stored");
    assert_eq!(stored.text("secret"), "s3");
}

#[tokio::test]
async fn run_in_transaction_commits_together_or_not_at_all() {
    let t = app_with_posts().await;
    let after: Log = Arc::default();
    let log = after.clone();
    t.app
        .on_record_after_create_success(&["posts"])
        .bind_func(move |e| {
            let log = log.clone();
            Box::pin(async move {
                log.lock().unwrap().push(e.record.text("title").to_owned());
                e.next().await
            })
        });

    // Rolled back on error: nothing stored, no after-success hook.
    let outer = t.app.clone();
    let err = t
        .app
        .run_in_transaction(|tx| async move {
            let mut a = tx.new_record("posts")?;
            a.set("title", json!("a"));
            tx.save(&mut a).await?;
            // Reads through the outer app don't wait for the transaction.
            assert_eq!(
                outer
                    .count_records("posts", "", &serde_json::Map::new())
                    .await?,
                0
            );
            assert_eq!(
                tx.count_records("posts", "", &serde_json::Map::new())
                    .await?,
                1
            );
            // Nested: reuses the transaction.
            tx.run_in_transaction(|inner| async move {
                let mut b = inner.new_record("posts")?;
                b.set("title", json!("b"));
                inner.save(&mut b).await
            })
            .await?;
            Err::<(), _>(AppError::other("changed my mind"))
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("changed my mind"), "{err}");
    assert_eq!(count(&t, "posts").await, 0);
    assert!(after.lock().unwrap().is_empty());

    // A panic inside rolls back too and comes back as an error.
    let err = t
        .app
        .run_in_transaction(|tx| async move {
            let mut a = tx.new_record("posts")?;
            a.set("title", json!("p"));
            tx.save(&mut a).await?;
            if a.text("title") == "p" {
                panic!("inside");
            }
            Ok(())
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("inside"), "{err}");
    assert_eq!(count(&t, "posts").await, 0);

    // Committed: both rows, after-success hooks after the commit, in order.
    t.app
        .run_in_transaction(|tx| async move {
            for title in ["x", "y"] {
                let mut r = tx.new_record("posts")?;
                r.set("title", json!(title));
                tx.save(&mut r).await?;
            }
            Ok(())
        })
        .await
        .expect("commit");
    assert_eq!(count(&t, "posts").await, 2);
    assert_eq!(*after.lock().unwrap(), ["x", "y"]);
}

#[tokio::test]
async fn a_failed_save_inside_a_transaction_leaves_the_rest_usable() {
    let t = app_with_posts().await;
    t.app
        .run_in_transaction(|tx| async move {
            let mut bad = tx.new_record("posts")?;
            let err = tx.save(&mut bad).await.unwrap_err();
            assert!(
                matches!(err, AppError::Validation(ref e) if e.get("title").is_some()),
                "{err:?}"
            );
            let mut good = tx.new_record("posts")?;
            good.set("title", json!("ok"));
            tx.save(&mut good).await?;
            let mut again = tx.find_record_by_id("posts", good.id()).await?;
            again.set("views", json!(5));
            tx.save(&mut again).await?;
            Ok(())
        })
        .await
        .expect("transaction");
    let all = t.app.find_all_records("posts").await.expect("posts");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].get("views"), &json!(5));
}

#[tokio::test]
async fn model_hooks_fire_for_library_saves_and_deletes() {
    let t = app_with_posts().await;
    let mut p = t.app.new_record("posts").expect("new");
    p.set("title", json!("lib"));
    t.app.save(&mut p).await.expect("save");
    assert!(!p.is_new());
    p.set("views", json!(3));
    t.app.save(&mut p).await.expect("update");
    t.app.delete(&mut p).await.expect("delete");
    let events = t.events();
    let want: BTreeMap<String, usize> = [
        ("OnRecordCreate", 1),
        ("OnRecordCreateExecute", 1),
        ("OnRecordAfterCreateSuccess", 1),
        ("OnRecordUpdate", 1),
        ("OnRecordUpdateExecute", 1),
        ("OnRecordAfterUpdateSuccess", 1),
        ("OnRecordValidate", 2),
        ("OnRecordDelete", 1),
        ("OnRecordDeleteExecute", 1),
        ("OnRecordAfterDeleteSuccess", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(events, want);
    assert_eq!(count(&t, "posts").await, 0);
}

/// Small builder helpers for the scenarios above.
trait ScenarioExt {
    fn status(self, s: u16) -> Self;
    fn expected_content(self, c: &[&str]) -> Self;
    fn not_expected_content(self, c: &[&str]) -> Self;
    fn events(self, e: &[(&str, usize)]) -> Self;
}

impl ScenarioExt for ApiScenario {
    fn status(mut self, s: u16) -> Self {
        self.expected_status = s;
        self
    }
    fn expected_content(mut self, c: &[&str]) -> Self {
        self.expected_content = c.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    fn not_expected_content(mut self, c: &[&str]) -> Self {
        self.not_expected_content = c.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    fn events(mut self, e: &[(&str, usize)]) -> Self {
        self.expected_events = Some(e.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect());
        self
    }
}

#[tokio::test]
async fn list_totals_follow_writes_at_once() {
    let t = app_with_posts().await;
    let list = || ApiScenario {
        url: "/api/collections/posts/records?filter=views%3E%3D0".into(),
        ..ApiScenario::default()
    };
    list()
        .expected_content(&[r#""totalItems":0"#])
        .test(&t)
        .await;
    list()
        .expected_content(&[r#""totalItems":0"#])
        .test(&t)
        .await;
    post_json(json!({"title": "one"})).test(&t).await;
    list()
        .expected_content(&[r#""totalItems":1"#])
        .test(&t)
        .await;
    // A write through a transaction counts once it commits.
    t.app
        .run_in_transaction(|tx| async move {
            let mut p = tx.new_record("posts")?;
            p.set("title", json!("two"));
            tx.save(&mut p).await
        })
        .await
        .expect("tx");
    list()
        .expected_content(&[r#""totalItems":2"#])
        .test(&t)
        .await;
}

#[tokio::test]
async fn truncate_deletes_through_the_delete_hooks() {
    let t = app_with_posts().await;
    for title in ["a", "b", "c"] {
        let mut p = t.app.new_record("posts").expect("new");
        p.set("title", json!(title));
        t.app.save(&mut p).await.expect("save");
    }
    t.reset_events();
    let posts = t.app.find_collection("posts").expect("posts");
    t.app.truncate_records(&posts).await.expect("truncate");
    let events = t.events();
    assert_eq!(events.get("OnRecordDelete"), Some(&3), "{events:?}");
    assert_eq!(
        events.get("OnRecordAfterDeleteSuccess"),
        Some(&3),
        "{events:?}"
    );
    assert_eq!(count(&t, "posts").await, 0);
}

#[tokio::test]
async fn before_test_runs_first_and_after_test_sees_the_response() {
    let t = app_with_posts().await;
    let seen: Log = Arc::default();
    let after_seen = seen.clone();
    ApiScenario {
        url: "/api/collections/posts/records".into(),
        before_test: Some(Box::new(|t| {
            Box::pin(async move {
                let mut p = t.app.new_record("posts").expect("new");
                p.set("title", json!("seeded"));
                t.app.save(&mut p).await.expect("seed");
            })
        })),
        after_test: Some(Box::new(move |_t, res| {
            let seen = after_seen.clone();
            Box::pin(async move {
                seen.lock()
                    .unwrap()
                    .push(res.json()["items"][0]["title"].to_string());
            })
        })),
        ..ApiScenario::default()
    }
    .expected_content(&[r#""totalItems":1"#])
    .test(&t)
    .await;
    assert_eq!(*seen.lock().unwrap(), [r#""seeded""#]);
}
