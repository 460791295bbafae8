//! JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses them) of a collection's records: the
//! record as the API answers it, and the bodies that create and update one. They follow the
//! fields: types, `required`, enums for selects, formats for emails, URLs and dates, relation
//! ids, file names (and multipart uploads), the `+`/`-` modifiers of updates.
//!
//! Every property of an answered record is optional in its schema: a caller's `fields`
//! parameter, hidden fields and the email's visibility decide which keys an answer has.

use super::Collection;
use crate::field::{Field, FieldKind};
use serde_json::{Map, Value, json};

/// The schemas of one collection's records.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSchemas {
    /// A record as the API answers it.
    pub record: Value,
    /// The body of a create (`None` for views, which cannot be written).
    pub create: Option<Value>,
    /// The body of an update (`None` for views).
    pub update: Option<Value>,
    /// Whether the collection has file fields (its bodies also come as multipart forms).
    pub has_files: bool,
}

/// The format given to PocketBase's date-time strings (`2006-01-02 15:04:05.000Z`), which
/// RFC 3339's `date-time` does not cover (a space, not a `T`).
pub const DATETIME_FORMAT: &str = "pocketbase-datetime";

/// A date-time string as PocketBase writes it, or `""`.
const DATETIME_PATTERN: &str = r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)?$";

/// A record id: 15 characters (ids may be chosen on create) of `[a-z0-9]`, or what a custom
/// `id` pattern allows.
const ID_DESCRIPTION: &str = "A record id.";

/// The schemas of `c`'s records.
pub fn record_schemas(c: &Collection) -> RecordSchemas {
    let writable = !c.is_view();
    RecordSchemas {
        record: record(c),
        create: writable.then(|| body(c, true)),
        update: writable.then(|| body(c, false)),
        has_files: c
            .fields
            .iter()
            .any(|f| matches!(f.kind, FieldKind::File(_))),
    }
}

/// An answered record: every field a client may be shown, with `collectionId`,
/// `collectionName` and `expand`.
fn record(c: &Collection) -> Value {
    let mut props = Map::new();
    props.insert(
        "collectionId".into(),
        json!({"type": "string", "const": c.id}),
    );
    props.insert(
        "collectionName".into(),
        json!({"type": "string", "const": c.name}),
    );
    for f in &c.fields {
        if matches!(f.kind, FieldKind::Password(_)) || (c.is_auth() && f.name == "tokenKey") {
            continue;
        }
        let mut schema = value_schema(f, Direction::Out);
        if f.hidden {
            describe(&mut schema, "Hidden: only superusers see it.");
        }
        if c.is_auth() && f.name == "email" {
            describe(
                &mut schema,
                "Shown to the record itself, superusers and managers, or when emailVisibility is on.",
            );
        }
        props.insert(f.name.clone(), schema);
    }
    props.insert(
        "expand".into(),
        json!({
            "type": "object",
            "description": "The related records the request's `expand` asked for, by relation.",
            "additionalProperties": true
        }),
    );
    json!({
        "type": "object",
        "title": format!("{} record", c.name),
        "properties": Value::Object(props),
        "additionalProperties": true
    })
}

/// The body of a create (`is_create`) or an update: the fields a client may set (not
/// autodates nor the token key; the id on create only), the passwords of auth records, and
/// on update the `+`/`-` modifiers.
fn body(c: &Collection, is_create: bool) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in &c.fields {
        match &f.kind {
            FieldKind::Autodate(_) => continue,
            _ if c.is_auth() && f.name == "tokenKey" => continue,
            _ if f.name == "id" && !is_create => continue,
            FieldKind::Password(_) => {
                props.insert(f.name.clone(), value_schema(f, Direction::In));
                props.insert(
                    "passwordConfirm".into(),
                    json!({"type": "string", "description": "The password again."}),
                );
                if !is_create {
                    props.insert(
                        "oldPassword".into(),
                        json!({"type": "string", "description": "The current password: required to change it unless a manager."}),
                    );
                }
                if is_create && f.required() {
                    required.extend([json!(f.name), json!("passwordConfirm")]);
                }
                continue;
            }
            _ => {}
        }
        props.insert(f.name.clone(), value_schema(f, Direction::In));
        let generated = matches!(&f.kind, FieldKind::Text(t) if !t.autogenerate_pattern.is_empty());
        if is_create && f.required() && !generated {
            required.push(json!(f.name));
        }
        if !is_create {
            modifiers(f, &mut props);
        }
    }
    let mut schema = json!({
        "type": "object",
        "title": format!("{} {}", c.name, if is_create { "create" } else { "update" }),
        "properties": Value::Object(props),
        "additionalProperties": true
    });
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

