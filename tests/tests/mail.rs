//! Mail through a real SMTP server (scripts/mailcatcher.sh: npm smtp-server, its messages read
//! back over HTTP) and through sendmail (Debian's msmtp relaying to the same catcher): the
//! `smtp` settings, `POST /api/settings/test/email`, and the verification, password reset and
//! email change flows end to end, following the token each mail carries. Every expectation
//! holds against PocketBase 0.40 (`BASALT_TEST_BIN`), except the sendmail test, whose binary
//! path setting is Basalt's own.
//!
//! Needs `BASALT_TEST_SMTP_HOST`, `BASALT_TEST_SMTP_PORT` and `BASALT_TEST_MAIL_API` (exported
//! by `eval "$(bash scripts/mailcatcher.sh start)"`, which scripts/test.sh does).

mod common;

use common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Passw0rd!1234";
const NEW_PASSWORD: &str = "N3w-Passw0rd!";

/// The catcher's SMTP host and port, and its HTTP API.
fn catcher() -> (String, u16, String) {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: start the SMTP catcher first, \
                 eval \"$(bash scripts/mailcatcher.sh start)\""
            )
        })
    };
    let port = var("BASALT_TEST_SMTP_PORT")
        .parse()
        .expect("BASALT_TEST_SMTP_PORT is a port");
    (
        var("BASALT_TEST_SMTP_HOST"),
        port,
        var("BASALT_TEST_MAIL_API"),
    )
}

/// A fresh address for this test run (the catcher is shared by every test).
fn address(label: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{label}-{}-{n}-{nanos}@example.com", std::process::id())
}

/// The messages the catcher received for `to`.
async fn messages_to(to: &str) -> Vec<Value> {
    let (_, _, api) = catcher();
    let url = format!("{api}/messages?{}", encode_query(&[("to", to)]));
    let body: Value = reqwest::get(url)
        .await
        .expect("catcher answers")
        .json()
        .await
        .expect("catcher JSON");
    body.as_array().cloned().unwrap_or_default()
}

/// The first message for `to`, waiting up to 15 s for it.
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

/// Asserts that `to` gets exactly `n` messages within a second.
async fn expect_count(to: &str, n: usize) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(messages_to(to).await.len(), n, "messages to {to}");
}

/// The token in the link of `html` after `/{path}/`.
fn token_in(html: &str, path: &str) -> String {
    let marker = format!("/{path}/");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} link in {html}"))
        + marker.len();
    html[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect()
}

