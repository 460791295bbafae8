//! `/api/collections`: superuser-only collection management.

mod common;

use common::*;

const DEFAULT_COLLECTIONS: [&str; 6] = [
    "_authOrigins",
    "_externalAuths",
    "_mfas",
    "_otps",
    "_superusers",
    "users",
];

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn field<'a>(collection: &'a Value, name: &str) -> &'a Value {
    collection["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {collection}"))
}

fn field_names(collection: &Value) -> Vec<String> {
    names(&collection["fields"])
}

/// The `id` primary key field every base/auth collection gets.
fn id_field() -> Value {
    json!({
        "autogeneratePattern": "[a-z0-9]{15}",
        "help": "",
        "hidden": false,
        "id": "text3208210256",
        "max": 15,
        "min": 15,
        "name": "id",
        "pattern": "^[a-z0-9]+$",
        "presentable": false,
        "primaryKey": true,
        "required": true,
        "system": true,
        "type": "text"
    })
}

fn validation_error(message: &str, field: &str, code: &str, msg: &str) -> Value {
    json!({
        "status": 400,
        "message": message,
        "data": {field: {"code": code, "message": msg}}
    })
}

#[tokio::test]
async fn default_collections_and_list_pagination() {
    let srv = TestServer::start().await;

    let (status, body) = srv.su(Method::GET, "/api/collections", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let obj = body.as_object().unwrap();
    let mut keys: Vec<_> = obj.keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["items", "page", "perPage", "totalItems", "totalPages"]
    );
    assert_eq!(body["page"], 1);
    assert_eq!(body["perPage"], 30);
    assert_eq!(body["totalItems"], 6);
    assert_eq!(body["totalPages"], 1);
    assert_eq!(sorted(names(&body["items"])), DEFAULT_COLLECTIONS);

    for c in body["items"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (ty, system) = match name {
            "_superusers" | "users" => ("auth", name != "users"),
            _ => ("base", true),
        };
        assert_eq!(c["type"], ty, "{name}");
        assert_eq!(c["system"], system, "{name}");
    }
    let users = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "users")
        .unwrap();
    assert_eq!(users["id"], "_pb_users_auth_");
    assert_eq!(
        field_names(users),
        [
            "id",
            "password",
            "tokenKey",
            "email",
            "emailVisibility",
            "verified",
            "name",
            "avatar",
            "created",
            "updated"
        ]
    );

    // Pagination and sort.
    let (status, body) = srv
        .su(
            Method::GET,
            "/api/collections?perPage=2&page=2&sort=name",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["page"], 2);
    assert_eq!(body["perPage"], 2);
    assert_eq!(body["totalItems"], 6);
    assert_eq!(body["totalPages"], 3);
    assert_eq!(names(&body["items"]), ["_mfas", "_otps"]);

    let (_, body) = srv
        .su(Method::GET, "/api/collections?sort=-name", None)
        .await;
    assert_eq!(
        names(&body["items"]),
        [
            "users",
            "_superusers",
            "_otps",
            "_mfas",
            "_externalAuths",
            "_authOrigins"
        ]
    );

    // Past the last page: empty items, totals intact.
    let (_, body) = srv
        .su(Method::GET, "/api/collections?perPage=2&page=9", None)
        .await;
    assert_eq!(body["page"], 9);
    assert_eq!(body["totalItems"], 6);
    assert_eq!(body["totalPages"], 3);
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn guests_get_401_and_users_get_403() {
    let srv = TestServer::start().await;
    let (user_token, _) = srv.create_user("plain@example.com", "Passw0rd!1234").await;

    let cases: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/collections", None),
        (Method::GET, "/api/collections/users", None),
        (
            Method::POST,
            "/api/collections",
            Some(json!({"name": "x", "type": "base"})),
        ),
        (
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"listRule": ""})),
        ),
        (Method::DELETE, "/api/collections/users", None),
        (Method::DELETE, "/api/collections/users/truncate", None),
        (
            Method::PUT,
            "/api/collections/import",
            Some(json!({"collections": []})),
        ),
        (Method::GET, "/api/collections/meta/scaffolds", None),
    ];
    for (method, path, body) in cases {
        let (status, resp) = srv.req(method.clone(), path, None, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "guest {method} {path}");
        assert_eq!(
            resp,
            err_body(401, MSG_REQUIRES_AUTH),
            "guest {method} {path}"
        );

        let (status, resp) = srv
            .req(
                method.clone(),
                path,
                Some("garbage.token.value"),
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "garbage {method} {path}");
        assert_eq!(resp, err_body(401, MSG_REQUIRES_AUTH));

        let (status, resp) = srv.req(method.clone(), path, Some(&user_token), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "user {method} {path}");
        assert_eq!(resp, err_body(403, MSG_NOT_ALLOWED), "user {method} {path}");
    }

    // Nothing was changed by those attempts.
    let (status, body) = srv.su(Method::GET, "/api/collections/users", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["listRule"], "id = @request.auth.id");
    assert_eq!(srv.count("users").await, 1);

    // "Bearer <token>" is accepted as well as the bare token.
    let token = srv.superuser_token().await;
    let (status, _) = srv
        .req(
            Method::GET,
            "/api/collections",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn create_and_view_base_collection() {
    let srv = TestServer::start().await;
    let created = srv
        .create_collection(json!({
            "name": "posts",
            "type": "base",
            "listRule": "",
            "fields": [
                {"name": "title", "type": "text", "required": true, "max": 10},
                {"name": "n", "type": "number", "min": 1, "onlyInt": true}
            ],
            "indexes": ["CREATE UNIQUE INDEX idx_posts_title ON posts (title)"]
        }))
        .await;

    let mut keys: Vec<_> = created.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "createRule",
            "created",
            "deleteRule",
            "fields",
            "id",
            "indexes",
            "listRule",
            "name",
            "system",
            "type",
            "updateRule",
            "updated",
            "viewRule"
        ]
    );
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("pbc_"), "{id}");
    assert!(
        id["pbc_".len()..].chars().all(|c| c.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(created["name"], "posts");
    assert_eq!(created["type"], "base");
    assert_eq!(created["system"], false);
    assert_eq!(created["listRule"], "");
    assert_eq!(created["viewRule"], Value::Null);
    assert_eq!(created["createRule"], Value::Null);
    assert_eq!(created["updateRule"], Value::Null);
    assert_eq!(created["deleteRule"], Value::Null);
    assert_eq!(
        created["indexes"],
        json!(["CREATE UNIQUE INDEX idx_posts_title ON posts (title)"])
    );
    // "2024-01-02 03:04:05.678Z"
    let ts = created["created"].as_str().unwrap();
    assert_eq!(ts.len(), 24, "{ts}");
    assert_eq!(&ts[10..11], " ");
    assert!(ts.ends_with('Z'));
    assert_eq!(created["created"], created["updated"]);

    // Only the given fields plus the `id` PK; no implicit created/updated.
    assert_eq!(field_names(&created), ["id", "title", "n"]);
    assert_eq!(created["fields"][0], id_field());
    let title = field(&created, "title");
    assert_eq!(title["type"], "text");
    assert_eq!(title["required"], true);
    assert_eq!(title["max"], 10);
    assert_eq!(title["min"], 0);
    assert_eq!(title["hidden"], false);
    assert_eq!(title["system"], false);
    assert_eq!(title["primaryKey"], false);
    assert_eq!(title["pattern"], "");
    assert_eq!(title["autogeneratePattern"], "");
    assert!(title["id"].as_str().unwrap().starts_with("text"));
    let n = field(&created, "n");
    assert_eq!(n["type"], "number");
    assert_eq!(n["min"], 1);
    assert_eq!(n["max"], Value::Null);
    assert_eq!(n["onlyInt"], true);
    assert!(n["id"].as_str().unwrap().starts_with("number"));

    // View by name and by id.
    let (status, by_name) = srv.su(Method::GET, "/api/collections/posts", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_name, created);
    let (status, by_id) = srv
        .su(Method::GET, &format!("/api/collections/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id, created);

    // It is listed.
    let (_, list) = srv.su(Method::GET, "/api/collections", None).await;
    assert_eq!(list["totalItems"], 7);
    assert!(names(&list["items"]).contains(&"posts".to_string()));

    // Unknown collection.
    for path in ["/api/collections/nope", "/api/collections/pbc_123"] {
        let (status, body) = srv.su(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, err_body(404, MSG_NOT_FOUND));
    }
}

#[tokio::test]
async fn create_auth_collection() {
    let srv = TestServer::start().await;
    let c = srv
        .create_collection(json!({
            "name": "members",
            "type": "auth",
            "fields": [{"name": "nick", "type": "text"}]
        }))
        .await;
    assert_eq!(c["type"], "auth");
    assert_eq!(
        field_names(&c),
        [
            "id",
            "nick",
            "password",
            "tokenKey",
            "email",
            "emailVisibility",
            "verified"
        ]
    );
    assert_eq!(field(&c, "password")["type"], "password");
    assert_eq!(field(&c, "password")["hidden"], true);
    assert_eq!(field(&c, "password")["system"], true);
    assert_eq!(field(&c, "tokenKey")["hidden"], true);
    assert_eq!(field(&c, "email")["type"], "email");
    assert_eq!(field(&c, "email")["required"], true);
    assert_eq!(field(&c, "emailVisibility")["type"], "bool");
    assert_eq!(field(&c, "verified")["type"], "bool");

    let indexes = c["indexes"].as_array().unwrap();
    assert_eq!(indexes.len(), 2, "{indexes:?}");
    let tk = indexes[0].as_str().unwrap();
    assert!(tk.starts_with("CREATE UNIQUE INDEX `idx_tokenKey_"), "{tk}");
    assert!(tk.ends_with("ON `members` (`tokenKey`)"), "{tk}");
    let em = indexes[1].as_str().unwrap();
    assert!(em.starts_with("CREATE UNIQUE INDEX `idx_email_"), "{em}");
    assert!(
        em.ends_with("ON `members` (`email`) WHERE `email` != ''"),
        "{em}"
    );

    assert_eq!(c["authRule"], "");
    assert_eq!(c["manageRule"], Value::Null);
    assert_eq!(
        c["passwordAuth"],
        json!({"enabled": true, "identityFields": ["email"]})
    );
    assert_eq!(c["oauth2"]["enabled"], false);
    assert_eq!(c["mfa"]["enabled"], false);
    assert_eq!(c["otp"]["enabled"], false);
    assert_eq!(c["authToken"]["duration"], 432000);
    for key in [
        "authAlert",
        "passwordResetToken",
        "emailChangeToken",
        "verificationToken",
        "fileToken",
        "verificationTemplate",
        "resetPasswordTemplate",
        "confirmEmailChangeTemplate",
    ] {
        assert!(c[key].is_object(), "{key} missing in {c}");
    }

    // The new auth collection works for sign-up + login.
    let (status, rec) = srv
        .req(
            Method::POST,
            "/api/collections/members/records",
            Some(&srv.superuser_token().await),
            Some(json!({
                "email": "m@example.com",
                "password": "Passw0rd!1234",
                "passwordConfirm": "Passw0rd!1234",
                "nick": "em"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    let (_, record) = srv.login("members", "m@example.com", "Passw0rd!1234").await;
    assert_eq!(record["nick"], "em");
    assert_eq!(record["collectionName"], "members");
}

#[tokio::test]
async fn create_view_collection() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "src",
        "type": "base",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "n", "type": "number"}
        ]
    }))
    .await;
    for i in 0..3 {
        srv.create_record("src", json!({"title": format!("t{i}"), "n": i}))
            .await;
    }
    let v = srv
        .create_collection(json!({
            "name": "v1",
            "type": "view",
            "listRule": "",
            "viewQuery": "SELECT id, title, n FROM src WHERE n >= 1"
        }))
        .await;
    assert_eq!(v["type"], "view");
    assert_eq!(v["viewQuery"], "SELECT id, title, n FROM src WHERE n >= 1");
    assert_eq!(v["indexes"], json!([]));
    assert_eq!(field_names(&v), ["id", "title", "n"]);
    assert_eq!(field(&v, "id")["type"], "text");
    assert_eq!(field(&v, "id")["primaryKey"], true);
    assert_eq!(field(&v, "title")["type"], "text");
    assert_eq!(field(&v, "n")["type"], "number");
    assert!(v.get("authRule").is_none());

    let (status, list) = srv
        .req(
            Method::GET,
            "/api/collections/v1/records?sort=n",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["totalItems"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["title"], "t1");
    assert_eq!(items[0]["n"], 1);
    assert_eq!(items[0]["collectionName"], "v1");
    assert_eq!(items[0]["collectionId"], v["id"]);
    assert_eq!(items[1]["title"], "t2");

    // A view reflects later changes of its source.
    srv.create_record("src", json!({"title": "t9", "n": 9}))
        .await;
    assert_eq!(srv.count("v1").await, 3);

    // Views are read-only.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections/v1/records",
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, "Unsupported collection type."));

    // Invalid view definitions.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "v2", "type": "view"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Failed to create collection.");
    assert_eq!(
        body["data"]["viewQuery"],
        field_err("validation_required", "Cannot be blank.")
    );

    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "v3", "type": "view", "viewQuery": "SELECT title FROM src"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Failed to create collection.");
    assert_eq!(
        body["data"]["viewQuery"],
        field_err(
            "validation_invalid_view_query",
            "Invalid query - missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one)."
        )
    );

    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "v4", "type": "view", "viewQuery": "DELETE FROM src"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["viewQuery"]["code"],
        "validation_invalid_view_query"
    );
    assert_eq!(srv.count("src").await, 4);

    // Views cannot be truncated.
    let (status, body) = srv
        .su(Method::DELETE, "/api/collections/v1/truncate", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        err_body(
            400,
            "View collections cannot be truncated since they don't store their own records."
        )
    );
    assert_eq!(srv.count("src").await, 4);
}