/// `name+` / `+name` / `name-` on an update: add to or subtract from a number, append,
/// prepend or remove values of a multi-valued field.
fn modifiers(f: &Field, props: &mut Map<String, Value>) {
    let items = match &f.kind {
        FieldKind::Number(_) => {
            for key in [format!("{}+", f.name), format!("{}-", f.name)] {
                props.insert(key, json!({"type": "number"}));
            }
            return;
        }
        FieldKind::Select(o) if o.max_select > 1 => enum_of(&o.values),
        FieldKind::Relation(o) if o.max_select > 1 => json!({"type": "string"}),
        FieldKind::File(o) if o.max_select > 1 => json!({"type": "string"}),
        _ => return,
    };
    let one_or_many = json!({"anyOf": [items.clone(), {"type": "array", "items": items}]});
    for key in [
        format!("{}+", f.name),
        format!("+{}", f.name),
        format!("{}-", f.name),
    ] {
        props.insert(key, one_or_many.clone());
    }
}

/// Which way a value travels: answered (always the stored form) or sent (may be empty).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Out,
    In,
}

/// The schema of one field's value.
fn value_schema(f: &Field, dir: Direction) -> Value {
    let optional = !f.required() || dir == Direction::Out;
    let mut s = match &f.kind {
        FieldKind::Text(o) => {
            let mut s = json!({"type": "string"});
            if o.max > 0 {
                s["maxLength"] = json!(o.max);
            }
            if f.name == "id" {
                describe(&mut s, ID_DESCRIPTION);
            }
            s
        }
        FieldKind::Editor(_) => json!({"type": "string", "contentMediaType": "text/html"}),
        FieldKind::Password(o) => {
            let mut s = json!({"type": "string", "writeOnly": true});
            if o.max > 0 {
                s["maxLength"] = json!(o.max);
            }
            s
        }
        FieldKind::Number(o) => {
            let mut s = json!({"type": if o.only_int { "integer" } else { "number" }});
            if dir == Direction::In {
                if let Some(min) = o.min {
                    s["minimum"] = json!(min);
                }
                if let Some(max) = o.max {
                    s["maximum"] = json!(max);
                }
            }
            s
        }
        FieldKind::Bool(_) => json!({"type": "boolean"}),
        FieldKind::Email(_) => formatted("email", optional),
        FieldKind::Url(_) => formatted("uri", optional),
        FieldKind::Date(_) | FieldKind::Autodate(_) => json!({
            "type": "string",
            "format": DATETIME_FORMAT,
            "pattern": DATETIME_PATTERN,
            "description": "UTC, as `2006-01-02 15:04:05.000Z`; empty when not set."
        }),
        FieldKind::Select(o) => {
            let mut one = enum_of(&o.values);
            if optional && let Some(list) = one["enum"].as_array_mut() {
                list.push(json!(""));
            }
            if o.max_select > 1 {
                json!({"type": "array", "items": enum_of(&o.values), "maxItems": o.max_select, "uniqueItems": true})
            } else {
                one
            }
        }
        FieldKind::Relation(o) => {
            let id = json!({"type": "string", "description": format!("A record id of collection {}.", o.collection_id)});
            if o.max_select > 1 {
                json!({"type": "array", "items": id, "maxItems": o.max_select})
            } else {
                id
            }
        }
        FieldKind::File(o) => {
            let name = if dir == Direction::In {
                json!({"type": "string", "description": "A stored file name, or an upload (multipart)."})
            } else {
                json!({"type": "string", "description": "A stored file name (GET /api/files/{collection}/{record}/{name})."})
            };
            if o.max_select > 1 {
                json!({"type": "array", "items": name, "maxItems": o.max_select})
            } else {
                name
            }
        }
        FieldKind::Json(_) => json!({"description": "Any JSON value."}),
        FieldKind::GeoPoint(_) => json!({
            "type": "object",
            "properties": {"lon": {"type": "number"}, "lat": {"type": "number"}},
            "required": ["lon", "lat"]
        }),
    };
    if dir == Direction::Out && matches!(f.kind, FieldKind::Autodate(_)) {
        s["readOnly"] = json!(true);
    }
    s
}

