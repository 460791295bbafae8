//! Unit tests of `expand` / `fields` parsing and the excerpt modifier; most cases are
//! PocketBase's own (`tools/picker`, `tools/tokenizer`, `core/record_query_expand.go`).

use super::excerpt::go_cast_to_int;
use super::html::unescape;
use super::tokenizer::Tokenizer;
use super::*;
use crate::collection::has_single_column_unique_index;
use serde_json::{Value, json};

// --- tokenizer -------------------------------------------------------------------------------

#[test]
fn tokenizer_splits_respecting_quotes_and_parentheses() {
    let t = Tokenizer::new(&[','], false);
    assert_eq!(t.scan_all("").unwrap(), Vec::<String>::new());
    assert_eq!(
        t.scan_all("a, b , c  , d e  , \"a,b,  c  \" , ,, ,\t  (123, 456)\n\t\t\t")
            .unwrap(),
        vec!["a", "b", "c", "d e", "\"a,b,  c  \"", "(123, 456)"]
    );
    assert!(t.scan_all("(a,b() c").is_err());
    assert!(t.scan_all("'asd\"").is_err());
    // A NUL ends the input, as Go's reader sees it.
    assert_eq!(t.scan_all("a,b\0,c").unwrap(), vec!["a", "b"]);
}

#[test]
fn tokenizer_can_ignore_parentheses_and_split_on_spaces() {
    let t = Tokenizer::new(&[','], true);
    assert_eq!(
        t.scan_all("a, b, (c,d)").unwrap(),
        vec!["a", "b", "(c", "d)"]
    );
    let m = Tokenizer::new(&['(', ')', ',', ' '], true);
    assert_eq!(
        m.scan_all("excerpt(200, true)").unwrap(),
        vec!["excerpt", "200", "true"]
    );
    assert_eq!(
        m.scan_all("excerpt('1 0')").unwrap(),
        vec!["excerpt", "'1 0'"]
    );
}

// --- expand ----------------------------------------------------------------------------------

#[test]
fn normalize_expands_merges_and_dedupes_paths() {
    assert_eq!(
        normalize_expands("a.b.c, a.b,   test  , ,test"),
        vec!["a.b.c", "test"]
    );
    assert_eq!(normalize_expands(""), Vec::<String>::new());
    assert_eq!(normalize_expands(" . , .a.b. ,a"), vec!["a.b"]);
    assert_eq!(normalize_expands("a b,c"), vec!["ab", "c"]);
    assert_eq!(normalize_expands("x,y,x"), vec!["x", "y"]);
    // `a` is not a prefix of `ab`.
    assert_eq!(normalize_expands("a,ab"), vec!["a", "ab"]);
}

#[test]
fn parse_expand_cuts_paths_at_six_levels() {
    assert_eq!(
        parse_expand("a.b.c.d.e.f.g.h,x"),
        vec![vec!["a", "b", "c", "d", "e", "f"], vec!["x"]]
    );
    assert_eq!(parse_expand("a..b"), vec![vec!["a", "", "b"]]);
}

#[test]
fn expand_segments() {
    assert_eq!(
        ExpandSegment::parse("author"),
        ExpandSegment::Field("author")
    );
    assert_eq!(
        ExpandSegment::parse("comments_via_post"),
        ExpandSegment::BackRelation {
            collection: "comments",
            field: "post"
        }
    );
    assert_eq!(
        ExpandSegment::parse("comments(post)"),
        ExpandSegment::BackRelation {
            collection: "comments",
            field: "post"
        }
    );
    // Greedy like Go's regexp: the last `_via_` splits.
    assert_eq!(
        ExpandSegment::parse("a_via_b_via_c"),
        ExpandSegment::BackRelation {
            collection: "a_via_b",
            field: "c"
        }
    );
    assert_eq!(ExpandSegment::parse("a(b"), ExpandSegment::Field("a(b"));
    assert_eq!(
        ExpandSegment::parse("_via_x"),
        ExpandSegment::Field("_via_x")
    );
    assert_eq!(
        ExpandSegment::parse("ä_via_x"),
        ExpandSegment::Field("ä_via_x")
    );
}

#[test]
fn unique_index_detection() {
    let idx = |s: &str| vec![s.to_owned()];
    assert!(has_single_column_unique_index(
        &idx("CREATE UNIQUE INDEX idx_a ON t (`post`)"),
        "post"
    ));
    assert!(has_single_column_unique_index(
        &idx("create unique index idx_a on t (post) where post != ''"),
        "POST"
    ));
    assert!(!has_single_column_unique_index(
        &idx("CREATE INDEX idx_a ON t (post)"),
        "post"
    ));
    assert!(!has_single_column_unique_index(
        &idx("CREATE UNIQUE INDEX idx_a ON t (post, other)"),
        "post"
    ));
}

