//! Client filters of non-superusers (`allow_hidden_fields: false`).

use super::fixtures::*;
use crate::collection::Rules;
use crate::filter::FilterError;

fn set_list_rule(env: &mut Env, collection: &str, rule: Option<&str>) {
    for c in env.collections.iter_mut() {
        if c.name == collection {
            c.rules = Rules {
                list: rule.map(str::to_owned),
                ..Rules::default()
            };
        }
    }
}

#[test]
fn hidden_fields_are_rejected() {
    let env = Env::on("users").untrusted();
    assert!(matches!(
        env.try_compile("tokenKey = 'x'"),
        Err(FilterError::Invalid { .. })
    ));
    assert!(matches!(
        env.try_compile("password != ''"),
        Err(FilterError::Invalid { .. })
    ));
    let env = Env::posts().untrusted();
    assert!(env.try_compile("author.tokenKey = 'x'").is_err());
    // Trusted expressions (rules) may read them.
    let env = Env::on("users");
    check(&env, "tokenKey = 'x'", "`users`.`tokenKey` = ?", &[t("x")]);
}

#[test]
fn auth_emails_need_email_visibility() {
    let env = Env::on("users").untrusted();
    check(
        &env,
        "email = 'a'",
        "(`users`.`email` = ? AND `users`.`emailVisibility` = TRUE)",
        &[t("a")],
    );
    check(
        &env,
        "email:lower ~ 'a'",
        "(LOWER(`users`.`email`) LIKE ? ESCAPE '\\' AND `users`.`emailVisibility` = TRUE)",
        &[t("%a%")],
    );
    let env = Env::on("users");
    check(&env, "email = 'a'", "`users`.`email` = ?", &[t("a")]);
}

#[test]
fn related_rows_are_filtered_by_their_list_rule() {
    let mut env = Env::posts().untrusted();
    set_list_rule(&mut env, "tags", Some("name != 'secret'"));
    check(
        &env,
        "tags.name ?= 'x'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN json_each(CASE WHEN iif(json_valid(`posts`.`tags`), json_type(`posts`.`tags`)='array', FALSE) THEN `posts`.`tags` ELSE json_array(`posts`.`tags`) END) `__j1` LEFT JOIN `tags` `__j2` ON `__j2`.`id` = `__j1`.`value` WHERE `__j2`.`name` = ? AND ((`__j2`.`id` = '' OR `__j2`.`id` IS NULL) OR `__j2`.`name` IS NOT ?))",
        &[t("x"), t("secret")],
    );
    // Superusers-only collections can't be reached at all.
    set_list_rule(&mut env, "users", None);
    assert_eq!(
        env.try_compile("author.name = 'x'").err(),
        Some(FilterError::Invalid {
            message: "\"users\" fields can be accessed only by superusers".into()
        })
    );
    // A list rule that reads further relations joins them too.
    let mut env = Env::posts().untrusted();
    set_list_rule(&mut env, "users", Some("team.name = 'Red'"));
    check(
        &env,
        "author.name = 'x'",
        "EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `users` `__j1` ON `__j1`.`id` = `posts`.`author` LEFT JOIN `teams` `__j2` ON `__j2`.`id` = `__j1`.`team` WHERE `__j1`.`name` = ? AND ((`__j1`.`id` = '' OR `__j1`.`id` IS NULL) OR `__j2`.`name` = ?))",
        &[t("x"), t("Red")],
    );
}
