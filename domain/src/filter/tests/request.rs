//! `@request.*`.

use super::fixtures::*;
use crate::filter::RequestInfo;
use crate::sql::SqlValue;
use serde_json::json;

fn with_body(body: serde_json::Value) -> RequestInfo {
    let mut r = user_request();
    r.body = body.as_object().cloned().unwrap_or_default();
    r
}

#[test]
fn guests_have_an_empty_auth() {
    let env = Env::posts();
    check(&env, "@request.auth.id = ''", "'' = ''", &[]);
    check(&env, "@request.auth.id != ''", "'' IS NOT ''", &[]);
    check(&env, "@request.auth.id = null", "'' = ''", &[]);
    check(
        &env,
        "author = @request.auth.id",
        "(`posts`.`author` = '' OR `posts`.`author` IS NULL)",
        &[],
    );
    check(&env, "@request.auth.name = 'x'", "'' = ?", &[t("x")]);
    check(&env, "@request.auth.team.name ?= 'x'", "'' = ?", &[t("x")]);
    check(&env, "@request.auth.verified = true", "'' = 1", &[]);
}

#[test]
fn plain_auth_fields_come_from_the_request() {
    let env = Env::posts().request(user_request());
    check(&env, "@request.auth.id != ''", "? IS NOT ''", &[t("u1")]);
    check(
        &env,
        "author = @request.auth.id",
        "`posts`.`author` = ?",
        &[t("u1")],
    );
    check(&env, "@request.auth.verified = true", "? = 1", &[i(1)]);
    check(
        &env,
        "@request.auth.emailVisibility = false",
        "? = 0",
        &[i(0)],
    );
    check(
        &env,
        "@request.auth.email = 'a'",
        "? = ?",
        &[t("ann@example.com"), t("a")],
    );
    check(
        &env,
        "@request.auth.collectionName = 'users'",
        "? = ?",
        &[t("users"), t("users")],
    );
    check(
        &env,
        "@request.auth.collectionId = 'x'",
        "? = ?",
        &[t("_pb_users_auth_"), t("x")],
    );
}

#[test]
fn other_auth_fields_join_the_auth_record() {
    let env = Env::posts().request(user_request());
    let auth = " LEFT JOIN `users` `__j1` ON `__j1`.`id` = ?";
    check(
        &env,
        "@request.auth.name = 'Ann'",
        &format!("EXISTS (SELECT 1 FROM (SELECT 1){auth} WHERE `__j1`.`name` = ?)"),
        &[t("u1"), t("Ann")],
    );
    check(
        &env,
        "@request.auth.team.owner = author",
        &format!(
            "EXISTS (SELECT 1 FROM (SELECT 1){auth} LEFT JOIN `teams` `__j2` ON `__j2`.`id` = `__j1`.`team` WHERE COALESCE(`__j2`.`owner`, '') = COALESCE(`posts`.`author`, ''))"
        ),
        &[t("u1")],
    );
    check(
        &env,
        "@request.auth.roles:each ?= 'a'",
        &format!(
            "EXISTS (SELECT 1 FROM (SELECT 1){auth} LEFT JOIN json_each(CASE WHEN iif(json_valid(`__j1`.`roles`), json_type(`__j1`.`roles`)='array', FALSE) THEN `__j1`.`roles` ELSE json_array(`__j1`.`roles`) END) `__j2` WHERE `__j2`.`value` = ?)"
        ),
        &[t("u1"), t("a")],
    );
    // Unknown auth fields read as NULL.
    check(&env, "@request.auth.nope = 'x'", "'' = ?", &[t("x")]);
    check(&env, "@request.auth.nope.deeper > 1", "NULL > ?", &[i(1)]);
}

