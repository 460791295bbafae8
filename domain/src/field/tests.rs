//! Field-level tests across all types: JSON shapes, dispatch and invariants.

use super::*;
use crate::error::ErrorNode;
use serde_json::json;

/// A fields list as PocketBase writes it (keys sorted, as its exports are).
fn sample_fields() -> Value {
    json!([
        {"autogeneratePattern": "[a-z0-9]{15}", "help": "", "hidden": false, "id": "text3208210256", "max": 15, "min": 15, "name": "id", "pattern": "^[a-z0-9]+$", "presentable": false, "primaryKey": true, "required": true, "system": true, "type": "text"},
        {"autogeneratePattern": "", "help": "", "hidden": false, "id": "text724990059", "max": 0, "min": 0, "name": "title", "pattern": "", "presentable": true, "primaryKey": false, "required": true, "system": false, "type": "text"},
        {"convertURLs": false, "help": "", "hidden": false, "id": "editor3685223346", "maxSize": 0, "name": "body", "presentable": false, "required": false, "system": false, "type": "editor"},
        {"help": "", "hidden": false, "id": "number2392944706", "max": null, "min": 0, "name": "amount", "onlyInt": true, "presentable": false, "required": false, "system": false, "type": "number"},
        {"help": "", "hidden": false, "id": "bool1260321794", "name": "active", "presentable": false, "required": false, "system": false, "type": "bool"},
        {"exceptDomains": [], "help": "", "hidden": false, "id": "email3885137012", "name": "contact", "onlyDomains": [], "presentable": false, "required": false, "system": false, "type": "email"},
        {"exceptDomains": [], "help": "", "hidden": false, "id": "url4101391790", "name": "site", "onlyDomains": ["example.com"], "presentable": false, "required": false, "system": false, "type": "url"},
        {"help": "", "hidden": false, "id": "date2862495610", "max": "", "min": "2020-01-01 00:00:00.000Z", "name": "when", "presentable": false, "required": false, "system": false, "type": "date"},
        {"help": "", "hidden": false, "id": "select1542800728", "maxSelect": 2, "name": "tags", "presentable": false, "required": false, "system": false, "type": "select", "values": ["a", "b", "c"]},
        {"help": "", "hidden": false, "id": "file3309110367", "maxSelect": 1, "maxSize": 0, "mimeTypes": [], "name": "image", "presentable": false, "protected": false, "required": false, "system": false, "thumbs": [], "type": "file"},
        {"cascadeDelete": true, "collectionId": "_pb_users_auth_", "help": "", "hidden": false, "id": "relation3182418120", "maxSelect": 1, "minSelect": 0, "name": "author", "presentable": false, "required": false, "system": false, "type": "relation"},
        {"help": "", "hidden": false, "id": "json2918445923", "maxSize": 0, "name": "data", "presentable": false, "required": false, "system": false, "type": "json"},
        {"help": "", "hidden": false, "id": "geoPoint1587448267", "name": "location", "presentable": false, "required": false, "system": false, "type": "geoPoint"},
        {"cost": 0, "help": "", "hidden": true, "id": "password901924565", "max": 0, "min": 8, "name": "password", "pattern": "", "presentable": false, "required": true, "system": true, "type": "password"},
        {"hidden": false, "id": "autodate2990389176", "name": "created", "onCreate": true, "onUpdate": false, "presentable": false, "system": false, "type": "autodate"},
        {"hidden": false, "id": "autodate3332085495", "name": "updated", "onCreate": true, "onUpdate": true, "presentable": false, "system": false, "type": "autodate"}
    ])
}

fn fields() -> Vec<Field> {
    serde_json::from_value(sample_fields()).unwrap()
}

#[test]
fn fields_list_round_trips() {
    let fields = fields();
    assert_eq!(fields.len(), 16);
    assert_eq!(serde_json::to_value(&fields).unwrap(), sample_fields());
    let types: Vec<&str> = fields.iter().map(Field::type_name).collect();
    assert_eq!(
        types,
        [
            "text", "text", "editor", "number", "bool", "email", "url", "date", "select", "file",
            "relation", "json", "geoPoint", "password", "autodate", "autodate"
        ]
    );
    for f in &fields {
        assert!(
            f.validate_options().is_empty(),
            "{}: {:?}",
            f.name,
            f.validate_options()
        );
    }
}

