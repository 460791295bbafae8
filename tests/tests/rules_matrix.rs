//! A rules matrix: guest / user A (the owner) / user B (another user) /
//! superuser × list / view / create / update / delete, on collections with
//! (a) an owner rule, (b) an `@collection` join rule, (c) `@request.body` and
//! `@request.query` checks, (d) "any signed-in user", (e) an auth collection's
//! `manageRule`, and `null` rules next to expressions.
//!
//! PocketBase's answers to a failing rule: list filters silently (200 with
//! fewer items), view/update/delete are 404, create is 400; a `null` rule is
//! 403 for everyone but superusers, who bypass all rules. A rejected write
//! leaves nothing behind. Every expectation was checked against PocketBase v0.40.

mod common;

use common::*;

const PASSWORD: &str = "Passw0rd!1234";

/// A 15-character record id from a short name (`"n1"` → `"n1xxxxxxxxxxxxx"`).
fn rid(short: &str) -> String {
    format!("{short:x<15}")
}

fn records(collection: &str) -> String {
    format!("/api/collections/{collection}/records")
}

fn record(collection: &str, id: &str) -> String {
    format!("/api/collections/{collection}/records/{id}")
}

/// The body PocketBase answers with for a rejected request of `method`.
fn error_body(method: &Method, status: u16) -> Option<Value> {
    match status {
        404 => Some(err_body(404, MSG_NOT_FOUND)),
        403 => Some(err_body(403, MSG_ONLY_SUPERUSERS)),
        400 if *method == Method::POST => Some(err_body(400, "Failed to create record.")),
        _ => None,
    }
}

/// Who sends a request: a label for the messages and the token, if any.
#[derive(Clone, Copy)]
struct As<'t>(&'t str, Option<&'t str>);

const GUEST: As<'static> = As("guest", None);

/// Runs requests and collects every mismatch, so that one run reports all of
/// a matrix's failures.
struct Checks<'a> {
    srv: &'a TestServer,
    failures: Vec<String>,
}

impl<'a> Checks<'a> {
    fn new(srv: &'a TestServer) -> Self {
        Checks {
            srv,
            failures: Vec::new(),
        }
    }

    /// Sends the request; records a failure unless the status is `status` and,
    /// for 403, 404 and a create's 400, the body is PocketBase's error body
    /// (or `want`, when given). Returns the body.
    async fn send(
        &mut self,
        who: As<'_>,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
        want: Option<Value>,
    ) -> Value {
        let label = format!(
            "{}: {method} {path} {}",
            who.0,
            body.clone().unwrap_or_default()
        );
        let want = want.or_else(|| error_body(&method, status));
        let (got_status, got) = self.srv.req(method, path, who.1, body).await;
        if got_status.as_u16() != status {
            self.failures.push(format!(
                "  {label}\n    expected {status}, got {got_status}: {got}"
            ));
        } else if let Some(want) = want
            && got != want
        {
            self.failures.push(format!(
                "  {label}\n    expected body {want}\n    got           {got}"
            ));
        }
        got
    }

    async fn get(&mut self, who: As<'_>, path: &str, status: u16) -> Value {
        self.send(who, Method::GET, path, None, status, None).await
    }

    async fn post(&mut self, who: As<'_>, path: &str, body: Value, status: u16) -> Value {
        self.send(who, Method::POST, path, Some(body), status, None)
            .await
    }

    async fn patch(&mut self, who: As<'_>, path: &str, body: Value, status: u16) -> Value {
        self.send(who, Method::PATCH, path, Some(body), status, None)
            .await
    }

    async fn delete(&mut self, who: As<'_>, path: &str, status: u16) {
        self.send(who, Method::DELETE, path, None, status, None)
            .await;
    }

    /// Lists `collection` (sorted by `@rowid`) and expects exactly the records
    /// `want`, in that order. Returns the body.
    async fn list(&mut self, who: As<'_>, collection: &str, want: &[&str]) -> Value {
        let path = format!("{}?sort=%40rowid&perPage=100", records(collection));
        let body = self.get(who, &path, 200).await;
        let Some(items) = body["items"].as_array() else {
            return body;
        };
        let got: Vec<&str> = items.iter().map(|r| r["id"].as_str().unwrap()).collect();
        if got != want || body["totalItems"] != json!(want.len()) {
            self.failures.push(format!(
                "  {}: list {collection}\n    expected {want:?}\n    got      {got:?} (totalItems {})",
                who.0, body["totalItems"]
            ));
        }
        body
    }

