//! Realtime: `GET /api/realtime` (Server-Sent Events) and `POST /api/realtime`
//! (subscriptions), with record events filtered by each subscriber's rules and options.

mod common;

use common::sse::{EVENT_TIMEOUT, QUIET, SseClient};
use common::*;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Passw0rd!1234";
const MSG_BAD_REQUEST: &str = "Something went wrong while processing your request.";
const MSG_BAD_CLIENT: &str = "Missing or invalid client id.";
const MSG_AUTH_MISMATCH: &str = "The current and the previous request authorization don't match.";

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// `collection/target?options=...` with `options` URL-encoded.
fn with_options(topic: &str, options: Value) -> String {
    let raw = options.to_string();
    let mut enc = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{topic}?options={enc}")
}

/// A public collection `posts` (all rules "").
async fn public_posts(srv: &TestServer) -> Value {
    srv.create_collection(json!({
        "name": "posts",
        "type": "base",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "views", "type": "number"}
        ]
    }))
    .await
}

/// `notes`, visible to its owner only (list and view rule `owner = @request.auth.id`),
/// plus a public `pings` collection whose events serve as positive controls.
async fn owned_notes(srv: &TestServer) {
    let (_, users) = srv.su(Method::GET, "/api/collections/users", None).await;
    srv.create_collection(json!({
        "name": "notes",
        "type": "base",
        "listRule": "owner = @request.auth.id",
        "viewRule": "owner = @request.auth.id",
        "fields": [
            {"name": "text", "type": "text"},
            {"name": "owner", "type": "relation", "collectionId": users["id"], "maxSelect": 1}
        ]
    }))
    .await;
    srv.create_collection(json!({
        "name": "pings", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "n", "type": "number"}]
    }))
    .await;
}

/// Creates a `pings` record and asserts it is the next event of every client in `clients`
/// (so nothing else was queued before it), then that nothing follows.
async fn ping_all(srv: &TestServer, n: i64, clients: &mut [(&str, &mut SseClient)]) {
    let ping = srv.create_record("pings", json!({"n": n})).await;
    for (who, sse) in clients.iter_mut() {
        let (name, data) = sse.expect_event(&format!("{who}: ping {n}")).await;
        assert_eq!(
            name, "pings/*",
            "{who}: expected ping {n}, got {name} {data}"
        );
        assert_eq!(data["action"], "create", "{who}");
        assert_eq!(data["record"]["id"], ping["id"], "{who}: {data}");
    }
    for (who, sse) in clients.iter_mut() {
        sse.expect_none(QUIET, &format!("{who} after ping {n}"))
            .await;
    }
}

