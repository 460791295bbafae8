//! Logs through the library API on a real data dir: `app.logger()` records land in
//! `auxiliary.db`'s `_logs` at or above `logs.minLevel`, and the `__pbLogsCleanup__` job,
//! started through the cron port, deletes the logs older than `logs.maxDays`.

use basalt::App;
use basalt::ports::{Auth, CronApi, ListQuery, LogsApi};
use chrono::Utc;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn superuser() -> Auth {
    Auth::Record {
        collection_id: String::new(),
        collection_name: "_superusers".into(),
        id: String::new(),
        superuser: true,
    }
}

async fn open(dir: &std::path::Path, url: &str) -> App {
    basalt::open_with_config(&basalt::AppConfig {
        data_dir: dir.to_owned(),
        db_connect: basalt::db_connect_from_url(url).expect("url"),
        ..basalt::AppConfig::default()
    })
    .await
    .expect("open")
}

/// Every log, in the order written.
async fn all_logs(app: &App) -> Vec<Value> {
    let query = ListQuery {
        sort: Some("@rowid".into()),
        per_page: Some(1000),
        ..ListQuery::default()
    };
    app.list_logs(&superuser(), query)
        .await
        .expect("list")
        .items
}

#[tokio::test]
async fn logger_records_at_or_above_min_level_land_in_the_logs() {
    for url in ["sqlite:", "libsql:"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = open(dir.path(), url).await;
        let logger = app.logger().with("userId", "u123").with("attempts", 3);
        logger.debug("below the default minLevel");
        logger.warn("too many sign-in attempts");
        app.logger().error("plain");
        app.flush_logs().await;

        let logs = all_logs(&app).await;
        let shown: Vec<(Value, Value, Value)> = logs
            .iter()
            .map(|l| (l["level"].clone(), l["message"].clone(), l["data"].clone()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    json!(4),
                    json!("too many sign-in attempts"),
                    json!({"attempts": 3, "userId": "u123"})
                ),
                (json!(8), json!("plain"), json!({})),
            ],
            "{url}"
        );
        let id = logs[0]["id"].as_str().expect("id");
        let one = app.view_log(&superuser(), id).await.expect("view");
        assert_eq!(one, logs[0]);
        assert!(
            std::fs::metadata(dir.path().join("auxiliary.db")).is_ok(),
            "{url}: the logs live in auxiliary.db"
        );

        // minLevel -4 (debug) lets debug records through; maxDays 0 stops every record.
        let mut settings = (*app.settings()).clone();
        settings.logs.min_level = basalt::logs::DEBUG;
        app.save_settings(settings.clone()).await.expect("save");
        app.logger().debug("now kept");
        app.flush_logs().await;
        let messages = |logs: Vec<Value>| -> Vec<Value> {
            logs.iter().map(|l| l["message"].clone()).collect()
        };
        assert!(
            messages(all_logs(&app).await).contains(&json!("now kept")),
            "{url}"
        );
        settings.logs.max_days = 0;
        app.save_settings(settings).await.expect("save");
        app.logger().error("not kept");
        app.flush_logs().await;
        let after = messages(all_logs(&app).await);
        assert!(!after.contains(&json!("not kept")), "{url}: {after:?}");
        assert_eq!(app.dropped_logs(), 0);
    }
}

#[tokio::test]
async fn the_cleanup_job_deletes_logs_older_than_max_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), "sqlite:").await;
    let days_ago = |d: i64| {
        (Utc::now() - chrono::Duration::days(d))
            .format("%Y-%m-%d %H:%M:%S%.3fZ")
            .to_string()
    };
    for (id, created) in [
        ("oldlog000000001", days_ago(6)),
        ("newlog000000001", days_ago(4)),
    ] {
        app.auxiliary_db()
            .execute(
                "INSERT INTO _logs (id, created, level, message, data) VALUES (?, ?, 0, 'injected', '{}')",
                &[id.into(), created.into()],
            )
            .await
            .expect("insert");
    }
    let jobs = app.list_crons(&superuser()).await.expect("crons");
    let job = jobs
        .iter()
        .find(|j| j.id == "__pbLogsCleanup__")
        .expect("the logs cleanup job");
    assert_eq!(job.expression, "0 */6 * * *");

    // The default maxDays is 5: the 6-day-old log goes, the 4-day-old one stays.
    app.run_cron(&superuser(), "__pbLogsCleanup__")
        .await
        .expect("run");
    let deadline = Instant::now() + Duration::from_secs(10);
    let ids = loop {
        let ids: Vec<Value> = all_logs(&app)
            .await
            .iter()
            .map(|l| l["id"].clone())
            .collect();
        if !ids.contains(&json!("oldlog000000001")) || Instant::now() > deadline {
            break ids;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(ids, [json!("newlog000000001")]);
}