    /// Compares a value.
    fn check(&mut self, what: &str, got: &Value, want: Value) {
        if *got != want {
            self.failures
                .push(format!("  {what}: expected {want}, got {got}"));
        }
    }

    /// Checks `field` of a stored record, read as the superuser (`Null` if the
    /// record is gone).
    async fn stored(&mut self, what: &str, collection: &str, id: &str, field: &str, want: Value) {
        let (status, body) = self
            .srv
            .su(Method::GET, &record(collection, id), None)
            .await;
        let got = match status {
            StatusCode::NOT_FOUND => Value::Null,
            StatusCode::OK => body[field].clone(),
            _ => panic!("read back {collection}/{id}: {status} {body}"),
        };
        self.check(&format!("{what}: {collection}/{id}.{field}"), &got, want);
    }

    /// Checks the ids of all records of `collection`, read as the superuser.
    async fn all_ids(&mut self, what: &str, collection: &str, want: Value) {
        let path = format!("{}?sort=%40rowid&perPage=500", records(collection));
        let (status, body) = self.srv.su(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let ids: Vec<&str> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        self.check(&format!("{what}: {collection}"), &json!(ids), want);
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} mismatch(es):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// User A and user B (signed up in `users`) and the superuser.
struct Actors {
    a: String,
    a_id: String,
    b: String,
    b_id: String,
    su: String,
}

impl Actors {
    async fn new(srv: &TestServer) -> Actors {
        let (a, a_rec) = srv.create_user("a@example.com", PASSWORD).await;
        let (b, b_rec) = srv.create_user("b@example.com", PASSWORD).await;
        Actors {
            a,
            a_id: a_rec["id"].as_str().unwrap().to_string(),
            b,
            b_id: b_rec["id"].as_str().unwrap().to_string(),
            su: srv.superuser_token().await,
        }
    }

    fn a(&self) -> As<'_> {
        As("A", Some(&self.a))
    }

    fn b(&self) -> As<'_> {
        As("B", Some(&self.b))
    }

    fn su(&self) -> As<'_> {
        As("superuser", Some(&self.su))
    }
}

/// A base collection with the same rule for all five actions.
fn with_rule(name: &str, rule: &str, fields: Value) -> Value {
    json!({
        "name": name,
        "type": "base",
        "listRule": rule,
        "viewRule": rule,
        "createRule": rule,
        "updateRule": rule,
        "deleteRule": rule,
        "fields": fields
    })
}

fn relation(name: &str, collection_id: &Value) -> Value {
    json!({"name": name, "type": "relation", "collectionId": collection_id, "maxSelect": 1})
}

fn text(name: &str) -> Value {
    json!({"name": name, "type": "text"})
}

const USERS: &str = "_pb_users_auth_";

