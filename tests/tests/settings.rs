//! `/api/settings`: superusers only, PocketBase's defaults and validation, secrets never in
//! responses, and encryption at rest with `--encryptionEnv`.
//!
//! Expected values are what PocketBase v0.40.6 answers (run with `BASALT_TEST_BIN` pointing at
//! its binary to check them); the few Basalt-only assertions are marked.

mod common;

use common::*;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LOAD_FAILED: &str = "An error occurred while loading the submitted data.";
const SAVE_FAILED: &str = "An error occurred while saving the new settings.";

/// True when the server under test is Basalt (not the reference PocketBase).
fn is_basalt() -> bool {
    std::env::var_os("BASALT_TEST_BIN").is_none()
}

fn default_settings() -> Value {
    let mut settings = pocketbase_default_settings();
    if is_basalt() {
        // Basalt's own setting (PocketBase has no OpenAPI document)
        settings["openapi"] = json!({"public": false});
    }
    settings
}

fn pocketbase_default_settings() -> Value {
    json!({
        "superuserIPs": [],
        "smtp": {"enabled": false, "port": 587, "host": "smtp.example.com", "username": "",
                 "authMethod": "", "tls": false, "localName": ""},
        "backups": {"cron": "", "cronMaxKeep": 3, "s3": {"enabled": false, "bucket": "",
                    "region": "", "endpoint": "", "accessKey": "", "forcePathStyle": false}},
        "s3": {"enabled": false, "bucket": "", "region": "", "endpoint": "", "accessKey": "",
               "forcePathStyle": false},
        "meta": {"accentColor": "#1055c9", "appName": "Acme", "appURL": "http://localhost:8090",
                 "senderName": "Support", "senderAddress": "support@example.com",
                 "hideControls": false},
        "rateLimits": {"rules": [
            {"label": "*:auth", "audience": "", "duration": 3, "maxRequests": 2},
            {"label": "*:create", "audience": "", "duration": 5, "maxRequests": 20},
            {"label": "/api/batch", "audience": "", "duration": 1, "maxRequests": 3},
            {"label": "/api/", "audience": "", "duration": 10, "maxRequests": 300}
        ], "excludedIPs": [], "enabled": false},
        "trustedProxy": {"headers": [], "useLeftmostIP": false},
        "batch": {"enabled": false, "maxRequests": 50, "timeout": 3, "maxBodySize": 0},
        "logs": {"maxDataSize": 0, "maxDays": 5, "minLevel": 0, "logIP": true, "logAuthId": false}
    })
}

#[tokio::test]
async fn superusers_only() {
    let s = TestServer::start().await;
    let (user, _) = s.create_user("user@example.com", "1234567890").await;
    for method in [Method::GET, Method::PATCH] {
        let (status, body) = s.req(method.clone(), "/api/settings", None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method}");
        assert_eq!(body, err_body(401, MSG_REQUIRES_AUTH));
        let (status, body) = s
            .req(method.clone(), "/api/settings", Some(&user), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
        assert_eq!(body, err_body(403, MSG_NOT_ALLOWED));
    }
    // The superuser check comes before the body is read.
    let (status, body) = s
        .raw(
            Method::PATCH,
            "/api/settings",
            None,
            "application/json",
            b"{bad".to_vec(),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, err_body(401, MSG_REQUIRES_AUTH))
    );
}

#[tokio::test]
async fn a_new_data_dir_has_pocketbases_defaults() {
    let s = TestServer::start().await;
    let (status, body) = s.su(Method::GET, "/api/settings", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, default_settings());
}

