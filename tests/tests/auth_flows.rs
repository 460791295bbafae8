//! The auth flows every auth method shares (PocketBase's `RecordAuthResponse`): the
//! collection's `authRule`, MFA (`_mfas`, 401 `{mfaId}`), auth origins (`_authOrigins`);
//! OTP (`request-otp`, `auth-with-otp`, `basalt superuser otp`), impersonation, and the rate
//! limits on them. The expectations were checked against PocketBase 0.40.

mod common;
#[path = "auth_flows/smtp.rs"]
mod smtp;

use common::*;
use md5::{Digest, Md5};
use std::process::Command;

const PASSWORD: &str = "Passw0rd!1234";

fn otp_disabled() -> Value {
    err_body(
        403,
        "The collection is not configured to allow OTP authentication.",
    )
}

fn invalid_otp() -> Value {
    err_body(400, "Invalid or expired OTP.")
}

fn auth_rule_failed() -> Value {
    err_body(
        403,
        "The request doesn't satisfy the collection requirements to authenticate.",
    )
}

async fn post(
    srv: &TestServer,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    srv.req(Method::POST, path, token, Some(body)).await
}

async fn password_login(srv: &TestServer, collection: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/collections/{collection}/auth-with-password");
    post(srv, &path, None, body).await
}

async fn otp_login(srv: &TestServer, collection: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/collections/{collection}/auth-with-otp");
    post(srv, &path, None, body).await
}

async fn patch_collection(srv: &TestServer, collection: &str, body: Value) {
    let (status, res) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/{collection}"),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{res}");
}

/// `basalt superuser otp EMAIL` on the server's data dir: `(otpId, password)` from its
/// output (PocketBase colours the lines; only the last word of each is read).
fn superuser_otp(srv: &TestServer, email: &str) -> (String, String) {
    let out = Command::new(server_bin())
        .args(["superuser", "otp", email, "--dir"])
        .arg(srv.dir().join("pb_data"))
        .output()
        .expect("run superuser otp");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |label: &str| {
        let line = text
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label} in {text}"));
        let word = line.split_whitespace().last().unwrap_or_default();
        word.split('\u{1b}').next().unwrap_or_default().to_string()
    };
    (value("Id:"), value("Pass:"))
}

/// The `_superusers` collection with OTP on (and MFA when asked).
async fn superuser_otp_on(srv: &TestServer, mfa: bool, mfa_duration: i64) {
    let body = json!({
        "otp": {"enabled": true, "duration": 180, "length": 6},
        "mfa": {"enabled": mfa, "duration": mfa_duration},
    });
    patch_collection(srv, "_superusers", body).await;
}

fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).expect("jwt payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64 payload");
    serde_json::from_slice(&bytes).expect("json payload")
}

#[tokio::test]
async fn auth_rule_is_checked_on_password_and_refresh() {
    let srv = TestServer::start().await;
    let (user_token, user) = srv.create_user("rule@example.com", PASSWORD).await;
    patch_collection(&srv, "users", json!({"authRule": "verified = true"})).await;

    let creds = json!({"identity": "rule@example.com", "password": PASSWORD});
    let (status, body) = password_login(&srv, "users", creds.clone()).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, auth_rule_failed()));
    // A new rule revokes the tokens issued before (a new authToken secret).
    let (status, body) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(&user_token),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, err_body(401, MSG_REQUIRES_AUTH))
    );
    // A superuser may impersonate the record; its refresh is checked against the rule.
    let su = srv.superuser_token().await;
    let id = user["id"].as_str().expect("id");
    let path = format!("/api/collections/users/impersonate/{id}");
    let (status, body) = post(&srv, &path, Some(&su), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().expect("token");
    let (status, body) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(token),
        json!({}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, auth_rule_failed()));

    let id = user["id"].as_str().expect("id");
    let (status, _) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/users/records/{id}"),
            Some(json!({"verified": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = password_login(&srv, "users", creds.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["verified"], json!(true));

    // `null`: nobody signs in (the caller is a guest).
    patch_collection(&srv, "users", json!({"authRule": null})).await;
    let (status, body) = password_login(&srv, "users", creds).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, auth_rule_failed()));
}