#[tokio::test]
async fn owner_rule() {
    let srv = TestServer::start().await;
    let who = Actors::new(&srv).await;
    let (guest, a, b, su) = (GUEST, who.a(), who.b(), who.su());
    let fields = json!([text("title"), relation("author", &json!(USERS))]);
    srv.create_collection(with_rule("notes", "author = @request.auth.id", fields))
        .await;
    let (na, nb) = (rid("na"), rid("nb"));
    for (id, title, author) in [(&na, "A's", &who.a_id), (&nb, "B's", &who.b_id)] {
        srv.create_record("notes", json!({"id": id, "title": title, "author": author}))
            .await;
    }
    let mut c = Checks::new(&srv);

    // list: filtered silently.
    c.list(guest, "notes", &[]).await;
    c.list(a, "notes", &[&na]).await;
    c.list(b, "notes", &[&nb]).await;
    c.list(su, "notes", &[&na, &nb]).await;

    // view
    let one = record("notes", &na);
    c.get(guest, &one, 404).await;
    c.get(b, &one, 404).await;
    let got = c.get(a, &one, 200).await;
    c.check("A views its note", &got["title"], json!("A's"));
    c.get(su, &one, 200).await;
    c.get(a, &record("notes", &nb), 404).await;

    // create: the rule runs against the new record.
    let path = records("notes");
    let for_a = json!({"title": "new", "author": who.a_id});
    c.post(guest, &path, for_a.clone(), 400).await;
    c.post(b, &path, for_a.clone(), 400).await;
    c.post(a, &path, json!({"title": "no author"}), 400).await;
    c.all_ids("rejected creates wrote nothing", "notes", json!([na, nb]))
        .await;
    let created = c.post(a, &path, for_a.clone(), 200).await;
    c.check("A's new note", &created["author"], json!(who.a_id));
    let created = c
        .post(su, &path, json!({"title": "su", "author": who.b_id}), 200)
        .await;
    c.check("superuser's new note", &created["author"], json!(who.b_id));
    // A guest's @request.auth.id is "", so a guest may create (and then see)
    // a note without author.
    let orphan = c.post(guest, &path, json!({"title": "orphan"}), 200).await;
    let orphan_id = orphan["id"].as_str().unwrap_or("missing").to_string();
    c.list(guest, "notes", &[&orphan_id]).await;

    // update: the rule runs against the stored record.
    let edit = json!({"title": "edited"});
    c.patch(guest, &one, edit.clone(), 404).await;
    c.patch(b, &one, edit.clone(), 404).await;
    // Taking over someone else's record by naming oneself as author fails too.
    c.patch(b, &one, json!({"author": who.b_id}), 404).await;
    c.stored(
        "after rejected updates",
        "notes",
        &na,
        "title",
        json!("A's"),
    )
    .await;
    c.stored(
        "after rejected updates",
        "notes",
        &na,
        "author",
        json!(who.a_id),
    )
    .await;
    let got = c.patch(a, &one, edit.clone(), 200).await;
    c.check("A's update", &got["title"], json!("edited"));
    let got = c
        .patch(su, &record("notes", &nb), json!({"title": "by su"}), 200)
        .await;
    c.check("superuser's update", &got["title"], json!("by su"));
    // The owner may give the record away: only the stored state is checked.
    let got = c.patch(a, &one, json!({"author": who.b_id}), 200).await;
    c.check("A hands over its note", &got["author"], json!(who.b_id));
    c.get(a, &one, 404).await;
    c.patch(b, &one, json!({"author": who.a_id}), 200).await;

    // delete
    c.delete(guest, &one, 404).await;
    c.delete(b, &one, 404).await;
    c.stored("after rejected deletes", "notes", &na, "id", json!(na))
        .await;
    c.delete(a, &one, 204).await;
    c.delete(a, &one, 404).await;
    c.delete(su, &record("notes", &nb), 204).await;
    c.stored("deleted", "notes", &na, "id", Value::Null).await;
    c.stored("deleted", "notes", &nb, "id", Value::Null).await;
    c.finish();
}

