//! `POST /api/batch` on the real binary: mixed creates, updates, upserts and deletes in
//! one transaction; a failing request rolls everything back (rows and stored files) and is
//! named in `data.requests`; rules apply per request; `settings.batch` (enabled,
//! maxRequests, maxBodySize) is enforced; realtime events leave only after the commit.
//! The expected bodies were checked against PocketBase 0.40.6.

mod common;

use common::sse::{QUIET, SseClient};
use common::*;
use std::path::Path;

const MSG_BATCH_FAILED: &str = "Batch transaction failed.";

/// A `posts` collection open to anyone (title required, up to 2 files in `doc`).
async fn posts(srv: &TestServer) -> Value {
    srv.create_collection(json!({
        "name": "posts",
        "type": "base",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": [
            {"name": "title", "type": "text", "required": true},
            {"name": "doc", "type": "file", "maxSelect": 2, "maxSize": 100000}
        ]
    }))
    .await
}

/// Turns batches on with `extra` settings (`maxRequests`, `timeout`, `maxBodySize`).
async fn enable(srv: &TestServer, extra: Value) {
    let mut batch = json!({"enabled": true, "maxRequests": 50, "timeout": 30});
    if let (Some(b), Some(e)) = (batch.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/settings",
            Some(json!({"batch": batch})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn batch(srv: &TestServer, token: Option<&str>, requests: Value) -> (StatusCode, Value) {
    srv.req(
        Method::POST,
        "/api/batch",
        token,
        Some(json!({ "requests": requests })),
    )
    .await
}

fn create(title: &str) -> Value {
    json!({"method": "POST", "url": "/api/collections/posts/records", "body": {"title": title}})
}

/// The 400 naming request `index` as failed with `response`.
fn failed(index: usize, response: Value) -> Value {
    json!({
        "status": 400,
        "message": MSG_BATCH_FAILED,
        "data": {"requests": {index.to_string(): {
            "code": "batch_request_failed",
            "message": "Batch request failed.",
            "response": response,
        }}}
    })
}

/// The files stored under `dir` (recursively).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|e| e != "attrs") {
                // PocketBase keeps a `.attrs` file beside each stored file
                out.push(p.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn disabled_batches_are_forbidden() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    let (status, body) = batch(&srv, None, json!([create("a")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, err_body(403, "Batch requests are not allowed."));
    assert_eq!(srv.count("posts").await, 0);
}

#[tokio::test]
async fn mixed_create_update_upsert_delete() {
    let srv = TestServer::start().await;
    let c = posts(&srv).await;
    enable(&srv, json!({})).await;
    let kept = srv.create_record("posts", json!({"title": "kept"})).await;
    let gone = srv.create_record("posts", json!({"title": "gone"})).await;
    let (kept_id, gone_id) = (
        kept["id"].as_str().unwrap_or_default(),
        gone["id"].as_str().unwrap_or_default(),
    );
    let (status, body) = batch(
        &srv,
        None,
        json!([
            {"method": "POST", "url": "/api/collections/posts/records?fields=title", "body": {"title": "new"}},
            {"method": "PATCH", "url": format!("/api/collections/posts/records/{kept_id}"), "body": {"title": "kept2"}},
            {"method": "PUT", "url": "/api/collections/posts/records?fields=id,title", "body": {"id": "upsertednew0001", "title": "ins"}},
            {"method": "PUT", "url": "/api/collections/posts/records?fields=id,title", "body": {"id": kept_id, "title": "kept3"}},
            {"method": "DELETE", "url": format!("/api/collections/posts/records/{gone_id}")},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!([
            {"status": 200, "body": {"title": "new"}},
            {"status": 200, "body": {
                "collectionId": c["id"], "collectionName": "posts",
                "id": kept_id, "title": "kept2", "doc": []}},
            {"status": 200, "body": {"id": "upsertednew0001", "title": "ins"}},
            {"status": 200, "body": {"id": kept_id, "title": "kept3"}},
            {"status": 204, "body": null},
        ])
    );
    let (_, list) = srv
        .su(
            Method::GET,
            "/api/collections/posts/records?sort=title",
            None,
        )
        .await;
    assert_eq!(names_of(&list), vec!["ins", "kept3", "new"]);
}

fn names_of(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn one_bad_request_in_a_thousand_changes_nothing() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    srv.create_record("posts", json!({"title": "before"})).await;
    enable(&srv, json!({"maxRequests": 1000, "timeout": 120})).await;
    let before = srv.count("posts").await;
    let requests: Vec<Value> = (0..1000)
        .map(|i| {
            if i == 637 {
                json!({"method": "POST", "url": "/api/collections/posts/records", "body": {"title": ""}})
            } else {
                create(&format!("t{i}"))
            }
        })
        .collect();
    let (status, body) = batch(&srv, None, Value::Array(requests.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        failed(
            637,
            json!({"status": 400, "message": "Failed to create record.", "data": {
                "title": field_err("validation_required", "Cannot be blank.")}})
        )
    );
    assert_eq!(srv.count("posts").await, before);

    // the same thousand without the bad one all commit
    let mut good = requests;
    good[637] = create("t637");
    let (status, body) = batch(&srv, None, Value::Array(good)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().map(Vec::len), Some(1000));
    assert_eq!(srv.count("posts").await, before + 1000);
}

#[tokio::test]
async fn rules_apply_to_each_request_as_the_batch_caller() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    srv.create_collection(json!({
        "name": "notes", "type": "base",
        "listRule": "", "viewRule": "",
        "createRule": "@request.auth.id != ''",
        "fields": [{"name": "text", "type": "text"}]
    }))
    .await;
    enable(&srv, json!({})).await;
    let (user, _) = srv.create_user("u@example.com", "Passw0rd!1234").await;
    let note =
        json!({"method": "POST", "url": "/api/collections/notes/records", "body": {"text": "x"}});

    // a guest's create refused by the rule fails the whole batch
    let (status, body) = batch(&srv, None, json!([create("a"), note])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, failed(1, err_body(400, "Failed to create record.")));
    // a request's own Authorization header is ignored, as in PocketBase
    let with_header = json!({"method": "POST", "url": "/api/collections/notes/records",
        "headers": {"Authorization": user}, "body": {"text": "x"}});
    let (status, body) = batch(&srv, None, json!([with_header])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, failed(0, err_body(400, "Failed to create record.")));
    assert_eq!(srv.count("posts").await, 0);
    assert_eq!(srv.count("notes").await, 0);

    // the batch's own caller passes it
    let (status, body) = batch(&srv, Some(&user), json!([create("a"), note])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(srv.count("notes").await, 1);

    // a null rule is superusers only; a missing record is a 404
    let (status, body) = batch(
        &srv,
        Some(&user),
        json!([{"method": "DELETE", "url": "/api/collections/notes/records/nope"}]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, failed(0, err_body(403, MSG_ONLY_SUPERUSERS)));
    let (_, body) = batch(
        &srv,
        None,
        json!([{"method": "DELETE", "url": "/api/collections/posts/records/nope"}]),
    )
    .await;
    assert_eq!(body, failed(0, err_body(404, MSG_NOT_FOUND)));
}

#[tokio::test]
async fn invalid_batches_and_unknown_actions() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    enable(&srv, json!({"maxRequests": 3})).await;

    let (status, body) = batch(
        &srv,
        None,
        json!([create("a"), create("b"), create("c"), create("d")]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"status": 400, "message": "Invalid batch request data.", "data": {"requests": {
            "code": "validation_length_too_long",
            "message": "The length must be no more than 3.",
            "params": {"max": 3, "min": 0}}}})
    );

    let (status, body) = batch(&srv, None, json!([])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"status": 400, "message": "Invalid batch request data.", "data": {
            "requests": field_err("validation_required", "Cannot be blank.")}})
    );

    let (_, body) = batch(&srv, None, json!([{}, {"method": "get", "url": "/x"}])).await;
    let required = field_err("validation_required", "Cannot be blank.");
    assert_eq!(
        body["data"],
        json!({"requests": {
            "0": {"method": required, "url": required},
            "1": {"method": field_err("validation_in_invalid", "Must be a valid value.")}}})
    );

    let (status, body) = srv
        .raw(
            Method::POST,
            "/api/batch",
            None,
            "application/json",
            b"{\"requests\":{}}".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        err_body(400, "Failed to read the submitted batch data.")
    );

    // an unknown action: the generic 400 first, a 500 after another request (PocketBase
    // nests each request in the previous one's handler)
    let health = json!({"method": "GET", "url": "/api/health"});
    let (_, body) = batch(&srv, None, json!([health])).await;
    assert_eq!(body, failed(0, err_body(400, MSG_SOMETHING_WRONG)));
    let (_, body) = batch(&srv, None, json!([create("a"), health])).await;
    assert_eq!(body, failed(1, err_body(500, MSG_SOMETHING_WRONG)));
    // a missing collection is the records lookup's 404
    let (_, body) = batch(
        &srv,
        None,
        json!([{"method": "POST", "url": "/api/collections/nope/records", "body": {}}]),
    )
    .await;
    assert_eq!(
        body,
        failed(0, err_body(404, "Missing collection context."))
    );
    assert_eq!(srv.count("posts").await, 0);
}

#[tokio::test]
async fn max_body_size_is_the_batch_limit() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    enable(&srv, json!({"maxBodySize": 10})).await;
    let (status, body) = batch(&srv, None, json!([create("a")])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body, err_body(413, "Request entity too large."));
    // larger than the global 32 MiB body limit (each request under it), allowed by
    // maxBodySize
    enable(&srv, json!({"maxBodySize": 40 << 20})).await;
    let big = "x".repeat(17 << 20);
    let padded = json!({"method": "POST", "url": "/api/collections/posts/records?fields=title",
        "body": {"title": "a", "pad": big}});
    let (status, body) = batch(&srv, None, json!([padded, padded])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(srv.count("posts").await, 2);
}

#[tokio::test]
async fn multipart_batches_store_files_and_failed_ones_leave_none() {
    let srv = TestServer::start().await;
    let c = posts(&srv).await;
    enable(&srv, json!({})).await;
    let storage = srv.dir().join("pb_data").join("storage");
    let send = |payload: Value, parts: Vec<(&'static str, &'static str)>| {
        let mut form = reqwest::multipart::Form::new().text("@jsonPayload", payload.to_string());
        for (key, name) in parts {
            let part = reqwest::multipart::Part::bytes(format!("contents of {name}").into_bytes())
                .file_name(name)
                .mime_str("text/plain")
                .unwrap_or_else(|_| reqwest::multipart::Part::text(""));
            form = form.part(key, part);
        }
        srv.request(Method::POST, "/api/batch", None)
            .multipart(form)
            .send()
    };

    let payload = json!({"requests": [create("one"), create("two")]});
    let res = send(
        payload,
        vec![
            ("requests.0.doc", "a.txt"),
            ("requests[1].doc", "b.txt"),
            ("requests.1.doc+", "c.txt"),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("send: {e}"));
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap_or_default();
    let docs = |i: usize| {
        body[i]["body"]["doc"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(docs(0).len(), 1, "{body}");
    assert_eq!(docs(1).len(), 2, "{body}");
    let id0 = body[0]["body"]["id"].as_str().unwrap_or_default();
    let name0 = docs(0)[0].as_str().unwrap_or_default().to_owned();
    assert!(name0.ends_with(".txt"), "{name0}");
    let stored = storage
        .join(c["id"].as_str().unwrap_or_default())
        .join(id0)
        .join(&name0);
    assert_eq!(
        std::fs::read_to_string(&stored).unwrap_or_default(),
        "contents of a.txt"
    );
    let files_before = files_under(&storage);
    assert_eq!(files_before.len(), 3, "{files_before:?}");

    // the second request fails: neither record nor the first one's file stays
    let payload = json!({"requests": [create("three"), {"method": "POST",
        "url": "/api/collections/posts/records", "body": {"title": ""}}]});
    let res = send(
        payload,
        vec![("requests.0.doc", "d.txt"), ("requests.1.doc", "e.txt")],
    )
    .await
    .unwrap_or_else(|e| panic!("send: {e}"));
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap_or_default();
    assert_eq!(
        body["data"]["requests"]["1"]["code"],
        "batch_request_failed"
    );
    assert_eq!(srv.count("posts").await, 2);
    assert_eq!(files_under(&storage), files_before);
}

#[tokio::test]
async fn realtime_events_leave_only_after_the_commit() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    enable(&srv, json!({})).await;
    let mut sse = SseClient::connect(&srv).await;
    sse.subscribe_ok(&srv, None, &["posts/*"]).await;

    let bad =
        json!({"method": "POST", "url": "/api/collections/posts/records", "body": {"title": ""}});
    let (status, _) = batch(&srv, None, json!([create("a"), create("b"), bad])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    sse.expect_none(QUIET, "no event from a rolled-back batch")
        .await;

    let (status, _) = batch(&srv, None, json!([create("a"), create("b")])).await;
    assert_eq!(status, StatusCode::OK);
    let (_, first) = sse.expect_event("the first create").await;
    let (_, second) = sse.expect_event("the second create").await;
    assert_eq!(first["action"], "create");
    assert_eq!(first["record"]["title"], "a");
    assert_eq!(second["record"]["title"], "b");
}
