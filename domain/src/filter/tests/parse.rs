//! Lexer, parser and printer.

use crate::filter::{Expr, FilterError, Macro, Op, Operand, parse};

fn field(s: &str) -> Operand {
    Operand::Field(s.to_owned())
}

fn text(s: &str) -> Operand {
    Operand::Text(s.to_owned())
}

fn num(s: &str) -> Operand {
    Operand::Number(s.to_owned())
}

fn cmp(l: Operand, op: Op, r: Operand) -> Expr {
    Expr::compare(l, op, r)
}

#[track_caller]
fn syntax_error(src: &str) -> (usize, String) {
    match parse(src) {
        Err(FilterError::Syntax { position, message }) => (position, message),
        other => panic!("{src:?}: expected a syntax error, got {other:?}"),
    }
}

#[test]
fn every_operator() {
    for op in Op::ALL {
        let src = format!("a {} 1", op.symbol());
        assert_eq!(parse(&src), Ok(cmp(field("a"), op, num("1"))), "{src}");
        let tight = format!("a{}1", op.symbol());
        assert_eq!(parse(&tight), Ok(cmp(field("a"), op, num("1"))), "{tight}");
    }
}

#[test]
fn literals() {
    assert_eq!(
        parse("a = null && b = TRUE && c = False"),
        Ok(Expr::and(
            Expr::and(
                cmp(field("a"), Op::Eq, Operand::Null),
                cmp(field("b"), Op::Eq, Operand::Bool(true))
            ),
            cmp(field("c"), Op::Eq, Operand::Bool(false))
        ))
    );
    assert_eq!(parse("a = -1.5"), Ok(cmp(field("a"), Op::Eq, num("-1.5"))));
    assert_eq!(
        parse("'x' != \"y\""),
        Ok(cmp(text("x"), Op::Neq, text("y")))
    );
    assert_eq!(
        parse("a = @now"),
        Ok(cmp(field("a"), Op::Eq, Operand::Macro(Macro::Now)))
    );
    assert_eq!(
        parse("a = {:p_1}"),
        Ok(cmp(field("a"), Op::Eq, Operand::Placeholder("p_1".into())))
    );
    for m in Macro::ALL {
        assert_eq!(
            parse(&format!("a = {}", m.name())),
            Ok(cmp(field("a"), Op::Eq, Operand::Macro(m)))
        );
    }
}

