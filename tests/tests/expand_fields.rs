//! The `expand` and `fields` query options of the record endpoints (list, view, create,
//! update), checked against PocketBase: relation expansion (single, multiple, nested,
//! back-relations) filtered by each target's view rule, and `fields` picking with
//! `:excerpt`.

mod common;

use common::*;

const PASSWORD: &str = "Passw0rd!1234";

/// A small blog: teams ← authors ← posts → tags, comments → posts, profiles → authors
/// (unique), plus `secrets` (superusers only) and `users` (each sees only itself).
struct Blog {
    srv: TestServer,
    user_token: String,
    other_token: String,
    ids: std::collections::HashMap<&'static str, String>,
}

impl Blog {
    fn id(&self, key: &str) -> &str {
        self.ids
            .get(key)
            .unwrap_or_else(|| panic!("no fixture {key}"))
    }

    fn post_path(&self, key: &str, query: &[(&str, &str)]) -> String {
        format!(
            "/api/collections/posts/records/{}?{}",
            self.id(key),
            encode_query(query)
        )
    }

    async fn get(&self, token: Option<&str>, path: &str) -> Value {
        let (status, body) = self.srv.req(Method::GET, path, token, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }
}

async fn blog() -> Blog {
    let srv = TestServer::start().await;
    let open = |name: &str, fields: Value| json!({"name": name, "type": "base", "listRule": "", "viewRule": "", "fields": fields});
    let teams = srv
        .create_collection(open("teams", json!([{"name": "name", "type": "text"}])))
        .await;
    let secrets = srv
        .create_collection(json!({"name": "secrets", "type": "base",
            "fields": [{"name": "name", "type": "text"}]}))
        .await;
    let tags = srv
        .create_collection(json!({"name": "tags", "type": "base", "listRule": "",
            "viewRule": "name != 'private'", "fields": [{"name": "name", "type": "text"}]}))
        .await;
    let (_, users) = srv.su(Method::GET, "/api/collections/users", None).await;
    let authors = srv
        .create_collection(open(
            "authors",
            json!([
                {"name": "name", "type": "text"},
                {"name": "secret", "type": "text", "hidden": true},
                {"name": "team", "type": "relation", "collectionId": teams["id"], "maxSelect": 1},
                {"name": "sec", "type": "relation", "collectionId": secrets["id"], "maxSelect": 1},
                {"name": "user", "type": "relation", "collectionId": users["id"], "maxSelect": 1}
            ]),
        ))
        .await;
    let mut posts = open(
        "posts",
        json!([
            {"name": "title", "type": "text"},
            {"name": "body", "type": "editor"},
            {"name": "author", "type": "relation", "collectionId": authors["id"], "maxSelect": 1},
            {"name": "tags", "type": "relation", "collectionId": tags["id"], "maxSelect": 10}
        ]),
    );
    posts["createRule"] = json!("");
    posts["updateRule"] = json!("");
    let posts = srv.create_collection(posts).await;
    srv.create_collection(open(
        "comments",
        json!([
            {"name": "text", "type": "text"},
            {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1}
        ]),
    ))
    .await;
    let mut profiles = open(
        "profiles",
        json!([
            {"name": "bio", "type": "text"},
            {"name": "author", "type": "relation", "collectionId": authors["id"], "maxSelect": 1}
        ]),
    );
    profiles["indexes"] = json!(["CREATE UNIQUE INDEX idx_profiles_author ON profiles (author)"]);
    srv.create_collection(profiles).await;

    let (user_token, u1) = srv.create_user("u1@example.com", PASSWORD).await;
    let (other_token, _) = srv.create_user("u2@example.com", PASSWORD).await;
    let mut ids = std::collections::HashMap::new();
    let mut add = |key: &'static str, rec: &Value| {
        ids.insert(key, rec["id"].as_str().expect("id").to_string());
    };
    add("u1", &u1);
    let t1 = srv.create_record("teams", json!({"name": "red"})).await;
    add("t1", &t1);
    let s1 = srv.create_record("secrets", json!({"name": "s1"})).await;
    add("s1", &s1);
    let a1 = srv
        .create_record(
            "authors",
            json!({"name": "alice", "secret": "xx", "team": t1["id"], "sec": s1["id"], "user": u1["id"]}),
        )
        .await;
    add("a1", &a1);
    let a2 = srv.create_record("authors", json!({"name": "bob"})).await;
    add("a2", &a2);
    let go = srv.create_record("tags", json!({"name": "go"})).await;
    let private = srv.create_record("tags", json!({"name": "private"})).await;
    let rust = srv.create_record("tags", json!({"name": "rust"})).await;
    add("go", &go);
    add("private", &private);
    add("rust", &rust);
    let p1 = srv
        .create_record(
            "posts",
            json!({
                "title": "hello",
                "body": "<p>Hello <b>world</b></p><p>second para</p>",
                "author": a1["id"],
                "tags": [rust["id"], private["id"], go["id"]]
            }),
        )
        .await;
    add("p1", &p1);
    let p2 = srv.create_record("posts", json!({"title": "empty"})).await;
    add("p2", &p2);
    let p3 = srv
        .create_record(
            "posts",
            json!({"title": "third", "author": a1["id"], "tags": [go["id"]]}),
        )
        .await;
    add("p3", &p3);
    // Created out of id order: back-relations list them in storage order.
    for (key, text) in [("c1", "first"), ("c2", "second"), ("c3", "third")] {
        let c = srv
            .create_record("comments", json!({"text": text, "post": p1["id"]}))
            .await;
        add(key, &c);
    }
    let pr = srv
        .create_record("profiles", json!({"bio": "hi", "author": a1["id"]}))
        .await;
    add("pr1", &pr);
    Blog {
        srv,
        user_token,
        other_token,
        ids,
    }
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x[key].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn expands_single_multiple_and_nested_relations() {
    let b = blog().await;
    // Without `expand` there is no `expand` key.
    let plain = b.get(None, &b.post_path("p1", &[])).await;
    assert!(plain.get("expand").is_none(), "{plain}");

    let got = b
        .get(
            None,
            &b.post_path("p1", &[("expand", "author,tags,author.team")]),
        )
        .await;
    let author = &got["expand"]["author"];
    assert_eq!(author["id"], b.id("a1"));
    assert_eq!(author["name"], "alice");
    assert_eq!(author["collectionName"], "authors");
    // Hidden fields stay hidden in expanded records.
    assert!(author.get("secret").is_none(), "{author}");
    assert_eq!(author["expand"]["team"]["name"], "red");
    assert!(author["expand"]["team"].get("expand").is_none());
    // Multiple relations: an array in the stored order, without the tag the view rule hides.
    assert_eq!(strings(&got["expand"]["tags"], "name"), ["rust", "go"]);
    // The relation values themselves are untouched.
    assert_eq!(
        got["tags"],
        json!([b.id("rust"), b.id("private"), b.id("go")])
    );

    // Nothing related: an empty `expand` object. An unknown field: no `expand` at all.
    let empty = b
        .get(None, &b.post_path("p2", &[("expand", "author,tags")]))
        .await;
    assert_eq!(empty["expand"], json!({}));
    let unknown = b.get(None, &b.post_path("p1", &[("expand", "nope")])).await;
    assert!(unknown.get("expand").is_none(), "{unknown}");
    // A bad path next to a good one doesn't hurt it; spaces and stray dots are ignored.
    let mixed = b
        .get(
            None,
            &b.post_path("p1", &[("expand", " author . team ,nope, .tags.")]),
        )
        .await;
    assert_eq!(mixed["expand"]["author"]["expand"]["team"]["name"], "red");
    assert_eq!(strings(&mixed["expand"]["tags"], "name"), ["rust", "go"]);
    // An invalid segment further down drops the whole path.
    let broken = b
        .get(None, &b.post_path("p1", &[("expand", "author.nope")]))
        .await;
    assert!(broken.get("expand").is_none(), "{broken}");
    // ... unless the level above is empty: then the segment is never looked at.
    let vacuous = b
        .get(None, &b.post_path("p2", &[("expand", "author.nope")]))
        .await;
    assert_eq!(vacuous["expand"], json!({}));

    // Lists expand every item; the same related record shows under each.
    let list = b
        .get(
            None,
            &format!(
                "/api/collections/posts/records?{}",
                encode_query(&[("expand", "author"), ("sort", "title")])
            ),
        )
        .await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(
        strings(&list["items"], "title"),
        ["empty", "hello", "third"]
    );
    assert_eq!(items[0]["expand"], json!({}));
    assert_eq!(items[1]["expand"]["author"]["name"], "alice");
    assert_eq!(items[2]["expand"]["author"]["name"], "alice");
}

#[tokio::test]
async fn expanded_records_follow_their_view_rules() {
    let b = blog().await;
    let su = b.srv.superuser_token().await;
    let path = b.post_path("p1", &[("expand", "author.user,tags")]);

    // Guests may not view users: `author` expands, its `user` doesn't.
    let guest = b.get(None, &path).await;
    assert_eq!(guest["expand"]["author"]["expand"], json!({}));
    assert_eq!(strings(&guest["expand"]["tags"], "name"), ["rust", "go"]);

    // The user sees itself, email included (its own record).
    let own = b.get(Some(&b.user_token), &path).await;
    let user = &own["expand"]["author"]["expand"]["user"];
    assert_eq!(user["id"], b.id("u1"));
    assert_eq!(user["email"], "u1@example.com");
    assert_eq!(user["emailVisibility"], false);
    assert!(user.get("password").is_none() && user.get("tokenKey").is_none());

    // Another user passes no view rule for u1.
    let other = b.get(Some(&b.other_token), &path).await;
    assert_eq!(other["expand"]["author"]["expand"], json!({}));

    // Superusers bypass every rule and see hidden fields and emails.
    let all = b.get(Some(&su), &path).await;
    assert_eq!(all["expand"]["author"]["secret"], "xx");
    assert_eq!(
        all["expand"]["author"]["expand"]["user"]["email"],
        "u1@example.com"
    );
    assert_eq!(
        strings(&all["expand"]["tags"], "name"),
        ["rust", "private", "go"]
    );

    // A `null` view rule: nothing at all for non-superusers (the failing path is dropped,
    // parents included), everything for superusers.
    let sec = b.post_path("p1", &[("expand", "author.sec")]);
    for token in [None, Some(b.user_token.as_str())] {
        let got = b.get(token, &sec).await;
        assert!(got.get("expand").is_none(), "{got}");
    }
    let got = b.get(Some(&su), &sec).await;
    assert_eq!(got["expand"]["author"]["expand"]["sec"]["name"], "s1");
    // ... and the other paths of the same request still expand.
    let got = b
        .get(
            None,
            &b.post_path("p1", &[("expand", "author.sec,author.team")]),
        )
        .await;
    assert_eq!(
        got["expand"]["author"]["expand"],
        json!({"team": {"collectionId": got["expand"]["author"]["expand"]["team"]["collectionId"],
            "collectionName": "teams", "id": b.id("t1"), "name": "red"}})
    );
}

#[tokio::test]
async fn view_rules_see_the_expand_request_context() {
    let b = blog().await;
    // Viewable only through an expand.
    let (status, body) = b
        .srv
        .su(
            Method::PATCH,
            "/api/collections/teams",
            Some(json!({"viewRule": "@request.context = 'expand'"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let direct = format!("/api/collections/teams/records/{}", b.id("t1"));
    let (status, _) = b.srv.req(Method::GET, &direct, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let got = b
        .get(None, &b.post_path("p1", &[("expand", "author.team")]))
        .await;
    assert_eq!(got["expand"]["author"]["expand"]["team"]["name"], "red");
}

#[tokio::test]
async fn expands_back_relations() {
    let b = blog().await;
    let list = |q: &[(&str, &str)]| format!("/api/collections/posts/records?{}", encode_query(q));
    let got = b
        .get(
            None,
            &list(&[("expand", "comments_via_post"), ("sort", "title")]),
        )
        .await;
    let items = got["items"].as_array().expect("items");
    assert_eq!(items[0]["expand"], json!({}));
    // An array, in the order the comments were stored.
    assert_eq!(
        strings(&items[1]["expand"]["comments_via_post"], "text"),
        ["first", "second", "third"]
    );
    assert_eq!(items[2]["expand"], json!({}));

    // The deprecated `collection(field)` form works too, under its own key.
    let old = b
        .get(None, &b.post_path("p1", &[("expand", "comments(post)")]))
        .await;
    assert_eq!(
        strings(&old["expand"]["comments(post)"], "text"),
        ["first", "second", "third"]
    );

    // A back-relation through a field with a unique index is a single record.
    let author = b
        .get(
            None,
            &format!(
                "/api/collections/authors/records/{}?expand=profiles_via_author",
                b.id("a1")
            ),
        )
        .await;
    assert_eq!(author["expand"]["profiles_via_author"]["bio"], "hi");

    // Through a multiple relation field, and nested both ways.
    let tags = b
        .get(
            None,
            &format!(
                "/api/collections/tags/records?{}",
                encode_query(&[
                    ("expand", "posts_via_tags.author"),
                    ("sort", "name"),
                    (
                        "fields",
                        "name,expand.posts_via_tags.title,expand.posts_via_tags.expand.author.name"
                    )
                ])
            ),
        )
        .await;
    assert_eq!(
        tags["items"],
        json!([
            {"name": "go", "expand": {"posts_via_tags": [
                {"title": "hello", "expand": {"author": {"name": "alice"}}},
                {"title": "third", "expand": {"author": {"name": "alice"}}}
            ]}},
            {"name": "private", "expand": {"posts_via_tags": [
                {"title": "hello", "expand": {"author": {"name": "alice"}}}
            ]}},
            {"name": "rust", "expand": {"posts_via_tags": [
                {"title": "hello", "expand": {"author": {"name": "alice"}}}
            ]}}
        ])
    );
    let team = b
        .get(
            None,
            &format!(
                "/api/collections/teams/records/{}?{}",
                b.id("t1"),
                encode_query(&[
                    ("expand", "authors_via_team.posts_via_author.comments_via_post"),
                    ("fields", "expand.authors_via_team.expand.posts_via_author.title,expand.authors_via_team.expand.posts_via_author.expand.comments_via_post.text")
                ])
            ),
        )
        .await;
    assert_eq!(
        team,
        json!({"expand": {"authors_via_team": [{"expand": {"posts_via_author": [
            {"title": "hello", "expand": {"comments_via_post": [
                {"text": "first"}, {"text": "second"}, {"text": "third"}
            ]}},
            {"title": "third", "expand": {}}
        ]}}]}})
    );
}

#[tokio::test]
async fn expand_goes_six_levels_deep() {
    let srv = TestServer::start().await;
    let nodes = srv
        .create_collection(
            json!({"name": "nodes", "type": "base", "listRule": "", "viewRule": "",
            "fields": [{"name": "n", "type": "number"}]}),
        )
        .await;
    let mut fields = nodes["fields"].as_array().expect("fields").clone();
    fields.push(
        json!({"name": "parent", "type": "relation", "collectionId": nodes["id"], "maxSelect": 1}),
    );
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/nodes",
            Some(json!({"fields": fields})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut parent = Value::String(String::new());
    for n in 1..=9 {
        let rec = srv
            .create_record("nodes", json!({"n": n, "parent": parent}))
            .await;
        parent = rec["id"].clone();
    }
    let path = format!(
        "/api/collections/nodes/records/{}?expand={}",
        parent.as_str().expect("id"),
        ["parent"; 8].join(".")
    );
    let (status, mut cur) = srv.req(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::OK, "{cur}");
    let mut seen = vec![cur["n"].as_i64().expect("n")];
    while let Some(next) = cur.get("expand").and_then(|e| e.get("parent")).cloned() {
        seen.push(next["n"].as_i64().expect("n"));
        cur = next;
    }
    // The record itself and six expanded levels; the sixth has no `expand`.
    assert_eq!(seen, [9, 8, 7, 6, 5, 4, 3]);
    assert!(cur.get("expand").is_none(), "{cur}");
}

#[tokio::test]
async fn fields_picks_keys_with_nested_expand_and_excerpts() {
    let b = blog().await;
    let got = b
        .get(
            None,
            &b.post_path(
                "p1",
                &[
                    ("expand", "author.team,tags"),
                    (
                        "fields",
                        "id, title,expand.author.name,expand.author.expand.team.name,expand.tags.name,body:excerpt(8,true)",
                    ),
                ],
            ),
        )
        .await;
    assert_eq!(
        got,
        json!({
            "id": b.id("p1"),
            "title": "hello",
            "body": "Hello wo...",
            "expand": {
                "author": {"name": "alice", "expand": {"team": {"name": "red"}}},
                "tags": [{"name": "rust"}, {"name": "go"}]
            }
        })
    );
    // Whole-text excerpt without ellipsis: tags stripped, blocks separated by a space.
    let got = b
        .get(None, &b.post_path("p1", &[("fields", "body:excerpt(100)")]))
        .await;
    assert_eq!(got, json!({"body": "Hello world second para"}));
    // `*` keeps every key at its level; a deeper path restricts that key only.
    let got = b
        .get(
            None,
            &b.post_path(
                "p1",
                &[("expand", "author"), ("fields", "*,expand.author.name")],
            ),
        )
        .await;
    let keys: Vec<&String> = got.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 8, "{got}");
    assert_eq!(got["expand"], json!({"author": {"name": "alice"}}));
    assert_eq!(got["title"], "hello");
    // `x.*` keeps all of x; a path below a plain value keeps the value; excerpt leaves
    // non-strings alone; unknown keys are ignored.
    let got = b
        .get(
            None,
            &b.post_path(
                "p1",
                &[
                    ("expand", "author"),
                    ("fields", "expand.author.*,title.x,tags:excerpt(3),missing"),
                ],
            ),
        )
        .await;
    assert_eq!(got["title"], "hello");
    assert_eq!(got["tags"].as_array().map(Vec::len), Some(3));
    assert_eq!(got["expand"]["author"]["name"], "alice");
    assert_eq!(got["expand"]["author"]["team"], b.id("t1"));
    assert_eq!(got.as_object().map(|o| o.len()), Some(3), "{got}");

    // Lists: applied to each item, the pagination keys stay.
    let list = b
        .get(
            None,
            &format!(
                "/api/collections/posts/records?{}",
                encode_query(&[("fields", "title"), ("sort", "-title"), ("perPage", "2")])
            ),
        )
        .await;
    assert_eq!(
        list,
        json!({"page": 1, "perPage": 2, "totalItems": 3, "totalPages": 2,
            "items": [{"title": "third"}, {"title": "hello"}]})
    );
    // An empty list of fields changes nothing.
    let all = b.get(None, &b.post_path("p1", &[("fields", " , ")])).await;
    assert_eq!(all["title"], "hello");
    assert!(all.get("body").is_some());
}

#[tokio::test]
async fn invalid_fields_are_a_400_only_on_success() {
    let b = blog().await;
    for bad in [
        "title:excerpt(0)",
        "title:excerpt",
        "title:excerpt(1,2,3)",
        "title:nope(1)",
        "title,(b",
        "title:",
    ] {
        let q = [("fields", bad)];
        let (status, body) = b
            .srv
            .req(Method::GET, &b.post_path("p1", &q), None, None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body, err_body(400, MSG_SOMETHING_WRONG), "{bad}");
        let list = format!("/api/collections/posts/records?{}", encode_query(&q));
        let (status, _) = b.srv.req(Method::GET, &list, None, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "list {bad}");
    }
    // Error responses are sent as they are.
    let (status, body) = b
        .srv
        .req(
            Method::GET,
            "/api/collections/posts/records/missing00000000?fields=title:excerpt(0)",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, err_body(404, MSG_NOT_FOUND));
}

#[tokio::test]
async fn create_and_update_responses_take_expand_and_fields() {
    let b = blog().await;
    let create = format!(
        "/api/collections/posts/records?{}",
        encode_query(&[
            ("expand", "author.team,tags"),
            (
                "fields",
                "title,expand.author.name,expand.author.expand.team.name,expand.tags.name"
            ),
        ])
    );
    let (status, created) = b
        .srv
        .req(
            Method::POST,
            &create,
            None,
            Some(json!({"title": "new", "author": b.id("a1"), "tags": [b.id("go"), b.id("private")]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created,
        json!({"title": "new", "expand": {
            "author": {"name": "alice", "expand": {"team": {"name": "red"}}},
            "tags": [{"name": "go"}]
        }})
    );

    let (status, full) = b
        .srv
        .req(
            Method::POST,
            "/api/collections/posts/records",
            None,
            Some(json!({"title": "other"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    let id = full["id"].as_str().expect("id").to_string();
    let update = format!(
        "/api/collections/posts/records/{id}?{}",
        encode_query(&[
            ("expand", "author,comments_via_post"),
            ("fields", "id,expand")
        ])
    );
    let (status, updated) = b
        .srv
        .req(
            Method::PATCH,
            &update,
            Some(&b.user_token),
            Some(json!({"author": b.id("a2")})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(updated["expand"]["author"]["name"], "bob");
    assert!(updated["expand"].get("comments_via_post").is_none());
    assert_eq!(updated.as_object().map(|o| o.len()), Some(2), "{updated}");

    // A bad `fields` fails the response, not the write (PocketBase picks at the very end).
    let before = b.srv.count("posts").await;
    let (status, body) = b
        .srv
        .req(
            Method::POST,
            "/api/collections/posts/records?fields=title:excerpt(0)",
            None,
            Some(json!({"title": "still created"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, MSG_SOMETHING_WRONG));
    assert_eq!(b.srv.count("posts").await, before + 1);
}

#[tokio::test]
async fn managers_see_emails_of_expanded_auth_records() {
    let b = blog().await;
    let (status, body) = b
        .srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"viewRule": "", "manageRule": "@request.auth.email = 'u2@example.com'"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let path = format!(
        "/api/collections/authors/records/{}?expand=user",
        b.id("a1")
    );
    // u2 manages u1: the email shows although emailVisibility is off.
    let manager = b.get(Some(&b.other_token), &path).await;
    assert_eq!(manager["expand"]["user"]["email"], "u1@example.com");
    // Guests see the user but not its email.
    let guest = b.get(None, &path).await;
    assert_eq!(guest["expand"]["user"]["id"], b.id("u1"));
    assert!(guest["expand"]["user"].get("email").is_none(), "{guest}");
}
