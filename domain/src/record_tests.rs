//! Record input, validation and API JSON tests.

use crate::collection::{
    Collection, CollectionType, default_collection_id, ensure_system_fields, merge_json,
    scaffold_json,
};
use crate::field::Modifier;
use crate::record::{Record, Visibility, split_modifier};
use crate::sql::SqlValue;
use serde_json::{Map, Value, json};

fn collection(kind: CollectionType, name: &str, fields: Value) -> Collection {
    let mut body = scaffold_json(kind);
    merge_json(&mut body, &json!({"name": name, "fields": fields}));
    let mut c = Collection::from_json(&body).expect("parse");
    c.id = default_collection_id(kind, name);
    ensure_system_fields(&mut c);
    c
}

fn body(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

fn posts() -> Collection {
    collection(
        CollectionType::Base,
        "posts",
        json!([
            {"name": "title", "type": "text", "required": true, "max": 10},
            {"name": "views", "type": "number", "min": 0},
            {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
            {"name": "secret", "type": "text", "hidden": true},
            {"name": "created", "type": "autodate", "onCreate": true}
        ]),
    )
}

#[test]
fn modifiers_are_split_from_keys() {
    assert_eq!(split_modifier("views+"), ("views", Some(Modifier::Append)));
    assert_eq!(split_modifier("+tags"), ("tags", Some(Modifier::Prepend)));
    assert_eq!(split_modifier("tags-"), ("tags", Some(Modifier::Subtract)));
    assert_eq!(split_modifier("title"), ("title", None));
}

#[test]
fn input_normalizes_applies_modifiers_and_ignores_what_it_must() {
    let c = posts();
    let mut r = Record::new(&c);
    assert_eq!(r.get("tags"), &json!([]));
    r.apply_input(&c, &body(json!({"title": 12, "views": "7", "tags": "a", "unknown": 1, "created": "x", "secret": "s"})), true, false);
    assert_eq!(r.get("title"), &json!("12"));
    assert_eq!(r.get("views"), &json!(7));
    assert_eq!(r.get("tags"), &json!(["a"]));
    assert_eq!(
        r.get("secret"),
        &json!(""),
        "hidden fields are superuser-only input"
    );
    assert_eq!(r.get("created"), &json!(""), "autodate ignores input");
    assert!(!r.data.contains_key("unknown"));
    r.apply_input(
        &c,
        &body(json!({"views+": 5, "tags+": ["b", "c"], "+tags": "c"})),
        false,
        true,
    );
    assert_eq!(r.get("views"), &json!(12));
    // keys apply in sorted order: `+tags` (prepend) before `tags+` (append, deduplicated)
    assert_eq!(r.get("tags"), &json!(["c", "a", "b"]));
    r.apply_input(
        &c,
        &body(json!({"tags-": "a", "views-": 2, "secret": "s"})),
        false,
        true,
    );
    assert_eq!(r.get("tags"), &json!(["c", "b"]));
    assert_eq!(r.get("views"), &json!(10));
    assert_eq!(r.get("secret"), &json!("s"));
}

#[test]
fn validation_collects_every_field_error() {
    let c = posts();
    let mut r = Record::new(&c);
    r.apply_input(
        &c,
        &body(json!({"title": "far too long a title", "views": -1})),
        true,
        false,
    );
    let errs = r.validate(&c, &Default::default(), true);
    assert_eq!(
        errs.get("title").map(|e| e.code.as_str()),
        Some("validation_max_text_constraint")
    );
    assert_eq!(
        errs.get("views").map(|e| e.code.as_str()),
        Some("validation_min_number_constraint")
    );
    let mut ok = Record::new(&c);
    ok.set("id", json!("abcdefghijklmno"));
    ok.apply_input(&c, &body(json!({"title": "fine"})), true, false);
    assert!(ok.validate(&c, &Default::default(), true).is_empty());
}

#[test]
fn passwords_are_required_on_create_and_confirmed() {
    let c = collection(CollectionType::Auth, "members", json!([]));
    let mut r = Record::new(&c);
    let input = r.apply_input(&c, &body(json!({"email": "a@b.co"})), true, false);
    let errs = r.validate(&c, &input, true);
    assert_eq!(
        errs.get("password").map(|e| e.code.as_str()),
        Some("validation_required")
    );
    assert_eq!(
        errs.get("passwordConfirm").map(|e| e.code.as_str()),
        Some("validation_required")
    );
    let input = r.apply_input(
        &c,
        &body(json!({"password": "12345678", "passwordConfirm": "87654321"})),
        true,
        false,
    );
    let errs = r.validate(&c, &input, true);
    assert_eq!(
        errs.get("passwordConfirm").map(|e| e.code.as_str()),
        Some("validation_values_mismatch")
    );
    assert_eq!(errs.get("password"), None);
}

#[test]
fn api_json_hides_secrets_hidden_fields_and_private_emails() {
    let c = collection(
        CollectionType::Auth,
        "members",
        json!([{"name": "note", "type": "text", "hidden": true}]),
    );
    let mut r = Record::new(&c);
    r.set("id", json!("abcdefghijklmno"));
    r.set("email", json!("a@b.co"));
    r.set("password", json!("$2a$hash"));
    r.set("tokenKey", json!("key"));
    r.set("note", json!("n"));
    let guest = r.to_json(&c, Visibility::default());
    assert_eq!(guest["collectionName"], "members");
    assert_eq!(guest["collectionId"], json!(c.id));
    for hidden in ["email", "password", "tokenKey", "note"] {
        assert!(guest.get(hidden).is_none(), "{hidden} leaked");
    }
    let owner = r.to_json(
        &c,
        Visibility {
            hidden: false,
            email: true,
        },
    );
    assert_eq!(owner["email"], "a@b.co");
    let su = r.to_json(
        &c,
        Visibility {
            hidden: true,
            email: true,
        },
    );
    assert_eq!(su["note"], "n");
    assert!(su.get("password").is_none() && su.get("tokenKey").is_none());
    r.set("emailVisibility", json!(true));
    assert_eq!(r.to_json(&c, Visibility::default())["email"], "a@b.co");
}

#[test]
fn rows_round_trip_through_sql_values() {
    let c = posts();
    let mut r = Record::new(&c);
    r.set("id", json!("abcdefghijklmno"));
    r.apply_input(
        &c,
        &body(json!({"title": "t", "views": 3, "tags": ["a", "b"]})),
        true,
        false,
    );
    let row = r.to_sql(&c);
    assert!(row.contains(&("tags".to_owned(), SqlValue::Text("[\"a\",\"b\"]".into()))));
    let back = Record::from_sql(&c, row.iter().map(|(k, v)| (k.as_str(), v)));
    assert_eq!(back, r);
}
