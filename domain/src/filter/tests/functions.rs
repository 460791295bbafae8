//! `geoDistance` and `strftime`.

use super::fixtures::*;
use crate::filter::FilterError;
use crate::sql::SqlValue;

#[test]
fn geo_distance() {
    let env = Env::posts();
    check(
        &env,
        "geoDistance(1, 2, 3.5, 4) < 10",
        "(6371 * acos(cos(radians(?)) * cos(radians(?)) * cos(radians(?) - radians(?)) + sin(radians(?)) * sin(radians(?)))) < ?",
        &[i(2), i(4), SqlValue::Real(3.5), i(1), i(2), i(4), i(10)],
    );
    let lon = "(CASE WHEN json_valid(`posts`.`location`) THEN JSON_EXTRACT(`posts`.`location`, ?) ELSE JSON_EXTRACT(json_object('pb', `posts`.`location`), ?) END)";
    check(
        &env,
        "geoDistance(location.lon, location.lat, 0, 0) = null",
        &format!(
            "(6371 * acos(cos(radians({lon})) * cos(radians(?)) * cos(radians(?) - radians({lon})) + sin(radians({lon})) * sin(radians(?)))) IS NULL"
        ),
        &[
            t("$.lat"),
            t("$.pb.lat"),
            i(0),
            i(0),
            t("$.lon"),
            t("$.pb.lon"),
            t("$.lat"),
            t("$.pb.lat"),
            i(0),
        ],
    );
    for bad in [
        "geoDistance(1, 2, 3) < 1",
        "geoDistance(1, 2, 3, 4, 5) < 1",
        "geoDistance('1', 2, 3, 4) < 1",
        "geoDistance(nope, 2, 3, 4) < 1",
    ] {
        assert!(env.try_compile(bad).is_err(), "{bad}");
    }
}

#[test]
fn strftime() {
    let env = Env::posts();
    check(
        &env,
        "strftime('%Y-%m', created) = '2024-01'",
        "strftime(?,`posts`.`created`) = ?",
        &[t("%Y-%m"), t("2024-01")],
    );
    check(
        &env,
        "strftime('%Y') != ''",
        "(strftime(?) IS NOT '' AND strftime(?) IS NOT NULL)",
        &[t("%Y"), t("%Y")],
    );
    check(
        &env,
        "strftime('%Y-%m-%d', created, 'start of month', '+1 day') = '2024-01-02'",
        "strftime(?,`posts`.`created`,?,?) = ?",
        &[
            t("%Y-%m-%d"),
            t("start of month"),
            t("+1 day"),
            t("2024-01-02"),
        ],
    );
    // NULL normalization is always applied around strftime (it may yield NULL).
    check(
        &env,
        "strftime('%Y', '2026-01-01') = ''",
        "(strftime(?,?) = '' OR strftime(?,?) IS NULL)",
        &[t("%Y"), t("2026-01-01"), t("%Y"), t("2026-01-01")],
    );
    check(
        &env,
        "strftime('%Y', @now) = '2024'",
        "strftime(?,?) = ?",
        &[t("%Y"), t("2024-02-15 13:45:30.123Z"), t("2024")],
    );
    // Over a multi-relation, a plain operator needs every item to match.
    check(
        &env,
        "strftime('%Y', tags.name) = '2024'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid(`posts`.`tags`), json_type(`posts`.`tags`)='array', FALSE) THEN `posts`.`tags` ELSE json_array(`posts`.`tags`) END) `__j1` LEFT JOIN `tags` `__j2` ON `__j2`.`id` = `__j1`.`value` WHERE (strftime(?,`__j2`.`name`) = ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid(`posts`.`tags`), json_type(`posts`.`tags`)='array', FALSE) THEN `posts`.`tags` ELSE json_array(`posts`.`tags`) END) `__j3` LEFT JOIN `tags` `__j4` ON `__j4`.`id` = `__j3`.`value` WHERE NOT (strftime(?,`__j4`.`name`) = ?))))",
        &[t("%Y"), t("2024"), t("%Y"), t("2024")],
    );
    for bad in [
        "strftime() = 1",
        "strftime(created) = 1",
        "strftime('%Y', created, 1) = 1",
        "strftime('%Y', strftime('%Y')) = 1",
        "strftime('a','b','c','d','e','f','g','h','i','j','k') = 1",
    ] {
        assert!(
            matches!(env.try_compile(bad), Err(FilterError::Invalid { .. })),
            "{bad}"
        );
    }
}

#[test]
fn unknown_functions() {
    let env = Env::posts();
    assert_eq!(
        env.try_compile("lower(title) = 'a'").err(),
        Some(FilterError::Invalid {
            message: "unknown function \"lower\"".into()
        })
    );
}
