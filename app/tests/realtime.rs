//! Realtime through the library API (`RealtimeApi` on `App`) and, for shutdown, the real HTTP
//! server: events after commit only, from every write path; the realtime hooks; slow clients
//! disconnected without holding anyone up; streams closed on shutdown.

use basalt::App;
use basalt::AppError;
use basalt::domain::collection::Collection;
use basalt::ports::hook::Event;
use basalt::ports::{
    Auth, RealtimeApi, RealtimeMessage, RealtimeStream, RequestContext, SubscribeForm,
};
use basalt::testing::TestApp;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A test app with `posts(title, views)` and `audits(note)`, both open to everyone.
async fn app() -> TestApp {
    let t = TestApp::new().await.expect("test app");
    for def in [
        json!({"name": "posts", "type": "base", "listRule": "", "viewRule": "",
               "fields": [{"name": "title", "type": "text"}, {"name": "views", "type": "number"}]}),
        json!({"name": "audits", "type": "base", "listRule": "", "viewRule": "",
               "fields": [{"name": "note", "type": "text"}]}),
    ] {
        let mut c = Collection::from_json(&def).expect("collection json");
        t.app
            .save_collection(&mut c)
            .await
            .expect("save collection");
    }
    t
}

/// A connected client: its id and stream, `PB_CONNECT` already read.
async fn connect(app: &App) -> (String, RealtimeStream) {
    let conn = app
        .realtime_connect(&RequestContext::default())
        .await
        .expect("connect");
    let mut messages = conn.messages;
    let first = next(&mut messages, 1000).await.expect("PB_CONNECT");
    assert_eq!(&*first.name, "PB_CONNECT");
    let data: Value = serde_json::from_str(&first.data).expect("json");
    assert_eq!(data, json!({"clientId": conn.client_id}));
    (conn.client_id, messages)
}

async fn subscribe(app: &App, client_id: &str, subscriptions: &[&str]) {
    app.realtime_subscribe(
        &RequestContext::default(),
        SubscribeForm {
            client_id: client_id.to_owned(),
            subscriptions: subscriptions.iter().map(|s| (*s).to_owned()).collect(),
        },
    )
    .await
    .expect("subscribe");
}

/// The next message within `ms`, `None` on timeout or end of stream.
async fn next(stream: &mut RealtimeStream, ms: u64) -> Option<RealtimeMessage> {
    tokio::time::timeout(Duration::from_millis(ms), stream.next())
        .await
        .ok()
        .flatten()
}

/// The next message as `(event name, action, record)`.
async fn event(stream: &mut RealtimeStream) -> (String, String, Value) {
    let m = next(stream, 3000).await.expect("an event");
    let data: Value = serde_json::from_str(&m.data).expect("json data");
    (
        m.name.to_string(),
        data["action"].as_str().expect("action").to_owned(),
        data["record"].clone(),
    )
}

async fn save_post(app: &App, title: &str) -> Result<basalt::domain::record::Record, AppError> {
    let mut post = app.new_record("posts")?;
    post.set("title", json!(title));
    app.save(&mut post).await?;
    Ok(post)
}

#[tokio::test]
async fn every_write_path_broadcasts_each_action() {
    let t = app().await;
    t.app.on_record_create(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.next().await?;
            let mut audit = e.app.new_record("audits")?;
            audit.set("note", json!(format!("created {}", e.record.id())));
            e.app.save(&mut audit).await?;
            Ok(())
        })
    });
    let (id, mut stream) = connect(&t.app).await;
    subscribe(&t.app, &id, &["posts/*", "audits/*"]).await;

    let mut post = save_post(&t.app, "first").await.expect("save");
    // the audit written by the hook commits with the post, and both are broadcast
    let mut seen = [event(&mut stream).await, event(&mut stream).await];
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(seen[0].0, "audits/*");
    assert_eq!(seen[0].1, "create");
    assert_eq!(seen[0].2["note"], json!(format!("created {}", post.id())));
    assert_eq!(seen[1].0, "posts/*");
    assert_eq!(seen[1].1, "create");
    assert_eq!(seen[1].2["id"], json!(post.id()));
    assert_eq!(seen[1].2["title"], "first");
    assert_eq!(seen[1].2["collectionName"], "posts");

    post.set("title", json!("renamed"));
    t.app.save(&mut post).await.expect("update");
    let (name, action, record) = event(&mut stream).await;
    assert_eq!((name.as_str(), action.as_str()), ("posts/*", "update"));
    assert_eq!(record["title"], "renamed");

    t.app.delete(&mut post).await.expect("delete");
    let (name, action, record) = event(&mut stream).await;
    assert_eq!((name.as_str(), action.as_str()), ("posts/*", "delete"));
    assert_eq!(record["id"], json!(post.id()));
    assert_eq!(record["title"], "renamed");
    assert!(next(&mut stream, 200).await.is_none());
}