/// Points the server's mail at the catcher (with `auth`: user, password, method), with
/// Acme's sender and app name.
async fn use_smtp(srv: &TestServer, auth: Option<(&str, &str, &str)>) {
    let (host, port, _) = catcher();
    let (username, password, method) = auth.unwrap_or(("", "", ""));
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({
                "smtp": {"enabled": true, "host": host, "port": port, "username": username,
                         "password": password, "authMethod": method, "tls": false},
                "meta": {"appName": "Acme", "appURL": "https://acme.test",
                         "senderName": "Acme Support", "senderAddress": "noreply@acme.test"},
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn post(
    srv: &TestServer,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    srv.req(Method::POST, path, token, Some(body)).await
}

fn invalid(data: Value) -> Value {
    json!({"status": 400, "message": "An error occurred while validating the submitted data.", "data": data})
}

/// A user of `users` with `email` (unverified), and its auth token.
async fn user(srv: &TestServer, email: &str) -> (String, Value) {
    srv.create_user(email, PASSWORD).await
}

#[tokio::test]
async fn test_email_goes_through_smtp_with_the_settings() {
    let srv = TestServer::start().await;
    use_smtp(&srv, Some(("basalt", "secret", "PLAIN"))).await;
    let to = address("test-plain");
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/email",
            Some(json!({"email": to, "template": "verification"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let m = wait_mail(&to).await;
    assert_eq!(m["authUser"], "basalt");
    assert_eq!(
        m["from"],
        json!({"address": "noreply@acme.test", "name": "Acme Support"})
    );
    assert_eq!(m["to"], json!([{"address": to, "name": ""}]));
    assert_eq!(m["subject"], "Verify your Acme email");
    let html = m["html"].as_str().expect("html");
    assert!(html.starts_with("\n<!DOCTYPE html"), "{html}");
    assert!(
        html.contains("<p>Thank you for joining us at Acme.</p>"),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://acme.test/_/#/auth/confirm-verification/"),
        "{html}"
    );
    let text = m["text"].as_str().expect("text");
    assert!(
        text.starts_with("Hello, \nThank you for joining us at Acme. \n"),
        "{text}"
    );
    assert!(
        text.contains("[Verify](https://acme.test/_/#/auth/confirm-verification/"),
        "{text}"
    );
    assert!(
        m["headers"]["message-id"]
            .as_str()
            .is_some_and(|id| id.ends_with("@acme.test>"))
    );

    // AUTH LOGIN, and the other templates.
    use_smtp(&srv, Some(("basalt", "secret", "LOGIN"))).await;
    for (template, subject) in [
        ("password-reset", "Reset your Acme password"),
        ("email-change", "Confirm your Acme new email address"),
        ("otp", "OTP for Acme"),
        ("login-alert", "Login from a new location"),
    ] {
        let to = address(template);
        let (status, body) = srv
            .su(
                Method::POST,
                "/api/settings/test/email",
                Some(json!({"email": to, "template": template, "collection": "users"})),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{template}: {body}");
        let m = wait_mail(&to).await;
        assert_eq!(m["subject"], subject, "{template}");
        assert_eq!(m["authUser"], "basalt", "{template}");
        let html = m["html"].as_str().expect("html");
        match template {
            "otp" => assert!(html.contains("<strong>123456</strong>"), "{html}"),
            "login-alert" => assert!(html.contains(" - TEST_IP TEST_USER_AGENT</em>"), "{html}"),
            _ => assert!(
                html.contains("https://acme.test/_/#/auth/confirm-"),
                "{html}"
            ),
        }
    }
}

#[tokio::test]
async fn test_email_checks_its_caller_and_body() {
    let srv = TestServer::start().await;
    use_smtp(&srv, None).await;
    let (status, body) = post(&srv, "/api/settings/test/email", None, json!({})).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, err_body(401, MSG_REQUIRES_AUTH))
    );
    let (user_token, _) = user(&srv, &address("caller")).await;
    let (status, body) = post(
        &srv,
        "/api/settings/test/email",
        Some(&user_token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = srv
        .su(Method::POST, "/api/settings/test/email", Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"status": 400, "message": "Failed to send the test email.", "data": {
            "email": field_err("validation_required", "Cannot be blank."),
            "template": field_err("validation_required", "Cannot be blank."),
        }})
    );
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/email",
            Some(json!({"email": "nope", "template": "welcome", "collection": "missing"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"],
        json!({
            "collection": field_err("validation_invalid_auth_collection", "Must be a valid auth collection id or name."),
            "email": field_err("validation_is_email", "Must be a valid email address."),
            "template": field_err("validation_in_invalid", "Must be a valid value."),
        })
    );

    // A refused login: the send fails and says why.
    use_smtp(&srv, Some(("basalt", "wrong", "PLAIN"))).await;
    let to = address("refused");
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/email",
            Some(json!({"email": to, "template": "otp"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().expect("message");
    assert!(
        message.starts_with("Failed to send the test email. Raw error: \n"),
        "{message}"
    );
    assert_eq!(body["data"], json!({}));
    expect_count(&to, 0).await;

    // `tls` asks for TLS from the first byte, which the plain catcher does not speak.
    let (host, port, _) = catcher();
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(
                json!({"smtp": {"enabled": true, "host": host, "port": port, "tls": true,
                                 "username": "", "password": ""}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let to = address("implicit-tls");
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/email",
            Some(json!({"email": to, "template": "otp"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Failed to send the test email. Raw error: \n"))
    );
    expect_count(&to, 0).await;
}

#[tokio::test]
async fn sendmail_relays_through_msmtp_when_smtp_is_off() {
    if std::env::var_os("BASALT_TEST_BIN").is_some() {
        // The sendmail binary path is Basalt's setting (PocketBase always uses the system's).
        return;
    }
    let msmtp = ["/usr/bin/msmtp", "/usr/sbin/msmtp"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
        .expect("msmtp is installed (Debian msmtp-mta; scripts/build-deps.sh installs it)");
    let (host, port, _) = catcher();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("msmtprc");
    std::fs::write(
        &config,
        format!("account default\nhost {host}\nport {port}\nauth off\ntls off\n"),
    )
    .expect("write msmtprc");
    let wrapper = dir.path().join("sendmail");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec {msmtp} -C '{}' \"$@\"\n", config.display()),
    )
    .expect("write wrapper");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let wrapper = wrapper.display().to_string();
    let srv = TestServer::start_with_env(&[("BASALT_SENDMAIL", &wrapper)]).await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"smtp": {"enabled": false},
                        "meta": {"appName": "Sendmail App", "senderAddress": "robot@sendmail.test"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let to = address("sendmail");
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/email",
            Some(json!({"email": to, "template": "password-reset"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let m = wait_mail(&to).await;
    assert_eq!(m["subject"], "Reset your Sendmail App password");
    assert_eq!(m["envelope"]["from"], "robot@sendmail.test");
    assert_eq!(m["authUser"], Value::Null);
    assert!(
        m["html"]
            .as_str()
            .is_some_and(|h| h.contains("/_/#/auth/confirm-password-reset/"))
    );

    // The settings are read at each send: SMTP again, no restart.
    use_smtp(&srv, None).await;
    let to = address("back-to-smtp");
    let (status, _) = srv
        .su(
            Method::POST,
            "/api/settings/test/email",
            Some(json!({"email": to, "template": "otp"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(wait_mail(&to).await["from"]["address"], "noreply@acme.test");
}

#[tokio::test]
async fn verification_end_to_end() {
    let srv = TestServer::start().await;
    use_smtp(&srv, None).await;
    let email = address("verify");
    let (_, record) = user(&srv, &email).await;
    assert_eq!(record["verified"], false);

    let (status, body) = post(
        &srv,
        "/api/collections/users/request-verification",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!((status, &body), (StatusCode::NO_CONTENT, &Value::Null));
    let m = wait_mail(&email).await;
    assert_eq!(m["subject"], "Verify your Acme email");
    let token = token_in(m["html"].as_str().expect("html"), "confirm-verification");

    // A second request within the resend window sends nothing (and still answers 204).
    let (status, _) = post(
        &srv,
        "/api/collections/users/request-verification",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    expect_count(&email, 1).await;

    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-verification",
        None,
        json!({"token": token}),
    )
    .await;
    assert_eq!((status, &body), (StatusCode::NO_CONTENT, &Value::Null));
    let (_, record) = srv.login("users", &email, PASSWORD).await;
    assert_eq!(record["verified"], true);

    // Verified: a new request sends nothing; the old token still confirms (idempotent).
    let (status, _) = post(
        &srv,
        "/api/collections/users/request-verification",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    expect_count(&email, 1).await;
    let (status, _) = post(
        &srv,
        "/api/collections/users/confirm-verification",
        None,
        json!({"token": token}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Unknown emails answer the same, and nothing is sent.
    let unknown = address("unknown");
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-verification",
        None,
        json!({"email": unknown}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    expect_count(&unknown, 0).await;

    // Bad input.
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-verification",
        None,
        json!({"email": "not-an-email"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"email": field_err("validation_is_email", "Must be a valid email address.")})
        )
    );
    let (status, body) = post(
        &srv,
        "/api/collections/_superusers/request-verification",
        None,
        json!({"email": SUPERUSER_EMAIL}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            err_body(400, "All superusers are verified by default.")
        )
    );
    let (status, body) = post(
        &srv,
        "/api/collections/missing/request-verification",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            err_body(404, "Missing or invalid collection context.")
        )
    );
    let (status, body) = post(
        &srv,
        "/api/collections/_otps/request-verification",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            err_body(404, "Missing or invalid auth collection context.")
        )
    );
}

#[tokio::test]
async fn confirm_verification_rejects_bad_tokens_and_changes_nothing() {
    let srv = TestServer::start().await;
    use_smtp(&srv, None).await;
    let email = address("bad-verify");
    let (auth_token, record) = user(&srv, &email).await;

    let confirm = |token: String| {
        let srv = &srv;
        async move {
            post(
                srv,
                "/api/collections/users/confirm-verification",
                None,
                json!({"token": token}),
            )
            .await
        }
    };
    let (status, body) = confirm(String::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(json!({"token": field_err("validation_required", "Cannot be blank.")}))
    );

    // An auth token has no email claim.
    let (status, body) = confirm(auth_token.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"token": field_err("validation_invalid_token_claims", "Missing email token claim.")})
        )
    );

    // A real verification token with a forged signature.
    post(
        &srv,
        "/api/collections/users/request-verification",
        None,
        json!({"email": email}),
    )
    .await;
    let token = token_in(
        wait_mail(&email).await["html"].as_str().expect("html"),
        "confirm-verification",
    );
    let forged = format!("{}xx", &token[..token.len() - 2]);
    let (status, body) = confirm(forged).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"token": field_err("validation_invalid_token", "Invalid or expired token.")})
        )
    );

    // A token of the right kind for another auth collection.
    srv.create_collection(json!({"name": "members", "type": "auth", "createRule": ""}))
        .await;
    let member = address("member");
    srv.create_record(
        "members",
        json!({"email": member, "password": PASSWORD, "passwordConfirm": PASSWORD}),
    )
    .await;
    post(
        &srv,
        "/api/collections/members/request-verification",
        None,
        json!({"email": member}),
    )
    .await;
    let member_token = token_in(
        wait_mail(&member).await["html"].as_str().expect("html"),
        "confirm-verification",
    );
    let (status, body) = confirm(member_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(json!({"token": field_err(
            "validation_token_collection_mismatch",
            "The provided token is for different auth collection."
        )}))
    );

    // Nothing changed.
    let (status, now) = srv
        .su(
            Method::GET,
            &format!(
                "/api/collections/users/records/{}",
                record["id"].as_str().expect("id")
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["verified"], false);
    assert_eq!(now["updated"], record["updated"]);
}

#[tokio::test]
async fn password_reset_end_to_end_revokes_older_tokens() {
    let srv = TestServer::start().await;
    use_smtp(&srv, None).await;
    let email = address("reset");
    let (old_token, _) = user(&srv, &email).await;

    let (status, body) = post(
        &srv,
        "/api/collections/users/request-password-reset",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let m = wait_mail(&email).await;
    assert_eq!(m["subject"], "Reset your Acme password");
    let token = token_in(m["html"].as_str().expect("html"), "confirm-password-reset");

    // Throttled: a second request sends nothing.
    post(
        &srv,
        "/api/collections/users/request-password-reset",
        None,
        json!({"email": email}),
    )
    .await;
    expect_count(&email, 1).await;

    // A failed confirm changes nothing.
    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-password-reset",
        None,
        json!({"token": token, "password": NEW_PASSWORD, "passwordConfirm": "other"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"passwordConfirm": field_err("validation_values_mismatch", "Values don't match.")})
        )
    );
    srv.login("users", &email, PASSWORD).await;

    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-password-reset",
        None,
        json!({"token": token, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));

    // The old auth token stopped working; the new password works, the old one not.
    let (status, _) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(&old_token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, record) = srv.login("users", &email, NEW_PASSWORD).await;
    assert_eq!(record["verified"], true, "the mailed address is verified");
    let (status, _) = post(
        &srv,
        "/api/collections/users/auth-with-password",
        None,
        json!({"identity": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The reset token is spent (the token key changed).
    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-password-reset",
        None,
        json!({"token": token, "password": "Another-1234", "passwordConfirm": "Another-1234"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"token": field_err("validation_invalid_token", "Invalid or expired token.")})
        )
    );
    srv.login("users", &email, NEW_PASSWORD).await;

    // Unknown emails: 204, no mail.
    let unknown = address("reset-unknown");
    let (status, _) = post(
        &srv,
        "/api/collections/users/request-password-reset",
        None,
        json!({"email": unknown}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    expect_count(&unknown, 0).await;
}

#[tokio::test]
async fn confirm_password_reset_rejects_expired_and_foreign_tokens() {
    let srv = TestServer::start().await;
    use_smtp(&srv, None).await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"passwordResetToken": {"duration": 10}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let email = address("expired");
    let (auth_token, _) = user(&srv, &email).await;
    post(
        &srv,
        "/api/collections/users/request-password-reset",
        None,
        json!({"email": email}),
    )
    .await;
    let token = token_in(
        wait_mail(&email).await["html"].as_str().expect("html"),
        "confirm-password-reset",
    );
    let confirm = |token: String| {
        let srv = &srv;
        async move {
            post(
                srv,
                "/api/collections/users/confirm-password-reset",
                None,
                json!({"token": token, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD}),
            )
            .await
        }
    };
    let expired = invalid(
        json!({"token": field_err("validation_invalid_token", "Invalid or expired token.")}),
    );
    // Another kind of token (an auth token).
    assert_eq!(
        confirm(auth_token).await,
        (StatusCode::BAD_REQUEST, expired.clone())
    );
    // Missing fields.
    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-password-reset",
        None,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(json!({
            "password": field_err("validation_required", "Cannot be blank."),
            "passwordConfirm": field_err("validation_required", "Cannot be blank."),
            "token": field_err("validation_required", "Cannot be blank."),
        }))
    );
    // Past its 10 s.
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(confirm(token).await, (StatusCode::BAD_REQUEST, expired));
    srv.login("users", &email, PASSWORD).await;
}

#[tokio::test]
async fn email_change_end_to_end() {
    let srv = TestServer::start().await;
    use_smtp(&srv, None).await;
    let email = address("change-old");
    let new_email = address("change-new");
    let (token, record) = user(&srv, &email).await;

    let (status, body) = post(
        &srv,
        "/api/collections/users/request-email-change",
        None,
        json!({"newEmail": new_email}),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, err_body(401, MSG_REQUIRES_AUTH))
    );
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-email-change",
        Some(&token),
        json!({"newEmail": email}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"newEmail": field_err("validation_not_in_invalid", "Must not be in list.")})
        )
    );

    let (status, body) = post(
        &srv,
        "/api/collections/users/request-email-change",
        Some(&token),
        json!({"newEmail": new_email}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let m = wait_mail(&new_email).await;
    assert_eq!(m["subject"], "Confirm your Acme new email address");
    assert_eq!(m["to"], json!([{"address": new_email, "name": ""}]));
    expect_count(&email, 0).await;
    let change = token_in(m["html"].as_str().expect("html"), "confirm-email-change");

    // A wrong password changes nothing.
    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-email-change",
        None,
        json!({"token": change, "password": "wrong"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        invalid(
            json!({"password": field_err("validation_invalid_password", "Missing or invalid auth record password.")})
        )
    );
    srv.login("users", &email, PASSWORD).await;

    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-email-change",
        None,
        json!({"token": change, "password": PASSWORD}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, now) = srv.login("users", &new_email, PASSWORD).await;
    assert_eq!(now["id"], record["id"]);
    assert_eq!(now["email"], new_email.as_str());
    assert_eq!(now["verified"], true);
    let (status, _) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old token is revoked");

    // The token is spent.
    let (status, body) = post(
        &srv,
        "/api/collections/users/confirm-email-change",
        None,
        json!({"token": change, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["data"]["token"]["code"], "validation_invalid_token");
}

#[tokio::test]
async fn any_email_change_revokes_older_tokens() {
    let srv = TestServer::start().await;
    let email = address("update-old");
    let (token, record) = user(&srv, &email).await;
    let id = record["id"].as_str().expect("id");
    let new_email = address("update-new");
    let (status, body) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/users/records/{id}"),
            Some(json!({"email": new_email})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (fresh, _) = srv.login("users", &new_email, PASSWORD).await;
    // Other changes keep the token.
    let (status, body) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/users/records/{id}"),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(&fresh),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
