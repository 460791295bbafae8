//! `basalt migrate …` on the real binary: up/down/history-sync on a data dir, and the Rust
//! migration files `create` and `collections` write.
//!
//! The stock binary registers no migrations but the system ones, so `up` and `down` have
//! nothing to do; what they do with registered migrations is tested in
//! `app/tests/migrations.rs`. The file-writing commands are Basalt's own (PocketBase writes
//! Go or JS and asks for confirmation), so those tests skip under `BASALT_TEST_BIN`.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `basalt <args>` in `cwd` with `--dir cwd/pb_data`.
fn basalt(cwd: &Path, args: &[&str]) -> Output {
    let bin = server_bin();
    Command::new(&bin)
        .args(args)
        .arg("--dir")
        .arg(cwd.join("pb_data"))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("failed to run {}: {e}", bin.display()))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn is_reference_binary() -> bool {
    std::env::var_os("BASALT_TEST_BIN").is_some()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("basalt-migrate-")
        .tempdir()
        .expect("tempdir")
}

/// The files of `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    names.sort();
    names
}

/// The one `{unix_secs}_{suffix}.rs` file in `dir`, checked to be named around now.
fn migration_file(dir: &Path, suffix: &str, before: u64) -> PathBuf {
    let matching: Vec<String> = files(dir)
        .into_iter()
        .filter(|n| n.ends_with(&format!("_{suffix}.rs")))
        .collect();
    assert_eq!(matching.len(), 1, "one *_{suffix}.rs in {:?}", files(dir));
    let name = &matching[0];
    let secs: u64 = name
        .split('_')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{name} starts with unix seconds"));
    let after = now_secs();
    assert!(
        (before..=after).contains(&secs),
        "{secs} in {before}..={after}"
    );
    dir.join(name)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[test]
fn up_on_a_fresh_data_dir_applies_nothing_and_succeeds() {
    let dir = tempdir();
    let out = basalt(dir.path(), &["migrate", "up"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "No new migrations to apply.");
    assert!(dir.path().join("pb_data/data.db").is_file());

    // `migrate` alone is `up`; a second run is just as quiet.
    let out = basalt(dir.path(), &["migrate"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "No new migrations to apply.");
}

#[test]
fn down_with_nothing_to_revert_says_so() {
    if is_reference_binary() {
        return; // PocketBase asks for confirmation and reverts its system migrations.
    }
    let dir = tempdir();
    let out = basalt(dir.path(), &["migrate", "down"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "No migrations to revert.");

    // Not even with a count, or "all" (negative): the init migration is never reverted.
    for n in ["3", "-1"] {
        let out = basalt(dir.path(), &["migrate", "down", n]);
        assert!(out.status.success(), "down {n}: {}", describe(&out));
        assert_eq!(stdout(&out).trim(), "No migrations to revert.");
    }
    // The data dir still works: the default collections are there.
    let out = basalt(
        dir.path(),
        &["superuser", "upsert", "a@example.com", "Passw0rd!1234"],
    );
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn history_sync_succeeds_and_keeps_the_data_dir_usable() {
    let dir = tempdir();
    let out = basalt(dir.path(), &["migrate", "history-sync"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        stdout(&out).trim(),
        "The _migrations table was synced with the available migrations."
    );
    // The init migration's row was kept: a new start does not recreate the defaults
    // (which would fail on the existing tables).
    let out = basalt(dir.path(), &["migrate", "up"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "No new migrations to apply.");
}

#[test]
fn create_writes_a_rust_migration_from_the_template() {
    if is_reference_binary() {
        return;
    }
    let dir = tempdir();
    let before = now_secs();
    let out = basalt(
        dir.path(),
        &[
            "migrate",
            "create",
            "AddPosts",
            "--migrationsDir",
            "custom/migs",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let migs = dir.path().join("custom/migs");
    let file = migration_file(&migs, "add_posts", before);
    let text = std::fs::read_to_string(&file).expect("migration");
    assert!(
        stdout(&out).starts_with(&format!(
            "Successfully created file \"custom/migs/{}\"",
            file.file_name().unwrap().to_string_lossy()
        )),
        "{}",
        describe(&out)
    );
    assert!(text.contains("use basalt::{App, AppError};"), "{text}");
    assert!(
        text.contains(
            "pub fn register() {\n    basalt::migrations::register(file!(), up, down);\n}"
        ),
        "{text}"
    );
    assert!(
        text.contains("async fn up(app: App) -> Result<(), AppError> {\n    // add up queries...")
    );
    assert!(
        text.contains(
            "async fn down(app: App) -> Result<(), AppError> {\n    // add down queries..."
        )
    );

    // The directory's generated mod.rs registers it, and the next one too.
    let out = basalt(
        dir.path(),
        &[
            "migrate",
            "--migrationsDir",
            "custom/migs",
            "create",
            "second",
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let second = migration_file(&migs, "second", before);
    let mod_rs = std::fs::read_to_string(migs.join("mod.rs")).expect("mod.rs");
    assert!(
        mod_rs.starts_with("// @generated by `basalt migrate`"),
        "{mod_rs}"
    );
    for f in [&file, &second] {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            mod_rs.contains(&format!("#[path = \"{stem}.rs\"]\nmod m{stem};\n")),
            "{mod_rs}"
        );
        assert!(
            mod_rs.contains(&format!("    m{stem}::register();\n")),
            "{mod_rs}"
        );
    }
    assert_eq!(files(&migs).len(), 3, "{:?}", files(&migs));
    // No data dir is needed to write a file.
    assert!(!dir.path().join("pb_data").exists());
}

#[test]
fn create_defaults_to_migrations_in_the_working_dir_and_rejects_bad_names() {
    if is_reference_binary() {
        return;
    }
    let dir = tempdir();
    let before = now_secs();
    let out = basalt(dir.path(), &["migrate", "create", "init_posts"]);
    assert!(out.status.success(), "{}", describe(&out));
    migration_file(&dir.path().join("migrations"), "init_posts", before);

    let out = basalt(dir.path(), &["migrate", "create", "!!"]);
    assert!(!out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid migration name \"!!\""), "{err}");

    // A hand-written mod.rs is left alone.
    let hand = "// mine\npub fn register() {}\n";
    std::fs::write(dir.path().join("migrations/mod.rs"), hand).expect("write");
    let out = basalt(dir.path(), &["migrate", "create", "later"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("is hand-written"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("migrations/mod.rs")).unwrap(),
        hand
    );
}

#[tokio::test]
async fn collections_writes_a_snapshot_of_the_current_collections() {
    if is_reference_binary() {
        return;
    }
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "posts",
        "type": "base",
        "fields": [{"name": "title", "type": "text", "required": true}],
    }))
    .await;

    let before = now_secs();
    let out = basalt(
        srv.dir(),
        &["migrate", "collections", "--migrationsDir", "snap"],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let file = migration_file(&srv.dir().join("snap"), "collections_snapshot", before);
    let text = std::fs::read_to_string(&file).expect("snapshot");
    assert!(
        text.contains("app.import_collections_by_marshaled_json(json, false).await"),
        "{text}"
    );

    // The embedded JSON: every collection, as the API shows it, minus timestamps.
    let start = text.find("r#\"").expect("raw string start") + 3;
    let end = text.rfind("\"#;").expect("raw string end");
    let snapshot: Value = serde_json::from_str(&text[start..end]).expect("JSON");
    let items = snapshot.as_array().expect("array");
    let names: Vec<&str> = items.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for name in [
        "_superusers",
        "users",
        "_mfas",
        "_otps",
        "_externalAuths",
        "_authOrigins",
        "posts",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let (_, users_api) = srv.su(Method::GET, "/api/collections/users", None).await;
    let users = items.iter().find(|c| c["name"] == "users").unwrap();
    assert_eq!(users["id"], users_api["id"]);
    assert_eq!(users["fields"], users_api["fields"]);
    assert_eq!(users["indexes"], users_api["indexes"]);
    assert_eq!(users["passwordAuth"], users_api["passwordAuth"]);
    assert!(users.get("created").is_none() && users.get("updated").is_none());
    assert!(users["oauth2"].get("providers").is_none());
    // With its token secrets, so a restored data dir keeps its tokens valid.
    assert_eq!(
        users["authToken"]["secret"].as_str().map(str::len),
        Some(50)
    );
    let posts = items.iter().find(|c| c["name"] == "posts").unwrap();
    assert_eq!(posts["fields"][1]["name"], "title");
    assert_eq!(posts["fields"][1]["required"], true);
}
