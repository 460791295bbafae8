//! Settings through the library: written with the defaults on the first start, read at call
//! time, saved (validated) into `_params`, and encrypted at rest with a key — checked on the
//! stored row itself, through the app's own database driver.

use basalt::ports::db::SqlValue;
use basalt::ports::{Auth, SettingsApi};
use basalt::settings::Settings;
use basalt::{App, AppConfig, AppError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::path::Path;

const KEY: &str = "0123456789abcdef0123456789abcdef";

fn config(dir: &Path, key: Option<&str>) -> AppConfig {
    AppConfig {
        data_dir: dir.to_owned(),
        encryption_key: key.map(SecretString::from),
        ..AppConfig::default()
    }
}

async fn open(dir: &Path, key: Option<&str>) -> Result<App, AppError> {
    basalt::open_with_config(&config(dir, key)).await
}

/// The `_params` settings value, as text.
async fn stored(app: &App) -> String {
    let rows = app
        .db()
        .query("SELECT `value` FROM `_params` WHERE `id` = 'settings'", &[])
        .await
        .expect("query");
    match rows.first().and_then(|r| r.get("value")) {
        Some(SqlValue::Text(t)) => t.clone(),
        Some(SqlValue::Blob(b)) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("no settings row: {other:?}"),
    }
}

fn superuser() -> Auth {
    Auth::Record {
        collection_id: String::new(),
        collection_name: "_superusers".into(),
        id: String::new(),
        superuser: true,
    }
}

#[tokio::test]
async fn the_first_start_writes_the_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), None).await.expect("open");
    let value: Value = serde_json::from_str(&stored(&app).await).expect("plain JSON");
    assert_eq!(value, Settings::default().to_storage_json());
    assert_eq!(
        value["smtp"]["password"], "",
        "PocketBase writes the empty password"
    );
    assert_eq!(app.settings().meta.app_name, "Acme");
}

#[tokio::test]
async fn saves_are_validated_and_read_at_call_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), None).await.expect("open");
    let before = app.settings();

    let mut next = (*before).clone();
    next.meta.app_name = String::new();
    let Err(AppError::Validation(errs)) = app.save_settings(next).await else {
        panic!("an empty app name was saved");
    };
    assert_eq!(
        serde_json::to_value(errs).unwrap(),
        json!({"meta": {"appName": {"code": "validation_required", "message": "Cannot be blank."}}})
    );
    assert_eq!(app.settings().meta.app_name, "Acme", "unchanged");

    let mut next = (*before).clone();
    next.meta.app_name = "Renamed".into();
    next.smtp.password = "pw".into();
    app.save_settings(next).await.expect("save");
    assert_eq!(app.settings().meta.app_name, "Renamed");
    assert_eq!(before.meta.app_name, "Acme", "a held value does not change");
    // The service API answers with the masked settings.
    let api = app.view_settings(&superuser()).await.expect("view");
    assert_eq!(api["meta"]["appName"], "Renamed");
    assert!(api["smtp"].get("password").is_none());

    drop(app);
    let app = open(dir.path(), None).await.expect("reopen");
    assert_eq!(app.settings().meta.app_name, "Renamed");
    assert_eq!(app.settings().smtp.password.expose_secret(), "pw");
}

#[tokio::test]
async fn with_a_key_the_stored_row_is_encrypted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), Some(KEY)).await.expect("open");
    let updated = app
        .update_settings(
            &superuser(),
            json!({"smtp": {"password": "hunter2-secret", "username": "mailer"}}),
        )
        .await
        .expect("patch");
    assert_eq!(updated["smtp"]["username"], "mailer");
    let value = stored(&app).await;
    assert!(!value.contains("hunter2-secret"), "{value}");
    assert!(
        !value.contains("\"smtp\"") && !value.contains("mailer"),
        "{value}"
    );
    drop(app);

    // The same key reads it back, secrets included.
    let app = open(dir.path(), Some(KEY)).await.expect("reopen");
    assert_eq!(
        app.settings().smtp.password.expose_secret(),
        "hunter2-secret"
    );
    assert_eq!(app.settings().smtp.username, "mailer");
    drop(app);

    // A wrong key, or none, refuses to start.
    let wrong = open(dir.path(), Some("ffffffffffffffffffffffffffffffff")).await;
    assert!(
        matches!(&wrong, Err(AppError::Config(m)) if m.contains("cannot decrypt")),
        "{:?}",
        wrong.err()
    );
    let none = open(dir.path(), None).await;
    assert!(
        matches!(&none, Err(AppError::Config(m)) if m.contains("--encryptionEnv")),
        "{:?}",
        none.err()
    );
}

#[tokio::test]
async fn plain_settings_are_re_saved_encrypted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), None).await.expect("open");
    let mut s = (*app.settings()).clone();
    s.s3.secret = "s3-secret-value".into();
    app.save_settings(s).await.expect("save");
    assert!(stored(&app).await.contains("s3-secret-value"));
    drop(app);

    let app = open(dir.path(), Some(KEY)).await.expect("open with a key");
    let value = stored(&app).await;
    assert!(
        !value.contains("s3-secret-value") && !value.contains('{'),
        "{value}"
    );
    assert_eq!(app.settings().s3.secret.expose_secret(), "s3-secret-value");
}

#[tokio::test]
async fn bad_keys_are_config_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    for key in ["", "short", "0123456789abcdef0123456789abcdef0"] {
        let r = open(dir.path(), Some(key)).await;
        assert!(
            matches!(&r, Err(AppError::Config(m)) if m.contains("32 characters")),
            "{key:?}: {:?}",
            r.err()
        );
    }
    let r = basalt::open_with_config(&AppConfig {
        encryption_env: Some("BASALT_APP_TEST_KEY_NEVER_SET".into()),
        ..config(dir.path(), None)
    })
    .await;
    assert!(
        matches!(&r, Err(AppError::Config(m)) if m.contains("BASALT_APP_TEST_KEY_NEVER_SET")),
        "{:?}",
        r.err()
    );
    let r = basalt::open_with_config(&AppConfig {
        encryption_env: Some("X".into()),
        ..config(dir.path(), Some(KEY))
    })
    .await;
    assert!(matches!(r, Err(AppError::Config(_))));
}
