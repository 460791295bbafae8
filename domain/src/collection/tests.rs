//! Collection model, JSON and validation tests.

use super::*;
use crate::collection::{ValidateContext, ensure_system_fields, validate_collection};
use crate::field::Field;
use serde_json::json;

fn base(name: &str, fields: serde_json::Value) -> Collection {
    let mut body = scaffold_json(CollectionType::Base);
    merge_json(&mut body, &json!({"name": name, "fields": fields}));
    let mut c = Collection::from_json(&body).expect("parse");
    c.id = default_collection_id(c.kind, &c.name);
    ensure_system_fields(&mut c);
    c
}

fn code_at(errs: &crate::error::ValidationErrors, path: &[&str]) -> Option<String> {
    let v = serde_json::to_value(errs).expect("json");
    let mut cur = &v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.get("code").and_then(|c| c.as_str()).map(str::to_owned)
}

#[test]
fn default_ids_follow_pocketbase_checksums() {
    assert_eq!(
        default_collection_id(CollectionType::Base, "posts"),
        "pbc_1125843985"
    );
    assert_eq!(default_field_id("text", "id"), "text3208210256");
    assert_eq!(default_field_id("text", "title"), "text724990059");
}

#[test]
fn system_fields_are_added_in_pocketbase_order() {
    let mut body = scaffold_json(CollectionType::Auth);
    merge_json(
        &mut body,
        &json!({"name": "members", "fields": [{"name": "nick", "type": "text"}]}),
    );
    let mut c = Collection::from_json(&body).expect("parse");
    c.id = default_collection_id(c.kind, &c.name);
    ensure_system_fields(&mut c);
    let names: Vec<&str> = c.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "nick",
            "password",
            "tokenKey",
            "email",
            "emailVisibility",
            "verified"
        ]
    );
    assert_eq!(c.fields[1].id, "text688598839");
    assert_eq!(
        c.indexes,
        [
            format!(
                "CREATE UNIQUE INDEX `idx_tokenKey_{}` ON `members` (`tokenKey`)",
                c.id
            ),
            format!(
                "CREATE UNIQUE INDEX `idx_email_{}` ON `members` (`email`) WHERE `email` != ''",
                c.id
            ),
        ]
    );
}

#[test]
fn json_round_trips_and_hides_secrets() {
    let mut body = scaffold_json(CollectionType::Auth);
    merge_json(
        &mut body,
        &json!({"name": "members", "authToken": {"secret": "s3cret", "duration": 10}}),
    );
    let c = Collection::from_json(&body).expect("parse");
    assert_eq!(c.token_config("authToken"), ("s3cret".to_owned(), 10));
    let public = c.to_json(false);
    assert_eq!(public["authToken"], json!({"duration": 10}));
    let stored = c.to_json(true);
    assert_eq!(stored["authToken"]["secret"], "s3cret");
    assert_eq!(Collection::from_json(&stored).expect("reparse"), c);
    assert_eq!(c.password_auth(), (true, vec!["email".to_owned()]));
}

#[test]
fn merge_is_deep_for_objects_and_replaces_arrays() {
    let mut a = json!({"o": {"x": 1, "y": 2}, "arr": [1, 2], "keep": true});
    merge_json(&mut a, &json!({"o": {"y": 3}, "arr": [9]}));
    assert_eq!(a, json!({"o": {"x": 1, "y": 3}, "arr": [9], "keep": true}));
}

#[test]
fn names_are_validated_like_pocketbase() {
    let ctx = ValidateContext {
        others: vec![("pbc_1".into(), "Posts".into())],
        internal_tables: vec!["_params".into()],
    };
    for (name, code) in [
        ("bad name", "validation_match_invalid"),
        ("bad-name", "validation_match_invalid"),
        ("", "validation_required"),
        ("posts", "validation_collection_name_exists"),
        ("pbc_1", "validation_collection_name_id_duplicate"),
        ("_params", "validation_collection_name_invalid"),
        ("a_via_b", "validation_invalid_via"),
    ] {
        let c = base(name, json!([]));
        let errs = validate_collection(&c, None, &ctx);
        assert_eq!(
            code_at(&errs, &["name"]).as_deref(),
            Some(code),
            "name {name:?}"
        );
    }
    let long = "a".repeat(256);
    let errs = validate_collection(&base(&long, json!([])), None, &ctx);
    assert_eq!(
        code_at(&errs, &["name"]).as_deref(),
        Some("validation_length_out_of_range")
    );
    for ok in ["_x", "1abc", "posts2"] {
        assert!(
            validate_collection(&base(ok, json!([])), None, &ctx).is_empty(),
            "{ok}"
        );
    }
}