#[test]
fn static_request_values() {
    let mut r = user_request();
    r.method = "POST".into();
    r.context = "oauth2".into();
    r.query = json!({"page": "2", "q": "a", "empty": ""})
        .as_object()
        .cloned()
        .unwrap_or_default();
    r.headers = json!({"x_token": "abc", "Content-Type": "json"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let env = Env::posts().request(r);
    check(
        &env,
        "@request.method = 'POST'",
        "? = ?",
        &[t("POST"), t("POST")],
    );
    check(
        &env,
        "@request.context != 'default'",
        "? IS NOT ?",
        &[t("oauth2"), t("default")],
    );
    check(
        &env,
        "@request.query.q = title",
        "? = `posts`.`title`",
        &[t("a")],
    );
    check(&env, "@request.query.empty = ''", "'' = ''", &[]);
    check(&env, "@request.query.missing = ''", "'' = ''", &[]);
    check(&env, "@request.query.missing > 1", "NULL > ?", &[i(1)]);
    check(
        &env,
        "@request.headers.x_token = 'abc'",
        "? = ?",
        &[t("abc"), t("abc")],
    );
    // Header names are matched lower-cased with `-` as `_`.
    check(
        &env,
        "@request.headers.content_type = 'json'",
        "? = ?",
        &[t("json"), t("json")],
    );
    check(
        &env,
        "@request.query.q:lower = 'a'",
        "LOWER(?) = ?",
        &[t("a"), t("a")],
    );
    check(&env, "@request.query.q:isset = true", "TRUE = 1", &[]);
    check(&env, "@request.query.nope:isset = true", "FALSE = 1", &[]);
}

#[test]
fn body_values() {
    let env = Env::posts().request(with_body(json!({
        "title": "New",
        "views": "10",
        "published": true,
        "categories": ["a", "b"],
        "meta": {"k": [1, 2]},
        "nothing": null,
        "extra": {"deep": {"er": 5}}
    })));
    check(
        &env,
        "@request.body.title = 'New'",
        "? = ?",
        &[t("New"), t("New")],
    );
    // Numeric text for a number field is read as a number (multipart bodies).
    check(&env, "@request.body.views > 5", "? > ?", &[i(10), i(5)]);
    check(&env, "@request.body.published = true", "? = 1", &[i(1)]);
    check(
        &env,
        "@request.body.categories = 'x'",
        "? = ?",
        &[t("[\"a\",\"b\"]"), t("x")],
    );
    check(&env, "@request.body.meta.k.1 = 2", "? = ?", &[i(2), i(2)]);
    check(
        &env,
        "@request.body.extra.deep.er = 5",
        "? = ?",
        &[i(5), i(5)],
    );
    check(&env, "@request.body.nothing = null", "'' = ''", &[]);
    check(&env, "@request.body.nothing:isset = true", "TRUE = 1", &[]);
    check(&env, "@request.body.missing:isset = true", "FALSE = 1", &[]);
}

#[test]
fn body_modifiers() {
    let env = Env::posts().request(with_body(json!({
        "title": "New",
        "tags": ["g1", "g2"],
        "categories": ["a", "b"],
        "status": "a"
    })));
    check(&env, "@request.body.tags:length > 1", "2 > ?", &[i(1)]);
    check(&env, "@request.body.files:length = 0", "0 = ?", &[i(0)]);
    check(&env, "@request.body.status:length = 1", "1 = ?", &[i(1)]);
    check(
        &env,
        "@request.body.title:lower = 'new'",
        "LOWER(?) = ?",
        &[t("New"), t("new")],
    );
    check(
        &env,
        "@request.body.categories:each ?= 'a'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(?) `__j1` WHERE `__j1`.`value` = ?)",
        &[t("[\"a\",\"b\"]"), t("a")],
    );
    check(
        &env,
        "@request.body.categories:each != 'c'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(?) `__j1` WHERE (`__j1`.`value` IS NOT ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(?) `__j2` WHERE NOT (`__j2`.`value` IS NOT ?))))",
        &[t("[\"a\",\"b\"]"), t("c"), t("[\"a\",\"b\"]"), t("c")],
    );
    check(
        &env,
        "@request.body.status:each ?= 'a'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(?) `__j1` WHERE `__j1`.`value` = ?)",
        &[t("[\"a\"]"), t("a")],
    );
}

#[test]
fn body_changed() {
    let env = Env::posts().request(with_body(json!({"title": "New"})));
    check(
        &env,
        "@request.body.title:changed = false",
        "(TRUE = 1 AND ? IS NOT `posts`.`title`) IS 0",
        &[t("New")],
    );
    check(
        &env,
        "@request.body.views:changed = true",
        "(FALSE = 1 AND ('' IS NOT `posts`.`views` AND `posts`.`views` IS NOT NULL)) IS 1",
        &[],
    );
}

#[test]
fn body_relations() {
    let env = Env::posts().request(with_body(
        json!({"author": "u2", "tags": ["g1", "g2", "g1", ""]}),
    ));
    check(
        &env,
        "@request.body.author.name = 'Bob'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `users` `__j1` ON `__j1`.`id` = ? WHERE `__j1`.`name` = ?)",
        &[t("u2"), t("Bob")],
    );
    check(
        &env,
        "@request.body.tags.name ?= 'x'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `tags` `__j1` ON `__j1`.`id` IN (?, ?) WHERE `__j1`.`name` = ?)",
        &[t("g1"), t("g2"), t("x")],
    );
    check(
        &env,
        "@request.body.tags.name = 'x'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `tags` `__j1` ON `__j1`.`id` IN (?, ?) WHERE (`__j1`.`name` = ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `tags` `__j2` ON `__j2`.`id` IN (?, ?) WHERE NOT (`__j2`.`name` = ?))))",
        &[t("g1"), t("g2"), t("x"), t("g1"), t("g2"), t("x")],
    );
    // No ids: NULL.
    let env = Env::posts().request(with_body(json!({"tags": []})));
    check(&env, "@request.body.tags.name ?= 'x'", "'' = ?", &[t("x")]);
    check(
        &env,
        "@request.body.author.name ?= 'x'",
        "'' = ?",
        &[t("x")],
    );
}

#[test]
fn request_values_are_params_never_sql() {
    let mut r = user_request();
    r.query = json!({"q": "') OR 1=1 --"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let env = Env::posts().request(r);
    let c = env.compile("title = @request.query.q");
    assert_eq!(c.sql, "`posts`.`title` = ?");
    assert_eq!(c.params, vec![SqlValue::Text("') OR 1=1 --".into())]);
}