#[tokio::test]
async fn rolled_back_writes_send_nothing_and_transactions_send_on_commit() {
    let t = app().await;
    let (id, mut stream) = connect(&t.app).await;
    subscribe(&t.app, &id, &["posts/*"]).await;

    // a transaction that fails after saving: rolled back, nothing sent
    let failed = t
        .app
        .run_in_transaction(|tx| async move {
            save_post(&tx, "rolled back").await?;
            Err::<(), _>(AppError::other("abort"))
        })
        .await;
    assert!(failed.is_err());

    // a hook that fails after the insert: rolled back too
    t.app.on_record_create(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.next().await?;
            if e.record.text("title") == "hook fails" {
                return Err(basalt::ports::ServiceError::bad_request("no"));
            }
            Ok(())
        })
    });
    assert!(save_post(&t.app, "hook fails").await.is_err());

    // a committed transaction: its events arrive only after the commit
    let app = t.app.clone();
    let (tx_result, mut stream) = {
        let result = app
            .run_in_transaction(|tx| async move {
                save_post(&tx, "in tx 1").await?;
                save_post(&tx, "in tx 2").await?;
                let early = next(&mut stream, 200).await;
                Ok::<_, AppError>((early.is_none(), stream))
            })
            .await
            .expect("transaction");
        (result.0, result.1)
    };
    assert!(tx_result, "an event arrived before the commit");
    let first = event(&mut stream).await;
    let second = event(&mut stream).await;
    assert_eq!(first.2["title"], "in tx 1");
    assert_eq!(second.2["title"], "in tx 2");
    assert_eq!(
        t.app
            .count_records("posts", "", &serde_json::Map::new())
            .await
            .expect("count"),
        2
    );
    assert!(next(&mut stream, 200).await.is_none());
}

#[tokio::test]
async fn a_slow_client_is_disconnected_without_delaying_writers_or_others() {
    let t = app().await;
    t.app.realtime().set_queue_capacity(4);
    // messages wait in the queue during a flush interval; with a queue of 4 the fast client
    // must not hold any (the default queue, 512, absorbs 5 ms of ~100,000 messages/s)
    t.app.realtime().set_flush_interval(Duration::ZERO);
    let (slow_id, mut slow) = connect(&t.app).await;
    let (fast_id, mut fast) = connect(&t.app).await;
    subscribe(&t.app, &slow_id, &["posts/*"]).await;
    subscribe(&t.app, &fast_id, &["posts/*"]).await;
    let reader = tokio::spawn(async move {
        let mut titles = Vec::new();
        while titles.len() < 20 {
            let Some(m) = next(&mut fast, 3000).await else {
                break;
            };
            let data: Value = serde_json::from_str(&m.data).expect("json");
            titles.push(data["record"]["title"].as_str().unwrap_or("").to_owned());
        }
        (titles, fast)
    });
    let started = Instant::now();
    for i in 0..20 {
        save_post(&t.app, &format!("post {i}")).await.expect("save");
    }
    let writing = started.elapsed();
    let (titles, _fast) = reader.await.expect("reader");
    let expected: Vec<String> = (0..20).map(|i| format!("post {i}")).collect();
    assert_eq!(
        titles, expected,
        "the fast client got every event, in order"
    );
    assert!(writing < Duration::from_secs(10), "writes took {writing:?}");

    // the slow client overflowed: dropped from the broker, its stream ends at once
    assert!(t.app.realtime().client(&slow_id).is_none());
    assert!(t.app.realtime().client(&fast_id).is_some());
    assert_eq!(t.app.realtime().len(), 1);
    assert!(
        next(&mut slow, 1000).await.is_none(),
        "the slow stream ended"
    );
    // a POST for the dropped client is a 404
    let err = t
        .app
        .realtime_subscribe(
            &RequestContext::default(),
            SubscribeForm {
                client_id: slow_id,
                subscriptions: vec!["posts/*".into()],
            },
        )
        .await
        .expect_err("dropped client");
    assert_eq!(err, basalt::ports::ServiceError::MissingRealtimeClient);
}