#[tokio::test]
async fn collection_join_rule() {
    let srv = TestServer::start().await;
    let who = Actors::new(&srv).await;
    let (guest, a, b, su) = (GUEST, who.a(), who.b(), who.su());
    let teams = srv
        .create_collection(json!({"name": "teams", "type": "base", "fields": [text("name")]}))
        .await;
    srv.create_collection(json!({
        "name": "memberships",
        "type": "base",
        "fields": [relation("user", &json!(USERS)), relation("team", &teams["id"])]
    }))
    .await;
    let member =
        "@collection.memberships.user ?= @request.auth.id && @collection.memberships.team ?= team";
    let fields = json!([text("title"), relation("team", &teams["id"])]);
    srv.create_collection(with_rule("docs", member, fields))
        .await;
    let (t1, t2) = (rid("t1"), rid("t2"));
    srv.create_record("teams", json!({"id": t1, "name": "one"}))
        .await;
    srv.create_record("teams", json!({"id": t2, "name": "two"}))
        .await;
    // A is in t1, B in t2.
    srv.create_record("memberships", json!({"user": who.a_id, "team": t1}))
        .await;
    srv.create_record("memberships", json!({"user": who.b_id, "team": t2}))
        .await;
    let (d1, d2, d3, d4) = (rid("d1"), rid("d2"), rid("d3"), rid("d4"));
    for (id, team) in [(&d1, &t1), (&d2, &t2), (&d3, &t1)] {
        srv.create_record("docs", json!({"id": id, "title": "doc", "team": team}))
            .await;
    }
    let mut c = Checks::new(&srv);

    // list
    c.list(guest, "docs", &[]).await;
    c.list(a, "docs", &[&d1, &d3]).await;
    c.list(b, "docs", &[&d2]).await;
    c.list(su, "docs", &[&d1, &d2, &d3]).await;

    // view
    let one = record("docs", &d1);
    c.get(guest, &one, 404).await;
    c.get(b, &one, 404).await;
    c.get(a, &one, 200).await;
    c.get(su, &one, 200).await;

    // create
    let path = records("docs");
    c.post(guest, &path, json!({"title": "x", "team": t1}), 400)
        .await;
    c.post(b, &path, json!({"title": "x", "team": t1}), 400)
        .await;
    c.post(a, &path, json!({"title": "x", "team": t2}), 400)
        .await;
    c.post(a, &path, json!({"title": "x"}), 400).await;
    c.all_ids(
        "rejected creates wrote nothing",
        "docs",
        json!([d1, d2, d3]),
    )
    .await;
    let created = c
        .post(a, &path, json!({"id": d4, "title": "x", "team": t1}), 200)
        .await;
    c.check("A's new doc", &created["team"], json!(t1));
    c.post(su, &path, json!({"title": "y"}), 200).await;

    // update
    let edit = json!({"title": "edited"});
    c.patch(guest, &one, edit.clone(), 404).await;
    c.patch(b, &one, edit.clone(), 404).await;
    c.stored("after rejected updates", "docs", &d1, "title", json!("doc"))
        .await;
    c.patch(a, &one, edit.clone(), 200).await;
    c.patch(su, &record("docs", &d2), edit.clone(), 200).await;
    c.stored("after updates", "docs", &d1, "title", json!("edited"))
        .await;

    // delete
    c.delete(guest, &one, 404).await;
    c.delete(b, &one, 404).await;
    c.delete(a, &record("docs", &d2), 404).await;
    c.stored("after rejected deletes", "docs", &d1, "id", json!(d1))
        .await;
    c.delete(a, &one, 204).await;
    c.delete(b, &record("docs", &d2), 204).await;

    // Memberships are read at request time: B joins t1.
    srv.create_record("memberships", json!({"user": who.b_id, "team": t1}))
        .await;
    c.list(b, "docs", &[&d3, &d4]).await;
    c.get(b, &record("docs", &d3), 200).await;
    c.finish();
}

