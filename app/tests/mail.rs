//! Mail through the library: `App::new_mail_client()` sending a full message (cc, bcc, text,
//! headers, attachments) to a real SMTP server (scripts/mailcatcher.sh), the `on_mailer_send`
//! and `on_mailer_record_*_send` hooks changing or stopping a send, a failed send leaving
//! the record alone, and — on a recording `Mailers` — the templates' placeholders.
//!
//! The catcher's `BASALT_TEST_SMTP_HOST`, `BASALT_TEST_SMTP_PORT` and `BASALT_TEST_MAIL_API`
//! come from `eval "$(bash scripts/mailcatcher.sh start)"` (scripts/test.sh does it).

use basalt::domain::record::Record;
use basalt::ports::hook::Event;
use basalt::ports::mail::{
    Address, Attachment, MailError, MailTarget, Mailer, Message, MockMailers,
};
use basalt::ports::{Auth, ListQuery, LogsApi};
use basalt::testing::{ApiScenario, TestApp};
use basalt::{App, AppError};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Passw0rd!1234";

fn catcher() -> (String, u16, String) {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: eval \"$(bash scripts/mailcatcher.sh start)\" first")
        })
    };
    let port = var("BASALT_TEST_SMTP_PORT").parse().expect("a port");
    (
        var("BASALT_TEST_SMTP_HOST"),
        port,
        var("BASALT_TEST_MAIL_API"),
    )
}

fn address(label: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("lib-{label}-{}-{n}-{nanos}@example.com", std::process::id())
}

async fn messages_to(to: &str) -> Vec<Value> {
    let (_, _, api) = catcher();
    let body: Value = reqwest::get(format!("{api}/messages?to={to}"))
        .await
        .expect("catcher")
        .json()
        .await
        .expect("JSON");
    body.as_array().cloned().unwrap_or_default()
}

