//! Operators, literals, NULL/empty normalization, LIKE, placeholders and macros on plain
//! columns of the main table.

use super::fixtures::*;
use crate::filter::like::{contains_unescaped, escape_unescaped, wrap_like};
use crate::sql::SqlValue;
use serde_json::json;

#[test]
fn empty_filter_is_true() {
    let env = Env::posts();
    check(&env, "", "1=1", &[]);
    check(&env, "  \n// nothing\n", "1=1", &[]);
}

#[test]
fn comparison_operators() {
    let env = Env::posts();
    check(&env, "title = 'a'", "`posts`.`title` = ?", &[t("a")]);
    check(&env, "title != 'a'", "`posts`.`title` IS NOT ?", &[t("a")]);
    check(&env, "views > 1", "`posts`.`views` > ?", &[i(1)]);
    check(&env, "views >= 1", "`posts`.`views` >= ?", &[i(1)]);
    check(
        &env,
        "views < 1.5",
        "`posts`.`views` < ?",
        &[SqlValue::Real(1.5)],
    );
    check(&env, "views <= -2", "`posts`.`views` <= ?", &[i(-2)]);
    check(
        &env,
        "title ~ 'a'",
        "`posts`.`title` LIKE ? ESCAPE '\\'",
        &[t("%a%")],
    );
    check(
        &env,
        "title !~ 'a'",
        "`posts`.`title` NOT LIKE ? ESCAPE '\\'",
        &[t("%a%")],
    );
}

#[test]
fn any_operators_on_single_values_are_plain() {
    let env = Env::posts();
    check(&env, "title ?= 'a'", "`posts`.`title` = ?", &[t("a")]);
    check(&env, "title ?!= 'a'", "`posts`.`title` IS NOT ?", &[t("a")]);
    check(&env, "views ?> 1", "`posts`.`views` > ?", &[i(1)]);
    check(&env, "views ?>= 1", "`posts`.`views` >= ?", &[i(1)]);
    check(&env, "views ?< 1", "`posts`.`views` < ?", &[i(1)]);
    check(&env, "views ?<= 1", "`posts`.`views` <= ?", &[i(1)]);
    check(
        &env,
        "title ?~ 'a'",
        "`posts`.`title` LIKE ? ESCAPE '\\'",
        &[t("%a%")],
    );
    check(
        &env,
        "title ?!~ 'a'",
        "`posts`.`title` NOT LIKE ? ESCAPE '\\'",
        &[t("%a%")],
    );
}

#[test]
fn literals() {
    let env = Env::posts();
    check(&env, "published = true", "`posts`.`published` = 1", &[]);
    check(&env, "published = FALSE", "`posts`.`published` = 0", &[]);
    check(&env, "views = 3", "`posts`.`views` = ?", &[i(3)]);
    check(
        &env,
        "views = 3.0",
        "`posts`.`views` = ?",
        &[SqlValue::Real(3.0)],
    );
    check(
        &env,
        "views = 99999999999999999999",
        "`posts`.`views` = ?",
        &[SqlValue::Real(1e20)],
    );
    check(&env, "'a' = \"b\"", "? = ?", &[t("a"), t("b")]);
    check(&env, "1 < 2", "? < ?", &[i(1), i(2)]);
}

#[test]
fn null_and_empty_are_alike_for_equality() {
    let env = Env::posts();
    check(
        &env,
        "title = ''",
        "(`posts`.`title` = '' OR `posts`.`title` IS NULL)",
        &[],
    );
    check(
        &env,
        "title = null",
        "(`posts`.`title` = '' OR `posts`.`title` IS NULL)",
        &[],
    );
    check(
        &env,
        "title != ''",
        "(`posts`.`title` IS NOT '' AND `posts`.`title` IS NOT NULL)",
        &[],
    );
    check(
        &env,
        "null != title",
        "('' IS NOT `posts`.`title` AND `posts`.`title` IS NOT NULL)",
        &[],
    );
    check(&env, "'' = null", "'' = ''", &[]);
    check(&env, "null != ''", "'' IS NOT ''", &[]);
    check(&env, "null = 1", "'' = ?", &[i(1)]);
    check(&env, "true = null", "1 = ''", &[]);
    check(
        &env,
        "title = status",
        "COALESCE(`posts`.`title`, '') = COALESCE(`posts`.`status`, '')",
        &[],
    );
    check(
        &env,
        "title != status",
        "COALESCE(`posts`.`title`, '') IS NOT COALESCE(`posts`.`status`, '')",
        &[],
    );
    // Ordering operators never normalize.
    check(&env, "title > null", "`posts`.`title` > NULL", &[]);
}