#[tokio::test]
async fn public_collection_create_update_delete() {
    let srv = TestServer::start().await;
    let posts = public_posts(&srv).await;
    let mut sse = SseClient::connect(&srv).await;
    assert_eq!(sse.client_id.len(), 40, "{}", sse.client_id);
    assert!(sse.client_id.chars().all(|c| c.is_ascii_alphanumeric()));
    let other = SseClient::connect(&srv).await;
    assert_ne!(sse.client_id, other.client_id);

    // Nothing before subscribing.
    srv.create_record("posts", json!({"title": "early"})).await;
    sse.expect_none(QUIET, "not subscribed yet").await;

    sse.subscribe_ok(&srv, None, &["posts/*"]).await;

    // create: the record as the API renders it for the same (guest) identity
    let (status, created) = srv
        .req(
            Method::POST,
            "/api/collections/posts/records",
            None,
            Some(json!({"title": "hello", "views": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = id_of(&created);
    let (name, data) = sse.expect_event("create").await;
    assert_eq!(name, "posts/*");
    assert_eq!(data, json!({"record": created, "action": "create"}));
    assert_eq!(data["record"]["collectionName"], "posts");
    assert_eq!(data["record"]["collectionId"], posts["id"]);
    assert_eq!(data["record"]["title"], "hello");
    assert_eq!(data["record"]["views"], 3);

    // update
    let (status, updated) = srv
        .req(
            Method::PATCH,
            &format!("/api/collections/posts/records/{id}"),
            None,
            Some(json!({"title": "changed", "views": 4})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (name, data) = sse.expect_event("update").await;
    assert_eq!(name, "posts/*");
    assert_eq!(data, json!({"record": updated, "action": "update"}));
    assert_eq!(data["record"]["id"], id.as_str());
    assert_eq!(data["record"]["title"], "changed");

    // delete: the record as it was
    let (status, _) = srv
        .req(
            Method::DELETE,
            &format!("/api/collections/posts/records/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (name, data) = sse.expect_event("delete").await;
    assert_eq!(name, "posts/*");
    assert_eq!(data["action"], "delete");
    assert_eq!(data["record"], updated);

    sse.expect_none(QUIET, "after delete").await;

    // The collection can also be named by its id; the event is named as subscribed.
    let by_id = format!("{}/*", posts["id"].as_str().unwrap());
    sse.subscribe_ok(&srv, None, &[&by_id]).await;
    let rec = srv.create_record("posts", json!({"title": "by id"})).await;
    let (name, data) = sse.expect_event("create via collection id").await;
    assert_eq!(name, by_id);
    assert_eq!(data["record"]["id"], rec["id"]);
    assert_eq!(data["action"], "create");
    sse.expect_none(QUIET, "after create via collection id")
        .await;
}

#[tokio::test]
async fn record_topic_gets_only_that_record() {
    let srv = TestServer::start().await;
    public_posts(&srv).await;
    let a = id_of(&srv.create_record("posts", json!({"title": "a"})).await);
    let b = id_of(&srv.create_record("posts", json!({"title": "b"})).await);
    let topic_a = format!("posts/{a}");

    let mut one = SseClient::connect(&srv).await;
    one.subscribe_ok(&srv, None, &[&topic_a]).await;
    let mut both = SseClient::connect(&srv).await;
    both.subscribe_ok(&srv, None, &["posts/*", &topic_a]).await;

    let patch = |id: &str, title: &str| {
        let (path, body) = (
            format!("/api/collections/posts/records/{id}"),
            json!({ "title": title }),
        );
        let srv = &srv;
        async move {
            let (status, rec) = srv.su(Method::PATCH, &path, Some(body)).await;
            assert_eq!(status, StatusCode::OK, "{rec}");
            rec
        }
    };

    // b's update first: `one` must get a's update as its next event.
    patch(&b, "b2").await;
    patch(&a, "a2").await;
    let (name, data) = one.expect_event("a's update").await;
    assert_eq!(name, topic_a);
    assert_eq!(data["action"], "update");
    assert_eq!(data["record"]["id"], a.as_str());
    assert_eq!(data["record"]["title"], "a2");

    // `both`: b's update once (posts/*), then a's update once per subscription.
    let (name, data) = both.expect_event("b's update").await;
    assert_eq!(name, "posts/*");
    assert_eq!(data["record"]["id"], b.as_str());
    let mut two = vec![
        both.expect_event("a's update 1").await,
        both.expect_event("a's update 2").await,
    ];
    two.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(two[0].0, "posts/*");
    assert_eq!(two[1].0, topic_a);
    for (_, data) in &two {
        assert_eq!(data["action"], "update");
        assert_eq!(data["record"]["id"], a.as_str());
        assert_eq!(data["record"]["title"], "a2");
    }

    // A new record and b's deletion do not reach `one`; a's deletion does.
    let c = srv.create_record("posts", json!({"title": "c"})).await;
    let (status, _) = srv
        .su(
            Method::DELETE,
            &format!("/api/collections/posts/records/{b}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = srv
        .su(
            Method::DELETE,
            &format!("/api/collections/posts/records/{a}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (name, data) = one.expect_event("a's delete").await;
    assert_eq!(name, topic_a);
    assert_eq!(data["action"], "delete");
    assert_eq!(data["record"]["id"], a.as_str());
    assert_eq!(data["record"]["title"], "a2");
    one.expect_none(QUIET, "one after a's delete").await;

    let (name, data) = both.expect_event("c's create").await;
    assert_eq!(
        (name.as_str(), &data["action"]),
        ("posts/*", &json!("create"))
    );
    assert_eq!(data["record"]["id"], c["id"]);
    let (name, data) = both.expect_event("b's delete").await;
    assert_eq!(
        (name.as_str(), &data["action"]),
        ("posts/*", &json!("delete"))
    );
    assert_eq!(data["record"]["id"], b.as_str());
    let mut two = vec![
        both.expect_event("a's delete 1").await,
        both.expect_event("a's delete 2").await,
    ];
    two.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(two[0].0, "posts/*");
    assert_eq!(two[1].0, topic_a);
    for (_, data) in &two {
        assert_eq!(data["action"], "delete");
        assert_eq!(data["record"]["id"], a.as_str());
    }
    both.expect_none(QUIET, "both after a's delete").await;
}

#[tokio::test]
async fn rules_apply_per_subscriber() {
    let srv = TestServer::start().await;
    owned_notes(&srv).await;
    let (alice_token, alice) = srv.create_user("alice@example.com", PASSWORD).await;
    let (bob_token, bob) = srv.create_user("bob@example.com", PASSWORD).await;
    let su_token = srv.superuser_token().await;
    let subs = ["notes/*", "pings/*"];

    let mut guest = SseClient::connect(&srv).await;
    guest.subscribe_ok(&srv, None, &subs).await;
    let mut a = SseClient::connect(&srv).await;
    a.subscribe_ok(&srv, Some(&alice_token), &subs).await;
    let mut b = SseClient::connect(&srv).await;
    b.subscribe_ok(&srv, Some(&bob_token), &subs).await;
    let mut su = SseClient::connect(&srv).await;
    su.subscribe_ok(&srv, Some(&su_token), &subs).await;

    // alice's note: alice and the superuser only
    let n1 = srv
        .create_record("notes", json!({"text": "alice's", "owner": alice["id"]}))
        .await;
    for (who, sse) in [("alice", &mut a), ("superuser", &mut su)] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "notes/*", "{who}");
        assert_eq!(data, json!({"record": n1, "action": "create"}), "{who}");
    }
    // bob's note: bob's next event (not alice's note), the superuser's too
    let n2 = srv
        .create_record("notes", json!({"text": "bob's", "owner": bob["id"]}))
        .await;
    for (who, sse) in [("bob", &mut b), ("superuser", &mut su)] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "notes/*", "{who}");
        assert_eq!(data["action"], "create", "{who}");
        assert_eq!(data["record"]["id"], n2["id"], "{who}: {data}");
        assert_eq!(data["record"]["owner"], bob["id"], "{who}");
    }
    // an unowned note: the superuser, and (as in PocketBase) the guest, whose empty
    // `@request.auth.id` equals the empty `owner`
    let n3 = srv
        .create_record("notes", json!({"text": "nobody's"}))
        .await;
    for (who, sse) in [("guest", &mut guest), ("superuser", &mut su)] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "notes/*", "{who}");
        assert_eq!(data, json!({"record": n3, "action": "create"}), "{who}");
    }
    ping_all(
        &srv,
        1,
        &mut [
            ("guest", &mut guest),
            ("alice", &mut a),
            ("bob", &mut b),
            ("superuser", &mut su),
        ],
    )
    .await;

    // updates follow the record's new state: alice's note handed over to bob
    let (status, moved) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/notes/records/{}", id_of(&n1)),
            Some(json!({"owner": bob["id"], "text": "now bob's"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    for (who, sse) in [("bob", &mut b), ("superuser", &mut su)] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "notes/*", "{who}");
        assert_eq!(data, json!({"record": moved, "action": "update"}), "{who}");
    }
    ping_all(
        &srv,
        2,
        &mut [
            ("guest", &mut guest),
            ("alice", &mut a),
            ("bob", &mut b),
            ("superuser", &mut su),
        ],
    )
    .await;

    // record topics use the view rule with the subscriber's auth
    let t2 = format!("notes/{}", id_of(&n2));
    let mut a2 = SseClient::connect(&srv).await;
    a2.subscribe_ok(&srv, Some(&alice_token), &[&t2, "pings/*"])
        .await;
    let mut b2 = SseClient::connect(&srv).await;
    b2.subscribe_ok(&srv, Some(&bob_token), &[&t2, "pings/*"])
        .await;
    let (status, n2b) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/notes/records/{}", id_of(&n2)),
            Some(json!({"text": "bob's 2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (name, data) = b2.expect_event("bob: record topic").await;
    assert_eq!(name, t2);
    assert_eq!(data, json!({"record": n2b, "action": "update"}));
    for (who, sse) in [("bob", &mut b), ("superuser", &mut su)] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "notes/*", "{who}");
        assert_eq!(data["record"]["text"], "bob's 2", "{who}");
    }
    ping_all(
        &srv,
        3,
        &mut [
            ("guest", &mut guest),
            ("alice", &mut a),
            ("bob", &mut b),
            ("superuser", &mut su),
            ("alice on bob's record", &mut a2),
            ("bob on his record", &mut b2),
        ],
    )
    .await;
}

#[tokio::test]
async fn delete_events_reach_who_could_see_the_record() {
    let srv = TestServer::start().await;
    owned_notes(&srv).await;
    let (alice_token, alice) = srv.create_user("alice@example.com", PASSWORD).await;
    let (bob_token, bob) = srv.create_user("bob@example.com", PASSWORD).await;
    let su_token = srv.superuser_token().await;
    let n1 = srv
        .create_record("notes", json!({"text": "alice's", "owner": alice["id"]}))
        .await;
    let n2 = srv
        .create_record("notes", json!({"text": "bob's", "owner": bob["id"]}))
        .await;
    let subs = ["notes/*", "pings/*"];
    let t1 = format!("notes/{}", id_of(&n1));

    let mut guest = SseClient::connect(&srv).await;
    guest.subscribe_ok(&srv, None, &subs).await;
    let mut a = SseClient::connect(&srv).await;
    a.subscribe_ok(&srv, Some(&alice_token), &subs).await;
    let mut a1 = SseClient::connect(&srv).await;
    a1.subscribe_ok(&srv, Some(&alice_token), &[&t1, "pings/*"])
        .await;
    let mut b = SseClient::connect(&srv).await;
    b.subscribe_ok(
        &srv,
        Some(&bob_token),
        &[&subs[..], &[t1.as_str()]].concat(),
    )
    .await;
    let mut su = SseClient::connect(&srv).await;
    su.subscribe_ok(&srv, Some(&su_token), &subs).await;

    // alice deletes her note: she (both subscriptions) and the superuser are told
    let (status, _) = srv
        .req(
            Method::DELETE,
            &format!("/api/collections/notes/records/{}", id_of(&n1)),
            Some(&su_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for (who, sse, topic) in [
        ("alice", &mut a, "notes/*"),
        ("alice on the record", &mut a1, t1.as_str()),
        ("superuser", &mut su, "notes/*"),
    ] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, topic, "{who}");
        assert_eq!(data, json!({"record": n1, "action": "delete"}), "{who}");
    }
    ping_all(
        &srv,
        1,
        &mut [
            ("guest", &mut guest),
            ("alice", &mut a),
            ("alice on the record", &mut a1),
            ("bob", &mut b),
            ("superuser", &mut su),
        ],
    )
    .await;

    // bob's note: bob and the superuser
    let (status, _) = srv
        .req(
            Method::DELETE,
            &format!("/api/collections/notes/records/{}", id_of(&n2)),
            Some(&su_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for (who, sse) in [("bob", &mut b), ("superuser", &mut su)] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "notes/*", "{who}");
        assert_eq!(data, json!({"record": n2, "action": "delete"}), "{who}");
    }
    ping_all(
        &srv,
        2,
        &mut [
            ("guest", &mut guest),
            ("alice", &mut a),
            ("alice on the record", &mut a1),
            ("bob", &mut b),
            ("superuser", &mut su),
        ],
    )
    .await;

    // A public collection: a guest gets delete events too.
    public_posts(&srv).await;
    let post = srv.create_record("posts", json!({"title": "p"})).await;
    guest
        .subscribe_ok(&srv, None, &["posts/*", "pings/*"])
        .await;
    let (status, _) = srv
        .su(
            Method::DELETE,
            &format!("/api/collections/posts/records/{}", id_of(&post)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (name, data) = guest.expect_event("guest: public delete").await;
    assert_eq!(name, "posts/*");
    assert_eq!(data, json!({"record": post, "action": "delete"}));
    guest.expect_none(QUIET, "guest after public delete").await;
}

#[tokio::test]
async fn subscription_options_filter_expand_fields() {
    let srv = TestServer::start().await;
    let (_, users) = srv.su(Method::GET, "/api/collections/users", None).await;
    srv.create_collection(json!({
        "name": "posts",
        "type": "base",
        "listRule": "", "viewRule": "",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "views", "type": "number"},
            {"name": "owner", "type": "relation", "collectionId": users["id"], "maxSelect": 1}
        ]
    }))
    .await;
    let (alice_token, alice) = srv.create_user("alice@example.com", PASSWORD).await;
    let su_token = srv.superuser_token().await;

    let filtered = with_options("posts/*", json!({"query": {"filter": "views > 10"}}));
    let expanded = with_options("posts/*", json!({"query": {"expand": "owner"}}));
    let fields = with_options("posts/*", json!({"query": {"fields": "id,title"}}));
    let expand_fields = with_options(
        "posts/*",
        json!({"query": {"expand": "owner", "fields": "title,expand.owner.id"}}),
    );

    let mut f = SseClient::connect(&srv).await;
    f.subscribe_ok(&srv, None, &[&filtered]).await;
    let mut e = SseClient::connect(&srv).await;
    e.subscribe_ok(&srv, Some(&alice_token), &[&expanded]).await;
    let mut fl = SseClient::connect(&srv).await;
    fl.subscribe_ok(&srv, None, &[&fields]).await;
    let mut ef = SseClient::connect(&srv).await;
    ef.subscribe_ok(&srv, Some(&su_token), &[&expand_fields])
        .await;

    let low = srv
        .create_record(
            "posts",
            json!({"title": "low", "views": 5, "owner": alice["id"]}),
        )
        .await;
    let high = srv
        .create_record(
            "posts",
            json!({"title": "high", "views": 11, "owner": alice["id"]}),
        )
        .await;

    // filter: only the matching record (the first event is `high`'s)
    let (name, data) = f.expect_event("filter").await;
    assert_eq!(name, filtered);
    assert_eq!(data, json!({"record": high, "action": "create"}));
    f.expect_none(QUIET, "filter").await;

    // expand: the owner, as alice sees her own user record (email included)
    for want in [&low, &high] {
        let (name, data) = e.expect_event("expand").await;
        assert_eq!(name, expanded);
        assert_eq!(data["action"], "create");
        assert_eq!(data["record"]["id"], want["id"]);
        assert_eq!(data["record"]["owner"], alice["id"]);
        let owner = &data["record"]["expand"]["owner"];
        assert_eq!(owner["id"], alice["id"], "{data}");
        assert_eq!(owner["collectionName"], "users");
        assert_eq!(owner["email"], "alice@example.com");
        assert!(owner.get("password").is_none() && owner.get("tokenKey").is_none());
    }

    // fields: only those keys
    for want in [&low, &high] {
        let (name, data) = fl.expect_event("fields").await;
        assert_eq!(name, fields);
        assert_eq!(
            data,
            json!({"record": {"id": want["id"], "title": want["title"]}, "action": "create"})
        );
    }

    // fields reaching into the expand
    for want in [&low, &high] {
        let (name, data) = ef.expect_event("expand+fields").await;
        assert_eq!(name, expand_fields);
        assert_eq!(
            data,
            json!({
                "record": {"title": want["title"], "expand": {"owner": {"id": alice["id"]}}},
                "action": "create"
            })
        );
    }

    // an update that stops matching the filter is not sent; one that starts matching is
    let (status, _) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/posts/records/{}", id_of(&high)),
            Some(json!({"views": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, low2) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/posts/records/{}", id_of(&low)),
            Some(json!({"views": 50})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (name, data) = f.expect_event("filter after updates").await;
    assert_eq!(name, filtered);
    assert_eq!(data, json!({"record": low2, "action": "update"}));
    f.expect_none(QUIET, "filter after updates").await;
}

#[tokio::test]
async fn auth_collection_email_visibility() {
    let srv = TestServer::start().await;
    let (status, _) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"listRule": "", "viewRule": ""})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (alice_token, alice) = srv.create_user("alice@example.com", PASSWORD).await;
    let (bob_token, _) = srv.create_user("bob@example.com", PASSWORD).await;
    let su_token = srv.superuser_token().await;

    let mut a = SseClient::connect(&srv).await;
    a.subscribe_ok(&srv, Some(&alice_token), &["users/*"]).await;
    let mut b = SseClient::connect(&srv).await;
    b.subscribe_ok(&srv, Some(&bob_token), &["users/*"]).await;
    let mut g = SseClient::connect(&srv).await;
    g.subscribe_ok(&srv, None, &["users/*"]).await;
    let mut su = SseClient::connect(&srv).await;
    su.subscribe_ok(&srv, Some(&su_token), &["users/*"]).await;

    // alice changes her own record (emailVisibility stays false)
    let (status, updated) = srv
        .req(
            Method::PATCH,
            &format!("/api/collections/users/records/{}", id_of(&alice)),
            Some(&alice_token),
            Some(json!({"name": "Alice"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["email"], "alice@example.com");
    let mut seen = Vec::new();
    for (who, sse) in [
        ("alice", &mut a),
        ("bob", &mut b),
        ("guest", &mut g),
        ("superuser", &mut su),
    ] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "users/*", "{who}");
        assert_eq!(data["action"], "update", "{who}");
        let rec = &data["record"];
        assert_eq!(rec["id"], alice["id"], "{who}");
        assert_eq!(rec["name"], "Alice", "{who}");
        assert_eq!(rec["emailVisibility"], false, "{who}");
        for secret in ["password", "tokenKey", "passwordConfirm"] {
            assert!(rec.get(secret).is_none(), "{who}: {secret} in {rec}");
        }
        // otherwise the record as the API answered alice
        let mut without_email = updated.clone();
        without_email.as_object_mut().unwrap().remove("email");
        let mut rec_without_email = rec.clone();
        rec_without_email.as_object_mut().unwrap().remove("email");
        assert_eq!(rec_without_email, without_email, "{who}");
        seen.push((who, rec.get("email").cloned()));
    }
    assert_eq!(
        seen,
        [
            ("alice", Some(json!("alice@example.com"))),
            ("bob", None),
            ("guest", None),
            ("superuser", Some(json!("alice@example.com"))),
        ]
    );
    // a new user with a visible email: everyone sees it
    let (status, carol) = srv
        .req(
            Method::POST,
            "/api/collections/users/records",
            None,
            Some(json!({
                "email": "carol@example.com", "emailVisibility": true,
                "password": PASSWORD, "passwordConfirm": PASSWORD
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{carol}");
    for (who, sse) in [
        ("alice", &mut a),
        ("bob", &mut b),
        ("guest", &mut g),
        ("superuser", &mut su),
    ] {
        let (name, data) = sse.expect_event(who).await;
        assert_eq!(name, "users/*", "{who}");
        assert_eq!(data["action"], "create", "{who}");
        assert_eq!(data["record"]["id"], carol["id"], "{who}");
        assert_eq!(data["record"]["email"], "carol@example.com", "{who}");
    }
    for (who, sse) in [
        ("alice", &mut a),
        ("bob", &mut b),
        ("guest", &mut g),
        ("superuser", &mut su),
    ] {
        sse.expect_none(QUIET, who).await;
    }
}

#[tokio::test]
async fn unsubscribe_and_replace_subscriptions() {
    let srv = TestServer::start().await;
    public_posts(&srv).await;
    let mut a = SseClient::connect(&srv).await;
    let mut b = SseClient::connect(&srv).await;
    a.subscribe_ok(&srv, None, &["posts/*"]).await;
    b.subscribe_ok(&srv, None, &["posts/*"]).await;

    let p1 = srv.create_record("posts", json!({"title": "1"})).await;
    for sse in [&mut a, &mut b] {
        let (_, data) = sse.expect_event("p1").await;
        assert_eq!(data["record"]["id"], p1["id"]);
    }

    // an empty list unsubscribes
    a.subscribe_ok(&srv, None, &[]).await;
    let p2 = srv.create_record("posts", json!({"title": "2"})).await;
    let (_, data) = b.expect_event("b: p2").await;
    assert_eq!(data["record"]["id"], p2["id"]);
    a.expect_none(QUIET, "a unsubscribed").await;

    // a body without `subscriptions` unsubscribes too
    a.subscribe_ok(&srv, None, &["posts/*"]).await;
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/realtime",
            None,
            Some(json!({"clientId": a.client_id})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let p3 = srv.create_record("posts", json!({"title": "3"})).await;
    let (_, data) = b.expect_event("b: p3").await;
    assert_eq!(data["record"]["id"], p3["id"]);
    a.expect_none(QUIET, "a unsubscribed (no subscriptions key)")
        .await;

    // resubscribing replaces: now only p4's own topic
    let p4 = srv.create_record("posts", json!({"title": "4"})).await;
    let _ = b.expect_event("b: p4").await;
    let t4 = format!("posts/{}", id_of(&p4));
    a.subscribe_ok(&srv, None, &["posts/*"]).await;
    a.subscribe_ok(&srv, None, &[&t4]).await;
    let p5 = srv.create_record("posts", json!({"title": "5"})).await;
    let (status, _) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/posts/records/{}", id_of(&p4)),
            Some(json!({"title": "4b"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (name, data) = a.expect_event("a: p4 update").await;
    assert_eq!(name, t4);
    assert_eq!(data["action"], "update");
    assert_eq!(data["record"]["title"], "4b");
    a.expect_none(QUIET, "a after p4 update").await;
    let (_, data) = b.expect_event("b: p5").await;
    assert_eq!(data["record"]["id"], p5["id"]);
    let (_, data) = b.expect_event("b: p4 update").await;
    assert_eq!(data["record"]["id"], p4["id"]);
    b.expect_none(QUIET, "b at the end").await;
}

#[tokio::test]
async fn subscribe_request_errors() {
    let srv = TestServer::start().await;
    owned_notes(&srv).await;
    let (alice_token, alice) = srv.create_user("alice@example.com", PASSWORD).await;
    let (bob_token, _) = srv.create_user("bob@example.com", PASSWORD).await;

    // unknown client id
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/realtime",
            None,
            Some(json!({"clientId": "nosuchclient", "subscriptions": ["notes/*"]})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_BAD_CLIENT));

    // blank or missing client id
    for form in [
        json!({"clientId": "", "subscriptions": ["notes/*"]}),
        json!({"subscriptions": ["notes/*"]}),
    ] {
        let (status, body) = srv
            .req(Method::POST, "/api/realtime", None, Some(form.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form}: {body}");
        assert_eq!(body["status"], 400);
        assert_eq!(body["message"], MSG_BAD_REQUEST);
        assert_eq!(
            body["data"]["clientId"]["code"], "validation_required",
            "{body}"
        );
        assert_eq!(body["data"]["clientId"]["message"], "Cannot be blank.");
    }

    let mut a = SseClient::connect(&srv).await;
    a.subscribe_ok(&srv, Some(&alice_token), &["notes/*"]).await;

    // malformed bodies
    for (what, body) in [
        (
            "subscriptions not an array",
            json!({"clientId": a.client_id, "subscriptions": "notes/*"}).to_string(),
        ),
        (
            "clientId not a string",
            json!({"clientId": 12, "subscriptions": []}).to_string(),
        ),
        ("invalid JSON", "{\"clientId\": ".to_string()),
    ] {
        let (status, got) = srv
            .raw(
                Method::POST,
                "/api/realtime",
                Some(&alice_token),
                "application/json",
                body.into_bytes(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {got}");
        assert_eq!(got["status"], 400, "{what}");
        assert_eq!(got["message"], MSG_BAD_REQUEST, "{what}");
    }

    // another identity cannot take over alice's client
    for (who, token) in [("bob", Some(bob_token.as_str())), ("guest", None)] {
        let (status, body) = srv
            .req(
                Method::POST,
                "/api/realtime",
                token,
                Some(json!({"clientId": a.client_id, "subscriptions": ["pings/*"]})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert_eq!(body, err_body(403, MSG_AUTH_MISMATCH), "{who}");
    }

    // alice's client kept its subscriptions (not pings) and auth (sees her note)
    srv.create_record("pings", json!({"n": 1})).await;
    let note = srv
        .create_record("notes", json!({"text": "mine", "owner": alice["id"]}))
        .await;
    let (name, data) = a.expect_event("alice after hijack attempts").await;
    assert_eq!(name, "notes/*");
    assert_eq!(data, json!({"record": note, "action": "create"}));
    a.expect_none(QUIET, "alice after hijack attempts").await;

    // alice herself may change them
    a.subscribe_ok(&srv, Some(&alice_token), &["pings/*"]).await;
    let ping = srv.create_record("pings", json!({"n": 2})).await;
    let (name, data) = a.expect_event("alice: ping").await;
    assert_eq!(name, "pings/*");
    assert_eq!(data["record"]["id"], ping["id"]);

    // a guest client may be signed in later
    let g = SseClient::connect(&srv).await;
    g.subscribe_ok(&srv, None, &["notes/*"]).await;
    g.subscribe_ok(&srv, Some(&bob_token), &["notes/*"]).await;

    // a closed connection's id is unknown once the server noticed
    let gone = a.client_id.clone();
    drop(a);
    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        let (status, body) = srv
            .req(
                Method::POST,
                "/api/realtime",
                Some(&alice_token),
                Some(json!({"clientId": gone, "subscriptions": ["pings/*"]})),
            )
            .await;
        if status == StatusCode::NOT_FOUND {
            assert_eq!(body, err_body(404, MSG_BAD_CLIENT));
            break;
        }
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert!(
            Instant::now() < deadline,
            "the closed client is still registered"
        );
        // an event makes the server write to (and notice) the closed connection
        srv.create_record("pings", json!({"n": 0})).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(g);
}

#[tokio::test]
async fn options_headers_feed_the_rules() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "gated",
        "type": "base",
        "listRule": "@request.headers.x_token = 'secret'",
        "viewRule": "",
        "fields": [{"name": "text", "type": "text"}]
    }))
    .await;
    let good = with_options("gated/*", json!({"headers": {"X-Token": "secret"}}));
    let bad = with_options("gated/*", json!({"headers": {"X-Token": "nope"}}));
    let mut ok = SseClient::connect(&srv).await;
    ok.subscribe_ok(&srv, None, &[&good]).await;
    let mut ko = SseClient::connect(&srv).await;
    ko.subscribe_ok(&srv, None, &[&bad, "gated/*"]).await;
    let rec = srv.create_record("gated", json!({"text": "t"})).await;
    let (name, data) = ok.expect_event("right header").await;
    assert_eq!(name, good);
    assert_eq!(data, json!({"record": rec, "action": "create"}));
    // no header at all: nothing either
    ko.expect_none(QUIET, "wrong or no header").await;
    ok.expect_none(QUIET, "right header, after the event").await;
}

#[tokio::test]
async fn subscriber_auth_follows_its_record() {
    let srv = TestServer::start().await;
    owned_notes(&srv).await;
    let (alice_token, alice) = srv.create_user("alice@example.com", PASSWORD).await;
    let (bob_token, bob) = srv.create_user("bob@example.com", PASSWORD).await;
    let subs = ["notes/*", "pings/*"];
    let mut a = SseClient::connect(&srv).await;
    a.subscribe_ok(&srv, Some(&alice_token), &subs).await;
    let mut b = SseClient::connect(&srv).await;
    b.subscribe_ok(&srv, Some(&bob_token), &subs).await;
    let guest_post = |id: String| {
        let srv = &srv;
        async move {
            srv.req(
                Method::POST,
                "/api/realtime",
                None,
                Some(json!({"clientId": id, "subscriptions": ["notes/*", "pings/*"]})),
            )
            .await
        }
    };
    let (status, _) = guest_post(a.client_id.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A profile change keeps the client signed in.
    let (status, _) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/users/records/{}", id_of(&bob)),
            Some(json!({"name": "Bob"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let note = srv
        .create_record("notes", json!({"text": "b", "owner": bob["id"]}))
        .await;
    let (_, data) = b.expect_event("bob after a profile change").await;
    assert_eq!(data, json!({"record": note, "action": "create"}));

    // A password change (new token key) signs the client out, as in PocketBase.
    let (status, _) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/users/records/{}", id_of(&alice)),
            Some(json!({"password": "NewPassw0rd!1", "passwordConfirm": "NewPassw0rd!1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    srv.create_record("notes", json!({"text": "a", "owner": alice["id"]}))
        .await;
    ping_all(&srv, 1, &mut [("alice", &mut a), ("bob", &mut b)]).await;
    let (status, body) = guest_post(a.client_id.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // Deleting the auth record signs the client out too.
    let (status, _) = guest_post(b.client_id.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = srv
        .su(
            Method::DELETE,
            &format!("/api/collections/users/records/{}", id_of(&bob)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = guest_post(b.client_id.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

/// Counts `needle` in a byte stream read in pieces.
struct Counter {
    needle: &'static [u8],
    tail: Vec<u8>,
    count: usize,
}

impl Counter {
    fn new(needle: &'static [u8]) -> Self {
        Counter {
            needle,
            tail: Vec::new(),
            count: 0,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(bytes);
        let n = self.needle.len();
        self.count += window.windows(n).filter(|w| *w == self.needle).count();
        let keep = window.len().min(n - 1);
        self.tail = window[window.len() - keep..].to_vec();
    }
}

/// Records created while a client never reads its stream.
const SLOW_RECORDS: usize = 800;
/// The size of each record's text.
const SLOW_RECORD_SIZE: usize = 64 * 1024;

/// A client that never reads its stream while large events pile up: writers and the other
/// clients carry on, and the slow client is disconnected (its queue of 512 messages
/// overflows once the socket buffers are full).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_reader_does_not_stall_writers_or_other_clients() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "blobs",
        "type": "base",
        "listRule": "", "viewRule": "", "createRule": "",
        "fields": [
            {"name": "n", "type": "number"},
            {"name": "body", "type": "text", "max": SLOW_RECORD_SIZE + 1}
        ]
    }))
    .await;

    // The slow client: a raw connection with a small receive buffer that reads the
    // response head and PB_CONNECT, then nothing until the end.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut raw = socket
        .connect(([127, 0, 0, 1], srv.port()).into())
        .await
        .expect("connect");
    raw.write_all(
        format!(
            "GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\
             Connection: close\r\n\r\n",
            srv.port()
        )
        .as_bytes(),
    )
    .await
    .expect("send request");
    let mut head = Vec::new();
    let slow_id = loop {
        let mut buf = [0u8; 256];
        let n = tokio::time::timeout(EVENT_TIMEOUT, raw.read(&mut buf))
            .await
            .expect("PB_CONNECT in time")
            .expect("read");
        assert!(n > 0, "EOF before PB_CONNECT");
        head.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&head);
        if let Some(pos) = text.find("data:{\"clientId\":\"") {
            let rest = &text[pos + 18..];
            if let Some(end) = rest.find('"') {
                break rest[..end].to_string();
            }
        }
    };
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    assert_eq!(slow_id.len(), 40, "{slow_id}");
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/realtime",
            None,
            Some(json!({"clientId": slow_id, "subscriptions": ["blobs/*"]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // A normal client, reading as events come.
    let mut fast = SseClient::connect(&srv).await;
    fast.subscribe_ok(&srv, None, &["blobs/*"]).await;
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        while got.len() < SLOW_RECORDS {
            let Some((name, data)) = fast.next_event(Duration::from_secs(30)).await else {
                break;
            };
            assert_eq!(name, "blobs/*");
            assert_eq!(data["action"], "create");
            assert_eq!(
                data["record"]["body"].as_str().map(str::len),
                Some(SLOW_RECORD_SIZE)
            );
            got.push((
                id_of(&data["record"]),
                data["record"]["n"].as_u64().unwrap(),
            ));
        }
        (got, fast)
    });

    let started = Instant::now();
    let text = "x".repeat(SLOW_RECORD_SIZE);
    let mut ids = Vec::with_capacity(SLOW_RECORDS);
    let mut slowest = Duration::ZERO;
    for n in 0..SLOW_RECORDS {
        let t = Instant::now();
        let (status, rec) = srv
            .req(
                Method::POST,
                "/api/collections/blobs/records",
                None,
                Some(json!({"n": n, "body": text})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "create {n}: {}", rec["message"]);
        slowest = slowest.max(t.elapsed());
        ids.push(id_of(&rec));
    }
    let written = started.elapsed();

    let (got, mut fast) = reader.await.expect("reader task");
    let received = started.elapsed();
    assert_eq!(got.len(), SLOW_RECORDS, "the normal client missed events");
    for (i, (id, n)) in got.iter().enumerate() {
        assert_eq!((id, *n as usize), (&ids[i], i), "event {i} out of order");
    }
    fast.expect_none(QUIET, "normal client after all creates")
        .await;

    // PocketBase keeps slow clients (it blocks per client instead): the rest is Basalt's
    // bounded-queue behaviour.
    if std::env::var_os("BASALT_TEST_BIN").is_some() {
        return;
    }
    // The slow client was dropped: its id is unknown ...
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/realtime",
            None,
            Some(json!({"clientId": slow_id, "subscriptions": ["blobs/*"]})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "slow client still registered: {body}"
    );
    assert_eq!(body, err_body(404, MSG_BAD_CLIENT));
    // ... and its stream ends (EOF) once read, short of all the events.
    let mut events = Counter::new(b"event:blobs/*");
    events.feed(&head);
    let mut total = head.len();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(30), raw.read(&mut buf))
            .await
            .expect("the slow client's stream did not end")
            .expect("read");
        if n == 0 {
            break;
        }
        total += n;
        events.feed(&buf[..n]);
    }
    assert!(
        events.count < SLOW_RECORDS,
        "the slow client got all {} events",
        events.count
    );
    eprintln!(
        "slow reader: {SLOW_RECORDS} creates of {SLOW_RECORD_SIZE} B in {written:?} \
         (slowest {slowest:?}), normal client done after {received:?}; \
         the slow client got {} events ({total} B) before being dropped",
        events.count
    );
    // Generous: the point is that nothing stalls.
    assert!(received < Duration::from_secs(120), "took {received:?}");
}