async fn wait_mail(to: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(m) = messages_to(to).await.into_iter().next() {
            return m;
        }
        assert!(Instant::now() < deadline, "no mail reached {to}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn expect_none(to: &str) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(messages_to(to).await.len(), 0, "mail reached {to}");
}

/// SMTP to the catcher (or to `port` instead), Acme's sender.
async fn use_smtp(app: &App, port: Option<u16>) {
    let (host, catcher_port, _) = catcher();
    let mut s = (*app.settings()).clone();
    s.smtp.enabled = true;
    s.smtp.host = host;
    s.smtp.port = i64::from(port.unwrap_or(catcher_port));
    s.meta.app_name = "Acme".into();
    s.meta.app_url = "https://acme.test".into();
    s.meta.sender_name = "Acme Support".into();
    s.meta.sender_address = "noreply@acme.test".into();
    app.save_settings(s).await.expect("save settings");
}

async fn new_user(app: &App, email: &str) -> Result<Record, AppError> {
    let c = app.find_collection("users").expect("users");
    let mut r = Record::new(&c);
    r.set("email", email.into());
    r.set("name", "Ann <b>&</b>".into());
    r.set_password(PASSWORD);
    app.save(&mut r).await?;
    Ok(r)
}

fn post(name: &str, url: &str, body: Value, token: Option<&str>) -> ApiScenario {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    if let Some(t) = token {
        headers.push(("authorization".into(), t.into()));
    }
    ApiScenario {
        name: name.into(),
        method: "POST".into(),
        url: url.into(),
        body: Some(body.to_string().into_bytes()),
        headers,
        expected_status: 204,
        ..ApiScenario::default()
    }
}

#[tokio::test]
async fn new_mail_client_sends_every_part_through_on_mailer_send() {
    let t = TestApp::new().await.expect("app");
    use_smtp(&t.app, None).await;
    let (to, cc, bcc) = (address("to"), address("cc"), address("bcc"));
    t.app.on_mailer_send().bind_func(|e| {
        Box::pin(async move {
            e.message.subject = format!("[hooked] {}", e.message.subject);
            e.message.headers.push(("X-Hooked".into(), "yes".into()));
            e.next().await
        })
    });
    let message = Message {
        from: Address::named("Acme Support", "noreply@acme.test"),
        to: vec![Address::named("Ann", to.clone())],
        cc: vec![Address::new(cc.clone())],
        bcc: vec![Address::new(bcc.clone())],
        subject: "Monthly report".into(),
        html: "<p>See <b>attached</b></p>".into(),
        text: "See attached".into(),
        headers: vec![("X-Report".into(), "2026-12".into())],
        attachments: vec![Attachment {
            name: "report.csv".into(),
            data: b"a,b\n1,2\n".to_vec(),
        }],
        ..Message::default()
    };
    t.app.new_mail_client().send(message).await.expect("sent");
    let m = wait_mail(&to).await;
    assert_eq!(m["subject"], "[hooked] Monthly report");
    assert_eq!(m["headers"]["x-hooked"], "yes");
    assert_eq!(m["headers"]["x-report"], "2026-12");
    assert_eq!(m["to"], json!([{"address": to, "name": "Ann"}]));
    assert_eq!(m["cc"], json!([{"address": cc, "name": ""}]));
    assert_eq!(m["text"], "See attached");
    assert_eq!(m["html"], "<p>See <b>attached</b></p>");
    assert_eq!(m["attachments"][0]["filename"], "report.csv");
    assert_eq!(m["attachments"][0]["content"], "YSxiCjEsMgo=");
    let envelope: Vec<&str> = m["envelope"]["to"]
        .as_array()
        .expect("rcpt")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(envelope.contains(&bcc.as_str()), "{envelope:?}");
    assert!(
        m["headers"].get("bcc").is_none(),
        "no Bcc header: {}",
        m["headers"]
    );

    // A handler that does not call next(): nothing is sent, and that is not an error.
    t.app
        .on_mailer_send()
        .bind_func(|_| Box::pin(async { Ok(()) }));
    let quiet = address("stopped");
    let stopped = Message {
        from: Address::new("noreply@acme.test"),
        to: vec![Address::new(quiet.clone())],
        subject: "never".into(),
        html: "<p>never</p>".into(),
        ..Message::default()
    };
    t.app.new_mail_client().send(stopped).await.expect("ok");
    expect_none(&quiet).await;
}

#[tokio::test]
async fn record_mail_hooks_change_or_stop_the_auth_mails() {
    let t = TestApp::new().await.expect("app");
    use_smtp(&t.app, None).await;
    let metas: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = metas.clone();
    t.app
        .on_mailer_record_verification_send(&["users"])
        .bind_func(move |e| {
            let seen = seen.clone();
            Box::pin(async move {
                if let Ok(mut s) = seen.lock() {
                    s.push(Value::Object(e.meta.clone()));
                }
                e.message.subject = format!("{} for {}", e.message.subject, e.record.text("email"));
                e.next().await
            })
        });
    t.app
        .on_mailer_record_password_reset_send(&["users"])
        .bind_func(|_| Box::pin(async { Ok(()) }));
    let email = address("hooks");
    new_user(&t.app, &email).await.expect("user");

    let mut events = BTreeMap::new();
    events.insert("OnRecordRequestVerificationRequest".to_owned(), 1);
    events.insert("*".to_owned(), 0);
    ApiScenario {
        expected_events: Some(events),
        ..post(
            "request-verification",
            "/api/collections/users/request-verification",
            json!({"email": email}),
            None,
        )
    }
    .test(&t)
    .await;
    let m = wait_mail(&email).await;
    assert_eq!(m["subject"], format!("Verify your Acme email for {email}"));
    let meta = metas.lock().expect("lock").clone();
    assert_eq!(meta.len(), 1);
    let token = meta[0]["token"].as_str().expect("token in meta");
    assert!(m["html"].as_str().expect("html").contains(token));
    let counts = t.events();
    assert_eq!(
        counts.get("OnMailerRecordVerificationSend"),
        Some(&1),
        "{counts:?}"
    );
    assert_eq!(counts.get("OnMailerSend"), Some(&1), "{counts:?}");

    // The password reset handler stops the send: 204, no mail.
    let other = address("hooks-stopped");
    new_user(&t.app, &other).await.expect("user");
    post(
        "request-password-reset",
        "/api/collections/users/request-password-reset",
        json!({"email": other}),
        None,
    )
    .test(&t)
    .await;
    expect_none(&other).await;
}

#[tokio::test]
async fn a_failed_send_is_reported_and_changes_nothing() {
    let t = TestApp::new().await.expect("app");
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    use_smtp(&t.app, Some(closed)).await;
    let email = address("failing");
    let user = new_user(&t.app, &email).await.expect("user");
    let token = t.auth_token("users", &email).await.expect("token");
    ApiScenario {
        expected_status: 400,
        expected_content: vec![r#""message":"Failed to request email change.""#.into()],
        ..post(
            "request-email-change",
            "/api/collections/users/request-email-change",
            json!({"newEmail": address("failing-new")}),
            Some(&token),
        )
    }
    .test(&t)
    .await;
    let now = t
        .app
        .find_record_by_id("users", user.id())
        .await
        .expect("user");
    assert_eq!(now.text("email"), email);
    assert_eq!(now.text("tokenKey"), user.text("tokenKey"));
    let err = t
        .app
        .new_mail_client()
        .send(Message {
            from: Address::new("noreply@acme.test"),
            to: vec![Address::new(email.clone())],
            subject: "x".into(),
            ..Message::default()
        })
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, MailError::Transport(_)), "{err:?}");

    // A background send (request-verification) still answers 204; the failure goes to the
    // app's logs with what it was about.
    post(
        "request-verification",
        "/api/collections/users/request-verification",
        json!({"email": email}),
        None,
    )
    .test(&t)
    .await;
    let superuser = Auth::Record {
        collection_id: String::new(),
        collection_name: "_superusers".into(),
        id: String::new(),
        superuser: true,
    };
    let query = ListQuery {
        filter: Some("message = 'Failed to send verification email'".into()),
        ..ListQuery::default()
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let entry = loop {
        t.app.flush_logs().await;
        let page = t
            .app
            .list_logs(&superuser, query.clone())
            .await
            .expect("logs");
        if let Some(first) = page.items.first() {
            break first.clone();
        }
        assert!(Instant::now() < deadline, "no failure was logged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(entry["level"], 8);
    assert_eq!(entry["data"]["recordId"], user.id());
    assert_eq!(entry["data"]["collection"], "users");
    assert!(
        entry["data"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{entry}"
    );
}

/// A mailer that keeps what it is given.
#[derive(Default)]
struct Recorder(Mutex<Vec<Message>>);

#[async_trait::async_trait]
impl Mailer for Recorder {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        self.0.lock().expect("lock").push(message);
        Ok(())
    }
}

#[tokio::test]
async fn templates_fill_record_placeholders_escaped_and_read_the_sender_at_send_time() {
    let t = TestApp::new().await.expect("app");
    let recorder = Arc::new(Recorder::default());
    let mut mailers = MockMailers::new();
    let r = recorder.clone();
    mailers
        .expect_open()
        .withf(|target| matches!(target, MailTarget::Sendmail))
        .returning(move |_| Ok(r.clone() as Arc<dyn Mailer>));
    t.app.set_mailers(Arc::new(mailers));
    let c = t.app.find_collection("users").expect("users");
    let mut users = (*c).clone();
    users.options.insert(
        "verificationTemplate".into(),
        json!({"subject": "{APP_NAME}: hi {RECORD:name}",
               "body": "<p>{RECORD:name} / {RECORD:email} / {RECORD:verified} / {RECORD:password} / {TOKEN}</p>"}),
    );
    t.app
        .save_collection(&mut users)
        .await
        .expect("save collection");
    let email = address("tpl");
    new_user(&t.app, &email).await.expect("user");
    let mut s = (*t.app.settings()).clone();
    s.meta.app_name = "Later Name".into();
    s.meta.sender_name = "Later Sender".into();
    s.meta.sender_address = "later@acme.test".into();
    t.app.save_settings(s).await.expect("settings");

    post(
        "request-verification",
        "/api/collections/users/request-verification",
        json!({"email": email}),
        None,
    )
    .test(&t)
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let m = loop {
        if let Some(m) = recorder.0.lock().expect("lock").first().cloned() {
            break m;
        }
        assert!(Instant::now() < deadline, "nothing was sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(m.from, Address::named("Later Sender", "later@acme.test"));
    assert_eq!(m.to, vec![Address::new(email.clone())]);
    assert_eq!(m.subject, "Later Name: hi Ann &lt;b&gt;&amp;&lt;/b&gt;");
    assert!(
        m.html.contains(&format!(
            "<p>Ann &lt;b&gt;&amp;&lt;/b&gt; / {email} / false / {{RECORD:password}} / ey"
        )),
        "{}",
        m.html
    );
}