#[tokio::test]
async fn request_body_and_query_rules() {
    let srv = TestServer::start().await;
    let who = Actors::new(&srv).await;
    let (guest, a, b, su) = (GUEST, who.a(), who.b(), who.su());
    srv.create_collection(json!({
        "name": "articles",
        "type": "base",
        "listRule": "",
        "viewRule": "",
        "createRule": "@request.auth.id != '' && @request.body.author = @request.auth.id \
            && @request.body.status:isset = false",
        "updateRule": "author = @request.auth.id && @request.body.title:changed = false \
            && (@request.body.author:isset = false || @request.body.author = @request.auth.id)",
        "deleteRule": "author = @request.auth.id && @request.query.confirm = 'yes'",
        "fields": [
            text("title"),
            relation("author", &json!(USERS)),
            {"name": "status", "type": "select", "values": ["draft", "published"], "maxSelect": 1}
        ]
    }))
    .await;
    let art = rid("art");
    srv.create_record(
        "articles",
        json!({"id": art, "title": "T", "author": who.a_id, "status": "draft"}),
    )
    .await;
    let mut c = Checks::new(&srv);

    c.list(guest, "articles", &[&art]).await;
    c.list(b, "articles", &[&art]).await;

    // create: @request.body.author must be the caller, status must not be sent.
    let path = records("articles");
    for (actor, body) in [
        (guest, json!({"title": "x", "author": who.a_id})),
        (a, json!({"title": "x", "author": who.b_id})),
        (a, json!({"title": "x"})),
        (
            a,
            json!({"title": "x", "author": who.a_id, "status": "draft"}),
        ),
        (a, json!({"title": "x", "author": who.a_id, "status": ""})),
        (b, json!({"title": "x", "author": who.a_id})),
    ] {
        c.post(actor, &path, body, 400).await;
    }
    c.all_ids("rejected creates wrote nothing", "articles", json!([art]))
        .await;
    let created = c
        .post(a, &path, json!({"title": "mine", "author": who.a_id}), 200)
        .await;
    c.check("A's article", &created["status"], json!(""));
    let body = json!({"title": "x", "author": who.b_id, "status": "published"});
    c.post(su, &path, body, 200).await;

    // update: the title can't change, the author only to oneself.
    let one = record("articles", &art);
    for (actor, body) in [
        (guest, json!({"status": "published"})),
        (b, json!({"status": "published"})),
        (a, json!({"title": "changed"})),
        (a, json!({"title": "changed", "status": "published"})),
        (a, json!({"author": who.b_id})),
        (a, json!({"author": ""})),
    ] {
        c.patch(actor, &one, body, 404).await;
    }
    c.stored(
        "after rejected updates",
        "articles",
        &art,
        "title",
        json!("T"),
    )
    .await;
    c.stored(
        "after rejected updates",
        "articles",
        &art,
        "author",
        json!(who.a_id),
    )
    .await;
    c.stored(
        "after rejected updates",
        "articles",
        &art,
        "status",
        json!("draft"),
    )
    .await;
    // Sending the same title is not a change.
    let got = c
        .patch(a, &one, json!({"title": "T", "status": "published"}), 200)
        .await;
    c.check("A's update", &got["status"], json!("published"));
    c.patch(a, &one, json!({"author": who.a_id, "status": "draft"}), 200)
        .await;
    let got = c.patch(su, &one, json!({"title": "su title"}), 200).await;
    c.check("superuser's update", &got["title"], json!("su title"));

    // delete: needs ?confirm=yes.
    let confirmed = format!("{one}?confirm=yes");
    c.delete(a, &one, 404).await;
    c.delete(a, &format!("{one}?confirm=no"), 404).await;
    c.delete(b, &confirmed, 404).await;
    c.delete(guest, &confirmed, 404).await;
    c.stored("after rejected deletes", "articles", &art, "id", json!(art))
        .await;
    c.delete(a, &confirmed, 204).await;
    c.stored("deleted", "articles", &art, "id", Value::Null)
        .await;
    c.finish();
}

#[tokio::test]
async fn any_signed_in_user_rule() {
    let srv = TestServer::start().await;
    let who = Actors::new(&srv).await;
    let fields = json!([text("title")]);
    srv.create_collection(with_rule("board", "@request.auth.id != ''", fields))
        .await;
    let (p1, p2) = (rid("p1"), rid("p2"));
    srv.create_record("board", json!({"id": p1, "title": "one"}))
        .await;
    srv.create_record("board", json!({"id": p2, "title": "two"}))
        .await;
    let mut c = Checks::new(&srv);
    let one = record("board", &p1);
    let path = records("board");

    // Guests (and an invalid token, which counts as a guest).
    for actor in [GUEST, As("bad token", Some("garbage"))] {
        c.list(actor, "board", &[]).await;
        c.get(actor, &one, 404).await;
        c.post(actor, &path, json!({"title": "x"}), 400).await;
        c.patch(actor, &one, json!({"title": "x"}), 404).await;
        c.delete(actor, &one, 404).await;
    }
    c.all_ids("rejected writes", "board", json!([p1, p2])).await;
    c.stored("rejected writes", "board", &p1, "title", json!("one"))
        .await;

    // Any signed-in user, and the superuser.
    for actor in [who.a(), who.b(), who.su()] {
        c.list(actor, "board", &[&p1, &p2]).await;
        let got = c.get(actor, &one, 200).await;
        c.check(&format!("{} views", actor.0), &got["id"], json!(p1));
        let created = c.post(actor, &path, json!({"title": actor.0}), 200).await;
        let new_one = record("board", created["id"].as_str().unwrap_or("missing"));
        let got = c
            .patch(actor, &new_one, json!({"title": "edited"}), 200)
            .await;
        c.check(
            &format!("{} updates", actor.0),
            &got["title"],
            json!("edited"),
        );
        c.delete(actor, &new_one, 204).await;
    }
    c.all_ids("after the writes", "board", json!([p1, p2]))
        .await;
    c.finish();
}

