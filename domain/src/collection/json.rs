//! Collections to and from PocketBase's JSON shape (API responses hide secrets).

use super::{Collection, CollectionType, Rules};
use crate::error::{FieldError, ValidationErrors};
use crate::field::Field;
use serde_json::{Map, Value, json};

/// The token options of an auth collection, each with a `secret` that never leaves the
/// server.
pub const TOKEN_KEYS: [&str; 5] = [
    "authToken",
    "fileToken",
    "passwordResetToken",
    "emailChangeToken",
    "verificationToken",
];

impl Collection {
    /// The JSON PocketBase shows for this collection; `with_secrets` keeps token secrets
    /// (for storage and internal merges only, never for responses).
    pub fn to_json(&self, with_secrets: bool) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("name".into(), json!(self.name));
        out.insert("type".into(), json!(self.kind.as_str()));
        out.insert("system".into(), json!(self.system));
        out.insert("listRule".into(), json!(self.rules.list));
        out.insert("viewRule".into(), json!(self.rules.view));
        out.insert("createRule".into(), json!(self.rules.create));
        out.insert("updateRule".into(), json!(self.rules.update));
        out.insert("deleteRule".into(), json!(self.rules.delete));
        out.insert(
            "fields".into(),
            serde_json::to_value(&self.fields).unwrap_or_else(|_| json!([])),
        );
        out.insert("indexes".into(), json!(self.indexes));
        out.insert("created".into(), json!(self.created));
        out.insert("updated".into(), json!(self.updated));
        for (k, v) in &self.options {
            out.insert(k.clone(), v.clone());
        }
        if !with_secrets {
            for key in TOKEN_KEYS {
                if let Some(Value::Object(o)) = out.get_mut(key) {
                    o.remove("secret");
                }
            }
            if let Some(Value::Array(providers)) =
                out.get_mut("oauth2").and_then(|o| o.get_mut("providers"))
            {
                for p in providers {
                    if let Value::Object(p) = p {
                        p.remove("clientSecret");
                    }
                }
            }
        }
        Value::Object(out)
    }

    /// The options column as stored (auth options with secrets, or `{viewQuery}`).
    pub fn options_json(&self) -> Value {
        Value::Object(self.options.clone())
    }

    /// Parses PocketBase's collection JSON. Shape errors (wrong JSON types, unknown field
    /// types) are reported per key; semantic checks are [`super::validate_collection`]'s.
    pub fn from_json(value: &Value) -> Result<Collection, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let Some(obj) = value.as_object() else {
            errs.add(
                "",
                FieldError::new("validation_invalid_value", "Must be an object."),
            );
            return Err(errs);
        };
        let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let rule = |k: &str, errs: &mut ValidationErrors| match obj.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errs.add(
                    k,
                    FieldError::new("validation_invalid_value", "Must be a string or null."),
                );
                None
            }
        };
        let type_name = text("type");
        let kind = match CollectionType::parse(if type_name.is_empty() {
            "base"
        } else {
            &type_name
        }) {
            Some(k) => k,
            None => {
                errs.add(
                    "type",
                    FieldError::new("validation_in_invalid", "Must be a valid value."),
                );
                CollectionType::Base
            }
        };
        let rules = Rules {
            list: rule("listRule", &mut errs),
            view: rule("viewRule", &mut errs),
            create: rule("createRule", &mut errs),
            update: rule("updateRule", &mut errs),
            delete: rule("deleteRule", &mut errs),
        };
        let fields = match obj.get("fields") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut fields = Vec::with_capacity(items.len());
                let mut field_errs = ValidationErrors::new();
                for (i, item) in items.iter().enumerate() {
                    match serde_json::from_value::<Field>(item.clone()) {
                        Ok(f) => fields.push(f),
                        Err(e) => field_errs.add(
                            i.to_string(),
                            FieldError::new(
                                "validation_invalid_field",
                                format!("Invalid field: {e}."),
                            ),
                        ),
                    }
                }
                errs.add_nested("fields", field_errs);
                fields
            }
            Some(_) => {
                errs.add(
                    "fields",
                    FieldError::new("validation_invalid_value", "Must be an array."),
                );
                Vec::new()
            }
        };
        let indexes = match obj.get("indexes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(_) => {
                errs.add(
                    "indexes",
                    FieldError::new("validation_invalid_value", "Must be an array of strings."),
                );
                Vec::new()
            }
        };
        let mut options = Map::new();
        match kind {
            CollectionType::View => {
                options.insert("viewQuery".into(), json!(text("viewQuery")));
            }
            CollectionType::Auth => {
                for (k, v) in obj {
                    if !BASE_KEYS.contains(&k.as_str()) && k != "viewQuery" {
                        options.insert(k.clone(), v.clone());
                    }
                }
                if options.contains_key("oauth2") {
                    crate::oauth2::normalize_oauth2(&mut options);
                }
            }
            CollectionType::Base => {}
        }
        errs.into_result()?;
        Ok(Collection {
            id: text("id"),
            name: text("name"),
            kind,
            system: obj.get("system").and_then(Value::as_bool).unwrap_or(false),
            fields,
            indexes,
            rules,
            options,
            created: text("created"),
            updated: text("updated"),
        })
    }
}

/// Keys every collection type has.
const BASE_KEYS: [&str; 13] = [
    "id",
    "name",
    "type",
    "system",
    "listRule",
    "viewRule",
    "createRule",
    "updateRule",
    "deleteRule",
    "fields",
    "indexes",
    "created",
    "updated",
];

/// Merges `patch` into `base` the way Go's `json.Unmarshal` onto a populated struct does:
/// objects merge key by key, everything else (arrays included) is replaced.
pub fn merge_json(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_json(existing, v)
                    }
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}
