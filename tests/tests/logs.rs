//! `/api/logs`: request logs as PocketBase v0.40 writes and serves them. Logs are written
//! in the background, so each test polls until the requests it made show up. Expected
//! values are PocketBase's responses (the suite also runs against its binary).

mod common;

use common::*;
use std::time::{Duration, Instant};

const MSG_INVALID_FILTER: &str = "Invalid filter format.";

/// Polls `GET /api/logs?{query}` (as the superuser) until it lists at least `n` logs, or
/// 15 s pass; returns the last page.
async fn wait_for_logs(s: &TestServer, query: &[(&str, &str)], n: i64) -> Value {
    let path = format!("/api/logs?{}", encode_query(query));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = s.su(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        if body["totalItems"].as_i64().unwrap_or(0) >= n || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The logs of requests to `url` exactly.
async fn logs_of(s: &TestServer, url: &str, n: i64) -> Value {
    let filter = format!("data.url = '{url}'");
    wait_for_logs(s, &[("filter", &filter)], n).await
}

async fn patch_logs_settings(s: &TestServer, logs: Value) {
    let (status, body) = s
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({ "logs": logs })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn requests_appear_with_their_method_url_status_and_time() {
    let s = TestServer::start().await;
    let res = s
        .request(Method::GET, "/api/health?probe=a%20b", None)
        .header("Referer", "http://example.test/page")
        .header("User-Agent", "logs-test/1.0")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);

    let page = logs_of(&s, "/api/health?probe=a%20b", 1).await;
    assert_eq!(page["totalItems"], 1, "{page}");
    let log = &page["items"][0];
    assert_eq!(log["level"], 0);
    assert_eq!(log["message"], "GET /api/health?probe=a b");
    let data = &log["data"];
    assert_eq!(data["type"], "request");
    assert_eq!(data["method"], "GET");
    assert_eq!(data["url"], "/api/health?probe=a%20b");
    assert_eq!(data["status"], 200);
    assert_eq!(data["auth"], "");
    assert_eq!(data["referer"], "http://example.test/page");
    assert_eq!(data["userAgent"], "logs-test/1.0");
    assert_eq!(data["userIP"], "127.0.0.1");
    assert_eq!(data["remoteIP"], "127.0.0.1");
    assert!(
        data["execTime"].as_f64().is_some_and(|t| t >= 0.0),
        "{data}"
    );
    assert!(
        data.get("error").is_none() && data.get("authId").is_none(),
        "{data}"
    );
    let id = log["id"].as_str().expect("id");
    assert_eq!(id.len(), 15);
    let created = log["created"].as_str().expect("created");
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");

    // One log by id, and PocketBase's 404 for a missing one.
    let (status, one) = s.su(Method::GET, &format!("/api/logs/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one, log);
    let (status, body) = s.su(Method::GET, "/api/logs/missing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));

    // A superuser's request names its auth collection (the id only with logAuthId).
    s.su(Method::GET, "/api/collections?probe=su", None).await;
    let page = logs_of(&s, "/api/collections?probe=su", 1).await;
    assert_eq!(page["items"][0]["data"]["auth"], "_superusers");
    assert!(page["items"][0]["data"].get("authId").is_none());
}

#[tokio::test]
async fn failed_requests_are_errors_and_filters_and_sorts_apply() {
    let s = TestServer::start().await;
    for i in 0..3 {
        let (status, _) = s
            .req(
                Method::GET,
                &format!("/api/collections/missing{i}/records"),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    s.req(Method::GET, "/api/health?ok=1", None, None).await;
    let (status, _) = s
        .req(
            Method::POST,
            "/api/collections/users/records",
            None,
            Some(json!({"email": "not-an-email"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    logs_of(&s, "/api/health?ok=1", 1).await;

    let failed = wait_for_logs(
        &s,
        &[
            ("filter", "data.status >= 400"),
            ("sort", "-data.status,data.url"),
        ],
        4,
    )
    .await;
    assert_eq!(failed["totalItems"], 4, "{failed}");
    let items = failed["items"].as_array().expect("items");
    let urls: Vec<&str> = items
        .iter()
        .map(|l| l["data"]["url"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        urls,
        [
            "/api/collections/missing0/records",
            "/api/collections/missing1/records",
            "/api/collections/missing2/records",
            "/api/collections/users/records",
        ]
    );
    for log in items {
        assert_eq!(log["level"], 8, "{log}");
    }
    assert_eq!(items[0]["data"]["error"], "Missing collection context.");
    assert_eq!(items[3]["data"]["status"], 400);
    assert_eq!(items[3]["data"]["error"], "Failed to create record.");
    assert!(
        items[3]["data"]["details"]["password"].is_string(),
        "{}",
        items[3]
    );

    // Paging and sorting by a column.
    let page = wait_for_logs(
        &s,
        &[
            ("filter", "level = 8"),
            ("sort", "created"),
            ("perPage", "3"),
            ("page", "2"),
        ],
        4,
    )
    .await;
    assert_eq!(page["page"], 2);
    assert_eq!(page["perPage"], 3);
    assert_eq!(page["totalPages"], 2);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));

    // Unknown fields, bad syntax: PocketBase's generic 400.
    for query in [
        "filter=updated%3D1",
        "filter=bad%20%3D%3D",
        "sort=updated",
        "sort=-rowid",
    ] {
        let (status, body) = s.su(Method::GET, &format!("/api/logs?{query}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body, err_body(400, MSG_SOMETHING_WRONG), "{query}");
    }
}

#[tokio::test]
async fn stats_count_logs_per_hour() {
    let s = TestServer::start().await;
    for _ in 0..3 {
        s.req(Method::GET, "/api/collections/nope/records", None, None)
            .await;
    }
    s.req(Method::GET, "/api/health?stats=1", None, None).await;
    logs_of(&s, "/api/health?stats=1", 1).await;

    let (status, stats) = s
        .su(
            Method::GET,
            &format!(
                "/api/logs/stats?{}",
                encode_query(&[("filter", "data.status = 404")])
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let buckets = stats.as_array().expect("array");
    let total: i64 = buckets
        .iter()
        .map(|b| b["total"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total, 3, "{stats}");
    for bucket in buckets {
        let date = bucket["date"].as_str().expect("date");
        assert!(date.ends_with(":00:00.000Z") && date.len() == 24, "{date}");
        let keys: Vec<&String> = bucket.as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), 2);
    }

    let (status, all) = s.su(Method::GET, "/api/logs/stats", None).await;
    assert_eq!(status, StatusCode::OK);
    let all_total: i64 = all
        .as_array()
        .expect("array")
        .iter()
        .map(|b| b["total"].as_i64().unwrap_or(0))
        .sum();
    assert!(all_total >= 4, "{all}");

    let (status, body) = s
        .su(Method::GET, "/api/logs/stats?filter=bad%20%3D%3D", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, MSG_INVALID_FILTER));
}

#[tokio::test]
async fn guests_get_401_and_users_403() {
    let s = TestServer::start().await;
    let (user, _) = s.create_user("logs-user@example.com", "12345678").await;
    for path in ["/api/logs", "/api/logs/stats", "/api/logs/someid123456789"] {
        let (status, body) = s.req(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body, err_body(401, MSG_REQUIRES_AUTH), "{path}");
        let (status, body) = s.req(Method::GET, path, Some(&user), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body, err_body(403, MSG_NOT_ALLOWED), "{path}");
    }
    // The failures are logged, though the logs routes skip their successes.
    let page = logs_of(&s, "/api/logs/stats", 2).await;
    assert_eq!(page["totalItems"], 2, "{page}");
    s.su(Method::GET, "/api/logs?probe=skipped", None).await;
    s.req(Method::GET, "/api/health?after=1", None, None).await;
    logs_of(&s, "/api/health?after=1", 1).await;
    let skipped = logs_of(&s, "/api/logs?probe=skipped", 0).await;
    assert_eq!(skipped["totalItems"], 0, "{skipped}");
}

#[tokio::test]
async fn max_days_zero_stops_logging_and_log_ip_false_drops_the_ips() {
    let s = TestServer::start().await;
    patch_logs_settings(&s, json!({"maxDays": 0})).await;
    s.req(Method::GET, "/api/health?while=off", None, None)
        .await;
    patch_logs_settings(&s, json!({"maxDays": 7, "logIP": false, "logAuthId": true})).await;
    s.req(Method::GET, "/api/health?while=on", None, None).await;
    s.su(Method::GET, "/api/collections?while=on", None).await;

    let on = logs_of(&s, "/api/health?while=on", 1).await;
    let data = &on["items"][0]["data"];
    assert!(
        data.get("userIP").is_none() && data.get("remoteIP").is_none(),
        "{data}"
    );
    let su = logs_of(&s, "/api/collections?while=on", 1).await;
    assert_eq!(su["items"][0]["data"]["auth"], "_superusers");
    assert_eq!(
        su["items"][0]["data"]["authId"].as_str().map(str::len),
        Some(15),
        "{su}"
    );
    let off = logs_of(&s, "/api/health?while=off", 0).await;
    assert_eq!(off["totalItems"], 0, "{off}");
}

#[tokio::test]
async fn a_burst_of_requests_never_waits_for_the_logs() {
    let s = TestServer::start().await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let client = s.client().clone();
    for worker in 0..20 {
        let client = client.clone();
        let base = s.url("/api/health?burst=");
        tasks.spawn(async move {
            let mut ok = 0;
            for i in 0..100 {
                let res = client
                    .get(format!("{base}{worker}-{i}"))
                    .send()
                    .await
                    .expect("request");
                if res.status() == StatusCode::OK {
                    ok += 1;
                }
            }
            ok
        });
    }
    let mut ok = 0;
    while let Some(done) = tasks.join_next().await {
        ok += done.expect("task");
    }
    let took = started.elapsed();
    assert_eq!(ok, 2000);
    assert!(
        took < Duration::from_secs(60),
        "2,000 requests took {took:?}"
    );

    // The server keeps serving, and the burst's logs arrive.
    let (status, _) = s.req(Method::GET, "/api/health", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let page = wait_for_logs(
        &s,
        &[("filter", "data.url ~ 'burst='"), ("perPage", "1")],
        2000,
    )
    .await;
    assert_eq!(page["totalItems"], 2000, "{}", page["totalItems"]);
}