#[tokio::test]
async fn null_rules_next_to_expressions() {
    let srv = TestServer::start().await;
    let who = Actors::new(&srv).await;
    // Only list and view are open (to signed-in users); writes are locked.
    srv.create_collection(json!({
        "name": "locked",
        "type": "base",
        "listRule": "@request.auth.id != ''",
        "viewRule": "@request.auth.id != ''",
        "createRule": null,
        "updateRule": null,
        "deleteRule": null,
        "fields": [text("title")]
    }))
    .await;
    let p1 = rid("p1");
    srv.create_record("locked", json!({"id": p1, "title": "one"}))
        .await;
    let mut c = Checks::new(&srv);
    let one = record("locked", &p1);
    let missing = record("locked", &rid("nope"));
    let path = records("locked");
    for actor in [GUEST, who.a(), who.b()] {
        c.post(actor, &path, json!({"title": "x"}), 403).await;
        c.patch(actor, &one, json!({"title": "x"}), 403).await;
        c.delete(actor, &one, 403).await;
        // The null rule is checked before the record is looked up.
        c.patch(actor, &missing, json!({"title": "x"}), 403).await;
        c.delete(actor, &missing, 403).await;
    }
    c.list(GUEST, "locked", &[]).await;
    c.list(who.a(), "locked", &[&p1]).await;
    c.get(GUEST, &one, 404).await;
    c.get(who.b(), &one, 200).await;
    c.all_ids("nothing written", "locked", json!([p1])).await;
    c.stored("nothing written", "locked", &p1, "title", json!("one"))
        .await;
    // The superuser bypasses the null rules.
    let su = who.su();
    c.patch(su, &one, json!({"title": "su"}), 200).await;
    c.post(su, &path, json!({"title": "new"}), 200).await;
    c.delete(su, &one, 204).await;
    c.delete(su, &missing, 404).await;
    c.finish();
}