#[tokio::test]
async fn realtime_hooks_shape_connections_subscriptions_and_messages() {
    let t = app().await;
    let connects = Arc::new(AtomicUsize::new(0));
    let seen = connects.clone();
    t.app.on_realtime_connect_request().bind_func(move |e| {
        seen.fetch_add(1, Ordering::SeqCst);
        e.idle_timeout = Duration::from_millis(600);
        e.next()
    });
    // every subscription also listens to audits
    t.app.on_realtime_subscribe_request().bind_func(|e| {
        e.subscriptions.push("audits/*".into());
        e.next()
    });
    // audits events are dropped; posts events get a marker
    t.app.on_realtime_message_send().bind_func(|e| {
        Box::pin(async move {
            if e.message.name.starts_with("audits") {
                return Ok(());
            }
            if e.message.name.starts_with("posts") {
                let mut data: Value = serde_json::from_str(&e.message.data).unwrap_or_default();
                data["marker"] = json!(true);
                e.message.data = Arc::from(data.to_string());
            }
            e.next().await
        })
    });
    let (id, mut stream) = connect(&t.app).await;
    assert_eq!(connects.load(Ordering::SeqCst), 1);
    subscribe(&t.app, &id, &["posts/*"]).await;
    let client = t.app.realtime().client(&id).expect("client");
    assert_eq!(client.subscriptions(), vec!["posts/*", "audits/*"]);

    let mut audit = t.app.new_record("audits").expect("audit");
    audit.set("note", json!("dropped by the hook"));
    t.app.save(&mut audit).await.expect("save audit");
    save_post(&t.app, "marked").await.expect("save post");
    let m = next(&mut stream, 3000).await.expect("post event");
    assert_eq!(&*m.name, "posts/*");
    let data: Value = serde_json::from_str(&m.data).expect("json");
    assert_eq!(data["marker"], json!(true));
    assert_eq!(data["record"]["title"], "marked");

    // then nothing for 600 ms: the idle timeout the hook set closes the stream
    let started = Instant::now();
    assert!(next(&mut stream, 5000).await.is_none());
    let idle = started.elapsed();
    assert!(
        idle >= Duration::from_millis(500) && idle < Duration::from_secs(4),
        "closed after {idle:?}"
    );
    assert!(t.app.realtime().client(&id).is_none());
}

#[tokio::test]
async fn the_subscribing_identity_becomes_the_clients_and_cannot_be_replaced() {
    let t = TestApp::new().await.expect("test app");
    let mut notes = Collection::from_json(&json!({
        "name": "notes", "type": "base",
        "listRule": "owner = @request.auth.id", "viewRule": "owner = @request.auth.id",
        "fields": [{"name": "text", "type": "text"}, {"name": "owner", "type": "text"}]
    }))
    .expect("notes json");
    t.app.save_collection(&mut notes).await.expect("notes");
    let users = t.app.find_collection("users").expect("users");
    let mut ids = Vec::new();
    for email in ["ann@example.com", "bob@example.com"] {
        let mut u = t.app.new_record("users").expect("user");
        u.set("email", json!(email));
        u.set_password("password-123");
        t.app.save(&mut u).await.expect("save user");
        ids.push(u.id().to_owned());
    }
    let as_user = |id: &str| {
        RequestContext::with_auth(Auth::Record {
            collection_id: users.id.clone(),
            collection_name: "users".into(),
            id: id.to_owned(),
            superuser: false,
        })
    };
    let (client_id, mut stream) = connect(&t.app).await;
    let form = |subs: &[&str]| SubscribeForm {
        client_id: client_id.clone(),
        subscriptions: subs.iter().map(|s| (*s).to_owned()).collect(),
    };
    t.app
        .realtime_subscribe(&as_user(&ids[0]), form(&["notes/*"]))
        .await
        .expect("ann subscribes");
    let err = t
        .app
        .realtime_subscribe(&as_user(&ids[1]), form(&["notes/*"]))
        .await
        .expect_err("bob cannot take over");
    assert_eq!(err, basalt::ports::ServiceError::RealtimeAuthMismatch);
    let err = t
        .app
        .realtime_subscribe(&RequestContext::default(), form(&[]))
        .await
        .expect_err("a guest cannot either");
    assert_eq!(err, basalt::ports::ServiceError::RealtimeAuthMismatch);

    for (owner, text) in [(&ids[1], "bob's"), (&ids[0], "ann's")] {
        let mut n = t.app.new_record("notes").expect("note");
        n.set("text", json!(text));
        n.set("owner", json!(owner));
        t.app.save(&mut n).await.expect("save note");
    }
    let (_, action, record) = event(&mut stream).await;
    assert_eq!(action, "create");
    assert_eq!(
        record["text"], "ann's",
        "only ann's own note reaches her client"
    );
    assert!(next(&mut stream, 200).await.is_none());
}

