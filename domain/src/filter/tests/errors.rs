//! Errors: unknown fields, bad modifiers, type errors, rule validation.

use super::fixtures::*;
use crate::filter::{FilterError, validate_rule};
use serde_json::json;

#[track_caller]
fn unknown(env: &Env, expr: &str, name: &str) {
    assert_eq!(
        env.try_compile(expr).err(),
        Some(FilterError::UnknownField { name: name.into() }),
        "{expr}"
    );
}

#[track_caller]
fn invalid(env: &Env, expr: &str) {
    assert!(
        matches!(env.try_compile(expr), Err(FilterError::Invalid { .. })),
        "{expr}: {:?}",
        env.try_compile(expr)
    );
}

#[test]
fn unknown_fields() {
    let env = Env::posts();
    unknown(&env, "nope = 1", "nope");
    unknown(&env, "title = nope", "nope");
    unknown(&env, "author.nope = 1", "author.nope");
    unknown(&env, "tags.nope ?= 1", "tags.nope");
    unknown(&env, "nope_via_post.text = 1", "nope_via_post.text");
    unknown(&env, "comments_via_nope.text = 1", "comments_via_nope.text");
    unknown(&env, "@nope = 1", "@nope");
    unknown(&env, "@request = 1", "@request");
    unknown(&env, "@request.auth = 1", "@request.auth");
    unknown(&env, "@request.nope.x = 1", "@request.nope.x");
    unknown(&env, "#x = 1", "#x");
    unknown(&env, "@collection.tags = 1", "@collection.tags");
    unknown(&env, "@collection.tags.nope = 1", "@collection.tags.nope");
    unknown(&env, "geoDistance(a, 1, 2, 3) > 1", "a");
}

#[test]
fn invalid_expressions() {
    let env = Env::posts();
    invalid(&env, "title.name = 1");
    unknown(&env, "meta.:.a = 1", "meta.:.a");
    invalid(&env, "title:nope = 1");
    invalid(&env, "@collection.nope.name = 1");
    invalid(&env, "title = {:missing}");
    // A back-relation field must point to this collection.
    invalid(&env, "comments_via_likes.text = 1");
    invalid(&env, "comments_via_text.text = 1");
    invalid(&env, "@request.body.title:each = 1");
    invalid(&env, "@request.body.title:length = 1");
    invalid(&env, "@request.body.nope:changed = 1");
    invalid(&env, "@request.query.q:each = 1");
    invalid(
        &env,
        "views = 1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111",
    );
}

#[test]
fn request_paths_never_fail_on_missing_data() {
    let env = Env::posts().request(user_request());
    for expr in [
        "@request.body.nope = 1",
        "@request.body.a.b.c = 1",
        "@request.query.x.y = 1",
        "@request.headers.nope = 1",
        "@request.auth.nope.nope = 1",
        "@request.auth.comments_via_nope.x = 1",
        "@request.body.author.nope = 1",
    ] {
        assert!(env.try_compile(expr).is_ok(), "{expr}");
    }
}

#[test]
fn error_messages() {
    let env = Env::posts();
    assert_eq!(
        env.try_compile("nope = 1").err().map(|e| e.to_string()),
        Some("unknown field \"nope\"".into())
    );
    assert_eq!(
        env.try_compile("title = {:x}").err().map(|e| e.to_string()),
        Some("invalid filter: missing value for placeholder {:x}".into())
    );
    assert_eq!(
        env.try_compile("title = 'x").err(),
        Some(FilterError::Syntax {
            position: 8,
            message: "unterminated quoted text".into()
        })
    );
}

#[test]
fn validate_rules() {
    let all = schema();
    let posts = &all[2];
    for ok in [
        "",
        "@request.auth.id != ''",
        "author = @request.auth.id && @request.auth.verified = true",
        "@request.body.title:isset = false || @request.body.title:changed = false",
        "@request.body.tags.name ?= 'x'",
        "@request.auth.anything.at.all = 1",
        "tags.name ?= 'x' && comments_via_post.text != ''",
        "@collection.comments.post ?= id",
        "created > @now",
        "@request.query.page = '1' && @request.headers.x_token != ''",
    ] {
        assert_eq!(validate_rule(ok, posts, &all), Ok(()), "{ok}");
    }
    assert_eq!(
        validate_rule("nope = 1", posts, &all),
        Err(FilterError::UnknownField {
            name: "nope".into()
        })
    );
    assert!(matches!(
        validate_rule("title = ", posts, &all),
        Err(FilterError::Syntax { position: 8, .. })
    ));
    assert!(validate_rule("title = {:p}", posts, &all).is_err());
    assert!(validate_rule("@request.body.title:each ?= 1", posts, &all).is_err());
    assert!(validate_rule("@collection.nope.id = 1", posts, &all).is_err());
}

#[test]
fn placeholder_values_of_any_json_type() {
    let env = Env::posts().params(json!({"o": {"a": 1}}));
    check(
        &env,
        "meta = {:o}",
        "(CASE WHEN json_valid(`posts`.`meta`) THEN JSON_EXTRACT(`posts`.`meta`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`meta`), ?) END) IS ?",
        &[t("$"), t("$.pb"), t("{\"a\":1}")],
    );
}