#[tokio::test]
async fn otp_sign_in_with_the_cli_otp() {
    let srv = TestServer::start().await;
    let su = srv.superuser_token().await;
    let (status, body) = post(
        &srv,
        "/api/collections/_superusers/request-otp",
        None,
        json!({"email": SUPERUSER_EMAIL}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, otp_disabled()));
    let (status, body) =
        otp_login(&srv, "_superusers", json!({"otpId": "x", "password": "1"})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, otp_disabled()));

    // `_superusers` never signs in by OTP alone: OTP on turns MFA on.
    superuser_otp_on(&srv, false, 600).await;
    let (_, coll) = srv
        .su(Method::GET, "/api/collections/_superusers", None)
        .await;
    assert_eq!(coll["mfa"]["enabled"], json!(true), "{coll}");
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    assert_eq!(otp_id.len(), 15, "{otp_id}");
    assert_eq!(pass.len(), 6, "{pass}");
    assert!(pass.chars().all(|c| c.is_ascii_digit()), "{pass}");
    let (_, otps) = srv
        .req(
            Method::GET,
            "/api/collections/_otps/records",
            Some(&su),
            None,
        )
        .await;
    assert_eq!(otps["totalItems"], json!(1), "{otps}");
    assert_ne!(
        otps["items"][0]["password"],
        json!(pass),
        "stored hashed (and hidden)"
    );

    // Wrong password; then the right one, a first factor; the password completes it.
    let wrong = if pass == "000000" { "111111" } else { "000000" };
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": wrong}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, invalid_otp()));
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": pass}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let mfa_id = body["mfaId"].clone();
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": pass}),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, invalid_otp()),
        "deleted once used"
    );
    assert_eq!(srv.count("_otps").await, 0);
    let creds =
        json!({"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "mfaId": mfa_id});
    let (status, body) = password_login(&srv, "_superusers", creds).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["email"], json!(SUPERUSER_EMAIL));
    assert!(body.get("meta").is_none(), "{body}");

    // Validation, unknown ids, an OTP of another collection.
    let (status, body) = otp_login(&srv, "_superusers", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["otpId"]["code"],
        json!("validation_required"),
        "{body}"
    );
    assert_eq!(
        body["data"]["password"]["code"],
        json!("validation_required"),
        "{body}"
    );
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    patch_collection(
        &srv,
        "users",
        json!({"otp": {"enabled": true, "duration": 180, "length": 6}}),
    )
    .await;
    let (status, body) = otp_login(&srv, "users", json!({"otpId": otp_id, "password": pass})).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, invalid_otp()));

    // An unknown email gets the same answer shape, and no OTP is stored for it.
    let before = srv.count("_otps").await;
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-otp",
        None,
        json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    assert_eq!(body["otpId"].as_str().map(str::len), Some(15), "{body}");
    assert_eq!(srv.count("_otps").await, before);
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-otp",
        None,
        json!({"email": "bad"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["email"],
        field_err("validation_is_email", "Must be a valid email address.")
    );
}

#[tokio::test]
async fn otp_expires_and_guesses_are_limited() {
    let srv = TestServer::start().await;
    srv.superuser_token().await;
    patch_collection(
        &srv,
        "_superusers",
        json!({"otp": {"enabled": true, "duration": 10, "length": 6}}),
    )
    .await;
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    let wrong = if pass == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (status, body) = otp_login(
            &srv,
            "_superusers",
            json!({"otpId": otp_id, "password": wrong}),
        )
        .await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, invalid_otp()));
    }
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": pass}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::TOO_MANY_REQUESTS,
            err_body(
                429,
                "Too many attempts, please try again later with a new OTP."
            )
        )
    );

    let srv = TestServer::start().await;
    srv.superuser_token().await;
    patch_collection(
        &srv,
        "_superusers",
        json!({"otp": {"enabled": true, "duration": 10, "length": 6}}),
    )
    .await;
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    tokio::time::sleep(std::time::Duration::from_millis(11_500)).await;
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": pass}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, invalid_otp()));
}

