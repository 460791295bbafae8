//! `on_record_auth_with_oauth2_request` through the real HTTP stack (`ApiScenario`) and a
//! real OpenID provider (`scripts/oidc.sh`, its issuer URL in `BASALT_TEST_OIDC`): the
//! event carries the provider's user and the record found, a handler can change the
//! create data, and one that returns an error stops the sign-in before anything is written.

use basalt::domain::collection::Collection;
use basalt::ports::ServiceError;
use basalt::ports::hook::Event;
use basalt::testing::{ApiScenario, TestApp};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const REDIRECT: &str = "http://127.0.0.1/callback";

fn issuer() -> Option<String> {
    match std::env::var("BASALT_TEST_OIDC") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("BASALT_REQUIRE_OIDC").is_err(),
                "BASALT_REQUIRE_OIDC is set but BASALT_TEST_OIDC is not"
            );
            eprintln!("skipped: BASALT_TEST_OIDC unset (scripts/oidc.sh starts one)");
            None
        }
    }
}

/// A test app whose `users` sign in with the provider at `issuer`.
async fn app(issuer: &str) -> TestApp {
    let t = TestApp::new().await.expect("test app");
    let users = t.app.find_collection("users").expect("users");
    let mut json = users.to_json(true);
    json["oauth2"] = json!({
        "enabled": true,
        "mappedFields": {"name": "name"},
        "providers": [{
            "name": "oidc", "clientId": "basalt", "clientSecret": "basalt-secret",
            "authURL": format!("{issuer}/auth"), "tokenURL": format!("{issuer}/token"),
            "userInfoURL": format!("{issuer}/me")
        }]
    });
    let mut c = Collection::from_json(&json).expect("users json");
    t.app.save_collection(&mut c).await.expect("save users");
    t.reset_events();
    t
}

/// The auth-with-oauth2 body for `login`: a code from the provider and its verifier.
async fn body_for(t: &TestApp, issuer: &str, login: &str) -> Value {
    let methods = ApiScenario {
        url: "/api/collections/users/auth-methods".into(),
        ..ApiScenario::default()
    }
    .send(t)
    .await
    .json();
    let p = &methods["oauth2"]["providers"][0];
    let auth_url = format!(
        "{}{}&login_hint={login}",
        p["authURL"].as_str().unwrap_or(""),
        REDIRECT.replace(':', "%3A").replace('/', "%2F")
    );
    let back: Value = reqwest::Client::new()
        .get(format!("{issuer}/test/login?url={}", encode(&auth_url)))
        .send()
        .await
        .expect("provider sign-in")
        .json()
        .await
        .expect("provider answer");
    let location = back["location"].as_str().unwrap_or("").to_owned();
    let code = location
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("code="))
        .unwrap_or("")
        .to_owned();
    json!({"provider": "oidc", "code": code, "codeVerifier": p["codeVerifier"], "redirectURL": REDIRECT})
}

/// Percent-encodes everything but the unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The auth-with-oauth2 request expecting `status` and `content`, and `events` when given.
fn sign_in(body: &Value, status: u16, content: &[&str], events: &[(&str, usize)]) -> ApiScenario {
    ApiScenario {
        method: "POST".into(),
        url: "/api/collections/users/auth-with-oauth2".into(),
        body: Some(body.to_string().into_bytes()),
        headers: vec![("content-type".into(), "application/json".into())],
        expected_status: status,
        expected_content: content.iter().map(|c| (*c).to_owned()).collect(),
        expected_events: (!events.is_empty())
            .then(|| events.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()),
        ..ApiScenario::default()
    }
}

/// What the hook saw: provider, user id, user email, new record, response and record set.
type Seen = (String, String, String, bool, bool);

#[tokio::test]
async fn the_hook_sees_the_provider_user_and_can_change_the_create_data() {
    let Some(issuer) = issuer() else { return };
    let t = app(&issuer).await;
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    t.app
        .on_record_auth_with_oauth2_request(&["users"])
        .bind_func(move |e| {
            let log = log.clone();
            Box::pin(async move {
                e.create_data
                    .insert("name".into(), json!("Named by a hook"));
                let new = e.is_new_record;
                e.next().await?;
                log.lock().expect("log").push((
                    e.provider_name.clone(),
                    e.oauth2_user.id.clone(),
                    e.oauth2_user.email.clone(),
                    new,
                    e.response.is_some() && e.record.is_some(),
                ));
                Ok(())
            })
        });
    let body = body_for(&t, &issuer, "nora").await;
    let res = sign_in(
        &body,
        200,
        &[r#""name":"Named by a hook""#, r#""isNew":true"#],
        &[],
    )
    .test(&t)
    .await;
    assert_eq!(res.status, 200);
    let events = t.events();
    for name in [
        "OnRecordAuthWithOAuth2Request",
        "OnRecordAuthRequest",
        "OnRecordCreateRequest",
    ] {
        assert_eq!(events.get(name), Some(&1), "{name} in {events:?}");
    }
    let body = body_for(&t, &issuer, "nora").await;
    sign_in(&body, 200, &[r#""isNew":false"#], &[])
        .test(&t)
        .await;
    assert_eq!(
        *seen.lock().expect("log"),
        vec![
            (
                "oidc".into(),
                "nora".into(),
                "nora@example.test".into(),
                true,
                true
            ),
            (
                "oidc".into(),
                "nora".into(),
                "nora@example.test".into(),
                false,
                true
            ),
        ]
    );
}

#[tokio::test]
async fn a_hook_error_stops_the_sign_in_before_anything_is_written() {
    let Some(issuer) = issuer() else { return };
    let t = app(&issuer).await;
    t.app
        .on_record_auth_with_oauth2_request(&["users"])
        .bind_func(|e| {
            Box::pin(async move {
                if e.oauth2_user.email.ends_with("@example.test") {
                    return Err(ServiceError::Forbidden("Not this domain.".into()));
                }
                e.next().await
            })
        });
    let before = t
        .app
        .count_records("users", "", &serde_json::Map::new())
        .await
        .expect("count");
    let body = body_for(&t, &issuer, "oscar").await;
    sign_in(&body, 403, &[r#""message":"Not this domain.""#], &[])
        .test(&t)
        .await;
    let after = t
        .app
        .count_records("users", "", &serde_json::Map::new())
        .await
        .expect("count");
    assert_eq!(after, before);
    let links = t
        .app
        .count_records("_externalAuths", "", &serde_json::Map::new())
        .await
        .expect("count");
    assert_eq!(links, 0);
}
