//! The blank collection of each type (PocketBase's scaffolds), and the system fields and
//! indexes every saved collection must carry.

use super::{Collection, CollectionType, default_field_id};
use crate::field::Field;
use serde_json::Value;
use std::sync::OnceLock;

const SCAFFOLDS: &str = include_str!("scaffolds.json");

/// `{base, auth, view}`: the blank collection JSON of each type.
pub fn scaffolds() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(SCAFFOLDS).unwrap_or(Value::Null))
}

/// The blank collection JSON for `kind`.
pub fn scaffold_json(kind: CollectionType) -> Value {
    scaffolds()
        .get(kind.as_str())
        .cloned()
        .unwrap_or(Value::Null)
}

fn scaffold_fields(kind: CollectionType) -> Vec<Field> {
    scaffold_json(kind)
        .get("fields")
        .cloned()
        .and_then(|f| serde_json::from_value(f).ok())
        .unwrap_or_default()
}

/// Adds what a collection can't be without: the `id` primary key first, the auth system
/// fields and their unique indexes for auth collections (replacing the scaffolds' table-less
/// samples), and default ids for new fields.
pub fn ensure_system_fields(c: &mut Collection) {
    if c.kind != CollectionType::View {
        let scaffold = scaffold_fields(c.kind);
        for (pos, sys) in scaffold.into_iter().enumerate() {
            if c.field(&sys.name).is_some() {
                continue;
            }
            if pos == 0 {
                c.fields.insert(0, sys);
            } else {
                c.fields.push(sys);
            }
        }
    }
    assign_field_ids(&mut c.fields);
    // The scaffolds' sample indexes name no table; the real ones are generated below.
    c.indexes
        .retain(|i| super::index_parts(i).is_none_or(|p| !p.table.is_empty()));
    if c.kind == CollectionType::Auth {
        for (column, filter) in [("tokenKey", ""), ("email", " WHERE `email` != ''")] {
            let needle = format!("(`{column}`)");
            if !c.indexes.iter().any(|i| i.contains(&needle)) {
                c.indexes.push(format!(
                    "CREATE UNIQUE INDEX `idx_{column}_{}` ON `{}` (`{column}`){filter}",
                    c.id, c.name
                ));
            }
        }
    }
}

fn assign_field_ids(fields: &mut [Field]) {
    for i in 0..fields.len() {
        if !fields[i].id.is_empty() {
            continue;
        }
        let base = default_field_id(fields[i].type_name(), &fields[i].name);
        let mut id = base.clone();
        let mut n = 2;
        while fields.iter().any(|f| f.id == id) {
            id = format!("{base}{n}");
            n += 1;
        }
        fields[i].id = id;
    }
}
