//! `/api/crons`: listing and running cron jobs (superusers only). Expected values are
//! PocketBase v0.40's responses.

mod common;

use common::*;

/// PocketBase's 404 for an unknown job id.
const MSG_MISSING_CRON: &str = "Missing or invalid cron job.";

/// PocketBase's system jobs on a new data dir, in its order.
fn system_jobs() -> Value {
    json!([
        {"id": "__pbDBOptimize__", "expression": "0 0 * * *"},
        {"id": "__pbMFACleanup__", "expression": "0 * * * *"},
        {"id": "__pbOTPCleanup__", "expression": "0 * * * *"},
        {"id": "__pbLogsCleanup__", "expression": "0 */6 * * *"},
    ])
}

#[tokio::test]
async fn superusers_list_the_system_jobs() {
    let s = TestServer::start().await;
    let (status, body) = s.su(Method::GET, "/api/crons", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, system_jobs());
}

#[tokio::test]
async fn guests_get_401_and_other_records_403() {
    let s = TestServer::start().await;
    let (user, _) = s.create_user("cron-user@example.com", "12345678").await;
    for (method, path) in [
        (Method::GET, "/api/crons"),
        (Method::POST, "/api/crons/__pbDBOptimize__"),
        (Method::POST, "/api/crons/missing"),
    ] {
        let (status, body) = s.req(method.clone(), path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(body, err_body(401, MSG_REQUIRES_AUTH), "{method} {path}");

        let (status, body) = s.req(method.clone(), path, Some(&user), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(body, err_body(403, MSG_NOT_ALLOWED), "{method} {path}");
    }
}

#[tokio::test]
async fn running_a_job_is_204_with_no_body() {
    let s = TestServer::start().await;
    for job in ["__pbDBOptimize__", "__pbMFACleanup__", "__pbOTPCleanup__"] {
        let (status, body) = s.su(Method::POST, &format!("/api/crons/{job}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{job}: {body}");
        assert_eq!(body, Value::Null, "{job}");
    }
    // The server is fine afterwards.
    let (status, _) = s.su(Method::GET, "/api/crons", None).await;
    assert_eq!(status, StatusCode::OK, "{}", s.logs());
}

#[tokio::test]
async fn running_an_unknown_job_is_404() {
    let s = TestServer::start().await;
    for id in ["missing", "__pbdboptimize__", "__pbLogsCleanupX__"] {
        let (status, body) = s.su(Method::POST, &format!("/api/crons/{id}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(body, err_body(404, MSG_MISSING_CRON), "{id}");
    }
}
