//! Property tests: printing round-trips, values never reach SQL text, nothing panics.

use super::fixtures::*;
use crate::filter::lexer::{is_valid_ident, is_valid_number, is_valid_placeholder};
use crate::filter::{Expr, Macro, Op, Operand, parse};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

fn is_reserved(name: &str) -> bool {
    ["null", "true", "false"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(name))
        || Macro::from_name(name).is_some()
}

fn field_name() -> impl Strategy<Value = String> {
    (
        select(vec!["", "", "", "@request.", "@collection.", "_", "#", "@"]),
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}(\\.[a-zA-Z0-9_]{1,5}){0,3}(:[a-z]{1,6}){0,2}",
    )
        .prop_map(|(p, b)| format!("{p}{b}"))
        .prop_filter("a valid, non-reserved identifier", |s| {
            is_valid_ident(s) && !is_reserved(s)
        })
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\"'\\\\ a%_()&|=]{0,8}", "[a-z ]{0,10}",]
        .prop_filter("not ending with a backslash", |s| !s.ends_with('\\'))
}

fn number() -> impl Strategy<Value = String> {
    "-?[0-9]{1,6}(\\.[0-9]{1,4})?".prop_filter("valid", |s| is_valid_number(s))
}

fn leaf() -> impl Strategy<Value = Operand> {
    prop_oneof![
        Just(Operand::Null),
        any::<bool>().prop_map(Operand::Bool),
        number().prop_map(Operand::Number),
        text_value().prop_map(Operand::Text),
        select(Macro::ALL.to_vec()).prop_map(Operand::Macro),
        "[a-zA-Z0-9_]{1,8}"
            .prop_filter("valid", |s| is_valid_placeholder(s))
            .prop_map(Operand::Placeholder),
        field_name().prop_map(Operand::Field),
    ]
}

fn operand() -> impl Strategy<Value = Operand> {
    leaf().prop_recursive(2, 12, 4, |inner| {
        (
            "[a-zA-Z_][a-zA-Z0-9_]{0,8}".prop_filter("valid", |s| is_valid_ident(s)),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(name, args)| Operand::Function { name, args })
    })
}

fn op() -> impl Strategy<Value = Op> {
    select(Op::ALL.to_vec())
}

fn expr_with(operand: BoxedStrategy<Operand>) -> impl Strategy<Value = Expr> {
    let cmp = (operand.clone(), op(), operand).prop_map(|(l, o, r)| Expr::compare(l, o, r));
    cmp.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::and(a, b)),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::or(a, b)),
        ]
    })
}

/// Operands valid on `posts`, with every value marked `zq`.
fn schema_operand() -> BoxedStrategy<Operand> {
    let fields = select(vec![
        "id",
        "title",
        "views",
        "published",
        "author",
        "author.id",
        "author.name",
        "author.team.owner.name",
        "author.data.level",
        "tags",
        "tags.id",
        "tags.name",
        "status:lower",
        "categories:each",
        "categories:length",
        "meta.a.0.b",
        "location.lat",
        "created",
        "comments_via_post.text",
        "comments_via_post.likes.name",
        "reviews_via_post.body",
        "@collection.tags.name",
        "@collection.tags:t.id",
        "@request.auth.id",
        "@request.auth.email",
        "@request.auth.name",
        "@request.auth.team.name",
        "@request.auth.roles:each",
        "@request.method",
        "@request.context",
        "@request.query.q",
        "@request.headers.x_token",
        "@request.body.title",
        "@request.body.title:lower",
        "@request.body.title:isset",
        "@request.body.title:changed",
        "@request.body.tags:each",
        "@request.body.tags:length",
        "@request.body.tags.name",
        "@request.body.author.team.name",
        "@request.body.unknown.x",
    ])
    .prop_map(|f| Operand::Field(f.to_owned()));
    let values = text_value().prop_map(|s| Operand::Text(format!("zq{s}")));
    let leaf = prop_oneof![
        3 => fields,
        3 => values,
        1 => number().prop_map(Operand::Number),
        1 => Just(Operand::Null),
        1 => any::<bool>().prop_map(Operand::Bool),
        1 => select(Macro::ALL.to_vec()).prop_map(Operand::Macro),
        1 => select(vec!["s", "n"]).prop_map(|p| Operand::Placeholder(p.to_owned())),
    ];
    let leaf = leaf.boxed();
    prop_oneof![
        8 => leaf.clone(),
        1 => (leaf.clone(), leaf.clone()).prop_map(|(a, b)| Operand::Function {
            name: "strftime".into(),
            args: vec![Operand::Text("zq%Y".into()), a, b],
        }),
        1 => (leaf.clone(), leaf).prop_map(|(a, b)| Operand::Function {
            name: "geoDistance".into(),
            args: vec![a, b, Operand::Number("1".into()), Operand::Field("location.lon".into())],
        }),
    ]
    .boxed()
}