#[tokio::test]
async fn update_fields_indexes_and_name() {
    let srv = TestServer::start().await;
    let c = srv
        .create_collection(json!({
            "name": "things",
            "type": "base",
            "listRule": "",
            "fields": [
                {"name": "a", "type": "text"},
                {"name": "b", "type": "number"}
            ]
        }))
        .await;
    let id = c["id"].as_str().unwrap().to_string();
    let rec = srv.create_record("things", json!({"a": "x", "b": 3})).await;
    let rec_id = rec["id"].as_str().unwrap().to_string();

    // Rename a -> a2 (same field id), drop b, add c, add a UNIQUE and a plain index.
    let mut fields: Vec<Value> = c["fields"].as_array().unwrap().clone();
    fields.retain(|f| f["name"] != "b");
    for f in fields.iter_mut() {
        if f["name"] == "a" {
            f["name"] = json!("a2");
        }
    }
    fields.push(json!({"name": "c", "type": "bool"}));
    let (status, updated) = srv
        .su(
            Method::PATCH,
            "/api/collections/things",
            Some(json!({
                "fields": fields,
                "indexes": [
                    "CREATE UNIQUE INDEX idx_things_a2 ON things (a2)",
                    "CREATE INDEX idx_things_c ON things (c)"
                ]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(field_names(&updated), ["id", "a2", "c"]);
    assert_eq!(field(&updated, "a2")["id"], field(&c, "a")["id"]);
    assert_eq!(field(&updated, "c")["type"], "bool");
    assert_eq!(
        updated["indexes"],
        json!([
            "CREATE UNIQUE INDEX idx_things_a2 ON things (a2)",
            "CREATE INDEX idx_things_c ON things (c)"
        ])
    );
    assert_eq!(updated["created"], c["created"]);

    // The data followed the rename; the dropped column is gone; the new one defaults.
    let (status, got) = srv
        .su(
            Method::GET,
            &format!("/api/collections/things/records/{rec_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        got,
        json!({
            "collectionId": id,
            "collectionName": "things",
            "id": rec_id,
            "a2": "x",
            "c": false
        })
    );

    // The UNIQUE index is enforced.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections/things/records",
            Some(json!({"a2": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        validation_error(
            "Failed to create record.",
            "a2",
            "validation_not_unique",
            "Value must be unique."
        )
    );
    assert_eq!(srv.count("things").await, 1);

    // An index on an unknown column.
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/things",
            Some(json!({"indexes": ["CREATE INDEX idx_bad ON things (nonexistent)"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Failed to update collection.");
    assert_eq!(
        body["data"]["indexes"]["0"]["code"],
        "validation_invalid_index_expression"
    );

    // A UNIQUE index over duplicate data.
    srv.create_record("things", json!({"a2": "y", "c": true}))
        .await;
    srv.create_record("things", json!({"a2": "z", "c": true}))
        .await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/things",
            Some(json!({"indexes": ["CREATE UNIQUE INDEX idx_things_c ON things (c)"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["indexes"]["0"]["code"],
        "validation_invalid_index_expression"
    );
    // Failed updates change nothing.
    let (_, now) = srv.su(Method::GET, "/api/collections/things", None).await;
    assert_eq!(now["indexes"], updated["indexes"]);

    // Rules can be changed alone; other properties are kept.
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/things",
            Some(json!({"viewRule": "", "listRule": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["viewRule"], "");
    assert_eq!(body["listRule"], Value::Null);
    assert_eq!(field_names(&body), ["id", "a2", "c"]);

    // Rename to an existing name (case-insensitive) fails.
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/things",
            Some(json!({"name": "USERS"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        validation_error(
            "Failed to update collection.",
            "name",
            "validation_collection_name_exists",
            "Collection name must be unique (case insensitive)."
        )
    );

    // Rename the collection (by id); the old name is gone, records survive.
    let (status, body) = srv
        .su(
            Method::PATCH,
            &format!("/api/collections/{id}"),
            Some(json!({"name": "stuff"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "stuff");
    let (status, _) = srv.su(Method::GET, "/api/collections/things", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(srv.count("stuff").await, 3);

    // Unknown collection.
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/nope",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));
}

#[tokio::test]
async fn delete_collection() {
    let srv = TestServer::start().await;
    let c = srv
        .create_collection(json!({"name": "gone", "type": "base"}))
        .await;
    let (status, body) = srv.su(Method::DELETE, "/api/collections/gone", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    let (status, body) = srv.su(Method::GET, "/api/collections/gone", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));

    // By id.
    let c2 = srv
        .create_collection(json!({"name": "gone2", "type": "base"}))
        .await;
    assert_ne!(c2["id"], c["id"]);
    let (status, _) = srv
        .su(
            Method::DELETE,
            &format!("/api/collections/{}", c2["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The name can be reused.
    srv.create_collection(json!({"name": "gone", "type": "base"}))
        .await;

    // Unknown.
    let (status, body) = srv.su(Method::DELETE, "/api/collections/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));

    // System collections cannot be deleted.
    let (status, body) = srv
        .su(Method::DELETE, "/api/collections/_superusers", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, "Failed to delete collection."));
    let (status, _) = srv
        .su(Method::GET, "/api/collections/_superusers", None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // `users` is not a system collection: it can be deleted.
    let (status, _) = srv.su(Method::DELETE, "/api/collections/users", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = srv.su(Method::GET, "/api/collections", None).await;
    assert_eq!(
        sorted(names(&list["items"])),
        [
            "_authOrigins",
            "_externalAuths",
            "_mfas",
            "_otps",
            "_superusers",
            "gone"
        ]
    );
}

#[tokio::test]
async fn invalid_and_duplicate_names() {
    let srv = TestServer::start().await;
    let long = "a".repeat(256);
    let cases = [
        (
            "bad name",
            json!({"name": {"code": "validation_match_invalid", "message": "Must be in a valid format."}}),
        ),
        (
            "bad-name",
            json!({"name": {"code": "validation_match_invalid", "message": "Must be in a valid format."}}),
        ),
        (
            "",
            json!({"name": {"code": "validation_required", "message": "Cannot be blank."}}),
        ),
        (
            long.as_str(),
            json!({"name": {
                "code": "validation_length_out_of_range",
                "message": "The length must be between 1 and 255.",
                "params": {"max": 255, "min": 1}
            }}),
        ),
        (
            "users",
            json!({"name": {
                "code": "validation_collection_name_exists",
                "message": "Collection name must be unique (case insensitive)."
            }}),
        ),
        (
            "Users",
            json!({"name": {
                "code": "validation_collection_name_exists",
                "message": "Collection name must be unique (case insensitive)."
            }}),
        ),
        (
            "_SUPERUSERS",
            json!({"name": {
                "code": "validation_collection_name_exists",
                "message": "Collection name must be unique (case insensitive)."
            }}),
        ),
    ];
    for (name, data) in cases {
        let (status, body) = srv
            .su(
                Method::POST,
                "/api/collections",
                Some(json!({"name": name, "type": "base"})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        assert_eq!(
            body,
            json!({"status": 400, "message": "Failed to create collection.", "data": data}),
            "{name}"
        );
    }

    // Leading underscore and leading digit are allowed.
    for name in ["_x", "1abc", "a_B_9"] {
        let c = srv
            .create_collection(json!({"name": name, "type": "base"}))
            .await;
        assert_eq!(c["name"], name);
    }
    // Duplicate of a fresh collection.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "1ABC", "type": "base"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["name"]["code"],
        "validation_collection_name_exists"
    );

    // Invalid type.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "zz", "type": "nope"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        validation_error(
            "Failed to create collection.",
            "type",
            "validation_in_invalid",
            "Must be a valid value."
        )
    );

    // Invalid field name: errors are nested under fields.<index>.<prop>.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "zz", "type": "base", "fields": [{"name": "bad name", "type": "text"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "status": 400,
            "message": "Failed to create collection.",
            "data": {"fields": {"1": {"name": {
                "code": "validation_match_invalid",
                "message": "Must be in a valid format."
            }}}}
        })
    );

    // Unknown field type: the body itself cannot be loaded.
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/collections",
            Some(json!({"name": "zz", "type": "base", "fields": [{"name": "q", "type": "nope"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        err_body(
            400,
            "Failed to load the submitted data due to invalid formatting."
        )
    );

    // None of the failures created anything.
    let (_, list) = srv.su(Method::GET, "/api/collections", None).await;
    assert_eq!(list["totalItems"], 9);
}

#[tokio::test]
async fn import_collections() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "keepme",
        "type": "base",
        "fields": [{"name": "x", "type": "text"}]
    }))
    .await;
    srv.create_record("keepme", json!({"x": "1"})).await;

    // Without deleteMissing: new ones are added, others kept.
    let (status, body) = srv
        .su(
            Method::PUT,
            "/api/collections/import",
            Some(json!({"collections": [
                {"name": "imp1", "type": "base", "fields": [{"name": "x", "type": "text"}]},
                {"name": "imp2", "type": "base", "listRule": ""}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let (_, list) = srv.su(Method::GET, "/api/collections", None).await;
    assert_eq!(list["totalItems"], 9);
    let (_, imp2) = srv.su(Method::GET, "/api/collections/imp2", None).await;
    assert_eq!(imp2["listRule"], "");
    assert_eq!(field_names(&imp2), ["id"]);
    assert_eq!(srv.count("keepme").await, 1);

    // Existing collections are matched (by id/name) and updated.
    let (_, imp1) = srv.su(Method::GET, "/api/collections/imp1", None).await;
    let (status, body) = srv
        .su(
            Method::PUT,
            "/api/collections/import",
            Some(json!({"collections": [
                {"id": imp1["id"], "name": "imp1", "type": "base", "fields": [
                    {"name": "x", "type": "text"},
                    {"name": "y", "type": "number"}
                ]}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, imp1b) = srv.su(Method::GET, "/api/collections/imp1", None).await;
    assert_eq!(imp1b["id"], imp1["id"]);
    // (PocketBase appends the implicit `id` PK after the imported fields.)
    assert_eq!(sorted(field_names(&imp1b)), ["id", "x", "y"]);

    // With deleteMissing: everything not listed goes, except system collections.
    let (status, body) = srv
        .su(
            Method::PUT,
            "/api/collections/import",
            Some(json!({
                "collections": [{"name": "imp1", "type": "base"}],
                "deleteMissing": true
            })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, list) = srv.su(Method::GET, "/api/collections", None).await;
    assert_eq!(
        sorted(names(&list["items"])),
        [
            "_authOrigins",
            "_externalAuths",
            "_mfas",
            "_otps",
            "_superusers",
            "imp1"
        ]
    );
    // The imported definition replaced the fields.
    let (_, imp1c) = srv.su(Method::GET, "/api/collections/imp1", None).await;
    assert_eq!(field_names(&imp1c), ["id"]);
    assert_eq!(imp1c["id"], imp1["id"]);

    // Validation failures.
    let (status, body) = srv
        .su(
            Method::PUT,
            "/api/collections/import",
            Some(json!({"collections": []})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        validation_error(
            "An error occurred while validating the submitted data.",
            "collections",
            "validation_required",
            "Cannot be blank."
        )
    );

    let (status, body) = srv
        .su(
            Method::PUT,
            "/api/collections/import",
            Some(json!({"collections": [
                {"name": "fine", "type": "base"},
                {"name": "bad name", "type": "base"}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Failed to import collections.");
    assert_eq!(
        body["data"]["collections"]["code"],
        "validation_collections_import_failure"
    );
    // All or nothing.
    let (status, _) = srv.su(Method::GET, "/api/collections/fine", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn scaffolds() {
    let srv = TestServer::start().await;
    let (status, body) = srv
        .su(Method::GET, "/api/collections/meta/scaffolds", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["auth", "base", "view"]);

    for ty in ["base", "auth", "view"] {
        let s = &body[ty];
        assert_eq!(s["type"], ty);
        assert_eq!(s["id"], "");
        assert_eq!(s["name"], "");
        assert_eq!(s["system"], false);
        assert_eq!(s["created"], "");
        assert_eq!(s["updated"], "");
        for rule in [
            "listRule",
            "viewRule",
            "createRule",
            "updateRule",
            "deleteRule",
        ] {
            assert_eq!(s[rule], Value::Null, "{ty}.{rule}");
        }
    }
    assert_eq!(body["base"]["fields"], json!([id_field()]));
    assert_eq!(body["base"]["indexes"], json!([]));
    assert!(body["base"].get("viewQuery").is_none());

    assert_eq!(body["view"]["fields"], json!([]));
    assert_eq!(body["view"]["viewQuery"], "");

    let auth = &body["auth"];
    assert_eq!(
        field_names(auth),
        [
            "id",
            "password",
            "tokenKey",
            "email",
            "emailVisibility",
            "verified"
        ]
    );
    assert_eq!(auth["fields"][0], id_field());
    assert_eq!(auth["authRule"], "");
    assert_eq!(auth["manageRule"], Value::Null);
    assert_eq!(
        auth["passwordAuth"],
        json!({"enabled": true, "identityFields": ["email"]})
    );
    assert_eq!(auth["indexes"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn truncate_collection() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "junk",
        "type": "base",
        "listRule": "",
        "fields": [{"name": "t", "type": "text"}]
    }))
    .await;
    for i in 0..5 {
        srv.create_record("junk", json!({"t": i.to_string()})).await;
    }
    assert_eq!(srv.count("junk").await, 5);

    let (user_token, _) = srv.create_user("u@example.com", "Passw0rd!1234").await;
    let (status, _) = srv
        .req(Method::DELETE, "/api/collections/junk/truncate", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = srv
        .req(
            Method::DELETE,
            "/api/collections/junk/truncate",
            Some(&user_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(srv.count("junk").await, 5);

    let (status, body) = srv
        .su(Method::DELETE, "/api/collections/junk/truncate", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    let (status, list) = srv
        .req(Method::GET, "/api/collections/junk/records", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"items": [], "page": 1, "perPage": 30, "totalItems": 0, "totalPages": 0})
    );
    // The collection itself is still there and usable.
    srv.create_record("junk", json!({"t": "again"})).await;
    assert_eq!(srv.count("junk").await, 1);

    let (status, body) = srv
        .su(Method::DELETE, "/api/collections/nope/truncate", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));
}