#[tokio::test]
async fn shutdown_closes_realtime_streams() {
    let t = app().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = basalt::ServeConfig {
        http: "127.0.0.1:0".into(),
        data_dir: t.data_dir().to_path_buf(),
        run_migrations: false,
        ..basalt::ServeConfig::default()
    };
    let (addr, server) = basalt::spawn(t.app.clone(), &config, async move {
        let _ = stopped.await;
    })
    .await
    .expect("spawn");
    let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
    socket
        .write_all(
            b"GET /api/realtime HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n",
        )
        .await
        .expect("request");
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&received).contains("event:PB_CONNECT") {
        let n = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf))
            .await
            .expect("PB_CONNECT in time")
            .expect("read");
        assert!(n > 0, "connection closed early");
        received.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&received).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream")
    );
    assert_eq!(t.app.realtime().len(), 1);

    let started = Instant::now();
    stop.send(()).expect("stop");
    // the stream ends: the socket reaches EOF (after the final chunk) well before the 5 s
    // graceful-shutdown deadline
    loop {
        let n = tokio::time::timeout(Duration::from_secs(4), socket.read(&mut buf))
            .await
            .expect("stream closed before the deadline")
            .unwrap_or(0);
        if n == 0 {
            break;
        }
    }
    tokio::time::timeout(Duration::from_secs(4), server)
        .await
        .expect("server stopped")
        .expect("join")
        .expect("serve");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(t.app.realtime().is_empty());
}

#[tokio::test]
async fn a_client_id_only_works_from_the_address_that_opened_the_stream() {
    let t = app().await;
    let from = |ip: &str| RequestContext {
        remote_ip: Some(ip.to_owned()),
        ..RequestContext::default()
    };
    let conn = t
        .app
        .realtime_connect(&from("10.0.0.1"))
        .await
        .expect("connect");
    let mut stream = conn.messages;
    assert_eq!(
        &*next(&mut stream, 1000).await.expect("PB_CONNECT").name,
        "PB_CONNECT"
    );
    let form = SubscribeForm {
        client_id: conn.client_id.clone(),
        subscriptions: vec!["posts/*".into()],
    };
    let err = t
        .app
        .realtime_subscribe(&from("10.0.0.2"), form.clone())
        .await
        .expect_err("another address");
    assert_eq!(err, basalt::ports::ServiceError::InvalidRealtimeClient);
    assert!(
        t.app
            .realtime()
            .client(&conn.client_id)
            .expect("client")
            .subscriptions()
            .is_empty()
    );
    t.app
        .realtime_subscribe(&from("10.0.0.1"), form)
        .await
        .expect("same address");
    save_post(&t.app, "seen").await.expect("save");
    let (_, action, record) = event(&mut stream).await;
    assert_eq!(
        (action.as_str(), record["title"].as_str()),
        ("create", Some("seen"))
    );
}

#[tokio::test]
async fn changes_arrive_in_commit_order_across_creates_updates_and_deletes() {
    let t = app().await;
    let (id, mut stream) = connect(&t.app).await;
    subscribe(&t.app, &id, &["posts/*"]).await;
    // writes back to back, no event read in between: the broadcaster must keep their order
    let mut expected = Vec::new();
    let mut previous: Option<basalt::domain::record::Record> = None;
    for i in 0..8 {
        let mut post = save_post(&t.app, &format!("post {i}"))
            .await
            .expect("create");
        expected.push((
            "create".to_owned(),
            post.id().to_owned(),
            format!("post {i}"),
        ));
        post.set("title", json!(format!("post {i} renamed")));
        t.app.save(&mut post).await.expect("update");
        expected.push((
            "update".to_owned(),
            post.id().to_owned(),
            format!("post {i} renamed"),
        ));
        if let Some(mut old) = previous.take() {
            t.app.delete(&mut old).await.expect("delete");
            let title = old.get("title").as_str().unwrap_or("").to_owned();
            expected.push(("delete".to_owned(), old.id().to_owned(), title));
        }
        previous = Some(post);
    }
    let mut got = Vec::new();
    while got.len() < expected.len() {
        let (_, action, record) = event(&mut stream).await;
        got.push((
            action,
            record["id"].as_str().unwrap_or("").to_owned(),
            record["title"].as_str().unwrap_or("").to_owned(),
        ));
    }
    assert_eq!(got, expected);
    assert!(next(&mut stream, 200).await.is_none());
}

