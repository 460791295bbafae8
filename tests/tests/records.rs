//! `/api/collections/{collection}/records`: CRUD, pagination, sort, field
//! normalization and validation.

mod common;

use common::*;

/// An open collection (all rules "") with one field of most plain types.
async fn posts(srv: &TestServer) -> Value {
    srv.create_collection(json!({
        "name": "posts",
        "type": "base",
        "listRule": "",
        "viewRule": "",
        "createRule": "",
        "updateRule": "",
        "deleteRule": "",
        "fields": [
            {"name": "title", "type": "text", "required": true, "max": 10},
            {"name": "n", "type": "number", "min": 1, "onlyInt": true},
            {"name": "f", "type": "number"},
            {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 2},
            {"name": "one", "type": "select", "values": ["a", "b", "c"], "maxSelect": 1},
            {"name": "secret", "type": "text", "hidden": true},
            {"name": "mail", "type": "email"},
            {"name": "site", "type": "url"},
            {"name": "ok", "type": "bool"},
            {"name": "when", "type": "date"},
            {"name": "slug", "type": "text"},
            {"name": "js", "type": "json"}
        ],
        "indexes": ["CREATE UNIQUE INDEX idx_posts_slug ON posts (slug) WHERE slug != ''"]
    }))
    .await
}

/// The record a guest gets back for `posts` with every field at its zero value
/// (`secret` is hidden), overridden by `with`.
fn blank_post(collection: &Value, id: &Value, with: Value) -> Value {
    let mut v = json!({
        "collectionId": collection["id"],
        "collectionName": "posts",
        "id": id,
        "title": "",
        "n": 0,
        "f": 0,
        "tags": [],
        "one": "",
        "mail": "",
        "site": "",
        "ok": false,
        "when": "",
        "slug": "",
        "js": null
    });
    for (k, val) in with.as_object().unwrap() {
        v[k] = val.clone();
    }
    v
}

fn assert_record_id(id: &Value) {
    let id = id
        .as_str()
        .unwrap_or_else(|| panic!("id is not a string: {id}"));
    assert_eq!(id.len(), 15, "{id}");
    assert!(
        id.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{id}"
    );
}

const RECORDS: &str = "/api/collections/posts/records";

fn rec(id: &Value) -> String {
    format!("{RECORDS}/{}", id.as_str().unwrap())
}

fn one_error(message: &str, field: &str, err: Value) -> Value {
    json!({"status": 400, "message": message, "data": {field: err}})
}

