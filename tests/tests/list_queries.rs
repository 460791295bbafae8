//! List query options of `GET /api/collections/{collection}/records`:
//! `filter` (operators, logic, null/"" semantics, datetime macros, relation
//! and back-relation paths, JSON paths, `:lower`/`:length`/`:each`), `sort`
//! (several keys, relation fields, `@random`, `@rowid`), `page`/`perPage`/
//! `skipTotal` with a filter, and the errors of invalid or forbidden filters.
//!
//! Every expectation was checked against PocketBase v0.40.

mod common;

use common::*;

/// A 15-character record id from a short name (`"p1"` → `"p1xxxxxxxxxxxxx"`).
fn rid(short: &str) -> String {
    format!("{short:x<15}")
}

/// The short names of the records of a list response, in order.
fn shorts(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {list}"))
        .iter()
        .map(|r| {
            r["id"]
                .as_str()
                .expect("id")
                .trim_end_matches('x')
                .to_string()
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `GET /api/collections/{collection}/records?{params}`.
async fn list(
    srv: &TestServer,
    collection: &str,
    token: Option<&str>,
    params: &[(&str, &str)],
) -> (StatusCode, Value) {
    let path = format!(
        "/api/collections/{collection}/records?{}",
        encode_query(params)
    );
    srv.req(Method::GET, &path, token, None).await
}

/// Runs each `(filter, expected records)` case against `posts` and reports
/// all mismatches at once (the order of the items is not compared).
async fn check_filters(srv: &TestServer, token: Option<&str>, cases: &[(&str, &[&str])]) {
    check_filters_in(srv, "posts", token, cases).await;
}

async fn check_filters_in(
    srv: &TestServer,
    collection: &str,
    token: Option<&str>,
    cases: &[(&str, &[&str])],
) {
    let mut failures = Vec::new();
    for (filter, want) in cases {
        let (status, body) = list(
            srv,
            collection,
            token,
            &[("filter", filter), ("perPage", "100")],
        )
        .await;
        if status != StatusCode::OK {
            failures.push(format!("  {filter:?}: status {status}, body {body}"));
            continue;
        }
        let got = sorted(shorts(&body));
        let want = sorted(strs(want));
        if got != want || body["totalItems"] != json!(want.len()) {
            failures.push(format!(
                "  {filter:?}: expected {want:?}, got {got:?} (totalItems {})",
                body["totalItems"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} filters gave the wrong records:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `authors` (ann, bob, carl), `posts` (p1..p6) and `comments` (c1..c4), all
/// readable by anyone. `posts.secret` is hidden.
async fn blog(srv: &TestServer) {
    let authors = srv
        .create_collection(public("authors", json!([{"name": "name", "type": "text"}])))
        .await;
    let posts = srv
        .create_collection(public(
            "posts",
            json!([
                {"name": "title", "type": "text"},
                {"name": "n", "type": "number"},
                {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
                {"name": "status", "type": "select", "values": ["draft", "published"], "maxSelect": 1},
                {"name": "when", "type": "date"},
                {"name": "meta", "type": "json"},
                {"name": "author", "type": "relation", "collectionId": authors["id"], "maxSelect": 1},
                {"name": "editors", "type": "relation", "collectionId": authors["id"], "maxSelect": 5},
                {"name": "secret", "type": "text", "hidden": true},
                {"name": "ok", "type": "bool"},
                {"name": "note", "type": "text"},
                {"name": "created", "type": "autodate", "onCreate": true, "onUpdate": false},
                {"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true}
            ]),
        ))
        .await;
    srv.create_collection(public(
        "comments",
        json!([
            {"name": "text", "type": "text"},
            {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1}
        ]),
    ))
    .await;

    for (id, name) in [("ann", "Ann"), ("bob", "Bob"), ("carl", "carl")] {
        srv.create_record("authors", json!({"id": rid(id), "name": name}))
            .await;
    }
    let posts = [
        json!({"id": "p1", "title": "Alpha", "n": 1, "tags": ["a"], "status": "draft",
            "when": "2000-01-01 10:00:00.000Z",
            "meta": {"k": "x", "arr": [1, 2], "nested": {"v": 5}},
            "author": "ann", "editors": ["ann", "bob"], "secret": "s1", "ok": true, "note": ""}),
        json!({"id": "p2", "title": "beta", "n": 2, "tags": ["a", "b"], "status": "published",
            "when": "2999-01-01 10:00:00.000Z", "meta": {"k": "y", "arr": [3]},
            "author": "bob", "editors": ["bob"], "secret": "s2", "ok": false, "note": "hello"}),
        json!({"id": "p3", "title": "Gamma", "n": 3, "tags": ["b", "c"], "status": "published",
            "when": "", "meta": null,
            "author": "ann", "editors": [], "secret": "", "ok": true, "note": "world"}),
        json!({"id": "p4", "title": "delta", "n": 0, "tags": [], "status": "",
            "when": "2000-06-01 10:00:00.000Z", "meta": {"k": "x"},
            "author": "", "editors": ["carl"], "secret": "s4", "ok": false, "note": ""}),
        json!({"id": "p5", "title": "Epsilon", "n": -5, "tags": ["c"], "status": "draft",
            "when": "2999-06-01 10:00:00.000Z", "meta": {"k": "z", "nested": {"v": 10}},
            "author": "carl", "editors": ["ann", "bob", "carl"], "secret": "", "ok": false,
            "note": "hello world"}),
        json!({"id": "p6", "title": "ZETA", "n": 2.5, "tags": ["a", "b", "c"], "status": "published",
            "when": "2001-01-01 00:00:00.000Z", "meta": {"k": "X", "arr": []},
            "author": "bob", "editors": ["ann"], "secret": "s6", "ok": true, "note": "Hello"}),
    ];
    for mut post in posts {
        for key in ["id", "author"] {
            if let Some(s) = post[key].as_str().filter(|s| !s.is_empty()) {
                post[key] = json!(rid(s));
            }
        }
        let editors: Vec<String> = post["editors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| rid(e.as_str().unwrap()))
            .collect();
        post["editors"] = json!(editors);
        srv.create_record("posts", post).await;
    }
    for (id, post, text) in [
        ("c1", "p1", "nice post"),
        ("c2", "p1", "yes indeed"),
        ("c3", "p2", "meh"),
        ("c4", "p3", "yummy"),
    ] {
        srv.create_record(
            "comments",
            json!({"id": rid(id), "post": rid(post), "text": text}),
        )
        .await;
    }
}

/// A base collection anyone may list and view.
fn public(name: &str, fields: Value) -> Value {
    json!({"name": name, "type": "base", "listRule": "", "viewRule": "", "fields": fields})
}

#[tokio::test]
async fn filter_comparison_operators() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    check_filters(
        &srv,
        None,
        &[
            ("n = 2", &["p2"]),
            ("n != 2", &["p1", "p3", "p4", "p5", "p6"]),
            ("n > 2", &["p3", "p6"]),
            ("n >= 2", &["p2", "p3", "p6"]),
            ("n < 1", &["p4", "p5"]),
            ("n <= 1", &["p1", "p4", "p5"]),
            ("n = 2.5", &["p6"]),
            ("n > -1 && n < 1", &["p4"]),
            ("2 < n", &["p3", "p6"]),
            // `=` is case-sensitive, `~` (LIKE) is not.
            ("title = 'Alpha'", &["p1"]),
            ("title = \"alpha\"", &[]),
            ("title != 'Alpha'", &["p2", "p3", "p4", "p5", "p6"]),
            // `~` wraps the value in `%...%` unless it has a `%` of its own.
            ("title ~ 'ta'", &["p2", "p4", "p6"]),
            ("title !~ 'ta'", &["p1", "p3", "p5"]),
            ("title ~ 'a%'", &["p1"]),
            ("title ~ '%A'", &["p1", "p2", "p3", "p4", "p6"]),
            ("title !~ '%a'", &["p5"]),
            ("title > 'Z'", &["p2", "p4", "p6"]),
            ("ok = true", &["p1", "p3", "p6"]),
            ("ok = false", &["p2", "p4", "p5"]),
            ("ok != true", &["p2", "p4", "p5"]),
            ("status = 'draft'", &["p1", "p5"]),
            ("id = 'p3xxxxxxxxxxxxx'", &["p3"]),
            ("id ~ 'p'", &["p1", "p2", "p3", "p4", "p5", "p6"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn filter_logic_and_empty_values() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    check_filters(
        &srv,
        None,
        &[
            ("status = 'draft' && n > 0", &["p1"]),
            ("status = 'draft' || ok = true", &["p1", "p3", "p5", "p6"]),
            (
                "(status = 'published' || status = 'draft') && (n < 0 || title ~ 'al')",
                &["p1", "p5"],
            ),
            // `&&` binds tighter than `||`.
            (
                "status = 'published' || status = 'draft' && n < 0",
                &["p2", "p3", "p5", "p6"],
            ),
            (
                "(status = 'published' || status = 'draft') && n < 0",
                &["p5"],
            ),
            ("((n > 0) && ((ok = true)))", &["p1", "p3", "p6"]),
            // Empty values: "" and null match unset text, select, date and
            // relation fields alike.
            ("note = ''", &["p1", "p4"]),
            ("note = null", &["p1", "p4"]),
            ("note != ''", &["p2", "p3", "p5", "p6"]),
            ("note != null", &["p2", "p3", "p5", "p6"]),
            ("status = ''", &["p4"]),
            ("status = null", &["p4"]),
            ("when = ''", &["p3"]),
            ("when = null", &["p3"]),
            ("when != ''", &["p1", "p2", "p4", "p5", "p6"]),
            ("author = ''", &["p4"]),
            ("author != null", &["p1", "p2", "p3", "p5", "p6"]),
            ("n = 0", &["p4"]),
            ("n = null", &[]),
            ("'' = null", &["p1", "p2", "p3", "p4", "p5", "p6"]),
            ("note ~ 'hello'", &["p2", "p5", "p6"]),
            ("note !~ 'hello'", &["p1", "p3", "p4"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn filter_datetime_macros() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    check_filters(
        &srv,
        None,
        &[
            ("when > @now", &["p2", "p5"]),
            ("when < @now && when != ''", &["p1", "p4", "p6"]),
            // An unset date is "" and sorts before every date.
            ("when < @now", &["p1", "p3", "p4", "p6"]),
            ("when >= @tomorrow", &["p2", "p5"]),
            ("when <= @yesterday && when != ''", &["p1", "p4", "p6"]),
            ("when < @yearStart && when != null", &["p1", "p4", "p6"]),
            ("when > @yearEnd", &["p2", "p5"]),
            ("when > @monthEnd || when = ''", &["p2", "p3", "p5"]),
            ("when < @todayStart && when > '2000-12-31'", &["p6"]),
            ("when < '2000-06-01 10:00:00.001Z'", &["p1", "p3", "p4"]),
            ("when = '2000-06-01 10:00:00.000Z'", &["p4"]),
            (
                "created >= @todayStart && created <= @todayEnd && updated <= @now",
                &["p1", "p2", "p3", "p4", "p5", "p6"],
            ),
            ("created > @now", &[]),
            ("@year >= 2025 && n = 1", &["p1"]),
            ("@month >= 1 && @month <= 12 && n = 1", &["p1"]),
            ("@todayEnd > @todayStart && n = 1", &["p1"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn filter_relations_and_back_relations() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    check_filters(
        &srv,
        None,
        &[
            ("author.name = 'Ann'", &["p1", "p3"]),
            ("author.name != 'Ann'", &["p2", "p4", "p5", "p6"]),
            ("author.name ~ 'a'", &["p1", "p3", "p5"]),
            ("author.name:lower = 'ann'", &["p1", "p3"]),
            ("author = 'annxxxxxxxxxxxxx'", &[]),
            ("author = 'annxxxxxxxxxxxx'", &["p1", "p3"]),
            ("author.id = 'bobxxxxxxxxxxxx'", &["p2", "p6"]),
            // Multi relations: without `?` every related record must match.
            ("editors.name ?= 'Bob'", &["p1", "p2", "p5"]),
            ("editors.name = 'Bob'", &["p2"]),
            ("editors.name ?!= 'Bob'", &["p1", "p3", "p4", "p5", "p6"]),
            ("editors.name != 'Bob'", &["p3", "p4", "p6"]),
            ("editors.name ?~ 'a'", &["p1", "p4", "p5", "p6"]),
            ("editors.name ~ 'a'", &["p4", "p6"]),
            ("editors.id ?= 'carlxxxxxxxxxxx'", &["p4", "p5"]),
            ("editors.name ?> 'B'", &["p1", "p2", "p4", "p5"]),
            ("editors.name ?>= 'carl'", &["p4", "p5"]),
            ("editors.name ?< 'B'", &["p1", "p5", "p6"]),
            ("editors.name ?<= 'Bob'", &["p1", "p2", "p5", "p6"]),
            ("editors.name ?!~ 'a'", &["p1", "p2", "p5"]),
            ("editors.name < 'C'", &["p1", "p2", "p6"]),
            // Back-relations (`<collection>_via_<field>`).
            ("comments_via_post.text ?~ 'y'", &["p1", "p3"]),
            ("comments_via_post.text ~ 'y'", &["p3"]),
            ("comments_via_post.text = 'meh'", &["p2"]),
            ("comments_via_post.text ?!~ 'y'", &["p1", "p2"]),
            ("comments_via_post.text !~ 'y'", &["p2"]),
            ("comments_via_post.text ?= 'nice post'", &["p1"]),
            ("comments_via_post.id != ''", &["p1", "p2", "p3"]),
            ("comments_via_post.id = ''", &["p4", "p5", "p6"]),
            (
                "comments_via_post.text ?~ 'e' && author.name = 'Ann'",
                &["p1"],
            ),
        ],
    )
    .await;
    // Nested paths, from the comments.
    check_filters_in(
        &srv,
        "comments",
        None,
        &[
            ("post.author.name = 'Ann'", &["c1", "c2", "c4"]),
            ("post.author.name:lower = 'bob'", &["c3"]),
            ("post.editors.name ?= 'Bob'", &["c1", "c2", "c3"]),
            ("post.editors.name = 'Bob'", &["c3"]),
            ("post.comments_via_post.text ?~ 'nice'", &["c1", "c2"]),
            ("post.meta.k = 'x'", &["c1", "c2"]),
            ("post.tags:length = 2", &["c3", "c4"]),
            ("post.title ~ 'a' && text !~ 'e'", &["c4"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn filter_json_paths_and_modifiers() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    check_filters(
        &srv,
        None,
        &[
            // JSON paths.
            ("meta.k = 'x'", &["p1", "p4"]),
            ("meta.k = 'X'", &["p6"]),
            ("meta.k != 'x'", &["p2", "p3", "p5", "p6"]),
            // No modifiers on JSON paths: `k:lower` is the key `klower`.
            ("meta.k:lower = 'x'", &[]),
            ("meta.nested.v > 6", &["p5"]),
            ("meta.nested.v >= 5", &["p1", "p5"]),
            ("meta.arr.1 = 2", &["p1"]),
            ("meta.arr.0 = 3", &["p2"]),
            ("meta.missing = null", &["p1", "p2", "p3", "p4", "p5", "p6"]),
            ("meta = null", &["p3"]),
            ("meta.nested.v = null", &["p2", "p3", "p4", "p6"]),
            // :lower
            ("title:lower = 'zeta'", &["p6"]),
            ("title:lower ~ 'ta'", &["p2", "p4", "p6"]),
            ("note:lower = 'hello'", &["p2", "p6"]),
            // :length on multi-value fields.
            ("tags:length = 2", &["p2", "p3"]),
            ("tags:length = 0", &["p4"]),
            (
                "tags:length >= 1 && tags:length < 3",
                &["p1", "p2", "p3", "p5"],
            ),
            ("editors:length > 1", &["p1", "p5"]),
            ("editors:length = 0", &["p3"]),
            // :each on multi-value fields: without `?` every item must match.
            ("tags:each ?= 'a'", &["p1", "p2", "p6"]),
            ("tags:each = 'a'", &["p1"]),
            ("tags:each != 'c'", &["p1", "p2", "p4"]),
            // An empty array counts as one NULL item, which is `!=` anything.
            ("tags:each ?!= 'a'", &["p2", "p3", "p4", "p5", "p6"]),
            ("tags:each ~ 'c'", &["p5"]),
            ("editors:each ?= 'bobxxxxxxxxxxxx'", &["p1", "p2", "p5"]),
            // A multi-value field without a modifier is its JSON text.
            ("tags ~ 'b'", &["p2", "p3", "p6"]),
            ("tags = '[]'", &["p4"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn sort_keys() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    let mut failures = Vec::new();
    for (sort, want) in [
        ("n", vec!["p5", "p4", "p1", "p2", "p6", "p3"]),
        ("-n", vec!["p3", "p6", "p2", "p1", "p4", "p5"]),
        ("+n", vec!["p5", "p4", "p1", "p2", "p6", "p3"]),
        // Text sorts by byte value: upper case before lower case.
        ("title", vec!["p1", "p5", "p3", "p6", "p2", "p4"]),
        ("-title", vec!["p4", "p2", "p6", "p3", "p5", "p1"]),
        ("ok,-n", vec!["p2", "p4", "p5", "p3", "p6", "p1"]),
        ("-ok,n", vec!["p1", "p6", "p3", "p5", "p4", "p2"]),
        ("status,title", vec!["p4", "p1", "p5", "p3", "p6", "p2"]),
        ("-status, title", vec!["p3", "p6", "p2", "p1", "p5", "p4"]),
        // Relation fields: a post without an author sorts first.
        ("author.name,n", vec!["p4", "p1", "p3", "p2", "p6", "p5"]),
        ("-author.name,-n", vec!["p5", "p6", "p2", "p3", "p1", "p4"]),
        ("meta.k,-n", vec!["p3", "p6", "p1", "p4", "p2", "p5"]),
        ("when,n", vec!["p3", "p1", "p4", "p6", "p2", "p5"]),
        ("@rowid", vec!["p1", "p2", "p3", "p4", "p5", "p6"]),
        ("-@rowid", vec!["p6", "p5", "p4", "p3", "p2", "p1"]),
        ("tags:length,n", vec!["p4", "p5", "p1", "p2", "p3", "p6"]),
        ("title:lower", vec!["p1", "p2", "p4", "p5", "p3", "p6"]),
    ] {
        let (status, body) = list(&srv, "posts", None, &[("sort", sort)]).await;
        if status != StatusCode::OK {
            failures.push(format!("  sort={sort:?}: status {status}, body {body}"));
            continue;
        }
        let got = shorts(&body);
        if got != strs(&want) {
            failures.push(format!("  sort={sort:?}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} sorts gave the wrong order:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // @random: every record, once.
    for params in [
        &[("sort", "@random")][..],
        &[("sort", "@random,n"), ("perPage", "100")][..],
    ] {
        let (status, body) = list(&srv, "posts", None, params).await;
        assert_eq!(status, StatusCode::OK, "{params:?}: {body}");
        assert_eq!(body["totalItems"], 6);
        assert_eq!(
            sorted(shorts(&body)),
            strs(&["p1", "p2", "p3", "p4", "p5", "p6"])
        );
    }

    // Sort with a filter.
    let (status, body) = list(
        &srv,
        "posts",
        None,
        &[("filter", "ok = true"), ("sort", "-author.name,title")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(shorts(&body), strs(&["p6", "p1", "p3"]));
}

#[tokio::test]
async fn pagination_with_filter() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    // n != 0 leaves p1, p2, p3, p5, p6; sorted by n: p5, p1, p2, p6, p3.
    let page = |page: &'static str, per_page: &'static str, skip: Option<&'static str>| {
        let mut params = vec![
            ("filter", "n != 0"),
            ("sort", "n"),
            ("page", page),
            ("perPage", per_page),
        ];
        if let Some(skip) = skip {
            params.push(("skipTotal", skip));
        }
        params
    };
    for (params, want, total_items, total_pages, page_no, per_page) in [
        (page("1", "2", None), vec!["p5", "p1"], 5, 3, 1, 2),
        (page("2", "2", None), vec!["p2", "p6"], 5, 3, 2, 2),
        (page("3", "2", None), vec!["p3"], 5, 3, 3, 2),
        (page("4", "2", None), vec![], 5, 3, 4, 2),
        (
            page("1", "5", None),
            vec!["p5", "p1", "p2", "p6", "p3"],
            5,
            1,
            1,
            5,
        ),
        (page("2", "3", None), vec!["p6", "p3"], 5, 2, 2, 3),
        (page("2", "2", Some("1")), vec!["p2", "p6"], -1, -1, 2, 2),
        (page("3", "2", Some("true")), vec!["p3"], -1, -1, 3, 2),
        (page("2", "2", Some("false")), vec!["p2", "p6"], 5, 3, 2, 2),
    ] {
        let (status, body) = list(&srv, "posts", None, &params).await;
        assert_eq!(status, StatusCode::OK, "{params:?}: {body}");
        assert_eq!(shorts(&body), strs(&want), "{params:?}");
        assert_eq!(body["totalItems"], total_items, "{params:?}");
        assert_eq!(body["totalPages"], total_pages, "{params:?}");
        assert_eq!(body["page"], page_no, "{params:?}");
        assert_eq!(body["perPage"], per_page, "{params:?}");
    }

    // A filter that matches nothing.
    let (status, body) = list(
        &srv,
        "posts",
        None,
        &[("filter", "n > 100"), ("perPage", "2")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"items": [], "page": 1, "perPage": 2, "totalItems": 0, "totalPages": 0})
    );
}

/// A page past `i64::MAX` items is an empty page, not an overflow (found by schemathesis:
/// `page=9223372036854775807` was a 500); PocketBase answers an empty page too.
#[tokio::test]
async fn huge_page_numbers_are_empty_pages() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    for per_page in ["500", "-9223372036854775808", "1000"] {
        let params = [("page", "9223372036854775807"), ("perPage", per_page)];
        let (status, body) = list(&srv, "posts", None, &params).await;
        assert_eq!(status, StatusCode::OK, "{params:?}: {body}");
        assert_eq!(body["items"], json!([]), "{params:?}");
        assert_eq!(body["page"], json!(9223372036854775807_i64), "{params:?}");
        assert_eq!(body["totalItems"], 6, "{params:?}");
    }
    let su = srv.superuser_token().await;
    let (status, body) = srv
        .req(
            Method::GET,
            "/api/collections?page=9223372036854775807&perPage=10",
            Some(&su),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn invalid_filters_and_sorts_are_400() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    let su = srv.superuser_token().await;
    let bad = err_body(400, MSG_SOMETHING_WRONG);
    for (key, value) in [
        ("filter", "title ="),
        ("filter", "title = 'x"),
        ("filter", "(title = 'x'"),
        ("filter", "title == 'x'"),
        ("filter", "title = 'x' &&"),
        ("filter", "nope = 1"),
        ("filter", "author.nope = 1"),
        ("filter", "comments_via_nope.text = 1"),
        ("filter", "title:nope = 1"),
        ("filter", "title"),
        ("filter", "unknown()"),
        ("sort", "nope"),
        ("sort", "author.nope"),
        ("sort", "-"),
    ] {
        for token in [None, Some(su.as_str())] {
            let (status, body) = list(&srv, "posts", token, &[(key, value)]).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{key}={value:?} (superuser: {}): {body}",
                token.is_some()
            );
            assert_bad_param(&body, &bad, key, value);
        }
    }
}

/// PocketBase's 400 body; Basalt adds what is wrong under `data.<key>` (PocketBase sends
/// `data: {}`, so both shapes pass).
fn assert_bad_param(body: &Value, bad: &Value, key: &str, value: &str) {
    assert_eq!(body["status"], bad["status"], "{key}={value:?}: {body}");
    assert_eq!(body["message"], bad["message"], "{key}={value:?}: {body}");
    let data = body["data"].as_object().expect("data object");
    if !data.is_empty() {
        assert_eq!(data.len(), 1, "{key}={value:?}: {body}");
        assert_eq!(
            data[key]["code"],
            format!("validation_invalid_{key}"),
            "{key}={value:?}: {body}"
        );
        assert!(
            data[key]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{key}={value:?}: {body}"
        );
    }
}

#[tokio::test]
async fn request_and_collection_fields_in_filters_are_superuser_only() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    let (user, _) = srv.create_user("user@example.com", "Passw0rd!1234").await;
    for token in [None, Some(user.as_str())] {
        for (key, value, field) in [
            ("filter", "@collection.authors.name = 'Ann'", "@collection."),
            ("filter", "@request.auth.id != ''", "@request."),
            ("filter", "n > 0 || @request.method = 'GET'", "@request."),
            // The check is a plain substring match, even inside a string literal.
            ("filter", "title = '@request.x'", "@request."),
            ("sort", "@request.auth.id", "@request."),
            ("sort", "@collection.authors.name", "@collection."),
        ] {
            let (status, body) = list(&srv, "posts", token, &[(key, value)]).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{key}={value:?} (user: {}): {body}",
                token.is_some()
            );
            assert_eq!(
                body,
                err_body(403, &format!("Only superusers can filter by {field}")),
                "{key}={value:?}"
            );
        }
    }

    // Superusers may use both.
    let su = srv.superuser_token().await;
    for (filter, want) in [
        (
            "@collection.authors.name ?= author.name && n > 0",
            vec!["p1", "p2", "p3", "p6"],
        ),
        ("@request.auth.id != '' && n = 3", vec!["p3"]),
        (
            "@request.auth.collectionName = '_superusers' && n = 3",
            vec!["p3"],
        ),
        ("@request.method = 'GET' && n = 3", vec!["p3"]),
        (
            "@collection.comments.post ?= id && @collection.comments.text ?~ 'y'",
            vec!["p1", "p3"],
        ),
    ] {
        let (status, body) = list(&srv, "posts", Some(&su), &[("filter", filter)]).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {body}");
        assert_eq!(sorted(shorts(&body)), strs(&want), "{filter}");
    }
}

#[tokio::test]
async fn hidden_fields_are_filterable_by_superusers_only() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    let (user, _) = srv.create_user("user@example.com", "Passw0rd!1234").await;
    for token in [None, Some(user.as_str())] {
        for (key, value) in [
            ("filter", "secret = 's1'"),
            ("filter", "secret != ''"),
            ("filter", "n > 0 || secret = 's1'"),
            ("sort", "secret"),
            ("sort", "-secret"),
        ] {
            let (status, body) = list(&srv, "posts", token, &[(key, value)]).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{key}={value:?}: {body}");
            assert_bad_param(&body, &err_body(400, MSG_SOMETHING_WRONG), key, value);
        }
    }
    let su = srv.superuser_token().await;
    check_filters(
        &srv,
        Some(&su),
        &[
            ("secret = 's1'", &["p1"]),
            ("secret != ''", &["p1", "p2", "p4", "p6"]),
            ("secret = ''", &["p3", "p5"]),
            ("secret ~ 's' && n > 1", &["p2", "p6"]),
        ],
    )
    .await;
    let (status, body) = list(&srv, "posts", Some(&su), &[("sort", "-secret,n")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(shorts(&body), strs(&["p6", "p4", "p2", "p1", "p5", "p3"]));
    // Superusers also get the hidden field back.
    assert_eq!(body["items"][0]["secret"], "s6");
}

#[tokio::test]
async fn filtering_auth_records_by_email_respects_email_visibility() {
    let srv = TestServer::start().await;
    // Let every signed-in user list all users.
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"listRule": "@request.auth.id != ''"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (a, a_rec) = srv.create_user("a@example.com", "Passw0rd!1234").await;
    let (_b, b_rec) = srv.create_user("b@example.com", "Passw0rd!1234").await;
    let (_c, c_rec) = srv.create_user("c@example.com", "Passw0rd!1234").await;
    // c shows its email, a and b don't.
    let (status, body) = srv
        .su(
            Method::PATCH,
            &format!(
                "/api/collections/users/records/{}",
                c_rec["id"].as_str().unwrap()
            ),
            Some(json!({"emailVisibility": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let ids = |body: &Value| -> Vec<String> {
        sorted(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect(),
        )
    };
    let id = |rec: &Value| rec["id"].as_str().unwrap().to_string();
    let su = srv.superuser_token().await;
    let a_or_c = format!("email = 'c@example.com' || id = '{}'", id(&a_rec));
    for (who, token, filter, want) in [
        // Another user's hidden email can't be matched...
        ("a", a.as_str(), "email = 'b@example.com'", vec![]),
        ("a", a.as_str(), "email ~ 'b@'", vec![]),
        // ...nor one's own, as long as it's hidden.
        ("a", a.as_str(), "email = 'a@example.com'", vec![]),
        // A visible one can.
        ("a", a.as_str(), "email = 'c@example.com'", vec![id(&c_rec)]),
        ("a", a.as_str(), "email ~ 'example.com'", vec![id(&c_rec)]),
        // `!=` also only matches visible emails.
        (
            "a",
            a.as_str(),
            "email != 'x@example.com'",
            vec![id(&c_rec)],
        ),
        (
            "a",
            a.as_str(),
            "email:lower = 'c@example.com'",
            vec![id(&c_rec)],
        ),
        (
            "a",
            a.as_str(),
            a_or_c.as_str(),
            vec![id(&a_rec), id(&c_rec)],
        ),
        // Superusers see every email.
        (
            "su",
            su.as_str(),
            "email = 'b@example.com'",
            vec![id(&b_rec)],
        ),
        (
            "su",
            su.as_str(),
            "email ~ 'example.com'",
            vec![id(&a_rec), id(&b_rec), id(&c_rec)],
        ),
    ] {
        let (status, body) = list(&srv, "users", Some(token), &[("filter", filter)]).await;
        assert_eq!(status, StatusCode::OK, "{who} {filter}: {body}");
        assert_eq!(ids(&body), sorted(want), "{who} {filter}");
    }

    // The list itself still shows everyone; hidden emails are left out.
    let (status, body) = list(&srv, "users", Some(&a), &[("sort", "email")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["totalItems"], 3);
}

#[tokio::test]
async fn a_bad_filter_says_what_is_wrong_and_where() {
    let srv = TestServer::start().await;
    blog(&srv).await;
    let (status, body) = list(
        &srv,
        "posts",
        None,
        &[("filter", "title = 'x' && && n > 1")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["message"], MSG_SOMETHING_WRONG);
    // PocketBase answers `data: {}`; Basalt names the problem and its position.
    let on_basalt = std::env::var("BASALT_TEST_BIN").is_err();
    assert_eq!(body["data"].get("filter").is_some(), on_basalt, "{body}");
    if let Some(detail) = body["data"].get("filter") {
        assert_eq!(detail["code"], "validation_invalid_filter");
        let message = detail["message"].as_str().expect("message");
        assert!(message.contains("position 15"), "{message}");
    }
    let (_, body) = list(&srv, "posts", None, &[("sort", "nope")]).await;
    assert_eq!(body["data"].get("sort").is_some(), on_basalt, "{body}");
    if let Some(detail) = body["data"].get("sort") {
        assert_eq!(detail["code"], "validation_invalid_sort");
        assert!(
            detail["message"]
                .as_str()
                .expect("message")
                .contains("nope"),
            "{body}"
        );
    }
}