#[test]
fn field_lists_are_checked() {
    let ctx = ValidateContext::default();
    let dup = base(
        "t",
        json!([{"name": "a", "type": "text"}, {"name": "A", "type": "number"}]),
    );
    let errs = validate_collection(&dup, None, &ctx);
    assert_eq!(
        code_at(&errs, &["fields", "2", "name"]).as_deref(),
        Some("validation_duplicated_field_name")
    );

    let mut no_pk = base("t", json!([{"name": "a", "type": "text"}]));
    no_pk.fields.remove(0);
    let errs = validate_collection(&no_pk, None, &ctx);
    assert_eq!(
        code_at(&errs, &["fields"]).as_deref(),
        Some("validation_missing_primary_key")
    );

    let original = base("t", json!([{"name": "a", "type": "text"}]));
    let mut retyped = original.clone();
    let json = json!({"id": original.fields[1].id, "name": "a", "type": "number"});
    retyped.fields[1] = serde_json::from_value::<Field>(json).expect("field");
    let errs = validate_collection(&retyped, Some(&original), &ctx);
    assert_eq!(
        code_at(&errs, &["fields", "1", "type"]).as_deref(),
        Some("validation_field_type_change")
    );

    let mut renamed_pk = original.clone();
    renamed_pk.fields[0].name = "key".into();
    let errs = validate_collection(&renamed_pk, Some(&original), &ctx);
    assert_eq!(
        code_at(&errs, &["fields", "0", "name"]).as_deref(),
        Some("validation_in_invalid")
    );
}

#[test]
fn type_changes_and_view_rules_are_rejected() {
    let ctx = ValidateContext::default();
    let original = base("t", json!([]));
    let mut changed = original.clone();
    changed.kind = CollectionType::Auth;
    let errs = validate_collection(&changed, Some(&original), &ctx);
    assert_eq!(
        code_at(&errs, &["type"]).as_deref(),
        Some("validation_collection_type_change")
    );

    let mut view = Collection::from_json(&json!({"name": "v", "type": "view", "createRule": ""}))
        .expect("view");
    view.id = "v1".into();
    let errs = validate_collection(&view, None, &ctx);
    assert_eq!(
        code_at(&errs, &["createRule"]).as_deref(),
        Some("validation_nil_invalid")
    );
    assert_eq!(
        code_at(&errs, &["viewQuery"]).as_deref(),
        Some("validation_required")
    );
}

#[test]
fn indexes_must_parse_and_name_known_columns() {
    let ctx = ValidateContext::default();
    let mut c = base("t", json!([{"name": "a", "type": "text"}]));
    c.indexes = vec![
        "CREATE UNIQUE INDEX idx_a ON t (a)".into(),
        "CREATE INDEX idx_b ON t (missing)".into(),
        "not an index".into(),
        "CREATE INDEX idx_a ON t (a)".into(),
        "CREATE INDEX idx_l ON t (lower(a))".into(),
    ];
    let errs = validate_collection(&c, None, &ctx);
    assert_eq!(code_at(&errs, &["indexes", "0"]), None);
    assert_eq!(
        code_at(&errs, &["indexes", "1"]).as_deref(),
        Some("validation_invalid_index_expression")
    );
    assert_eq!(
        code_at(&errs, &["indexes", "2"]).as_deref(),
        Some("validation_invalid_index_expression")
    );
    assert_eq!(
        code_at(&errs, &["indexes", "3"]).as_deref(),
        Some("validation_duplicated_index_name")
    );
    assert_eq!(code_at(&errs, &["indexes", "4"]), None);
    let parts =
        index_parts("CREATE UNIQUE INDEX `i` ON `t` (`a`, b) WHERE a != ''").expect("parts");
    assert!(parts.unique);
    assert_eq!(
        (
            parts.name.as_str(),
            parts.table.as_str(),
            parts.columns.as_str()
        ),
        ("i", "t", "`a`, b")
    );
    assert_eq!(parts.where_clause.as_deref(), Some("WHERE a != ''"));
}