/// A string of `format`, or `""` when `optional`.
fn formatted(format: &str, optional: bool) -> Value {
    if optional {
        json!({"type": "string", "anyOf": [{"const": ""}, {"format": format}]})
    } else {
        json!({"type": "string", "format": format})
    }
}

/// One of a select's values.
fn enum_of(values: &[String]) -> Value {
    json!({"type": "string", "enum": values})
}

/// Appends `text` to the schema's description.
fn describe(schema: &mut Value, text: &str) {
    let merged = match schema.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("{d} {text}"),
        _ => text.to_owned(),
    };
    schema["description"] = json!(merged);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posts() -> Collection {
        let mut c = Collection::from_json(&json!({
            "id": "pbc_posts", "name": "posts", "type": "base",
            "fields": [
                {"name": "title", "type": "text", "required": true, "max": 100},
                {"name": "views", "type": "number", "onlyInt": true, "min": 0},
                {"name": "status", "type": "select", "values": ["draft", "live"], "maxSelect": 1},
                {"name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 2},
                {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
                {"name": "contact", "type": "email"},
                {"name": "at", "type": "date"},
                {"name": "note", "type": "text", "hidden": true},
                {"name": "cover", "type": "file", "maxSelect": 1},
                {"name": "created", "type": "autodate", "onCreate": true},
            ],
        }))
        .expect("posts");
        crate::collection::ensure_system_fields(&mut c);
        c
    }

    #[test]
    fn a_record_follows_its_fields() {
        let s = record_schemas(&posts());
        let p = &s.record["properties"];
        assert_eq!(p["collectionName"]["const"], "posts");
        assert_eq!(p["title"], json!({"type": "string", "maxLength": 100}));
        assert_eq!(p["views"]["type"], "integer");
        assert_eq!(p["status"]["enum"], json!(["draft", "live", ""]));
        assert_eq!(p["tags"]["items"]["enum"], json!(["a", "b"]));
        assert_eq!(p["tags"]["maxItems"], 2);
        assert_eq!(p["author"]["type"], "string");
        assert_eq!(p["contact"]["anyOf"][1]["format"], "email");
        assert_eq!(p["at"]["format"], DATETIME_FORMAT);
        assert_eq!(p["created"]["readOnly"], true);
        assert!(
            p["note"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("Hidden"))
        );
        assert!(
            s.record.get("required").is_none(),
            "fields= may drop any key"
        );
        assert!(s.has_files);
    }

    #[test]
    fn bodies_require_what_the_fields_require_and_updates_take_modifiers() {
        let s = record_schemas(&posts());
        let create = s.create.expect("create");
        assert_eq!(create["required"], json!(["title"]));
        assert!(
            create["properties"].get("created").is_none(),
            "autodates are the server's"
        );
        assert!(
            create["properties"].get("id").is_some(),
            "a create may choose the id"
        );
        assert_eq!(create["properties"]["views"]["minimum"], 0.0);
        let update = s.update.expect("update");
        assert!(update.get("required").is_none());
        assert!(update["properties"].get("id").is_none());
        assert_eq!(update["properties"]["views+"]["type"], "number");
        assert!(update["properties"].get("tags-").is_some());
        assert!(update["properties"].get("+tags").is_some());
    }

    #[test]
    fn auth_records_hide_their_secrets_and_take_passwords() {
        let mut users = Collection::from_json(&json!({
            "id": "_pb_users_auth_", "name": "users", "type": "auth", "fields": []
        }))
        .expect("users");
        crate::collection::ensure_system_fields(&mut users);
        let s = record_schemas(&users);
        let p = &s.record["properties"];
        assert!(p.get("password").is_none());
        assert!(p.get("tokenKey").is_none());
        assert_eq!(p["verified"]["type"], "boolean");
        let create = s.create.expect("create");
        assert_eq!(
            create["required"],
            json!(["password", "passwordConfirm", "email"])
        );
        let update = s.update.expect("update");
        assert!(update["properties"].get("oldPassword").is_some());
    }

    #[test]
    fn views_are_read_only() {
        let c = Collection::from_json(&json!({
            "name": "stats", "type": "view", "viewQuery": "SELECT 1 AS id",
            "fields": [{"name": "id", "type": "text"}]
        }))
        .expect("view");
        let s = record_schemas(&c);
        assert!(s.create.is_none() && s.update.is_none());
    }
}