#[test]
fn relation_ids_are_unique_and_non_empty() {
    assert_eq!(relation_ids(&json!("")), Vec::<String>::new());
    assert_eq!(relation_ids(&json!("a")), vec!["a"]);
    assert_eq!(relation_ids(&json!(["a", "", "b", "a"])), vec!["a", "b"]);
    assert_eq!(relation_ids(&json!("[\"x\",\"y\"]")), vec!["x", "y"]);
    assert_eq!(relation_ids(&Value::Null), Vec::<String>::new());
}

// --- excerpt ---------------------------------------------------------------------------------

fn excerpt(args: &[&str], value: &str) -> String {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    Excerpt::from_args(&args).unwrap().apply(value)
}

#[test]
fn excerpt_arguments() {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(Excerpt::from_args(&[]), Err(ExcerptError::MissingMax));
    assert_eq!(
        Excerpt::from_args(&args(&["12", "false", "x"])),
        Err(ExcerptError::TooManyArguments)
    );
    for bad in [
        "something",
        "-1",
        "0",
        "",
        "'10'",
        "0x",
        "1__0",
        "_1",
        "++1",
    ] {
        assert_eq!(
            Excerpt::from_args(&args(&[bad])),
            Err(ExcerptError::InvalidMax),
            "{bad}"
        );
    }
    let ok = |a: &[&str]| Excerpt::from_args(&args(a)).unwrap();
    assert_eq!(
        ok(&["12"]),
        Excerpt {
            max: 12,
            ellipsis: false
        }
    );
    assert!(!ok(&["12", "something"]).ellipsis);
    assert!(ok(&["12", "t"]).ellipsis);
    assert!(ok(&["12", "1"]).ellipsis);
    assert!(ok(&["12", "True"]).ellipsis);
    assert!(!ok(&["12", "yes"]).ellipsis);
}

#[test]
fn go_int_casting() {
    assert_eq!(go_cast_to_int("12"), 12);
    assert_eq!(go_cast_to_int("+12"), 12);
    assert_eq!(go_cast_to_int("12.9"), 12);
    assert_eq!(go_cast_to_int(".5"), 0);
    assert_eq!(go_cast_to_int("0x1F"), 31);
    assert_eq!(go_cast_to_int("0o17"), 15);
    assert_eq!(go_cast_to_int("017"), 15);
    assert_eq!(go_cast_to_int("0b101"), 5);
    assert_eq!(go_cast_to_int("1_000"), 1000);
    assert_eq!(go_cast_to_int("0x_1f"), 31);
    assert_eq!(go_cast_to_int("1_"), 0);
    assert_eq!(go_cast_to_int("08"), 0);
    assert_eq!(go_cast_to_int("9223372036854775807"), i64::MAX);
    assert_eq!(go_cast_to_int("9223372036854775808"), 0);
    assert_eq!(go_cast_to_int("-9223372036854775808"), i64::MIN);
    assert_eq!(go_cast_to_int("1e3"), 0);
}

/// PocketBase's `TestExcerptModifierModify`.
#[test]
fn excerpt_strips_html_like_pocketbase() {
    let html = " <script>var a = 123;</script>   <p>Hello</p><div id=\"test_id\">t   est<b>12\n\t3</b><span>456</span></div><span>word <b>7</b> 89<span>!<b>?</b><b> a </b><b>b </b>c</span>#<h1>title</h1>";
    let plain = "Hello t est12 3456 word 7 89!? a b c# title";
    let n = plain.len().to_string();
    let n5 = (plain.len() + 5).to_string();
    assert_eq!(excerpt(&["2"], html), &plain[..2]);
    assert_eq!(excerpt(&[&n], html), plain);
    assert_eq!(excerpt(&[&n5], html), plain);
    assert_eq!(excerpt(&["2", "t"], html), format!("{}...", &plain[..2]));
    assert_eq!(excerpt(&[&n, "t"], html), plain);
    assert_eq!(excerpt(&[&n5, "t"], html), plain);
    assert_eq!(excerpt(&["4", "t"], "аб\nв "), "аб в");
    assert_eq!(excerpt(&["3", "t"], "аб\nв "), "аб...");
}