fn marked_request() -> crate::filter::RequestInfo {
    let mut r = user_request();
    r.method = "zqPOST'".into();
    r.context = "zq\"ctx".into();
    r.query = json!({"q": "zq') OR 1=1 --"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    r.headers = json!({"X-Token": "zq`tok`"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    r.body = json!({
        "title": "zq'; DROP TABLE posts; --",
        "tags": ["zq1", "zq2"],
        "author": "zq\"u"
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    if let Some(a) = r.auth.as_mut() {
        a.record.insert("id".into(), json!("zq?id"));
        a.record.insert("email".into(), json!("zq@x"));
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn printed_expressions_parse_back(e in expr_with(operand().boxed())) {
        let printed = e.to_string();
        prop_assert_eq!(parse(&printed), Ok(e), "{}", printed);
    }

    #[test]
    fn values_are_always_parameters(e in expr_with(schema_operand())) {
        let env = Env::posts()
            .request(marked_request())
            .params(json!({"s": "zq{:s}'", "n": 3}));
        let src = e.to_string();
        // Function argument checks may reject some combinations; anything that compiles
        // must keep every value out of the SQL text.
        if let Ok(c) = env.try_compile(&src) {
            prop_assert!(!c.sql.contains("zq"), "{}\n{}", src, c.sql);
            prop_assert_eq!(c.sql.matches('?').count(), c.params.len(), "{}", src);
        }
        let guest = Env::posts().params(json!({"s": "zq", "n": 3}));
        if let Ok(c) = guest.try_compile(&src) {
            prop_assert!(!c.sql.contains("zq"), "{}\n{}", src, c.sql);
            prop_assert_eq!(c.sql.matches('?').count(), c.params.len(), "{}", src);
        }
    }

    #[test]
    fn schema_expressions_without_functions_compile(
        e in expr_with(schema_operand().prop_filter("no function", |o| !matches!(o, Operand::Function { .. })).boxed())
    ) {
        let env = Env::posts().request(marked_request()).params(json!({"s": "zq", "n": 3}));
        let src = e.to_string();
        prop_assert!(env.try_compile(&src).is_ok(), "{}: {:?}", src, env.try_compile(&src));
    }

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = parse(&s);
        let _ = Env::posts().try_compile(&s);
    }

    #[test]
    fn filter_like_text_never_panics(s in "[a-z@._:'\"()&|=!<>~?{} 0-9\\\\#/\n-]{0,80}") {
        let _ = parse(&s);
        let env = Env::posts().request(user_request()).params(json!({"a": 1}));
        let _ = env.try_compile(&s);
        let _ = env.untrusted().try_compile(&s);
    }

    #[test]
    fn arbitrary_expressions_never_panic(e in expr_with(operand().boxed())) {
        let env = Env::posts().request(user_request()).params(json!({"a": "x"}));
        let _ = env.try_compile(&e.to_string());
    }
}
