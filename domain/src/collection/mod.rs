//! Collections: the schema of a table of records (`base`, `auth` or `view`), its API rules,
//! indexes and type-specific options, with PocketBase's JSON shape.

mod auth_options;
mod index;
mod json;
mod record_schema;
mod scaffold;
mod validate;

pub use index::{IndexParts, has_single_column_unique_index, index_parts};
pub use json::{TOKEN_KEYS, merge_json};
pub use record_schema::{DATETIME_FORMAT, RecordSchemas, record_schemas};
pub use scaffold::{ensure_system_fields, scaffold_json, scaffolds};
pub use validate::{ValidateContext, validate_collection, validate_rules};

use crate::field::{Field, FieldKind, RelationOptions};
use serde_json::{Map, Value};

/// Name of the superusers collection.
pub const SUPERUSERS: &str = "_superusers";

/// The three kinds of collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionType {
    /// Plain records.
    Base,
    /// Records that can authenticate.
    Auth,
    /// A read-only SQL view.
    View,
}

impl CollectionType {
    /// The JSON name (`base`, `auth`, `view`).
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionType::Base => "base",
            CollectionType::Auth => "auth",
            CollectionType::View => "view",
        }
    }

    /// Parses the JSON name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "base" => Some(CollectionType::Base),
            "auth" => Some(CollectionType::Auth),
            "view" => Some(CollectionType::View),
            _ => None,
        }
    }
}

/// The five record API rules; `None` means superusers only, `Some("")` anyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Guards listing.
    pub list: Option<String>,
    /// Guards viewing one record.
    pub view: Option<String>,
    /// Guards creating.
    pub create: Option<String>,
    /// Guards updating.
    pub update: Option<String>,
    /// Guards deleting.
    pub delete: Option<String>,
}

/// A collection definition. Its `Debug` output is the JSON responses show, without the
/// token secrets and OAuth2 client secrets of the options.
#[derive(Clone, PartialEq)]
pub struct Collection {
    /// Unique id (`pbc_<crc32>` by default).
    pub id: String,
    /// Unique name, also the table name.
    pub name: String,
    /// Base, auth or view.
    pub kind: CollectionType,
    /// System collections can't be renamed or deleted.
    pub system: bool,
    /// The fields, in order.
    pub fields: Vec<Field>,
    /// `CREATE [UNIQUE] INDEX` statements.
    pub indexes: Vec<String>,
    /// The record API rules.
    pub rules: Rules,
    /// Type-specific options as stored: the auth options (with secrets) or `{viewQuery}`.
    pub options: Map<String, Value>,
    /// Creation time (`2006-01-02 15:04:05.000Z`).
    pub created: String,
    /// Last update time.
    pub updated: String,
}

impl std::fmt::Debug for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Collection")
            .field(&self.to_json(false))
            .finish()
    }
}

impl Collection {
    /// True for auth collections.
    pub fn is_auth(&self) -> bool {
        self.kind == CollectionType::Auth
    }

    /// True for view collections.
    pub fn is_view(&self) -> bool {
        self.kind == CollectionType::View
    }

    /// True for `_superusers`.
    pub fn is_superusers(&self) -> bool {
        self.name == SUPERUSERS
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The relation fields pointing at collection `target_id`, with their options, in
    /// field order.
    pub fn relations_to<'a>(
        &'a self,
        target_id: &'a str,
    ) -> impl Iterator<Item = (&'a Field, &'a RelationOptions)> + 'a {
        self.fields.iter().filter_map(move |f| match &f.kind {
            FieldKind::Relation(opts) if opts.collection_id == target_id => Some((f, opts)),
            _ => None,
        })
    }

    /// Points every index at the collection's current table (after a rename, or a
    /// scaffold's table-less sample); indexes already on the right table are kept as written.
    pub fn normalize_indexes(&mut self) {
        let table = self.name.clone();
        for idx in &mut self.indexes {
            if let Some(p) = index::index_parts(idx).filter(|p| p.table != table) {
                *idx = format!(
                    "CREATE {}INDEX `{}` ON `{}` ({}){}",
                    if p.unique { "UNIQUE " } else { "" },
                    p.name,
                    table,
                    p.columns,
                    p.where_clause.map(|w| format!(" {w}")).unwrap_or_default()
                );
            }
        }
    }

    /// True when a relation field of this collection points at collection `target_id`.
    pub fn relates_to(&self, target_id: &str) -> bool {
        self.relations_to(target_id).next().is_some()
    }

    /// The field with id `id`.
    pub fn field_by_id(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The view query of a view collection (`""` otherwise).
    pub fn view_query(&self) -> &str {
        self.options
            .get("viewQuery")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// An auth option object by key, e.g. `authToken` or `passwordAuth`.
    pub fn auth_option(&self, key: &str) -> Option<&Value> {
        self.options.get(key)
    }

    /// The secret and lifetime (seconds) of one of the auth collection's token kinds
    /// (`authToken`, `fileToken`, `passwordResetToken`, ...).
    pub fn token_config(&self, key: &str) -> (String, i64) {
        let cfg = self.options.get(key);
        let secret = cfg
            .and_then(|c| c.get("secret"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let duration = cfg
            .and_then(|c| c.get("duration"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        (secret, duration)
    }

    /// Whether password auth is on, and the identity fields it accepts.
    pub fn password_auth(&self) -> (bool, Vec<String>) {
        let cfg = self.options.get("passwordAuth");
        let enabled = cfg
            .and_then(|c| c.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let fields = cfg
            .and_then(|c| c.get("identityFields"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        (enabled, fields)
    }
}

/// PocketBase's default collection id: `pbc_` + the CRC-32 of type and name.
pub fn default_collection_id(kind: CollectionType, name: &str) -> String {
    format!("pbc_{}", crc32(&format!("{}{name}", kind.as_str())))
}

/// PocketBase's default field id: the type name + the CRC-32 of the field name.
pub fn default_field_id(type_name: &str, name: &str) -> String {
    format!("{type_name}{}", crc32(name))
}

fn crc32(s: &str) -> u32 {
    crc32fast::hash(s.as_bytes())
}

#[cfg(test)]
mod tests;