#[tokio::test]
async fn auth_collection_manage_rule() {
    let srv = TestServer::start().await;
    // Managers are users with role "admin" (`role` is hidden: only the
    // superuser sets it).
    let (status, users) = srv.su(Method::GET, "/api/collections/users", None).await;
    assert_eq!(status, StatusCode::OK, "{users}");
    let mut fields = users["fields"].as_array().unwrap().clone();
    fields.push(json!({"name": "role", "type": "text", "hidden": true}));
    let self_or_manager = "id = @request.auth.id || @request.auth.role = 'admin'";
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({
                "fields": fields,
                "listRule": self_or_manager,
                "viewRule": self_or_manager,
                "updateRule": self_or_manager,
                "deleteRule": "id = @request.auth.id",
                "manageRule": "@request.auth.role = 'admin'"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["manageRule"], "@request.auth.role = 'admin'");
    let who = Actors::new(&srv).await;
    let (_, c_rec) = srv.create_user("c@example.com", PASSWORD).await;
    let c_id = c_rec["id"].as_str().unwrap().to_string();
    let (status, body) = srv
        .su(
            Method::PATCH,
            &record("users", &who.a_id),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A's token predates the role: @request.auth is loaded per request.
    let (guest, a, b) = (GUEST, As("A (manager)", Some(&who.a)), who.b());
    let mut c = Checks::new(&srv);
    let user_b = record("users", &who.b_id);
    let user_c = record("users", &c_id);
    let invalid = |action: &str, field: &str, code: &str, message: &str| {
        json!({
            "status": 400,
            "message": format!("Failed to {action} record."),
            "data": {field: {"code": code, "message": message}}
        })
    };
    let mismatch = |action: &str, field: &str| {
        invalid(
            action,
            field,
            "validation_values_mismatch",
            "Values don't match.",
        )
    };

    // Managers also see the emails of the records they manage, whatever
    // their emailVisibility.
    let list = c.list(a, "users", &[&who.a_id, &who.b_id, &c_id]).await;
    let emails: Vec<Value> = (0..3).map(|i| list["items"][i]["email"].clone()).collect();
    c.check(
        "emails listed for the manager",
        &json!(emails),
        json!(["a@example.com", "b@example.com", "c@example.com"]),
    );
    let got = c.get(a, &user_c, 200).await;
    c.check(
        "email viewed by the manager",
        &got["email"],
        json!("c@example.com"),
    );
    c.list(b, "users", &[&who.b_id]).await;

    // B on C: the updateRule fails first.
    c.patch(b, &user_c, json!({"name": "x"}), 404).await;
    c.patch(guest, &user_b, json!({"name": "x"}), 404).await;

    // B on itself, without manage access: no direct email or verified
    // changes, and a password change needs the old password.
    let patch = Method::PATCH;
    let email = json!({"email": "b2@example.com"});
    c.send(
        b,
        patch.clone(),
        &user_b,
        Some(email),
        400,
        Some(mismatch("update", "email")),
    )
    .await;
    let verified = json!({"verified": true});
    let want = mismatch("update", "verified");
    c.send(b, patch.clone(), &user_b, Some(verified), 400, Some(want))
        .await;
    let password = json!({"password": "NewPassw0rd!1", "passwordConfirm": "NewPassw0rd!1"});
    let want = invalid(
        "update",
        "oldPassword",
        "validation_required",
        "Cannot be blank.",
    );
    c.send(b, patch.clone(), &user_b, Some(password), 400, Some(want))
        .await;
    c.stored(
        "after rejected updates",
        "users",
        &who.b_id,
        "email",
        json!("b@example.com"),
    )
    .await;
    c.stored(
        "after rejected updates",
        "users",
        &who.b_id,
        "verified",
        json!(false),
    )
    .await;
    // Hidden fields can't be written by non-superusers (silently ignored).
    let got = c
        .patch(b, &user_b, json!({"role": "admin", "name": "Bee"}), 200)
        .await;
    c.check("B's update", &got["name"], json!("Bee"));
    c.stored("B's update", "users", &who.b_id, "role", json!(""))
        .await;

    // A manages B: email, verified and password without oldPassword.
    let body = json!({
        "email": "b2@example.com",
        "verified": true,
        "password": "NewPassw0rd!1",
        "passwordConfirm": "NewPassw0rd!1"
    });
    let got = c.patch(a, &user_b, body, 200).await;
    c.check("managed email", &got["email"], json!("b2@example.com"));
    c.check("managed verified", &got["verified"], json!(true));
    c.stored(
        "managed",
        "users",
        &who.b_id,
        "email",
        json!("b2@example.com"),
    )
    .await;
    // B's old token died with the password change; the new password works.
    c.get(As("B (old token)", Some(&who.b)), &user_b, 404).await;
    let (b_new, _) = srv.login("users", "b2@example.com", "NewPassw0rd!1").await;
    let b = As("B (new token)", Some(&b_new));
    c.get(b, &user_b, 200).await;
    // Manage access doesn't widen the other rules: A can't delete B.
    c.delete(a, &user_b, 404).await;
    c.stored("not deleted", "users", &who.b_id, "id", json!(who.b_id))
        .await;

    // create: a manager may create verified users, a guest may not.
    let path = records("users");
    let new_user = |email: &str| {
        json!({
            "email": email,
            "password": PASSWORD,
            "passwordConfirm": PASSWORD,
            "verified": true
        })
    };
    let want = mismatch("create", "verified");
    c.send(
        guest,
        Method::POST,
        &path,
        Some(new_user("d@example.com")),
        400,
        Some(want.clone()),
    )
    .await;
    c.send(
        b,
        Method::POST,
        &path,
        Some(new_user("d@example.com")),
        400,
        Some(want),
    )
    .await;
    let ids = json!([who.a_id, who.b_id, c_id]);
    c.all_ids("rejected creates wrote nothing", "users", ids)
        .await;
    let created = c.post(a, &path, new_user("e@example.com"), 200).await;
    c.check("manager-created user", &created["verified"], json!(true));
    c.finish();
}
