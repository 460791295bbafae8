//! Backups through the library API on a real data dir: `on_backup_create` renaming a
//! backup, a restore without a restart handler refused before anything changes (as
//! PocketBase refuses where it cannot restart), a restore with a handler swapping the data
//! dir and calling it, and the `__pbAutoBackup__` job keeping `cronMaxKeep` backups.

use basalt::AppError;
use basalt::ports::hook::Event;
use basalt::ports::{Restart, RestartError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts restarts and lets the process go on.
#[derive(Default)]
struct CountRestarts(AtomicUsize);

impl Restart for CountRestarts {
    fn restart(&self) -> Result<(), RestartError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn backup_keys(app: &basalt::App) -> Vec<String> {
    let fsys = app.new_backups_filesystem().expect("backups store");
    fsys.list("")
        .await
        .expect("list")
        .into_iter()
        .map(|f| f.key)
        .collect()
}

#[tokio::test]
async fn backups_from_library_code() -> Result<(), AppError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("pb_data");
    let app = basalt::open(&data_dir).await?;

    app.on_backup_create().bind_func(|e| {
        Box::pin(async move {
            e.name = format!("hooked-{}", e.name);
            e.next().await
        })
    });
    let name = app.create_backup("one.zip").await?;
    assert_eq!(name, "hooked-one.zip");
    assert_eq!(backup_keys(&app).await, ["hooked-one.zip"]);
    assert!(!app.is_backup_running());

    // no restart handler: refused, nothing moved
    let before = std::fs::read(data_dir.join("data.db")).expect("data.db");
    let err = app.restore_backup("hooked-one.zip").await.unwrap_err();
    assert!(err.to_string().contains("restart handler"), "{err}");
    assert_eq!(
        std::fs::read(data_dir.join("data.db")).expect("data.db"),
        before
    );
    assert!(!app.is_backup_running());

    // with one: the data dir is swapped, the old content kept aside, the handler called
    let restarts = Arc::new(CountRestarts::default());
    app.set_restart_handler(restarts.clone());
    std::fs::write(data_dir.join("marker.txt"), b"after the backup").expect("marker");
    app.restore_backup("hooked-one.zip").await?;
    assert_eq!(restarts.0.load(Ordering::SeqCst), 1);
    assert!(
        !data_dir.join("marker.txt").exists(),
        "the restored dir replaced the old one"
    );
    assert!(data_dir.join("data.db").is_file());
    let aside = std::fs::read_dir(data_dir.join(".pb_temp_to_delete"))
        .expect("temp dir")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("old_pb_data_"));
    assert!(aside, "the old content is kept aside until the next start");
    assert_eq!(backup_keys(&app).await, ["hooked-one.zip"], "backups stay");
    Ok(())
}

#[tokio::test]
async fn the_auto_backup_job_keeps_cron_max_keep() -> Result<(), AppError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = basalt::open(&dir.path().join("pb_data")).await?;
    assert!(app.cron().job("__pbAutoBackup__").is_none());
    let mut settings = (*app.settings()).clone();
    settings.backups.cron = "0 0 * * *".into();
    settings.backups.cron_max_keep = 2;
    app.save_settings(settings).await?;
    assert!(app.cron().job("__pbAutoBackup__").is_some());

    // a manual backup is never pruned
    app.create_backup("manual.zip").await?;
    for _ in 0..3 {
        app.cron()
            .run("__pbAutoBackup__")
            .expect("the job")
            .await
            .expect("ran");
        // the names hold the time to the second
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    let keys = backup_keys(&app).await;
    let autos: Vec<_> = keys
        .iter()
        .filter(|k| k.starts_with("@auto_pb_backup_acme_"))
        .collect();
    assert_eq!(autos.len(), 2, "{keys:?}");
    assert!(keys.contains(&"manual.zip".to_owned()), "{keys:?}");

    let mut settings = (*app.settings()).clone();
    settings.backups.cron = String::new();
    app.save_settings(settings).await?;
    assert!(app.cron().job("__pbAutoBackup__").is_none());
    Ok(())
}
