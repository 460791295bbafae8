//! Relations, multi-relations, back-relations, `@collection`, and how conditions on joined
//! rows are grouped into `EXISTS` subqueries.

use super::fixtures::*;

const TAGS_EACH: &str = "json_each(CASE WHEN iif(json_valid(`posts`.`tags`), json_type(`posts`.`tags`)='array', FALSE) THEN `posts`.`tags` ELSE json_array(`posts`.`tags`) END)";

fn exists(from: &str, cond: &str) -> String {
    format!("EXISTS (SELECT 1 FROM (SELECT 1){from} WHERE {cond})")
}

fn author(alias: &str) -> String {
    format!(" LEFT JOIN `users` `{alias}` ON `{alias}`.`id` = `posts`.`author`")
}

fn tags(je: &str, alias: &str) -> String {
    format!(
        " LEFT JOIN {TAGS_EACH} `{je}` LEFT JOIN `tags` `{alias}` ON `{alias}`.`id` = `{je}`.`value`"
    )
}

#[test]
fn single_relation() {
    let env = Env::posts();
    check(
        &env,
        "author.name = 'Ann'",
        &exists(&author("__j1"), "`__j1`.`name` = ?"),
        &[t("Ann")],
    );
    // `rel.id` of a single relation reads the column itself.
    check(&env, "author.id = 'u1'", "`posts`.`author` = ?", &[t("u1")]);
    check(&env, "author = 'u1'", "`posts`.`author` = ?", &[t("u1")]);
}

#[test]
fn nested_relations() {
    let env = Env::posts();
    check(
        &env,
        "author.team.owner.name ~ 'a'",
        &exists(
            &format!(
                "{} LEFT JOIN `teams` `__j2` ON `__j2`.`id` = `__j1`.`team` LEFT JOIN `users` `__j3` ON `__j3`.`id` = `__j2`.`owner`",
                author("__j1")
            ),
            "`__j3`.`name` LIKE ? ESCAPE '\\'",
        ),
        &[t("%a%")],
    );
    // The shared prefix is joined once.
    check(
        &env,
        "author.name = 'a' && author.team.name = 'b'",
        &exists(
            &format!(
                "{} LEFT JOIN `teams` `__j2` ON `__j2`.`id` = `__j1`.`team`",
                author("__j1")
            ),
            "`__j1`.`name` = ? AND `__j2`.`name` = ?",
        ),
        &[t("a"), t("b")],
    );
}

#[test]
fn multi_relation_any_and_all() {
    let env = Env::posts();
    check(
        &env,
        "tags.name ?= 'x'",
        &exists(&tags("__j1", "__j2"), "`__j2`.`name` = ?"),
        &[t("x")],
    );
    check(
        &env,
        "tags.name = 'x'",
        &exists(
            &tags("__j1", "__j2"),
            &format!(
                "(`__j2`.`name` = ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1){} WHERE NOT (`__j4`.`name` = ?)))",
                tags("__j3", "__j4")
            ),
        ),
        &[t("x"), t("x")],
    );
    // `tags.id` of a multi-relation goes through the joined rows.
    check(
        &env,
        "tags.id ?= 'g1'",
        &exists(&tags("__j1", "__j2"), "`__j2`.`id` = ?"),
        &[t("g1")],
    );
    // Both sides multi-valued: every pair must match.
    check(
        &env,
        "tags.name = categories:each",
        &exists(
            &format!(
                "{} LEFT JOIN json_each(CASE WHEN iif(json_valid(`posts`.`categories`), json_type(`posts`.`categories`)='array', FALSE) THEN `posts`.`categories` ELSE json_array(`posts`.`categories`) END) `__j3`",
                tags("__j1", "__j2")
            ),
            &format!(
                "(COALESCE(`__j2`.`name`, '') = COALESCE(`__j3`.`value`, '') AND NOT EXISTS (SELECT 1 FROM (SELECT 1){} LEFT JOIN json_each(CASE WHEN iif(json_valid(`posts`.`categories`), json_type(`posts`.`categories`)='array', FALSE) THEN `posts`.`categories` ELSE json_array(`posts`.`categories`) END) `__j6` WHERE NOT (COALESCE(`__j5`.`name`, '') = COALESCE(`__j6`.`value`, ''))))",
                tags("__j4", "__j5")
            ),
        ),
        &[],
    );
}

#[test]
fn conditions_sharing_joined_rows_share_one_exists() {
    let env = Env::posts();
    // As in PocketBase, both conditions are about the same joined tag row.
    check(
        &env,
        "tags.name ?= 'x' && tags.id ?= 'g1'",
        &exists(
            &tags("__j1", "__j2"),
            "`__j2`.`name` = ? AND `__j2`.`id` = ?",
        ),
        &[t("x"), t("g1")],
    );
    // Unrelated joins get separate subqueries; plain conditions stay outside.
    check(
        &env,
        "title = 'a' && tags.name ?= 'x' && author.name = 'b'",
        &format!(
            "(`posts`.`title` = ? AND {} AND {})",
            exists(&tags("__j1", "__j2"), "`__j2`.`name` = ?"),
            exists(&author("__j3"), "`__j3`.`name` = ?")
        ),
        &[t("a"), t("x"), t("b")],
    );
    // `||` distributes: each side gets its own subquery.
    check(
        &env,
        "title = 'a' || tags.name ?= 'x' || tags.name ?= 'y'",
        &format!(
            "(`posts`.`title` = ? OR {} OR {})",
            exists(&tags("__j1", "__j2"), "`__j2`.`name` = ?"),
            exists(&tags("__j1", "__j2"), "`__j2`.`name` = ?")
        ),
        &[t("a"), t("x"), t("y")],
    );
    // A group mixing shared joins and plain conditions stays together.
    check(
        &env,
        "(tags.name ?= 'x' || title = 'a') && tags.id ?= 'g1'",
        &exists(
            &tags("__j1", "__j2"),
            "(`__j2`.`name` = ? OR `posts`.`title` = ?) AND `__j2`.`id` = ?",
        ),
        &[t("x"), t("a"), t("g1")],
    );
}