#[test]
fn text_escapes_follow_fexpr() {
    // Only the quote of the same kind is escapable; other backslashes stay.
    assert_eq!(
        parse(r#"a = 'it\'s'"#),
        Ok(cmp(field("a"), Op::Eq, text("it's")))
    );
    assert_eq!(
        parse(r#"a = "say \"hi\"""#),
        Ok(cmp(field("a"), Op::Eq, text("say \"hi\"")))
    );
    assert_eq!(
        parse(r#"a = 'a\"b'"#),
        Ok(cmp(field("a"), Op::Eq, text(r#"a\"b"#)))
    );
    assert_eq!(
        parse(r#"a = 'a\\b'"#),
        Ok(cmp(field("a"), Op::Eq, text(r"a\\b")))
    );
    assert_eq!(
        parse(r#"a = "mixed 'quotes'""#),
        Ok(cmp(field("a"), Op::Eq, text("mixed 'quotes'")))
    );
    assert_eq!(parse("a = 'é ✓'"), Ok(cmp(field("a"), Op::Eq, text("é ✓"))));
}

#[test]
fn identifiers() {
    for id in [
        "a",
        "_a",
        "a.b.c",
        "author.name:lower",
        "@request.auth.id",
        "@request.body.tags:each",
        "@collection.users:u.email",
        "comments_via_post.text",
        "data.0.x",
        "#hash",
    ] {
        assert_eq!(
            parse(&format!("{id} = 1")),
            Ok(cmp(field(id), Op::Eq, num("1"))),
            "{id}"
        );
    }
}

#[test]
fn precedence_and_grouping() {
    let (a, b, c) = (
        cmp(field("a"), Op::Eq, num("1")),
        cmp(field("b"), Op::Eq, num("2")),
        cmp(field("c"), Op::Eq, num("3")),
    );
    assert_eq!(
        parse("a = 1 || b = 2 && c = 3"),
        Ok(Expr::or(a.clone(), Expr::and(b.clone(), c.clone())))
    );
    assert_eq!(
        parse("(a = 1 || b = 2) && c = 3"),
        Ok(Expr::and(Expr::or(a.clone(), b.clone()), c.clone()))
    );
    assert_eq!(
        parse("a = 1 && b = 2 && c = 3"),
        Ok(Expr::and(Expr::and(a.clone(), b.clone()), c.clone()))
    );
    assert_eq!(
        parse("a = 1 && (b = 2 && c = 3)"),
        Ok(Expr::and(a.clone(), Expr::and(b.clone(), c.clone())))
    );
    assert_eq!(parse("((a = 1))"), Ok(a));
}

#[test]
fn comments_and_whitespace() {
    assert_eq!(
        parse("// leading\n a = 1 // trailing\r\n\t&& b = 2"),
        Ok(Expr::and(
            cmp(field("a"), Op::Eq, num("1")),
            cmp(field("b"), Op::Eq, num("2"))
        ))
    );
}

#[test]
fn functions() {
    assert_eq!(
        parse("geoDistance(a.lon, a.lat, 1, -2.5) < 10"),
        Ok(cmp(
            Operand::Function {
                name: "geoDistance".into(),
                args: vec![field("a.lon"), field("a.lat"), num("1"), num("-2.5")],
            },
            Op::Lt,
            num("10")
        ))
    );
    // A single trailing comma is allowed, as in fexpr; arguments may be nested calls.
    assert_eq!(
        parse("f('x', g(h(1)),) = 1"),
        Ok(cmp(
            Operand::Function {
                name: "f".into(),
                args: vec![
                    text("x"),
                    Operand::Function {
                        name: "g".into(),
                        args: vec![Operand::Function {
                            name: "h".into(),
                            args: vec![num("1")]
                        }]
                    }
                ],
            },
            Op::Eq,
            num("1")
        ))
    );
    assert_eq!(
        parse("f() = 1"),
        Ok(cmp(
            Operand::Function {
                name: "f".into(),
                args: vec![]
            },
            Op::Eq,
            num("1")
        ))
    );
}

#[test]
fn display_round_trips() {
    for src in [
        "a = 1",
        "a = 1 || b = 2 && c = 3",
        "(a = 1 || b = 2) && c = 3",
        "a = 1 && (b = 2 && c = 3)",
        "a = 1 || (b = 2 || c = 3)",
        "a ?!~ 'x\\'y' && b ?>= -0.5",
        "strftime('%Y', created, 'start of day') = '2024'",
        "@request.body.tags:each ?= {:tag} || x = null || y != true",
        "a = 'both \" and \\' quotes'",
    ] {
        let ast = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let printed = ast.to_string();
        assert_eq!(parse(&printed), Ok(ast), "{src} → {printed}");
    }
    assert_eq!(
        parse("(a=1||b=2)&&c='x'").map(|e| e.to_string()),
        Ok("(a = 1 || b = 2) && c = \"x\"".to_owned())
    );
    assert_eq!(
        parse("a=1&&(b=2&&c=3)").map(|e| e.to_string()),
        Ok("a = 1 && (b = 2 && c = 3)".to_owned())
    );
}

#[test]
fn syntax_errors_have_positions() {
    assert_eq!(
        syntax_error("title = 'abc"),
        (8, "unterminated quoted text".to_owned())
    );
    assert_eq!(
        syntax_error("title == 1"),
        (6, "invalid sign operator \"==\"".to_owned())
    );
    assert_eq!(syntax_error("a = 1 &&").0, 8);
    assert_eq!(syntax_error("a = 1 & b = 2").0, 6);
    assert_eq!(syntax_error("(a = 1").0, 6);
    assert_eq!(syntax_error("a = 1)"), (5, "unexpected `)`".to_owned()));
    assert_eq!(syntax_error("a 1").0, 2);
    assert_eq!(syntax_error("a = 1 b = 2").0, 6);
    assert_eq!(syntax_error("a. = 1").0, 0);
    assert_eq!(syntax_error("a = -").0, 4);
    assert_eq!(syntax_error("a = 1.").0, 4);
    assert_eq!(syntax_error("a = 1.2.3").0, 7);
    assert_eq!(syntax_error("a = $").0, 4);
    assert_eq!(syntax_error("a = 1 / comment").0, 6);
    assert_eq!(syntax_error("a = {:}").0, 4);
    assert_eq!(syntax_error("a = {x}").0, 4);
    assert_eq!(syntax_error("@ = 1").0, 0);
    assert_eq!(syntax_error("() && a = 1").0, 0);
    assert_eq!(syntax_error("f(1 2) = 1").0, 4);
    assert_eq!(syntax_error("f(,) = 1").0, 2);
    assert_eq!(syntax_error("f (1) = 1").0, 2);
    assert_eq!(syntax_error("f(1").0, 3);
    assert_eq!(syntax_error("a(b(c(d(1)))) = 1").0, 6);
    assert_eq!(syntax_error("a = 1 && b").0, 10);
    // Positions count characters, not bytes.
    assert_eq!(syntax_error("'ééé' = é").0, 8);
    assert_eq!(syntax_error(""), (0, "empty filter expression".to_owned()));
    assert_eq!(syntax_error("  // only a comment").0, 0);
}

#[test]
fn limits() {
    let many = vec!["a = 1"; 200].join(" && ");
    assert!(parse(&many).is_ok());
    let too_many = vec!["a = 1"; 201].join(" && ");
    assert!(matches!(parse(&too_many), Err(FilterError::Syntax { .. })));
    let deep = format!("{}a = 1{}", "(".repeat(64), ")".repeat(64));
    assert!(parse(&deep).is_ok());
    let too_deep = format!("{}a = 1{}", "(".repeat(65), ")".repeat(65));
    assert!(matches!(
        parse(&too_deep),
        Err(FilterError::Syntax { position: 64, .. })
    ));
}

#[test]
fn error_display() {
    let e = syntax_error("a = 'x");
    assert_eq!(e.0, 4);
    let err = parse("a = 'x").err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("invalid filter syntax at position 4: unterminated quoted text")
    );
}