#[test]
fn every_type_name_round_trips() {
    for f in fields() {
        let raw = serde_json::to_value(&f).unwrap();
        assert_eq!(raw["type"], json!(f.type_name()));
        assert_eq!(f.kind.type_name(), f.type_name());
        let back: Field = serde_json::from_value(raw).unwrap();
        assert_eq!(back, f);
    }
}

#[test]
fn minimal_json_gets_defaults() {
    let f: Field = serde_json::from_value(json!({"type": "text", "name": "x"})).unwrap();
    assert_eq!(f, Field::new("x", FieldKind::Text(TextOptions::default())));
    let f: Field = serde_json::from_value(json!({"type": "number"})).unwrap();
    assert_eq!(f.name, "");
    // null reads as the zero value, as Go leaves the field untouched
    let f: Field = serde_json::from_value(json!({
        "type": "text", "name": null, "id": null, "system": null, "min": null, "required": null
    }))
    .unwrap();
    assert_eq!(f, Field::new("", FieldKind::Text(TextOptions::default())));
    // unknown keys are ignored
    let f: Field =
        serde_json::from_value(json!({"type": "bool", "name": "b", "whatever": [1]})).unwrap();
    assert_eq!(f.type_name(), "bool");
}

#[test]
fn unknown_or_missing_type_is_an_error() {
    assert!(serde_json::from_value::<Field>(json!({"type": "nope", "name": "x"})).is_err());
    assert!(serde_json::from_value::<Field>(json!({"name": "x"})).is_err());
    assert!(serde_json::from_value::<Field>(json!({"type": "Text", "name": "x"})).is_err());
    // Go refuses decimals for int options
    assert!(serde_json::from_value::<Field>(json!({"type": "text", "min": 1.5})).is_err());
}