#[test]
fn back_relations() {
    let env = Env::posts();
    // Single relation with a unique index: one row per post, no multi-match.
    check(
        &env,
        "comments_via_post.text = 'hi'",
        &exists(
            " LEFT JOIN `comments` `__j1` ON `__j1`.`post` = `posts`.`id`",
            "`__j1`.`text` = ?",
        ),
        &[t("hi")],
    );
    // Without a unique index there may be many rows: a plain operator needs all of them.
    check(
        &env,
        "reviews_via_post.body = 'ok'",
        &exists(
            " LEFT JOIN `reviews` `__j1` ON `__j1`.`post` = `posts`.`id`",
            "(`__j1`.`body` = ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `reviews` `__j2` ON `__j2`.`post` = `posts`.`id` WHERE NOT (`__j2`.`body` = ?)))",
        ),
        &[t("ok"), t("ok")],
    );
    check(
        &env,
        "reviews_via_post.body ?= 'ok'",
        &exists(
            " LEFT JOIN `reviews` `__j1` ON `__j1`.`post` = `posts`.`id`",
            "`__j1`.`body` = ?",
        ),
        &[t("ok")],
    );
    // Back-relation through a multiple relation field.
    let env = Env::on("users");
    check(
        &env,
        "comments_via_likes.text ?= 'hi'",
        &exists(
            " LEFT JOIN `comments` `__j1` ON `users`.`id` IN (SELECT `__j2`.`value` FROM json_each(CASE WHEN iif(json_valid(`__j1`.`likes`), json_type(`__j1`.`likes`)='array', FALSE) THEN `__j1`.`likes` ELSE json_array(`__j1`.`likes`) END) `__j2`)",
            "`__j1`.`text` = ?",
        ),
        &[t("hi")],
    );
    // Back-relation then forward relation.
    let env = Env::posts();
    check(
        &env,
        "comments_via_post.likes.name ?= 'Bob'",
        &exists(
            " LEFT JOIN `comments` `__j1` ON `__j1`.`post` = `posts`.`id` LEFT JOIN json_each(CASE WHEN iif(json_valid(`__j1`.`likes`), json_type(`__j1`.`likes`)='array', FALSE) THEN `__j1`.`likes` ELSE json_array(`__j1`.`likes`) END) `__j2` LEFT JOIN `users` `__j3` ON `__j3`.`id` = `__j2`.`value`",
            "`__j3`.`name` = ?",
        ),
        &[t("Bob")],
    );
}

#[test]
fn json_paths_through_relations() {
    let env = Env::posts();
    check(
        &env,
        "author.data.level > 2",
        &exists(
            &author("__j1"),
            "(CASE WHEN json_valid(`__j1`.`data`) THEN JSON_EXTRACT(`__j1`.`data`, ?) ELSE JSON_EXTRACT(json_object('pb', `__j1`.`data`), ?) END) > ?",
        ),
        &[t("$.level"), t("$.pb.level"), i(2)],
    );
}

#[test]
fn collection_joins() {
    let env = Env::posts();
    check(
        &env,
        "@collection.tags.name ?= title",
        &exists(
            " LEFT JOIN `tags` `__j1`",
            "COALESCE(`__j1`.`name`, '') = COALESCE(`posts`.`title`, '')",
        ),
        &[],
    );
    // Without `?`, every row of the other collection must match.
    check(
        &env,
        "@collection.tags.name = 'x'",
        &exists(
            " LEFT JOIN `tags` `__j1`",
            "(`__j1`.`name` = ? AND NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN `tags` `__j2` WHERE NOT (`__j2`.`name` = ?)))",
        ),
        &[t("x"), t("x")],
    );
    // The same alias is the same row; different aliases are different rows.
    check(
        &env,
        "@collection.tags:t.name ?= 'x' && @collection.tags:t.id ?= id",
        &exists(
            " LEFT JOIN `tags` `__j1`",
            "`__j1`.`name` = ? AND COALESCE(`__j1`.`id`, '') = COALESCE(`posts`.`id`, '')",
        ),
        &[t("x")],
    );
    check(
        &env,
        "@collection.tags:a.name ?= 'x' && @collection.tags:b.name ?= 'y'",
        &format!(
            "({} AND {})",
            exists(" LEFT JOIN `tags` `__j1`", "`__j1`.`name` = ?"),
            exists(" LEFT JOIN `tags` `__j2`", "`__j2`.`name` = ?")
        ),
        &[t("x"), t("y")],
    );
    // By collection id too.
    check(
        &env,
        "@collection.pbc_tags.name ?= 'x'",
        &exists(" LEFT JOIN `tags` `__j1`", "`__j1`.`name` = ?"),
        &[t("x")],
    );
    // Relations from the other collection.
    check(
        &env,
        "@collection.comments.post.title ?= 'x'",
        &exists(
            " LEFT JOIN `comments` `__j1` LEFT JOIN `posts` `__j2` ON `__j2`.`id` = `__j1`.`post`",
            "`__j2`.`title` = ?",
        ),
        &[t("x")],
    );
}

#[test]
fn max_nested_relations() {
    let env = Env::on("teams");
    let six = "owner.team.owner.team.owner.team.name = 'x'";
    assert!(env.try_compile(six).is_ok());
    let seven = "owner.team.owner.team.owner.team.owner.name = 'x'";
    assert!(env.try_compile(seven).is_err());
}