#[test]
fn like_wraps_and_escapes_values() {
    let env = Env::posts();
    check(
        &env,
        "title ~ 'a_b'",
        "`posts`.`title` LIKE ? ESCAPE '\\'",
        &[t("%a\\_b%")],
    );
    check(
        &env,
        "title ~ 'a%'",
        "`posts`.`title` LIKE ? ESCAPE '\\'",
        &[t("a%")],
    );
    check(
        &env,
        "title ~ 'a\\%'",
        "`posts`.`title` LIKE ? ESCAPE '\\'",
        &[t("%a\\%%")],
    );
    check(
        &env,
        "title ~ 12",
        "`posts`.`title` LIKE ? ESCAPE '\\'",
        &[t("%12%")],
    );
    // A column (or NULL) on the right is wrapped in SQL.
    check(
        &env,
        "title ~ status",
        "`posts`.`title` LIKE ('%' || `posts`.`status` || '%') ESCAPE '\\'",
        &[],
    );
    check(
        &env,
        "title !~ null",
        "`posts`.`title` NOT LIKE ('%' || NULL || '%') ESCAPE '\\'",
        &[],
    );
}

#[test]
fn like_escaping_rules() {
    assert_eq!(wrap_like("abc"), "%abc%");
    assert_eq!(wrap_like("a_c"), "%a\\_c%");
    assert_eq!(wrap_like("a\\_c"), "%a\\_c%");
    assert_eq!(wrap_like("a\\c"), "%a\\\\c%");
    assert_eq!(wrap_like("a%c"), "a%c");
    assert_eq!(wrap_like("a\\%c"), "%a\\%c%");
    assert_eq!(wrap_like("_"), "%\\_%");
    assert_eq!(wrap_like(""), "%%");
    assert!(contains_unescaped("a\\\\%", '%'));
    assert!(!contains_unescaped("a\\%", '%'));
    // PocketBase's quirk: of two adjacent specials scanned from the end, the first is left.
    assert_eq!(escape_unescaped("__", &['_']), "_\\_");
}

#[test]
fn grouping() {
    let env = Env::posts();
    check(
        &env,
        "title = 'a' && views > 1 || published = true",
        "((`posts`.`title` = ? AND `posts`.`views` > ?) OR `posts`.`published` = 1)",
        &[t("a"), i(1)],
    );
    check(
        &env,
        "title = 'a' && (views > 1 || published = true) && status = 'b'",
        "(`posts`.`title` = ? AND (`posts`.`views` > ? OR `posts`.`published` = 1) AND `posts`.`status` = ?)",
        &[t("a"), i(1), t("b")],
    );
}

#[test]
fn json_and_geo_point_columns() {
    let env = Env::posts();
    check(
        &env,
        "meta = null",
        "(CASE WHEN json_valid(`posts`.`meta`) THEN JSON_EXTRACT(`posts`.`meta`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`meta`), ?) END) IS NULL",
        &[t("$"), t("$.pb")],
    );
    check(
        &env,
        "meta.a.0.b != 'x'",
        "(CASE WHEN json_valid(`posts`.`meta`) THEN JSON_EXTRACT(`posts`.`meta`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`meta`), ?) END) IS NOT ?",
        &[t("$.a[0].b"), t("$.pb.a[0].b"), t("x")],
    );
    // PocketBase strips JSON path segments to `[\w.*\-@#]`: no modifiers in JSON paths.
    check(
        &env,
        "meta.k:lower = 'x'",
        "(CASE WHEN json_valid(`posts`.`meta`) THEN JSON_EXTRACT(`posts`.`meta`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`meta`), ?) END) IS ?",
        &[t("$.klower"), t("$.pb.klower"), t("x")],
    );
    check(
        &env,
        "location.lat > 1",
        "(CASE WHEN json_valid(`posts`.`location`) THEN JSON_EXTRACT(`posts`.`location`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`location`), ?) END) > ?",
        &[t("$.lat"), t("$.pb.lat"), i(1)],
    );
    // A geoPoint itself is a plain column.
    check(
        &env,
        "location = ''",
        "(`posts`.`location` = '' OR `posts`.`location` IS NULL)",
        &[],
    );
}