#[test]
fn zero_values_and_columns() {
    let got: Vec<(String, Value, String)> = fields()
        .into_iter()
        .map(|f| (f.name.clone(), f.zero_value(), f.column_definition()))
        .collect();
    let want = [
        (
            "id",
            json!(""),
            "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL",
        ),
        ("title", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("body", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("amount", json!(0), "NUMERIC DEFAULT 0 NOT NULL"),
        ("active", json!(false), "BOOLEAN DEFAULT FALSE NOT NULL"),
        ("contact", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("site", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("when", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("tags", json!([]), "JSON DEFAULT '[]' NOT NULL"),
        ("image", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("author", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("data", json!(null), "JSON DEFAULT NULL"),
        (
            "location",
            json!({"lon": 0, "lat": 0}),
            r#"JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"#,
        ),
        ("password", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("created", json!(""), "TEXT DEFAULT '' NOT NULL"),
        ("updated", json!(""), "TEXT DEFAULT '' NOT NULL"),
    ];
    assert_eq!(got.len(), want.len());
    for ((name, zero, col), (wn, wz, wc)) in got.iter().zip(want) {
        assert_eq!(name, wn);
        assert_eq!(zero, &wz, "{name}");
        assert_eq!(col, wc, "{name}");
    }
}

#[test]
fn zero_values_are_valid_unless_required_and_survive_sql() {
    for f in fields() {
        let zero = f.zero_value();
        assert_eq!(f.normalize(&zero), zero, "{}", f.name);
        assert_eq!(f.from_sql(&f.to_sql(&zero)), zero, "{}", f.name);
        let res = f.validate_value(&zero);
        if f.required() {
            assert_eq!(res.unwrap_err().code, "validation_required", "{}", f.name);
        } else {
            assert!(res.is_ok(), "{}: {res:?}", f.name);
        }
    }
}

#[test]
fn normalize_accepts_strings_for_every_type() {
    // multipart form values all arrive as strings
    let inputs = [
        ("title", "hello", json!("hello")),
        ("body", "<p>x</p>", json!("<p>x</p>")),
        ("amount", "12.5", json!(12.5)),
        ("active", "true", json!(true)),
        ("contact", "a@b.cd", json!("a@b.cd")),
        ("site", "https://a.b", json!("https://a.b")),
        ("when", "2024-05-06", json!("2024-05-06 00:00:00.000Z")),
        ("tags", "a", json!(["a"])),
        ("image", "x.png", json!("x.png")),
        ("author", "abc", json!("abc")),
        ("data", r#"{"k":[1]}"#, json!({"k": [1]})),
        (
            "location",
            r#"{"lon":1,"lat":2}"#,
            json!({"lon": 1, "lat": 2}),
        ),
        ("password", "secret123", json!("secret123")),
        (
            "created",
            "2024-05-06 07:08:09.010Z",
            json!("2024-05-06 07:08:09.010Z"),
        ),
    ];
    let fields = fields();
    for (name, raw, want) in inputs {
        let f = fields.iter().find(|f| f.name == name).unwrap();
        let got = f.normalize(&json!(raw));
        assert_eq!(got, want, "{name}");
        // normalizing is stable
        assert_eq!(f.normalize(&got), got, "{name}");
    }
}

#[test]
fn modifier_support() {
    let fields = fields();
    let supported: Vec<(&str, bool, bool, bool)> = fields
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.supports_modifier(Modifier::Append),
                f.supports_modifier(Modifier::Prepend),
                f.supports_modifier(Modifier::Subtract),
            )
        })
        .filter(|(_, a, p, s)| *a || *p || *s)
        .collect();
    assert_eq!(
        supported,
        [
            ("amount", true, false, true),
            ("tags", true, true, true),
            ("image", true, true, true),
            ("author", true, true, true),
        ]
    );
}

#[test]
fn primary_key_and_help_accessors() {
    let fields = fields();
    assert!(fields[0].is_primary_key());
    assert!(fields.iter().skip(1).all(|f| !f.is_primary_key()));
    let mut f = fields[1].clone();
    if let FieldKind::Text(t) = &mut f.kind {
        t.help = "Shown below".into();
    }
    assert_eq!(f.help(), "Shown below");
    assert_eq!(
        serde_json::to_value(&f).unwrap()["help"],
        json!("Shown below")
    );
    assert_eq!(fields[14].help(), "");
    assert_eq!(fields[2].max_body_size(), Some(DEFAULT_EDITOR_MAX_SIZE));
    assert_eq!(fields[11].max_body_size(), Some(DEFAULT_JSON_MAX_SIZE));
    assert_eq!(fields[9].max_body_size(), Some(DEFAULT_FILE_MAX_SIZE));
    assert_eq!(fields[1].max_body_size(), None);
}

#[test]
fn common_option_errors() {
    let mut f = Field::new("", FieldKind::Bool(BoolOptions::default()));
    let errs = f.validate_options();
    assert_eq!(errs.get("id").unwrap().code, "validation_required");
    assert_eq!(errs.get("name").unwrap().code, "validation_required");
    f.id = "x".repeat(101);
    f.name = "collectionId".into();
    if let FieldKind::Bool(b) = &mut f.kind {
        b.help = "h".repeat(301);
    }
    let errs = f.validate_options();
    assert_eq!(
        errs.get("id").unwrap().message,
        "The length must be between 1 and 100."
    );
    assert_eq!(errs.get("name").unwrap().message, "Must not be in list.");
    assert_eq!(
        errs.get("help").unwrap().message,
        "The length must be between 1 and 300."
    );
    // autodate has no help to check
    let a = Field::new(
        "created",
        FieldKind::Autodate(AutodateOptions {
            on_create: true,
            on_update: false,
        }),
    );
    assert!(!a.validate_options().0.contains_key("help"));
}

#[test]
fn nested_option_errors_serialize_like_pocketbase() {
    let mut f = Field::new(
        "img",
        FieldKind::File(FileOptions {
            thumbs: vec!["bad".into()],
            ..Default::default()
        }),
    );
    f.id = "file1".into();
    let errs = f.validate_options();
    assert!(matches!(errs.0.get("thumbs"), Some(ErrorNode::Nested(_))));
    assert_eq!(
        serde_json::to_value(&errs).unwrap(),
        json!({"thumbs": {"0": {"code": "validation_match_invalid", "message": "Must be in a valid format."}}})
    );
}
