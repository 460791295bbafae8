//! DDL generation tests.

use crate::collection::{
    Collection, CollectionType, default_collection_id, ensure_system_fields, merge_json,
    scaffold_json,
};
use crate::schema::{alter_statements, create_statements, drop_statements};
use serde_json::{Value, json};

fn collection(name: &str, fields: Value, indexes: Value) -> Collection {
    let mut body = scaffold_json(CollectionType::Base);
    merge_json(
        &mut body,
        &json!({"name": name, "fields": fields, "indexes": indexes}),
    );
    let mut c = Collection::from_json(&body).expect("parse");
    c.id = default_collection_id(c.kind, name);
    ensure_system_fields(&mut c);
    c
}

#[test]
fn create_builds_table_and_indexes() {
    let c = collection(
        "posts",
        json!([{"name": "title", "type": "text"}, {"name": "n", "type": "number"}, {"name": "tags", "type": "select", "maxSelect": 2, "values": ["a", "b"]}]),
        json!(["CREATE UNIQUE INDEX idx_t ON posts (title)"]),
    );
    assert_eq!(
        create_statements(&c),
        [
            "CREATE TABLE `posts` (`id` TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, `title` TEXT DEFAULT '' NOT NULL, `n` NUMERIC DEFAULT 0 NOT NULL, `tags` JSON DEFAULT '[]' NOT NULL)".to_owned(),
            "CREATE UNIQUE INDEX IF NOT EXISTS `idx_t` ON `posts` (title)".to_owned(),
        ]
    );
    assert_eq!(drop_statements(&c), ["DROP TABLE IF EXISTS `posts`"]);
}

#[test]
fn alter_renames_drops_adds_and_swaps_columns() {
    let old = collection(
        "t",
        json!([{"name": "a", "type": "text"}, {"name": "b", "type": "text"}, {"name": "gone", "type": "bool"}]),
        json!(["CREATE INDEX idx_a ON t (a)"]),
    );
    let mut new = old.clone();
    new.name = "t2".into();
    new.fields.retain(|f| f.name != "gone");
    // swap the names of a and b, keeping their ids (and so their data)
    for f in &mut new.fields {
        f.name = match f.name.as_str() {
            "a" => "b".into(),
            "b" => "a".into(),
            other => other.into(),
        };
    }
    new.fields
        .push(serde_json::from_value(json!({"name": "c", "type": "number"})).expect("field"));
    new.fields.last_mut().expect("field").id = "number1".into();
    new.indexes = vec!["CREATE INDEX idx_a ON t2 (a)".into()];
    assert_eq!(
        alter_statements(&old, &new),
        [
            "DROP INDEX IF EXISTS `idx_a`",
            "ALTER TABLE `t` RENAME TO `t2`",
            "ALTER TABLE `t2` DROP COLUMN `gone`",
            "ALTER TABLE `t2` RENAME COLUMN `a` TO `_basalt_tmp_a`",
            "ALTER TABLE `t2` RENAME COLUMN `b` TO `_basalt_tmp_b`",
            "ALTER TABLE `t2` RENAME COLUMN `_basalt_tmp_a` TO `b`",
            "ALTER TABLE `t2` RENAME COLUMN `_basalt_tmp_b` TO `a`",
            "ALTER TABLE `t2` ADD COLUMN `c` NUMERIC DEFAULT 0 NOT NULL",
            "CREATE INDEX IF NOT EXISTS `idx_a` ON `t2` (a)",
        ]
    );
}

#[test]
fn views_are_recreated() {
    let mut v = Collection::from_json(
        &json!({"name": "v", "type": "view", "viewQuery": "SELECT id FROM t"}),
    )
    .expect("view");
    v.id = "v".into();
    assert_eq!(
        create_statements(&v),
        ["CREATE VIEW `v` AS SELECT id FROM t"]
    );
    assert_eq!(
        alter_statements(&v, &v),
        [
            "DROP VIEW IF EXISTS `v`",
            "CREATE VIEW `v` AS SELECT id FROM t"
        ]
    );
}