#[tokio::test]
async fn a_busy_connection_writes_at_most_once_per_flush_interval() {
    let t = app().await;
    t.app
        .realtime()
        .set_flush_interval(Duration::from_millis(400));
    assert_eq!(
        t.app.realtime().flush_interval(),
        Duration::from_millis(400)
    );
    let (id, mut stream) = connect(&t.app).await;
    subscribe(&t.app, &id, &["posts/*"]).await;
    // idle for longer than the interval: the next message leaves at once
    tokio::time::sleep(Duration::from_millis(500)).await;
    save_post(&t.app, "a").await.expect("save");
    let a = next(&mut stream, 300)
        .await
        .expect("the first message at once");
    assert!(a.data.contains(r#""title":"a""#), "{}", a.data);
    // two more right after that write: held until the interval has passed, then together
    save_post(&t.app, "b").await.expect("save");
    save_post(&t.app, "c").await.expect("save");
    assert!(
        next(&mut stream, 200).await.is_none(),
        "held for the rest of the interval"
    );
    let b = next(&mut stream, 2000).await.expect("b after the interval");
    let c = next(&mut stream, 100).await.expect("c in the same write");
    assert!(b.data.contains(r#""title":"b""#), "{}", b.data);
    assert!(c.data.contains(r#""title":"c""#), "{}", c.data);

    // with no interval, a message right after a write is not held
    t.app.realtime().set_flush_interval(Duration::ZERO);
    let (id, mut stream) = connect(&t.app).await;
    subscribe(&t.app, &id, &["posts/*"]).await;
    for title in ["d", "e"] {
        save_post(&t.app, title).await.expect("save");
        let m = next(&mut stream, 300).await.expect("at once");
        assert!(
            m.data.contains(&format!(r#""title":"{title}""#)),
            "{}",
            m.data
        );
    }
}

#[tokio::test]
async fn subscribers_sharing_a_rendering_still_get_their_own_shape() {
    let t = TestApp::new().await.expect("test app");
    let mut secrets = Collection::from_json(&json!({
        "name": "secrets", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "title", "type": "text"}, {"name": "code", "type": "text", "hidden": true}]
    }))
    .expect("secrets json");
    t.app.save_collection(&mut secrets).await.expect("secrets");
    let users = t.app.find_collection("users").expect("users");
    let supers = t.app.find_collection("_superusers").expect("superusers");
    let auth = |c: &basalt::CollectionRef, id: &str, superuser: bool| {
        RequestContext::with_auth(Auth::Record {
            collection_id: c.id.clone(),
            collection_name: c.name.clone(),
            id: id.to_owned(),
            superuser,
        })
    };
    let fields_only_title = format!(
        "secrets/*?options={}",
        form_urlencoded::byte_serialize(br#"{"query":{"fields":"title"}}"#).collect::<String>()
    );
    let subscribers = [
        (
            auth(&users, "ann000000000001", false),
            "secrets/*".to_owned(),
        ),
        (
            auth(&users, "bob000000000001", false),
            "secrets/*".to_owned(),
        ),
        (RequestContext::default(), "secrets/*".to_owned()),
        (
            auth(&supers, "sup000000000001", true),
            "secrets/*".to_owned(),
        ),
        (auth(&users, "cat000000000001", false), fields_only_title),
    ];
    let mut streams = Vec::new();
    for (req, topic) in &subscribers {
        let (id, stream) = connect(&t.app).await;
        t.app
            .realtime_subscribe(
                req,
                SubscribeForm {
                    client_id: id,
                    subscriptions: vec![topic.clone()],
                },
            )
            .await
            .expect("subscribe");
        streams.push(stream);
    }
    let mut secret = t.app.new_record("secrets").expect("record");
    secret.set("title", json!("t"));
    secret.set("code", json!("1234"));
    t.app.save(&mut secret).await.expect("save");
    let mut records = Vec::new();
    for stream in &mut streams {
        records.push(event(stream).await.2);
    }
    for record in &records[..3] {
        assert_eq!(record["title"], "t");
        assert!(record.get("code").is_none(), "hidden from others: {record}");
    }
    assert_eq!(records[3]["code"], "1234", "a superuser sees hidden fields");
    assert_eq!(
        records[4],
        json!({"title": "t"}),
        "fields picked per subscription"
    );
}