#[test]
fn modifiers_on_columns() {
    let env = Env::posts();
    check(
        &env,
        "title:lower = 'a'",
        "LOWER(`posts`.`title`) = ?",
        &[t("a")],
    );
    check(
        &env,
        "meta:lower = 'a'",
        "LOWER((CASE WHEN json_valid(`posts`.`meta`) THEN JSON_EXTRACT(`posts`.`meta`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`meta`), ?) END)) IS ?",
        &[t("$"), t("$.pb"), t("a")],
    );
    let len = "json_array_length(CASE WHEN iif(json_valid(`posts`.`categories`), json_type(`posts`.`categories`)='array', FALSE) THEN `posts`.`categories` ELSE (CASE WHEN `posts`.`categories` = '' OR `posts`.`categories` IS NULL THEN json_array() ELSE json_array(`posts`.`categories`) END) END)";
    check(
        &env,
        "categories:length > 1",
        &format!("{len} > ?"),
        &[i(1)],
    );
    check(
        &env,
        "categories:length ?> 1",
        &format!("{len} > ?"),
        &[i(1)],
    );
    // `:length` of a single select counts 0 or 1 items.
    check(
        &env,
        "status:length = 0",
        "json_array_length(CASE WHEN iif(json_valid(`posts`.`status`), json_type(`posts`.`status`)='array', FALSE) THEN `posts`.`status` ELSE (CASE WHEN `posts`.`status` = '' OR `posts`.`status` IS NULL THEN json_array() ELSE json_array(`posts`.`status`) END) END) = ?",
        &[i(0)],
    );
    // As in PocketBase, modifiers that don't apply to the field are ignored.
    check(&env, "title:each = 'a'", "`posts`.`title` = ?", &[t("a")]);
    check(&env, "title:isset = 'a'", "`posts`.`title` = ?", &[t("a")]);
}

#[test]
fn each_modifier() {
    let env = Env::posts();
    let je = "json_each(CASE WHEN iif(json_valid(`posts`.`categories`), json_type(`posts`.`categories`)='array', FALSE) THEN `posts`.`categories` ELSE json_array(`posts`.`categories`) END)";
    check(
        &env,
        "categories:each ?= 'a'",
        &format!(
            "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN {je} `__j1` WHERE `__j1`.`value` = ?)"
        ),
        &[t("a")],
    );
    // Plain operator on a multi-valued operand: every item must match.
    let je3 = je.to_owned();
    check(
        &env,
        "categories:each != 'a'",
        &format!(
            "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN {je} `__j1` WHERE (`__j1`.`value` IS NOT ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN {je3} `__j2` WHERE NOT (`__j2`.`value` IS NOT ?))))"
        ),
        &[t("a"), t("a")],
    );
    // `:each` of a single select does not need a multi-match.
    check(
        &env,
        "status:each = 'a'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid(`posts`.`status`), json_type(`posts`.`status`)='array', FALSE) THEN `posts`.`status` ELSE json_array(`posts`.`status`) END) `__j1` WHERE `__j1`.`value` = ?)",
        &[t("a")],
    );
}

#[test]
fn placeholders() {
    let env = Env::posts().params(json!({
        "s": "x",
        "n": 5,
        "f": 1.5,
        "b": true,
        "z": null,
        "arr": ["a", 1],
    }));
    check(&env, "title = {:s}", "`posts`.`title` = ?", &[t("x")]);
    check(&env, "views > {:n}", "`posts`.`views` > ?", &[i(5)]);
    check(
        &env,
        "views > {:f}",
        "`posts`.`views` > ?",
        &[SqlValue::Real(1.5)],
    );
    check(&env, "published = {:b}", "`posts`.`published` = 1", &[]);
    check(
        &env,
        "title = {:z}",
        "(`posts`.`title` = '' OR `posts`.`title` IS NULL)",
        &[],
    );
    check(
        &env,
        "title = {:arr}",
        "`posts`.`title` = ?",
        &[t("[\"a\",1]")],
    );
    check(
        &env,
        "title = {:s} || status = {:s}",
        "(`posts`.`title` = ? OR `posts`.`status` = ?)",
        &[t("x"), t("x")],
    );
    // A value never becomes SQL, even when it looks like it.
    let env = Env::posts().params(json!({"evil": "x' OR 1=1 --"}));
    check(
        &env,
        "title = {:evil}",
        "`posts`.`title` = ?",
        &[t("x' OR 1=1 --")],
    );
}

#[test]
fn datetime_macros() {
    // now = 2024-02-15 13:45:30.123 UTC, a Thursday.
    let env = Env::posts();
    let cases = [
        ("@now", t("2024-02-15 13:45:30.123Z")),
        ("@yesterday", t("2024-02-14 13:45:30.123Z")),
        ("@tomorrow", t("2024-02-16 13:45:30.123Z")),
        ("@second", i(30)),
        ("@minute", i(45)),
        ("@hour", i(13)),
        ("@weekday", i(4)),
        ("@day", i(15)),
        ("@month", i(2)),
        ("@year", i(2024)),
        ("@todayStart", t("2024-02-15 00:00:00.000Z")),
        ("@todayEnd", t("2024-02-15 23:59:59.999Z")),
        ("@monthStart", t("2024-02-01 00:00:00.000Z")),
        ("@monthEnd", t("2024-02-29 23:59:59.999Z")),
        ("@yearStart", t("2024-01-01 00:00:00.000Z")),
        ("@yearEnd", t("2024-12-31 23:59:59.999Z")),
    ];
    for (m, v) in cases {
        check(
            &env,
            &format!("created >= {m}"),
            "`posts`.`created` >= ?",
            &[v],
        );
    }
}