#[tokio::test]
async fn crud_with_json() {
    let srv = TestServer::start().await;
    let c = posts(&srv).await;

    let (status, created) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({
                "title": "hello",
                "n": 2,
                "f": 1.5,
                "tags": ["a", "b"],
                "one": "c",
                "mail": "a@b.co",
                "site": "https://x.io",
                "ok": true,
                "when": "2024-01-02 03:04:05",
                "slug": "s1",
                "js": {"k": [1, 2]},
                "unknownField": "ignored"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_record_id(&created["id"]);
    let id = created["id"].clone();
    let expected = blank_post(
        &c,
        &id,
        json!({
            "title": "hello",
            "n": 2,
            "f": 1.5,
            "tags": ["a", "b"],
            "one": "c",
            "mail": "a@b.co",
            "site": "https://x.io",
            "ok": true,
            "when": "2024-01-02 03:04:05.000Z",
            "slug": "s1",
            "js": {"k": [1, 2]}
        }),
    );
    assert_eq!(created, expected);

    // View.
    let (status, got) = srv.req(Method::GET, &rec(&id), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, expected);

    // List.
    let (status, list) = srv.req(Method::GET, RECORDS, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"page": 1, "perPage": 30, "totalItems": 1, "totalPages": 1, "items": [expected]})
    );

    // Update: only the sent fields change.
    let (status, updated) = srv
        .req(
            Method::PATCH,
            &rec(&id),
            None,
            Some(json!({"title": "changed", "tags": ["c"], "ok": false, "js": [1, "x"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let mut expected2 = expected.clone();
    expected2["title"] = json!("changed");
    expected2["tags"] = json!(["c"]);
    expected2["ok"] = json!(false);
    expected2["js"] = json!([1, "x"]);
    assert_eq!(updated, expected2);
    let (_, got) = srv.req(Method::GET, &rec(&id), None, None).await;
    assert_eq!(got, expected2);

    // Clearing values.
    let (status, updated) = srv
        .req(
            Method::PATCH,
            &rec(&id),
            None,
            Some(json!({"tags": [], "one": "", "when": "", "mail": null, "js": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["tags"], json!([]));
    assert_eq!(updated["one"], "");
    assert_eq!(updated["when"], "");
    assert_eq!(updated["mail"], "");
    assert_eq!(updated["js"], Value::Null);

    // Delete.
    let (status, body) = srv.req(Method::DELETE, &rec(&id), None, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    let (status, body) = srv.req(Method::GET, &rec(&id), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));
    let (status, body) = srv.req(Method::DELETE, &rec(&id), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));
    assert_eq!(srv.count("posts").await, 0);
}

#[tokio::test]
async fn crud_with_multipart_and_normalization() {
    let srv = TestServer::start().await;
    let c = posts(&srv).await;

    let (status, created) = srv
        .multipart(
            Method::POST,
            RECORDS,
            None,
            &[
                ("title", "mp"),
                ("n", "42"),
                ("f", "2.5"),
                ("ok", "true"),
                ("tags", "a"),
                ("tags", "c"),
                ("one", "b"),
                ("when", "2024-05-06 07:08:09"),
                ("js", r#"{"a":1}"#),
                ("slug", "m1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_record_id(&created["id"]);
    let id = created["id"].clone();
    assert_eq!(
        created,
        blank_post(
            &c,
            &id,
            json!({
                "title": "mp",
                "n": 42,
                "f": 2.5,
                "ok": true,
                "tags": ["a", "c"],
                "one": "b",
                "when": "2024-05-06 07:08:09.000Z",
                "js": {"a": 1},
                "slug": "m1"
            })
        )
    );

    // Update with multipart.
    let (status, updated) = srv
        .multipart(
            Method::PATCH,
            &rec(&id),
            None,
            &[("title", "mp2"), ("ok", "false"), ("n", "7"), ("tags", "b")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["title"], "mp2");
    assert_eq!(updated["ok"], false);
    assert_eq!(updated["n"], 7);
    assert_eq!(updated["tags"], json!(["b"]));
    assert_eq!(updated["f"], 2.5);
    assert_eq!(updated["slug"], "m1");

    // Lenient casts: "1" is true, a non-number is 0, "" clears.
    let (status, r) = srv
        .multipart(
            Method::POST,
            RECORDS,
            None,
            &[
                ("title", "cast"),
                ("ok", "1"),
                ("n", "abc"),
                ("f", ""),
                ("tags", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["ok"], true);
    assert_eq!(r["n"], 0);
    assert_eq!(r["f"], 0);
    assert_eq!(r["tags"], json!([]));

    // Validation applies to multipart values too.
    let (status, body) = srv
        .multipart(Method::POST, RECORDS, None, &[("title", "x"), ("n", "1.5")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        one_error(
            "Failed to create record.",
            "n",
            json!({"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."})
        )
    );
    assert_eq!(srv.count("posts").await, 2);

    // Delete the multipart-created record.
    let (status, _) = srv.req(Method::DELETE, &rec(&id), None, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(srv.count("posts").await, 1);
}

#[tokio::test]
async fn json_value_normalization() {
    let srv = TestServer::start().await;
    posts(&srv).await;

    let cases = [
        (json!({"n": "7"}), "n", json!(7)),
        (json!({"n": "abc"}), "n", json!(0)),
        (json!({"f": "2.25"}), "f", json!(2.25)),
        (json!({"ok": "true"}), "ok", json!(true)),
        (json!({"ok": "false"}), "ok", json!(false)),
        (json!({"ok": 1}), "ok", json!(true)),
        (json!({"tags": "b"}), "tags", json!(["b"])),
        (json!({"one": ["c"]}), "one", json!("c")),
        (
            json!({"when": "2024-01-02"}),
            "when",
            json!("2024-01-02 00:00:00.000Z"),
        ),
        (
            json!({"when": "2024-01-02T03:04:05Z"}),
            "when",
            json!("2024-01-02 03:04:05.000Z"),
        ),
        (
            json!({"when": "2024-01-02T03:04:05+02:00"}),
            "when",
            json!("2024-01-02 01:04:05.000Z"),
        ),
        (
            json!({"when": "2024-01-02 03:04:05.123Z"}),
            "when",
            json!("2024-01-02 03:04:05.123Z"),
        ),
        (json!({"when": "garbage"}), "when", json!("")),
        (json!({"title": 123}), "title", json!("123")),
        (json!({"js": "plain string"}), "js", json!("plain string")),
        (json!({"js": 5}), "js", json!(5)),
    ];
    for (input, field, want) in cases {
        let mut body = input.clone();
        if body.get("title").is_none() {
            body["title"] = json!("t");
        }
        let (status, r) = srv.req(Method::POST, RECORDS, None, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{input}: {r}");
        assert_eq!(r[field], want, "{input}");
        // The stored value reads back the same.
        let (_, got) = srv.req(Method::GET, &rec(&r["id"]), None, None).await;
        assert_eq!(got[field], want, "{input} (read back)");
    }
}

#[tokio::test]
async fn pagination_and_sort() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "nums",
        "type": "base",
        "listRule": "",
        "fields": [
            {"name": "n", "type": "number"},
            {"name": "s", "type": "text"}
        ]
    }))
    .await;
    for i in 0..7 {
        srv.create_record("nums", json!({"n": i % 3, "s": format!("s{i}")}))
            .await;
    }
    let list = |q: &'static str| {
        let srv = &srv;
        async move {
            let (status, body) = srv
                .req(
                    Method::GET,
                    &format!("/api/collections/nums/records{q}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            let pairs: Vec<(i64, String)> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["n"].as_i64().unwrap(),
                        r["s"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let totals = (
                body["page"].as_i64().unwrap(),
                body["perPage"].as_i64().unwrap(),
                body["totalItems"].as_i64().unwrap(),
                body["totalPages"].as_i64().unwrap(),
            );
            (totals, pairs)
        }
    };
    let ss = |pairs: &[(i64, String)]| pairs.iter().map(|p| p.1.clone()).collect::<Vec<_>>();

    let (totals, items) = list("?perPage=3&sort=s").await;
    assert_eq!(totals, (1, 3, 7, 3));
    assert_eq!(ss(&items), ["s0", "s1", "s2"]);
    let (totals, items) = list("?perPage=3&page=2&sort=s").await;
    assert_eq!(totals, (2, 3, 7, 3));
    assert_eq!(ss(&items), ["s3", "s4", "s5"]);
    let (totals, items) = list("?perPage=3&page=3&sort=s").await;
    assert_eq!(totals, (3, 3, 7, 3));
    assert_eq!(ss(&items), ["s6"]);
    let (totals, items) = list("?perPage=3&page=4&sort=s").await;
    assert_eq!(totals, (4, 3, 7, 3));
    assert!(items.is_empty());

    // skipTotal: totals are -1.
    for q in [
        "?perPage=3&sort=s&skipTotal=1",
        "?perPage=3&sort=s&skipTotal=true",
    ] {
        let (totals, items) = list(q).await;
        assert_eq!(totals, (1, 3, -1, -1), "{q}");
        assert_eq!(ss(&items), ["s0", "s1", "s2"]);
    }

    // Descending and multiple keys.
    let (_, items) = list("?sort=-s").await;
    assert_eq!(ss(&items), ["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
    let (_, items) = list("?sort=n,-s").await;
    assert_eq!(ss(&items), ["s6", "s3", "s0", "s4", "s1", "s5", "s2"]);
    let (_, items) = list("?sort=-n,s").await;
    assert_eq!(ss(&items), ["s2", "s5", "s1", "s4", "s0", "s3", "s6"]);
    let (_, items) = list("?sort=-n,-s").await;
    assert_eq!(ss(&items), ["s5", "s2", "s4", "s1", "s6", "s3", "s0"]);

    // perPage: default 30, capped at 1000; invalid values fall back to the defaults.
    let (totals, items) = list("?perPage=5000").await;
    assert_eq!(totals, (1, 1000, 7, 1));
    assert_eq!(items.len(), 7);
    for q in ["?perPage=0", "?perPage=-1", "?page=0", "?page=-3"] {
        let (totals, items) = list(q).await;
        assert_eq!(totals, (1, 30, 7, 1), "{q}");
        assert_eq!(items.len(), 7);
    }

    // Unknown sort field.
    let (status, body) = srv
        .req(
            Method::GET,
            "/api/collections/nums/records?sort=nonexistent",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], MSG_SOMETHING_WRONG);
    // PocketBase sends `data: {}`; Basalt names the unknown field.
    let data = body["data"].as_object().expect("data");
    assert!(
        data.is_empty() || data["sort"]["code"] == "validation_invalid_sort",
        "{body}"
    );
}

#[tokio::test]
async fn default_per_page_is_30() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "many",
        "type": "base",
        "listRule": "",
        "fields": [{"name": "i", "type": "number"}]
    }))
    .await;
    for i in 0..35 {
        srv.create_record("many", json!({"i": i})).await;
    }
    let (status, body) = srv
        .req(
            Method::GET,
            "/api/collections/many/records?sort=i",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["page"], 1);
    assert_eq!(body["perPage"], 30);
    assert_eq!(body["totalItems"], 35);
    assert_eq!(body["totalPages"], 2);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 30);
    assert_eq!(items[0]["i"], 0);
    assert_eq!(items[29]["i"], 29);
    for it in items {
        assert_record_id(&it["id"]);
    }

    let (_, body) = srv
        .req(
            Method::GET,
            "/api/collections/many/records?sort=i&page=2",
            None,
            None,
        )
        .await;
    assert_eq!(body["page"], 2);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["i"], 30);
    assert_eq!(items[4]["i"], 34);
}

#[tokio::test]
async fn plus_minus_modifiers() {
    let srv = TestServer::start().await;
    posts(&srv).await;

    let (_, r) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "mod", "n": 5, "f": 1.5, "tags": ["a"]})),
        )
        .await;
    let id = r["id"].clone();

    let (status, r) = srv
        .req(
            Method::PATCH,
            &rec(&id),
            None,
            Some(json!({"n+": 3, "f-": 0.5, "tags+": "b"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["n"], 8);
    assert_eq!(r["f"], 1);
    assert_eq!(r["tags"], json!(["a", "b"]));

    // "-" removes, "+name" prepends.
    let (status, r) = srv
        .req(
            Method::PATCH,
            &rec(&id),
            None,
            Some(json!({"tags-": ["a"], "+tags": "c"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["tags"], json!(["c", "b"]));

    // Removing a value that is not there is a no-op.
    let (status, r) = srv
        .req(Method::PATCH, &rec(&id), None, Some(json!({"tags-": "a"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["tags"], json!(["c", "b"]));

    // The result is validated: below min, too many values.
    let (status, body) = srv
        .req(Method::PATCH, &rec(&id), None, Some(json!({"n-": 10})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        one_error(
            "Failed to update record.",
            "n",
            json!({
                "code": "validation_min_number_constraint",
                "message": "Must be greater or equal than 1.",
                "params": {"min": 1}
            })
        )
    );
    let (status, body) = srv
        .req(
            Method::PATCH,
            &rec(&id),
            None,
            Some(json!({"tags+": ["a"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        one_error(
            "Failed to update record.",
            "tags",
            json!({
                "code": "validation_too_many_values",
                "message": "Select no more than 2.",
                "params": {"maxSelect": 2}
            })
        )
    );
    // Nothing changed by the failed updates.
    let (_, r) = srv.req(Method::GET, &rec(&id), None, None).await;
    assert_eq!(r["n"], 8);
    assert_eq!(r["tags"], json!(["c", "b"]));

    // Multipart modifiers, and a modifier on create (applied to the zero value).
    let (status, r) = srv
        .multipart(
            Method::PATCH,
            &rec(&id),
            None,
            &[("n-", "2"), ("tags-", "c")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["n"], 6);
    assert_eq!(r["tags"], json!(["b"]));
    let (status, r) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "new", "n+": 3, "tags+": ["a", "c"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["n"], 3);
    assert_eq!(r["tags"], json!(["a", "c"]));
}

#[tokio::test]
async fn hidden_fields() {
    let srv = TestServer::start().await;
    posts(&srv).await;

    // A superuser can set and see hidden fields.
    let r = srv
        .create_record("posts", json!({"title": "h1", "secret": "hid"}))
        .await;
    assert_eq!(r["secret"], "hid");
    let (_, got) = srv.su(Method::GET, &rec(&r["id"]), None).await;
    assert_eq!(got["secret"], "hid");
    let (_, list) = srv.su(Method::GET, RECORDS, None).await;
    assert_eq!(list["items"][0]["secret"], "hid");

    // Guests never see them.
    let (_, got) = srv.req(Method::GET, &rec(&r["id"]), None, None).await;
    assert!(got.get("secret").is_none(), "{got}");
    assert_eq!(got["title"], "h1");
    let (_, list) = srv.req(Method::GET, RECORDS, None, None).await;
    assert!(list["items"][0].get("secret").is_none());

    // A guest's value for a hidden field is silently ignored.
    let (status, r2) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "h2", "secret": "guest"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(r2.get("secret").is_none());
    let (_, got) = srv.su(Method::GET, &rec(&r2["id"]), None).await;
    assert_eq!(got["secret"], "");
    let (status, _) = srv
        .req(
            Method::PATCH,
            &rec(&r["id"]),
            None,
            Some(json!({"secret": "guest"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, got) = srv.su(Method::GET, &rec(&r["id"]), None).await;
    assert_eq!(got["secret"], "hid");
}

#[tokio::test]
async fn validation_errors() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    srv.req(
        Method::POST,
        RECORDS,
        None,
        Some(json!({"title": "seed", "slug": "taken"})),
    )
    .await;

    let e = |code: &str, message: &str| json!({"code": code, "message": message});
    let cases = [
        (
            json!({}),
            "title",
            e("validation_required", "Cannot be blank."),
        ),
        (
            json!({"title": ""}),
            "title",
            e("validation_required", "Cannot be blank."),
        ),
        (
            json!({"title": "12345678901"}),
            "title",
            json!({
                "code": "validation_max_text_constraint",
                "message": "Must be no more than 10 character(s).",
                "params": {"max": 10}
            }),
        ),
        (
            json!({"title": "x", "n": -3}),
            "n",
            json!({
                "code": "validation_min_number_constraint",
                "message": "Must be greater or equal than 1.",
                "params": {"min": 1}
            }),
        ),
        (
            json!({"title": "x", "n": 1.5}),
            "n",
            e(
                "validation_only_int_constraint",
                "Decimal numbers are not allowed.",
            ),
        ),
        (
            json!({"title": "x", "mail": "nope"}),
            "mail",
            e("validation_is_email", "Must be a valid email address."),
        ),
        (
            json!({"title": "x", "site": "nope"}),
            "site",
            e("validation_invalid_url", "Must be a valid url."),
        ),
        (
            json!({"title": "x", "tags": ["z"]}),
            "tags",
            json!({
                "code": "validation_invalid_value",
                "message": "Invalid value z.",
                "params": {"value": "z"}
            }),
        ),
        (
            json!({"title": "x", "one": "z"}),
            "one",
            json!({
                "code": "validation_invalid_value",
                "message": "Invalid value z.",
                "params": {"value": "z"}
            }),
        ),
        (
            json!({"title": "x", "tags": ["a", "b", "c"]}),
            "tags",
            json!({
                "code": "validation_too_many_values",
                "message": "Select no more than 2.",
                "params": {"maxSelect": 2}
            }),
        ),
        (
            json!({"title": "x", "slug": "taken"}),
            "slug",
            e("validation_not_unique", "Value must be unique."),
        ),
        (
            json!({"title": "x", "id": "short"}),
            "id",
            json!({
                "code": "validation_min_text_constraint",
                "message": "Must be at least 15 character(s).",
                "params": {"min": 15}
            }),
        ),
        (
            json!({"title": "x", "id": "ABCDEFGHIJKLMNO"}),
            "id",
            e("validation_invalid_format", "Invalid value format."),
        ),
    ];
    for (input, field, err) in cases {
        let (status, body) = srv
            .req(Method::POST, RECORDS, None, Some(input.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{input}: {body}");
        assert_eq!(
            body,
            one_error("Failed to create record.", field, err),
            "{input}"
        );
        assert_eq!(srv.count("posts").await, 1, "{input} stored something");
    }

    // A zero value of a non-required field skips its constraints.
    let (status, r) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "x", "n": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["n"], 0);

    // All failing fields are reported at once.
    let (status, body) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "", "mail": "bad", "n": 2.5})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "status": 400,
            "message": "Failed to create record.",
            "data": {
                "title": e("validation_required", "Cannot be blank."),
                "mail": e("validation_is_email", "Must be a valid email address."),
                "n": e("validation_only_int_constraint", "Decimal numbers are not allowed.")
            }
        })
    );
    assert_eq!(srv.count("posts").await, 2);

    // Custom ids: valid ones are used as-is; duplicates are rejected.
    let (status, r) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "x", "id": "abcdefghijklmno"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["id"], "abcdefghijklmno");
    let (status, body) = srv
        .req(
            Method::POST,
            RECORDS,
            None,
            Some(json!({"title": "y", "id": "abcdefghijklmno"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        one_error(
            "Failed to create record.",
            "id",
            e("validation_not_unique", "Value must be unique.")
        )
    );
    assert_eq!(srv.count("posts").await, 3);

    // Update validation: same codes, "Failed to update record.", nothing changed.
    // Uniqueness is only checked (and reported) once the field validators pass.
    let (status, body) = srv
        .req(
            Method::PATCH,
            &format!("{RECORDS}/abcdefghijklmno"),
            None,
            Some(json!({"title": "", "slug": "taken"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        one_error(
            "Failed to update record.",
            "title",
            e("validation_required", "Cannot be blank.")
        )
    );
    let (status, body) = srv
        .req(
            Method::PATCH,
            &format!("{RECORDS}/abcdefghijklmno"),
            None,
            Some(json!({"title": "new", "slug": "taken"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        one_error(
            "Failed to update record.",
            "slug",
            e("validation_not_unique", "Value must be unique.")
        )
    );
    let (_, r) = srv
        .req(
            Method::GET,
            &format!("{RECORDS}/abcdefghijklmno"),
            None,
            None,
        )
        .await;
    assert_eq!(r["title"], "x");
    assert_eq!(r["slug"], "");
}

#[tokio::test]
async fn bad_bodies() {
    let srv = TestServer::start().await;
    posts(&srv).await;

    for raw in [&b"{bad json"[..], b"[1,2]", b"\"str\""] {
        let (status, body) = srv
            .raw(
                Method::POST,
                RECORDS,
                None,
                "application/json",
                raw.to_vec(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw:?}");
        assert_eq!(body, err_body(400, MSG_SOMETHING_WRONG), "{raw:?}");
    }
    let r = srv.create_record("posts", json!({"title": "keep"})).await;
    let (status, body) = srv
        .raw(
            Method::PATCH,
            &rec(&r["id"]),
            None,
            "application/json",
            b"{\"title\":".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, MSG_SOMETHING_WRONG));
    let (_, got) = srv.req(Method::GET, &rec(&r["id"]), None, None).await;
    assert_eq!(got["title"], "keep");
    assert_eq!(srv.count("posts").await, 1);
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let srv = TestServer::start().await;
    posts(&srv).await;

    // PocketBase's default body limit is 32 MiB.
    let mut big = br#"{"title":"big","js":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 40 * 1024 * 1024));
    big.extend(br#""}"#);
    let (status, body) = srv
        .raw(Method::POST, RECORDS, None, "application/json", big)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body, err_body(413, "Request entity too large."));
    assert_eq!(srv.count("posts").await, 0);

    // The server is still fine afterwards.
    srv.create_record("posts", json!({"title": "small"})).await;
    assert_eq!(srv.count("posts").await, 1);
}

#[tokio::test]
async fn unknown_collection_and_record() {
    let srv = TestServer::start().await;
    posts(&srv).await;
    let token = srv.superuser_token().await;

    let missing_ctx = err_body(404, "Missing collection context.");
    let missing_or_invalid = err_body(404, "Missing or invalid collection context.");
    let cases = [
        (Method::GET, "/api/collections/nope/records", &missing_ctx),
        (
            Method::GET,
            "/api/collections/nope/records/abc",
            &missing_ctx,
        ),
        (
            Method::DELETE,
            "/api/collections/nope/records/abc",
            &missing_ctx,
        ),
        (
            Method::POST,
            "/api/collections/nope/records",
            &missing_or_invalid,
        ),
        (
            Method::PATCH,
            "/api/collections/nope/records/abc",
            &missing_or_invalid,
        ),
    ];
    for (method, path, want) in cases {
        for tok in [None, Some(token.as_str())] {
            let body = matches!(method, Method::POST | Method::PATCH).then(|| json!({}));
            let (status, got) = srv.req(method.clone(), path, tok, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(&got, want, "{method} {path}");
        }
    }

    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"title": "a"}))),
        (Method::DELETE, None),
    ] {
        for tok in [None, Some(token.as_str())] {
            let (status, got) = srv
                .req(
                    method.clone(),
                    &format!("{RECORDS}/nonexistent12345"),
                    tok,
                    body.clone(),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
            assert_eq!(got, err_body(404, MSG_NOT_FOUND), "{method}");
        }
    }
}