#[tokio::test]
async fn patch_merges_saves_and_masks_the_secrets() {
    let s = TestServer::start().await;
    let (status, body) = s
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({
                "meta": {"appName": "Basalt test", "hideControls": true},
                "smtp": {"enabled": true, "host": "mx.example.com", "port": 2525,
                         "username": "mailer", "password": "smtp-pw-123", "authMethod": "LOGIN"},
                "s3": {"secret": "s3-secret-123", "accessKey": "AK"},
                "backups": {"cron": "0 3 * * *", "s3": {"secret": "backup-secret-123"}},
                "trustedProxy": {"headers": ["X-Forwarded-For"]}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut expected = default_settings();
    expected["meta"]["appName"] = json!("Basalt test");
    expected["meta"]["hideControls"] = json!(true);
    expected["smtp"] = json!({"enabled": true, "port": 2525, "host": "mx.example.com",
        "username": "mailer", "authMethod": "LOGIN", "tls": false, "localName": ""});
    expected["s3"]["accessKey"] = json!("AK");
    expected["backups"]["cron"] = json!("0 3 * * *");
    expected["trustedProxy"]["headers"] = json!(["X-Forwarded-For"]);
    assert_eq!(body, expected, "the secrets are left out of the response");
    let text = body.to_string();
    assert!(
        !text.contains("smtp-pw-123") && !text.contains("secret-123"),
        "{text}"
    );

    // Saved: a GET reads the same, and a later patch keeps what it does not name.
    let (_, body) = s.su(Method::GET, "/api/settings", None).await;
    assert_eq!(body, expected);
    let (status, body) = s
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"logs": {"maxDays": 7}, "rateLimits": {"rules": [
                {"label": "/api/", "maxRequests": 10, "duration": 1}]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    expected["logs"]["maxDays"] = json!(7);
    expected["rateLimits"]["rules"] =
        json!([{"label": "/api/", "audience": "", "duration": 1, "maxRequests": 10}]);
    assert_eq!(body, expected, "arrays are replaced, objects merged");

    // null resets a field (or a whole section) to its zero value.
    let (status, body) = s
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"smtp": null, "trustedProxy": {"headers": null}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["smtp"],
        json!({"enabled": false, "port": 0, "host": "", "username": "", "authMethod": "",
               "tls": false, "localName": ""})
    );
    assert_eq!(body["trustedProxy"]["headers"], json!([]));
}

#[tokio::test]
async fn invalid_settings_get_pocketbases_errors_and_change_nothing() {
    let s = TestServer::start().await;
    let (status, body) = s
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({
                "meta": {"appName": "", "appURL": "notaurl", "senderAddress": "bad",
                         "accentColor": "red"},
                "smtp": {"enabled": true, "host": "", "port": -1, "authMethod": "X"},
                "backups": {"cron": "61 * * * *"},
                "rateLimits": {"rules": [{"label": "a b c", "maxRequests": 1, "duration": 0}],
                               "excludedIPs": ["10.0.0.0/8", "bad"]}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let required = field_err("validation_required", "Cannot be blank.");
    assert_eq!(
        body,
        json!({
            "status": 400,
            "message": SAVE_FAILED,
            "data": {
                "meta": {
                    "accentColor": {"code": "validation_length_invalid",
                        "message": "The length must be exactly 7.", "params": {"max": 7, "min": 7}},
                    "appName": required,
                    "appURL": field_err("validation_is_url", "Must be a valid URL."),
                    "senderAddress": field_err("validation_is_email", "Must be a valid email address.")
                },
                "smtp": {
                    "authMethod": field_err("validation_in_invalid", "Must be a valid value."),
                    "host": required,
                    "port": {"code": "validation_min_greater_equal_than_required",
                        "message": "Must be no less than 0.", "params": {"threshold": 0}}
                },
                "backups": {"cron": field_err("validation_invalid_cron",
                    "Invalid segment value - must be between the min and max of the segment.")},
                "rateLimits": {
                    "rules": {"0": {
                        "duration": required,
                        "label": field_err("validation_match_invalid", "Must be in a valid format.")
                    }},
                    "excludedIPs": {"1": field_err("validation_invlaid_ip_or_subnet",
                        "Invalid IP or CIDR subnet.")}
                }
            }
        })
    );
    let (_, body) = s.su(Method::GET, "/api/settings", None).await;
    assert_eq!(body, default_settings(), "nothing saved");
}

#[tokio::test]
async fn unreadable_bodies_are_rejected() {
    let s = TestServer::start().await;
    let token = s.superuser_token().await;
    let (status, body) = s
        .raw(
            Method::PATCH,
            "/api/settings",
            Some(&token),
            "application/json",
            b"{bad".to_vec(),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, err_body(400, LOAD_FAILED))
    );
    for bad in [
        json!([]),
        json!({"smtp": {"port": "587"}}),
        json!({"smtp": {"port": 1.5}}),
        json!({"meta": {"hideControls": "true"}}),
        json!({"meta": {"appName": "A", "APPNAME": "B"}}),
    ] {
        let (status, body) = s
            .su(Method::PATCH, "/api/settings", Some(bad.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body, err_body(400, LOAD_FAILED), "{bad}");
    }
    // Keys match whatever their case, `_` and `-`; unknown keys are ignored.
    let (status, body) = s
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"META": {"app_name": "Cased"}, "nope": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["appName"], "Cased");
    // An empty body saves the settings unchanged.
    let (status, body) = s
        .raw(
            Method::PATCH,
            "/api/settings",
            Some(&token),
            "application/json",
            Vec::new(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["appName"], "Cased");
}

// ---------------------------------------------------------------------------------------
// Encryption at rest: the binary is started by hand, with `--encryptionEnv` and the key in
// the child's environment only.

const KEY_ENV: &str = "BASALT_TEST_SETTINGS_KEY";
const KEY: &str = "0123456789abcdef0123456789abcdef";
const WRONG_KEY: &str = "ffffffffffffffffffffffffffffffff";
const SMTP_PASSWORD: &str = "smtp-password-9d1f";

/// How a child is started as to the key.
#[derive(Clone, Copy)]
enum Key<'a> {
    /// No `--encryptionEnv` flag.
    NoFlag,
    /// `--encryptionEnv KEY_ENV`, the variable holding this value.
    Set(&'a str),
    /// `--encryptionEnv KEY_ENV`, the variable unset.
    Unset,
}

fn command(args: &[&str], data_dir: &Path, key: Key) -> Command {
    let mut cmd = Command::new(server_bin());
    cmd.args(args)
        .arg("--dir")
        .arg(data_dir)
        .stdin(Stdio::null());
    cmd.env_remove(KEY_ENV);
    if !matches!(key, Key::NoFlag) {
        cmd.arg("--encryptionEnv").arg(KEY_ENV);
    }
    if let Key::Set(k) = key {
        cmd.env(KEY_ENV, k);
    }
    cmd
}

fn upsert_superuser(data_dir: &Path, key: Key) -> std::process::Output {
    command(
        &["superuser", "upsert", SUPERUSER_EMAIL, SUPERUSER_PASSWORD],
        data_dir,
        key,
    )
    .output()
    .expect("superuser upsert")
}

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on a free port; `Err(stderr)` when it exits before answering.
async fn serve(dir: &Path, data_dir: &Path, key: Key<'_>) -> Result<Running, String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let err_path: PathBuf = dir.join(format!("serve-{port}.stderr"));
    let mut child = command(
        &["serve", &format!("--http=127.0.0.1:{port}")],
        data_dir,
        key,
    )
    .stdout(Stdio::null())
    .stderr(File::create(&err_path).expect("stderr file"))
    .spawn()
    .expect("spawn the server");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
            assert!(!status.success(), "serve exited 0: {stderr}");
            return Err(stderr);
        }
        if let Ok(r) = client.get(format!("{base}/api/health")).send().await
            && r.status() == StatusCode::OK
        {
            return Ok(Running { child, base });
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn call(
    base: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let mut rb = reqwest::Client::new().request(method, format!("{base}{path}"));
    if let Some(t) = token {
        rb = rb.header("Authorization", t);
    }
    if let Some(body) = body {
        rb = rb.json(&body);
    }
    let resp = rb.send().await.expect("request");
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.expect("json body")
}

async fn superuser_token(base: &str) -> String {
    let body = call(
        base,
        Method::POST,
        "/api/collections/_superusers/auth-with-password",
        None,
        Some(json!({"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})),
    )
    .await;
    body["token"].as_str().expect("token").to_owned()
}

/// The stored `_params` settings value, read with the `sqlite3` CLI (`None` without it).
fn stored_value(data_dir: &Path) -> Option<String> {
    let out = Command::new("sqlite3")
        .arg(data_dir.join("data.db"))
        .arg("SELECT CAST(value AS TEXT) FROM _params WHERE id = 'settings'")
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[tokio::test]
async fn settings_are_encrypted_at_rest_and_need_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("pb_data");
    let out = upsert_superuser(&data_dir, Key::Set(KEY));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let server = serve(dir.path(), &data_dir, Key::Set(KEY))
        .await
        .expect("serve");
    let token = superuser_token(&server.base).await;
    let smtp = json!({"smtp": {"password": SMTP_PASSWORD, "username": "mailer", "host": "mx.example.com"}});
    let body = call(
        &server.base,
        Method::PATCH,
        "/api/settings",
        Some(&token),
        Some(smtp),
    )
    .await;
    assert!(!body.to_string().contains(SMTP_PASSWORD));
    match stored_value(&data_dir) {
        Some(value) => {
            assert!(!value.is_empty());
            assert!(!value.contains(SMTP_PASSWORD), "password in clear: {value}");
            assert!(
                !value.contains("smtp") && !value.contains('{'),
                "not encrypted: {value}"
            );
        }
        None => eprintln!("sqlite3 not installed: the stored value is checked in app/tests"),
    }
    drop(server);

    // The same key reads them back.
    let server = serve(dir.path(), &data_dir, Key::Set(KEY))
        .await
        .expect("restart");
    let token = superuser_token(&server.base).await;
    let body = call(
        &server.base,
        Method::GET,
        "/api/settings",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(body["smtp"]["username"], "mailer");
    assert_eq!(body["smtp"]["host"], "mx.example.com");
    drop(server);

    // A wrong key, no key, or no `--encryptionEnv` at all stops start-up.
    let err = serve(dir.path(), &data_dir, Key::Set(WRONG_KEY))
        .await
        .err()
        .expect("wrong key");
    if is_basalt() {
        assert!(err.contains("cannot decrypt the stored settings"), "{err}");
        assert!(!err.contains(WRONG_KEY), "{err}");
    }
    let err = serve(dir.path(), &data_dir, Key::Unset)
        .await
        .err()
        .expect("unset");
    if is_basalt() {
        assert!(err.contains(KEY_ENV) && err.contains("not set"), "{err}");
    }
    let err = serve(dir.path(), &data_dir, Key::NoFlag)
        .await
        .err()
        .expect("no flag");
    if is_basalt() {
        assert!(
            err.contains("encrypted") && err.contains("--encryptionEnv"),
            "{err}"
        );
    }
    // A key that is not 32 characters long (Basalt only: PocketBase takes AES-128/192 keys).
    if is_basalt() {
        let err = serve(dir.path(), &data_dir, Key::Set("short"))
            .await
            .err()
            .expect("short");
        assert!(
            err.contains("32 characters") && !err.contains("short"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn plain_settings_are_encrypted_once_a_key_is_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("pb_data");
    let out = upsert_superuser(&data_dir, Key::NoFlag);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(value) = stored_value(&data_dir) {
        assert!(
            value.contains("\"smtp\""),
            "stored in clear without a key: {value}"
        );
    }
    // Basalt refuses `--encryptionEnv` naming an unset variable (PocketBase ignores it).
    if is_basalt() {
        let out = upsert_superuser(&data_dir, Key::Unset);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(KEY_ENV));
    }

    let server = serve(dir.path(), &data_dir, Key::Set(KEY))
        .await
        .expect("serve");
    if is_basalt()
        && let Some(value) = stored_value(&data_dir)
    {
        // Basalt re-saves plain settings encrypted at start-up; PocketBase at the next save.
        assert!(!value.contains("smtp"), "not re-saved encrypted: {value}");
    }
    let token = superuser_token(&server.base).await;
    let patch = json!({"meta": {"appName": "Encrypted"}});
    call(
        &server.base,
        Method::PATCH,
        "/api/settings",
        Some(&token),
        Some(patch),
    )
    .await;
    if let Some(value) = stored_value(&data_dir) {
        assert!(
            !value.contains("smtp") && !value.contains("Encrypted"),
            "{value}"
        );
    }
    drop(server);

    let server = serve(dir.path(), &data_dir, Key::Set(KEY))
        .await
        .expect("restart");
    let token = superuser_token(&server.base).await;
    let body = call(
        &server.base,
        Method::GET,
        "/api/settings",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(body["meta"]["appName"], "Encrypted");
}