#[test]
fn excerpt_edge_cases() {
    // Cut text is trimmed before the ellipsis.
    assert_eq!(excerpt(&["6", "true"], "Hello world"), "Hello...");
    // Character references are decoded; &nbsp; is not collapsed (RE2's \s is ASCII).
    assert_eq!(
        excerpt(&["50"], "a &amp; b &lt;c&gt; &copy &#169; &#x41;"),
        "a & b <c> © © A"
    );
    assert_eq!(excerpt(&["50"], "a&nbsp;&nbsp;b"), "a\u{a0}\u{a0}b");
    // Excluded elements and comments vanish; blocks separate words.
    assert_eq!(
        excerpt(
            &["50"],
            "<p>one</p><!-- two --><img src=x><p>three<button>no</button></p>"
        ),
        "one three"
    );
    assert_eq!(excerpt(&["50"], "<title>T</title>body"), "body");
    assert_eq!(excerpt(&["50"], "body<title>T&amp;</title>"), "body T&");
    assert_eq!(excerpt(&["50"], "<ul><li>a<li>b</ul>"), "a b");
    assert_eq!(excerpt(&["50"], "a</p>b"), "a b");
    assert_eq!(excerpt(&["50"], "a<br>b<br/>c"), "abc");
    assert_eq!(excerpt(&["50"], "x < y"), "x < y");
    assert_eq!(excerpt(&["50"], "a<b"), "a");
    assert_eq!(
        excerpt(&["50"], "<textarea>hidden</textarea>shown"),
        "shown"
    );
    assert_eq!(excerpt(&["50"], "<style>p{}</style><p>x</p>"), "x");
    // The descent stops once the text is longer than max+2 bytes.
    assert_eq!(excerpt(&["3", "true"], "<p>aaaa</p><p>bbbb</p>"), "aaa...");
    assert_eq!(excerpt(&["5", "true"], "<p>éééé</p><p>more</p>"), "éééé");
    assert_eq!(excerpt(&["5"], ""), "");
}

/// Tree-building cases, with the text PocketBase 0.40 returned for them.
#[test]
fn excerpt_follows_html_tree_building() {
    let cases = [
        ("<table>x<tr><td>a</td></tr></table>", "x a"),
        (
            "<table><div>fostered<td>cell</td></table>after",
            "fostered cell after",
        ),
        ("<td>cell</td>outside", "celloutside"),
        ("<svg><p>escaped?</p></svg>after", "escaped? after"),
        ("<svg><title>t</title>x</svg>after", "after"),
        ("<math><mi>x</mi></math>formula", "x formula"),
        ("<select><option>opt</option></select>visible", "visible"),
        ("<form>a<form>b</form>c</form>d", "cd"),
        ("<b>1<p>2</b>3</p>4", "1 23 4"),
        ("<p>1<div>2</div>3</p>4", "1 2 3 4"),
        ("<h1>A<h2>B</h2>C</h1>D", "A B CD"),
        ("<dl><dt>term<dd>def<dt>term2</dl>", "term def term2"),
        (
            "<a href=\"x>y\">link</a> text <img alt=\"a > b\" src=x> tail",
            "link text tail",
        ),
        ("<template><p>tpl</p></template>after", "after"),
        ("<plaintext><b>all</b> raw", "<b>all</b> raw"),
        ("<label><dialog>d</label>after</dialog>end", "afterend"),
    ];
    for (html, want) in cases {
        assert_eq!(excerpt(&["1000"], html), want, "{html}");
    }
}

#[test]
fn unescape_like_go() {
    assert_eq!(unescape("&amp;&AMP;&ampx&amp;x"), "&&&x&x");
    assert_eq!(unescape("&notit;"), "¬it;");
    assert_eq!(
        unescape("&#128;&#0;&#xD800;&#x110000;"),
        "\u{20ac}\u{fffd}\u{fffd}\u{fffd}"
    );
    assert_eq!(unescape("&#;&#x;&;&unknown;"), "&#;&#x;&;&unknown;");
    assert_eq!(unescape("&NotEqualTilde;"), "\u{2242}\u{338}");
}

// --- fields ----------------------------------------------------------------------------------

fn pick(data: Value, fields: &str) -> Value {
    let mut data = data;
    FieldsPicker::parse(fields).unwrap().pick(&mut data);
    data
}