#[tokio::test]
async fn mfa_password_then_otp() {
    let srv = TestServer::start().await;
    let su = srv.superuser_token().await;
    superuser_otp_on(&srv, true, 600).await;
    let creds = json!({"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD});

    // The first factor: 401 with only `mfaId`, and an `_mfas` row.
    let (status, body) = password_login(&srv, "_superusers", creds.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["mfaId"], "{body}");
    let mfa_id = body["mfaId"].as_str().expect("mfaId").to_string();
    let (_, mfas) = srv
        .req(
            Method::GET,
            "/api/collections/_mfas/records",
            Some(&su),
            None,
        )
        .await;
    assert_eq!(mfas["totalItems"], json!(1), "{mfas}");
    assert_eq!(mfas["items"][0]["id"], json!(mfa_id));
    assert_eq!(mfas["items"][0]["method"], json!("password"));
    assert_eq!(mfas["items"][0]["collectionRef"], json!("pbc_3142635823"));

    // The same method again is refused; an unknown id too.
    let mut again = creds.clone();
    again["mfaId"] = json!(mfa_id);
    let (status, body) = password_login(&srv, "_superusers", again).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            err_body(400, "A different authentication method is required.")
        )
    );
    let mut unknown = creds.clone();
    unknown["mfaId"] = json!("nosuchmfa000000");
    let (status, body) = password_login(&srv, "_superusers", unknown).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            err_body(400, "Invalid or expired MFA session.")
        )
    );

    // OTP alone is a first factor too; with the password's mfaId it completes.
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": pass, "mfaId": mfa_id}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["email"], json!(SUPERUSER_EMAIL));
    assert_eq!(
        srv.count("_mfas").await,
        1 - 1,
        "the used session is deleted"
    );

    // `?mfaId=` in the query works as the body's does.
    let (status, body) = password_login(&srv, "_superusers", creds.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mfa_id = body["mfaId"].as_str().expect("mfaId").to_string();
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    let path = format!("/api/collections/_superusers/auth-with-otp?mfaId={mfa_id}");
    let (status, body) = post(
        &srv,
        &path,
        None,
        json!({"otpId": otp_id, "password": pass}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Refresh is exempt.
    let token = body["token"].as_str().expect("token");
    let (status, body) = post(
        &srv,
        "/api/collections/_superusers/auth-refresh",
        Some(token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn mfa_session_expires() {
    let srv = TestServer::start().await;
    srv.superuser_token().await;
    superuser_otp_on(&srv, true, 10).await;
    let creds = json!({"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD});
    let (status, body) = password_login(&srv, "_superusers", creds).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mfa_id = body["mfaId"].as_str().expect("mfaId").to_string();
    let (otp_id, pass) = superuser_otp(&srv, SUPERUSER_EMAIL);
    tokio::time::sleep(std::time::Duration::from_millis(11_500)).await;
    let (status, body) = otp_login(
        &srv,
        "_superusers",
        json!({"otpId": otp_id, "password": pass, "mfaId": mfa_id}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            err_body(400, "Invalid or expired MFA session.")
        )
    );
    assert_eq!(
        srv.count("_mfas").await,
        0,
        "the expired session is deleted"
    );
}

#[tokio::test]
async fn mfa_rule_picks_the_records() {
    let srv = TestServer::start().await;
    srv.create_user("plain@example.com", PASSWORD).await;
    srv.create_user("strict@example.com", PASSWORD).await;
    let body = json!({
        "otp": {"enabled": true, "duration": 180, "length": 6},
        "mfa": {"enabled": true, "duration": 600, "rule": "email = 'strict@example.com'"},
    });
    patch_collection(&srv, "users", body).await;
    let (status, body) = password_login(
        &srv,
        "users",
        json!({"identity": "plain@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = password_login(
        &srv,
        "users",
        json!({"identity": "strict@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["mfaId"].as_str().map(str::len), Some(15), "{body}");
    // Another record's session is refused.
    let mfa_id = body["mfaId"].clone();
    let (status, body) = password_login(
        &srv,
        "users",
        json!({"identity": "plain@example.com", "password": PASSWORD, "mfaId": mfa_id}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "no MFA for plain: the id is not even read: {body}"
    );
    patch_collection(
        &srv,
        "users",
        json!({"mfa": {"enabled": true, "duration": 600, "rule": ""}}),
    )
    .await;
    let (status, body) = password_login(
        &srv,
        "users",
        json!({"identity": "plain@example.com", "password": PASSWORD, "mfaId": mfa_id}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            err_body(400, "Invalid MFA session.")
        )
    );
}

#[tokio::test]
async fn impersonate() {
    let srv = TestServer::start().await;
    let (user_token, user) = srv.create_user("imp@example.com", PASSWORD).await;
    let id = user["id"].as_str().expect("id").to_string();
    let path = format!("/api/collections/users/impersonate/{id}");

    let (status, body) = post(&srv, &path, None, json!({})).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, err_body(401, MSG_REQUIRES_AUTH))
    );
    let (status, body) = post(&srv, &path, Some(&user_token), json!({})).await;
    assert_eq!(
        (status, body),
        (StatusCode::FORBIDDEN, err_body(403, MSG_NOT_ALLOWED))
    );

    let su = srv.superuser_token().await;
    let (status, body) = post(&srv, &path, Some(&su), json!({"duration": 100})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["id"], json!(id));
    assert_eq!(
        body["record"]["email"],
        json!("imp@example.com"),
        "the owner's view"
    );
    let token = body["token"].as_str().expect("token").to_string();
    let c = claims(&token);
    assert_eq!(c["refreshable"], json!(false), "{c}");
    assert_eq!(c["type"], json!("auth"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let exp = c["exp"].as_i64().expect("exp");
    assert!((exp - now - 100).abs() <= 5, "exp {exp}, now {now}");

    // The token works, and a refresh answers it unchanged.
    let (status, me) = srv
        .req(
            Method::GET,
            &format!("/api/collections/users/records/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let (status, body) = post(
        &srv,
        "/api/collections/users/auth-refresh",
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token"], json!(token));

    // 0: the collection's authToken duration (604800 s for users).
    let (status, body) = post(&srv, &path, Some(&su), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = claims(body["token"].as_str().expect("token"));
    let (_, users) = srv.su(Method::GET, "/api/collections/users", None).await;
    let duration = users["authToken"]["duration"].as_i64().expect("duration");
    assert!(
        (c["exp"].as_i64().expect("exp") - now - duration).abs() <= 5,
        "{c}"
    );

    let (status, body) = post(&srv, &path, Some(&su), json!({"duration": -1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["duration"],
        json!({"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 0.", "params": {"threshold": 0}})
    );
    let (status, body) = post(
        &srv,
        "/api/collections/users/impersonate/nosuchrecord000",
        Some(&su),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, err_body(404, MSG_NOT_FOUND))
    );
    let (status, body) = post(
        &srv,
        "/api/collections/nosuch/impersonate/x",
        Some(&su),
        json!({}),
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
async fn auth_origins_are_recorded() {
    let srv = TestServer::start().await;
    srv.create_user("origin@example.com", PASSWORD).await;
    let su = srv.superuser_token().await;
    let login = |agent: &'static str| {
        let rb = srv
            .request(
                Method::POST,
                "/api/collections/users/auth-with-password",
                None,
            )
            .header("user-agent", agent)
            .json(&json!({"identity": "origin@example.com", "password": PASSWORD}));
        async move {
            let res = rb.send().await.expect("send");
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    // create_user signed in once without a User-Agent.
    let (_, origins) = srv.req(Method::GET, USER_ORIGINS, Some(&su), None).await;
    assert_eq!(origins["totalItems"], json!(1), "{origins}");
    let bare = hex(&Md5::digest(b"127.0.0.1"));
    assert_eq!(origins["items"][0]["fingerprint"], json!(bare), "{origins}");
    login("").await;
    let (_, origins) = srv.req(Method::GET, USER_ORIGINS, Some(&su), None).await;
    assert_eq!(
        origins["totalItems"],
        json!(1),
        "the same origin again: {origins}"
    );

    // With the alerts off, nothing more is recorded.
    patch_collection(&srv, "users", json!({"authAlert": {"enabled": false}})).await;
    login("agent-b").await;
    let (_, origins) = srv.req(Method::GET, USER_ORIGINS, Some(&su), None).await;
    assert_eq!(origins["totalItems"], json!(1), "{origins}");
}

/// The `_authOrigins` of `users` records.
const USER_ORIGINS: &str =
    "/api/collections/_authOrigins/records?filter=collectionRef%3D%27_pb_users_auth_%27";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn rate_limits_cover_the_otp_endpoints() {
    let srv = TestServer::start().await;
    patch_collection(
        &srv,
        "users",
        json!({"otp": {"enabled": true, "duration": 180, "length": 6}}),
    )
    .await;
    let settings = json!({"rateLimits": {"enabled": true, "rules": [
        {"label": "*:requestOTP", "maxRequests": 2, "duration": 60, "audience": ""},
        {"label": "*:auth", "maxRequests": 2, "duration": 60, "audience": ""},
    ]}});
    let (status, body) = srv.su(Method::PATCH, "/api/settings", Some(settings)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let too_many = err_body(429, "Too Many Requests.");
    for _ in 0..2 {
        let (status, _) = post(
            &srv,
            "/api/collections/users/request-otp",
            None,
            json!({"email": "a@example.com"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-otp",
        None,
        json!({"email": "a@example.com"}),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::TOO_MANY_REQUESTS, too_many.clone())
    );
    for _ in 0..2 {
        let (status, _) = otp_login(&srv, "users", json!({"otpId": "x", "password": "1"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, body) = otp_login(&srv, "users", json!({"otpId": "x", "password": "1"})).await;
    assert_eq!((status, body), (StatusCode::TOO_MANY_REQUESTS, too_many));
}

/// The server's mail through `catcher`, with templates that show their values plainly:
/// the OTP mail `CODE[{OTP}] ID[{OTP_ID}]`, the login alert `ALERT[{ALERT_INFO}]`.
async fn mail_to(srv: &TestServer, catcher: &smtp::Catcher) {
    let settings = json!({"smtp": {"enabled": true, "host": "127.0.0.1", "port": catcher.port(), "tls": false}});
    let (status, body) = srv.su(Method::PATCH, "/api/settings", Some(settings)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let templates = json!({
        "otp": {"enabled": true, "duration": 180, "length": 8,
                "emailTemplate": {"subject": "OTP", "body": "CODE[{OTP}] ID[{OTP_ID}]"}},
        "authAlert": {"enabled": true,
                      "emailTemplate": {"subject": "Alert", "body": "ALERT[{ALERT_INFO}]"}},
    });
    patch_collection(srv, "users", templates).await;
}

/// The text between `open` and the next `]` in `mail`.
fn between(mail: &smtp::Mail, open: &str) -> String {
    let start = mail
        .data
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in {}", mail.data))
        + open.len();
    let end = mail.data[start..].find(']').expect("closing ]") + start;
    mail.data[start..end].to_string()
}

/// request-otp for `email`, then the mail it sent: `(otpId, password)`.
async fn mailed_otp(srv: &TestServer, catcher: &smtp::Catcher, email: &str) -> (String, String) {
    let before = catcher.mails().len();
    let (status, body) = post(
        srv,
        "/api/collections/users/request-otp",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let otp_id = body["otpId"].as_str().expect("otpId").to_string();
    let mails = catcher.wait_for(before + 1).await;
    let mail = mails
        .get(before)
        .unwrap_or_else(|| panic!("no OTP mail: {}", srv.logs()));
    assert_eq!(mail.to, [email]);
    assert_eq!(between(mail, "ID["), otp_id);
    let code = between(mail, "CODE[");
    assert_eq!(code.len(), 8, "{code}");
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
    // The server marks the OTP as sent (`sentTo`) right after the delivery, as PocketBase
    // does; give it that moment.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    (otp_id, code)
}

#[tokio::test]
async fn otp_by_mail_signs_in_and_verifies() {
    let catcher = smtp::Catcher::start().await;
    let srv = TestServer::start().await;
    let (_, user) = srv.create_user("mailotp@example.com", PASSWORD).await;
    assert_eq!(user["verified"], json!(false));
    mail_to(&srv, &catcher).await;

    // An unknown email: the same answer, no mail.
    let (status, body) = post(
        &srv,
        "/api/collections/users/request-otp",
        None,
        json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["otpId"].as_str().map(str::len), Some(15));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(catcher.mails().len(), 0, "no mail for an unknown email");

    let (otp_id, code) = mailed_otp(&srv, &catcher, "mailotp@example.com").await;
    let (_, otps) = srv
        .su(Method::GET, "/api/collections/_otps/records", None)
        .await;
    assert_eq!(otps["items"][0]["id"], json!(otp_id), "{otps}");
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let (status, body) =
        otp_login(&srv, "users", json!({"otpId": otp_id, "password": wrong})).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, invalid_otp()));
    let (status, body) = otp_login(&srv, "users", json!({"otpId": otp_id, "password": code})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["email"], json!("mailotp@example.com"));
    assert_eq!(
        body["record"]["verified"],
        json!(true),
        "the OTP went to its email"
    );
    let (status, _) = otp_login(&srv, "users", json!({"otpId": otp_id, "password": code})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "used once");
    // Verified by OTP alone (no MFA): the password was replaced by a random one.
    let (status, _) = password_login(
        &srv,
        "users",
        json!({"identity": "mailotp@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn auth_rule_is_checked_on_otp() {
    let catcher = smtp::Catcher::start().await;
    let srv = TestServer::start().await;
    srv.create_user("otprule@example.com", PASSWORD).await;
    mail_to(&srv, &catcher).await;
    patch_collection(&srv, "users", json!({"authRule": "name = 'allowed'"})).await;
    let (otp_id, code) = mailed_otp(&srv, &catcher, "otprule@example.com").await;
    let (status, body) = otp_login(&srv, "users", json!({"otpId": otp_id, "password": code})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, auth_rule_failed()));
}

#[tokio::test]
async fn mfa_password_then_mailed_otp() {
    let catcher = smtp::Catcher::start().await;
    let srv = TestServer::start().await;
    srv.create_user("mfamail@example.com", PASSWORD).await;
    mail_to(&srv, &catcher).await;
    patch_collection(
        &srv,
        "users",
        json!({"mfa": {"enabled": true, "duration": 600}}),
    )
    .await;
    let creds = json!({"identity": "mfamail@example.com", "password": PASSWORD});
    let (status, body) = password_login(&srv, "users", creds).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let mfa_id = body["mfaId"].clone();
    let (otp_id, code) = mailed_otp(&srv, &catcher, "mfamail@example.com").await;
    let body = json!({"otpId": otp_id, "password": code, "mfaId": mfa_id});
    let (status, body) = otp_login(&srv, "users", body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["verified"], json!(true));
    // With MFA on, the OTP keeps the password.
    let creds = json!({"identity": "mfamail@example.com", "password": PASSWORD});
    let (status, _) = password_login(&srv, "users", creds).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a new first factor");
}

#[tokio::test]
async fn login_alert_mail_on_a_new_origin() {
    let catcher = smtp::Catcher::start().await;
    let srv = TestServer::start().await;
    srv.create_user("alert@example.com", PASSWORD).await;
    mail_to(&srv, &catcher).await;
    let su = srv.superuser_token().await;
    let login = |agent: &'static str| {
        let rb = srv
            .request(
                Method::POST,
                "/api/collections/users/auth-with-password",
                None,
            )
            .header("user-agent", agent)
            .json(&json!({"identity": "alert@example.com", "password": PASSWORD}));
        async move {
            let res = rb.send().await.expect("send");
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    // create_user's sign-in was the first (no mail); the same origin again: none either.
    login("").await;
    assert_eq!(catcher.mails().len(), 0);
    login("Agent-B/1.0").await;
    let mails = catcher.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{}", srv.logs());
    assert_eq!(mails[0].to, ["alert@example.com"]);
    let info = between(&mails[0], "ALERT[");
    assert!(info.ends_with(" - 127.0.0.1 Agent-B/1.0"), "{info}");
    assert!(info.starts_with("20"), "the date first: {info}");
    let (_, origins) = srv.req(Method::GET, USER_ORIGINS, Some(&su), None).await;
    assert_eq!(origins["totalItems"], json!(2), "{origins}");
    let fingerprint = hex(&Md5::digest(b"127.0.0.1Agent-B/1.0"));
    let fingerprints: Vec<&Value> = origins["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| &o["fingerprint"])
        .collect();
    assert!(fingerprints.contains(&&json!(fingerprint)), "{origins}");
    login("Agent-B/1.0").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(catcher.mails().len(), 1, "a known origin: no mail");

    // A new password forgets the origins.
    let (_, user) = srv.login("users", "alert@example.com", PASSWORD).await;
    let id = user["id"].as_str().expect("id");
    let new = json!({"password": "N3w-passw0rd!", "passwordConfirm": "N3w-passw0rd!"});
    let (status, body) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/users/records/{id}"),
            Some(new),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, origins) = srv.req(Method::GET, USER_ORIGINS, Some(&su), None).await;
    assert_eq!(origins["totalItems"], json!(0), "{origins}");
}

#[tokio::test]
async fn auth_options_are_validated() {
    let srv = TestServer::start().await;
    let patch = |body: Value| {
        let srv = &srv;
        async move {
            srv.su(Method::PATCH, "/api/collections/users", Some(body))
                .await
        }
    };
    let (status, body) = patch(json!({"mfa": {"enabled": true, "duration": 600}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"],
        json!({"mfa": {"enabled": {"code": "validation_mfa_not_enough_auths", "message": "MFA requires at least 2 auth methods to be enabled."}}})
    );
    let body = json!({"otp": {"enabled": true, "duration": 5, "length": 2}, "mfa": {"enabled": true, "duration": 0}});
    let (status, body) = patch(body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"],
        json!({
            "mfa": {"duration": {"code": "validation_required", "message": "Cannot be blank."}},
            "otp": {
                "duration": {"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 10.", "params": {"threshold": 10}},
                "length": {"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 4.", "params": {"threshold": 4}},
            },
        })
    );
    let body = json!({"authToken": {"duration": 5}, "passwordAuth": {"enabled": true, "identityFields": []}});
    let (status, body) = patch(body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"],
        json!({
            "authToken": {"duration": {"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 10.", "params": {"threshold": 10}}},
            "passwordAuth": {"identityFields": {"code": "validation_required", "message": "Cannot be blank."}},
        })
    );
    let body = json!({"otp": {"enabled": true, "duration": 50, "length": 6}, "mfa": {"enabled": true, "duration": 100, "rule": "nope = 1"}});
    let (status, body) = patch(body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["mfa"]["rule"]["code"],
        json!("validation_invalid_rule"),
        "{body}"
    );
}

#[tokio::test]
async fn ref_rows_go_with_their_record_and_collection() {
    let srv = TestServer::start().await;
    let (_, user) = srv.create_user("gone@example.com", PASSWORD).await;
    let origins = |collection: &str| {
        format!("/api/collections/_authOrigins/records?filter=collectionRef%3D%27{collection}%27")
    };
    let (_, list) = srv.su(Method::GET, &origins("_pb_users_auth_"), None).await;
    assert_eq!(list["totalItems"], json!(1), "{list}");
    let id = user["id"].as_str().expect("id");
    let (status, _) = srv
        .su(
            Method::DELETE,
            &format!("/api/collections/users/records/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = srv.su(Method::GET, &origins("_pb_users_auth_"), None).await;
    assert_eq!(
        list["totalItems"],
        json!(0),
        "deleted with the record: {list}"
    );

    let members = srv
        .create_collection(
            json!({"name": "members", "type": "auth", "createRule": "", "fields": []}),
        )
        .await;
    let members_id = members["id"].as_str().expect("id").to_string();
    srv.create_record(
        "members",
        json!({"email": "m@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD}),
    )
    .await;
    srv.login("members", "m@example.com", PASSWORD).await;
    let (_, list) = srv.su(Method::GET, &origins(&members_id), None).await;
    assert_eq!(list["totalItems"], json!(1), "{list}");
    let (status, _) = srv
        .su(Method::DELETE, "/api/collections/members", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = srv.su(Method::GET, &origins(&members_id), None).await;
    assert_eq!(
        list["totalItems"],
        json!(0),
        "deleted with the collection: {list}"
    );
}
