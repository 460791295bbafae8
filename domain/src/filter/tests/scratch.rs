use super::fixtures::*;
use crate::collection::Rules;
use crate::sql::SqlValue;
use serde_json::json;

fn dump(env: &Env, cases: &[(&str, &[&str])], out: &mut Vec<serde_json::Value>) {
    for (e, ids) in cases {
        let c = env.compile(e);
        let params: Vec<serde_json::Value> = c
            .params
            .iter()
            .map(|p| match p {
                SqlValue::Null => json!(null),
                SqlValue::Integer(i) => json!(i),
                SqlValue::Real(f) => json!(f),
                SqlValue::Text(s) => json!(s),
                SqlValue::Blob(_) => json!(null),
            })
            .collect();
        out.push(
            json!({"expr": e, "sql": c.sql, "params": params, "ids": ids, "table": env.collection}),
        );
    }
}

#[test]
#[ignore]
fn scratch_dump() {
    let mut out = Vec::new();
    let env = Env::posts();
    dump(
        &env,
        &[
            ("title = 'Hello'", &["p1"]),
            ("title = ''", &["p2"]),
            ("title != ''", &["p1", "p3", "p4"]),
            ("title ~ 'hello'", &["p1", "p4"]),
            ("title ~ '_'", &["p3"]),
            ("title ~ 'x%z'", &["p3"]),
            ("title !~ 'hello'", &["p2", "p3"]),
            ("views >= 10 && published = true", &["p1", "p4"]),
            ("views > 1 || title = ''", &["p1", "p2", "p3", "p4"]),
            ("author.name = 'Ann'", &["p1"]),
            ("author.name = ''", &["p2"]),
            ("author.name != 'Ann'", &["p2", "p3", "p4"]),
            ("author.id = 'u1'", &["p1"]),
            ("tags.name ?= 'y'", &["p1"]),
            ("tags.name = 'x'", &["p3"]),
            ("tags.name ?= 'x' && tags.name ?= 'y'", &[]),
            ("tags.name ?= 'x' && tags.id ?= 'g1'", &["p1", "p3", "p4"]),
            ("tags.name ?= 'x' || tags.name ?= 'y'", &["p1", "p3", "p4"]),
            ("tags.id ?= 'g3' && title ~ 'world'", &["p4"]),
            ("comments_via_post.text ?~ 'hi'", &["p1"]),
            ("comments_via_post.likes.name ?= 'Bob'", &["p1"]),
            ("reviews_via_post.body = 'ok'", &["p3"]),
            ("reviews_via_post.body ?= 'ok'", &["p1", "p3"]),
            ("reviews_via_post.body ?!= 'ok'", &["p1", "p2", "p4"]),
            ("meta.a.0.b = 1", &["p1"]),
            ("meta.a.0.b > 0", &["p1", "p3"]),
            ("categories:each ?= 'b'", &["p1"]),
            ("categories:each = 'c'", &["p3"]),
            ("categories:length = 2", &["p1"]),
            ("categories:length = 0", &["p2"]),
            ("@collection.tags.name ?= 'z'", &["p1", "p2", "p3", "p4"]),
            (
                "@collection.tags:t.name ?= 'z' && @collection.tags:t.id ?= 'g3'",
                &["p1", "p2", "p3", "p4"],
            ),
            (
                "@collection.tags:t.name ?= 'z' && @collection.tags:t.id ?= 'g1'",
                &[],
            ),
            (
                "@collection.tags.id ?= tags.id && @collection.tags.name ?= 'z'",
                &["p4"],
            ),
            ("created > @todayStart", &["p2"]),
            (
                "geoDistance(location.lon, location.lat, 1.5, 2) < 100",
                &["p1"],
            ),
            ("strftime('%Y', created) = '2024'", &["p1", "p2", "p4"]),
            ("author.team.name = 'Red'", &["p1"]),
            ("author.team.owner.name = 'Ann'", &["p1"]),
            ("tags.name = tags.name", &["p1", "p3", "p4"]),
            ("title:lower = 'hello'", &["p1"]),
            ("status = 'a' || status = 'b'", &["p1", "p3"]),
            (
                "(status = 'a' || status = 'b') && author.name = 'Bob'",
                &["p3"],
            ),
            (
                "author.name ?= 'Bob' || (tags.name ?= 'z' && views > 1)",
                &["p3", "p4"],
            ),
        ],
        &mut out,
    );
    let env = Env::posts().request(user_request());
    dump(
        &env,
        &[
            ("@request.auth.id != ''", &["p1", "p2", "p3", "p4"]),
            ("@request.auth.team.name = 'Red'", &["p1", "p2", "p3", "p4"]),
            ("author = @request.auth.id", &["p1"]),
            ("@request.auth.roles:each ?= 'a'", &["p1", "p2", "p3", "p4"]),
            ("@request.auth.roles:each = 'a'", &[]),
            ("author.team = @request.auth.team", &["p1"]),
            ("@request.auth.data.level = 3", &["p1", "p2", "p3", "p4"]),
        ],
        &mut out,
    );
    let mut r = user_request();
    r.body = json!({"title": "Hello", "tags": ["g1", "g3"], "author": "u2"})
        .as_object()
        .cloned()
        .unwrap();
    let env = Env::posts().request(r);
    dump(
        &env,
        &[
            ("@request.body.tags.name ?= 'z'", &["p1", "p2", "p3", "p4"]),
            ("@request.body.tags.name = 'x'", &[]),
            ("@request.body.title:changed = true", &["p2", "p3", "p4"]),
            ("@request.body.title:changed = false", &["p1"]),
            ("@request.body.tags:each ?= tags.id", &["p1", "p3", "p4"]),
            (
                "@request.body.author.name = 'Bob'",
                &["p1", "p2", "p3", "p4"],
            ),
        ],
        &mut out,
    );
    let mut env = Env::posts().untrusted();
    for c in env.collections.iter_mut() {
        if c.name == "tags" {
            c.rules = Rules {
                list: Some("name != 'y'".into()),
                ..Rules::default()
            };
        }
    }
    dump(
        &env,
        &[
            ("tags.name ?= 'y'", &[]),
            ("tags.name ?= 'x'", &["p1", "p3", "p4"]),
            ("title = 'Hello' || tags.name ?= 'y'", &["p1"]),
        ],
        &mut out,
    );
    std::fs::write(
        "/tmp/filter_cases.json",
        serde_json::to_string_pretty(&out).unwrap(),
    )
    .unwrap();
}