/// PocketBase's `TestPickFields`.
#[test]
fn pick_fields_like_pocketbase() {
    let abc = json!({"a": 1, "b": 2, "c": "test"});
    assert_eq!(pick(abc.clone(), ""), abc);
    assert_eq!(pick(abc.clone(), ","), abc);
    assert_eq!(pick(abc.clone(), "missing"), json!({}));
    assert_eq!(pick(json!("test"), "a,b,test"), json!("test"));
    assert_eq!(
        pick(json!(["a", "b", "test"]), "a,test"),
        json!(["a", "b", "test"])
    );
    assert_eq!(
        pick(abc.clone(), "a,  c  ,missing"),
        json!({"a": 1, "c": "test"})
    );
    assert_eq!(
        pick(
            json!([{"a": 11, "b": 11, "c": "test1"}, {"a": 22, "b": 22, "c": "test2"}]),
            "a,  c  ,missing"
        ),
        json!([{"a": 11, "c": "test1"}, {"a": 22, "c": "test2"}])
    );
    let nested = json!({
        "a": 1, "b": 2, "c": "test",
        "anySlice": [
            {"A": [1, 2, 3], "B": ["1", "2", 3], "C": "test", "D": {"DA": 1, "DB": 2}},
            {"A": "test"}
        ],
        "mapSlice": [
            {"A": [1, 2, 3], "B": ["1", "2", 3], "C": "test", "D": [{"DA": 1}]},
            {"B": ["1", "2", 3], "D": [{"DA": 2}, {"DA": 3}, {"DB": 4}]}
        ],
        "fullMap": [
            {"A": [1, 2, 3], "B": ["1", "2", 3], "C": "test"},
            {"B": ["1", "2", 3], "D": [{"DA": 2}, {"DA": 3}]}
        ]
    });
    assert_eq!(
        pick(
            nested,
            "a, c, anySlice.A, mapSlice.C, mapSlice.D.DA, anySlice.D,fullMap"
        ),
        json!({
            "a": 1,
            "anySlice": [{"A": [1, 2, 3], "D": {"DA": 1, "DB": 2}}, {"A": "test"}],
            "c": "test",
            "fullMap": [
                {"A": [1, 2, 3], "B": ["1", "2", 3], "C": "test"},
                {"B": ["1", "2", 3], "D": [{"DA": 2}, {"DA": 3}]}
            ],
            "mapSlice": [{"C": "test", "D": [{"DA": 1}]}, {"D": [{"DA": 2}, {"DA": 3}, {}]}]
        })
    );
    let rel = json!({
        "id": "123", "title": "lorem",
        "rel": {"id": "456", "title": "rel_title", "sub": {"id": "789", "title": "sub_title"}}
    });
    assert_eq!(
        pick(rel.clone(), "*,rel.id"),
        json!({"id": "123", "rel": {"id": "456"}, "title": "lorem"})
    );
    assert_eq!(
        pick(rel.clone(), "id,rel.*"),
        json!({"id": "123", "rel": {"id": "456", "sub": {"id": "789", "title": "sub_title"}, "title": "rel_title"}})
    );
    assert_eq!(
        pick(rel.clone(), "id,rel.*,rel.sub.id"),
        json!({"id": "123", "rel": {"id": "456", "sub": {"id": "789"}, "title": "rel_title"}})
    );
    let html = json!({
        "id": "123", "title": "lorem",
        "rel": {"id": "456", "title": "<p>rel_title</p>", "sub": {"id": "789", "title": "sub_title"}}
    });
    assert_eq!(
        pick(html, "*:excerpt(2),rel.title:excerpt(3, true)"),
        json!({"id": "12", "rel": {"title": "rel..."}, "title": "lo"})
    );
}

#[test]
fn pick_fields_details() {
    let rec = json!({"id": "x", "title": "hello", "tags": ["a", "b"], "n": 5});
    // A path below a scalar keeps the scalar whole.
    assert_eq!(
        pick(rec.clone(), "title.x,id"),
        json!({"id": "x", "title": "hello"})
    );
    // Modifiers leave non-strings alone.
    assert_eq!(
        pick(rec.clone(), "tags:excerpt(1),n:excerpt(1)"),
        json!({"tags": ["a", "b"], "n": 5})
    );
    // The key before `:` is not trimmed.
    assert_eq!(pick(rec.clone(), "title :excerpt(2)"), json!({}));
    // An exact path wins over deeper ones.
    assert_eq!(
        pick(json!({"e": {"a": 1, "b": 2}}), "e.a,e"),
        json!({"e": {"a": 1, "b": 2}})
    );
    // A later duplicate replaces an earlier one.
    assert_eq!(
        pick(rec, "title:excerpt(2),title"),
        json!({"title": "hello"})
    );
}

#[test]
fn fields_parse_errors() {
    for bad in [
        "title,(b",
        "title:'x",
        "title:",
        "title:nope(1)",
        "body:excerpt",
        "body:excerpt()",
        "body:excerpt(0)",
        "body:excerpt(1,2,3)",
        "*:excerpt",
    ] {
        assert!(FieldsPicker::parse(bad).is_err(), "{bad}");
    }
    assert!(FieldsPicker::parse("").unwrap().is_empty());
    assert!(FieldsPicker::parse(" , ").unwrap().is_empty());
}
