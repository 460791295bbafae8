//! Collection fields: their PocketBase JSON shape, SQLite columns, how user input is cast
//! and stored, the `+`/`-` modifiers, and the value and option checks with PocketBase's
//! error codes and messages.
//!
//! Each field type lives in its own file as an options struct (`TextOptions`, ...) with
//! exactly PocketBase's JSON option keys; [`Field`] holds the common keys and dispatches
//! to the type. Values are [`serde_json::Value`]s in the shape a record shows them
//! (`""`, numbers, booleans, string arrays, `{"lon","lat"}`, any JSON).

mod autodate;
mod boolean;
mod cast;
mod date;
mod domains;
mod editor;
mod email;
mod errors;
mod file;
mod geo_point;
mod goregex;
mod gourl;
mod json;
mod multi;
mod number;
mod password;
mod relation;
mod select;
mod serde_util;
mod text;
mod url;

#[cfg(test)]
mod tests;

pub use autodate::AutodateOptions;
pub use boolean::BoolOptions;
pub use date::DateOptions;
pub use editor::{DEFAULT_EDITOR_MAX_SIZE, EditorOptions};
pub use email::{EmailOptions, is_email};
pub use errors::RESERVED_FIELD_NAMES;
pub(crate) use file::file_names;
pub use file::{DEFAULT_FILE_MAX_SIZE, FileOptions};
pub use geo_point::GeoPointOptions;
pub use goregex::{compile_go_regex, go_regex_matches};
pub use gourl::is_url;
pub use json::{DEFAULT_JSON_MAX_SIZE, JsonOptions};
pub use number::NumberOptions;
pub use password::{DEFAULT_PASSWORD_COST, DEFAULT_PASSWORD_MAX, PasswordOptions};
pub use relation::RelationOptions;
pub use select::SelectOptions;
pub use text::{DEFAULT_TEXT_MAX, LOWERCASE_ID_PATTERN, TextOptions};
pub use url::UrlOptions;

use crate::error::{FieldError, ValidationErrors};
use crate::pattern::PatternError;
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_util::null_default;

/// The column definition of every text-like field.
pub(crate) const TEXT_COLUMN: &str = "TEXT DEFAULT '' NOT NULL";

/// One field of a collection, serialized as PocketBase's field JSON
/// (`{"id","name","type","system","hidden","presentable", ...options}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Stable id (PocketBase defaults it to the type name + CRC-32 of the name).
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    /// Unique name within the collection, also the column name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// System fields can't be renamed or deleted.
    #[serde(default, deserialize_with = "null_default")]
    pub system: bool,
    /// Hidden fields are left out of API responses (superusers see them on request).
    #[serde(default, deserialize_with = "null_default")]
    pub hidden: bool,
    /// A hint for the dashboard to show the value in relation previews.
    #[serde(default, deserialize_with = "null_default")]
    pub presentable: bool,
    /// The type and its options.
    #[serde(flatten)]
    pub kind: FieldKind,
}

/// The field type (the JSON `type` key) and its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FieldKind {
    /// `text`: a string.
    Text(TextOptions),
    /// `editor`: rich text (HTML).
    Editor(EditorOptions),
    /// `number`: a float.
    Number(NumberOptions),
    /// `bool`: a boolean.
    Bool(BoolOptions),
    /// `email`: an email address.
    Email(EmailOptions),
    /// `url`: a URL.
    Url(UrlOptions),
    /// `date`: a date-time string.
    Date(DateOptions),
    /// `autodate`: a date-time set on create and/or update.
    Autodate(AutodateOptions),
    /// `select`: one or more of fixed values.
    Select(SelectOptions),
    /// `file`: one or more file names.
    File(FileOptions),
    /// `relation`: one or more record ids of another collection.
    Relation(RelationOptions),
    /// `json`: any JSON value.
    Json(JsonOptions),
    /// `geoPoint`: `{"lon","lat"}`.
    GeoPoint(GeoPointOptions),
    /// `password`: a bcrypt hash (never shown).
    Password(PasswordOptions),
}

/// A request body key modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `field+`: append to a list, add to a number.
    Append,
    /// `+field`: prepend to a list.
    Prepend,
    /// `field-`: remove from a list, subtract from a number.
    Subtract,
}

/// What every field type implements; [`Field`] dispatches to it.
pub(crate) trait FieldType {
    /// The JSON `type`.
    fn type_name(&self) -> &'static str;

    /// The `help` text (autodate has none).
    fn help(&self) -> &str {
        ""
    }

    /// The `required` option.
    fn required(&self) -> bool {
        false
    }

    /// True for multi-value select/relation/file fields.
    fn is_multiple(&self) -> bool {
        false
    }

    /// The SQLite column type and constraints.
    fn column_definition(&self) -> String {
        TEXT_COLUMN.to_owned()
    }

    /// The value of an unset field.
    fn zero_value(&self) -> Value {
        Value::String(String::new())
    }

    /// Casts user input (JSON or multipart text) to the field's value.
    fn normalize(&self, raw: &Value) -> Value;

    /// The stored form of a normalized value.
    fn to_sql(&self, value: &Value) -> SqlValue;

    /// The value of a stored column.
    #[allow(clippy::wrong_self_convention)]
    fn from_sql(&self, v: &SqlValue) -> Value;

    /// Applies a modifier; `None` when the type has no such modifier.
    fn apply_modifier(&self, _current: &Value, _modifier: Modifier, _arg: &Value) -> Option<Value> {
        None
    }

    /// Checks a normalized value.
    fn validate_value(&self, value: &Value) -> Result<(), FieldError>;

    /// Adds the type-specific option errors (the common id/name/help checks are done).
    fn validate_options(&self, _field: &Field, _errs: &mut ValidationErrors) {}
}

impl FieldKind {
    fn as_type(&self) -> &dyn FieldType {
        match self {
            FieldKind::Text(o) => o,
            FieldKind::Editor(o) => o,
            FieldKind::Number(o) => o,
            FieldKind::Bool(o) => o,
            FieldKind::Email(o) => o,
            FieldKind::Url(o) => o,
            FieldKind::Date(o) => o,
            FieldKind::Autodate(o) => o,
            FieldKind::Select(o) => o,
            FieldKind::File(o) => o,
            FieldKind::Relation(o) => o,
            FieldKind::Json(o) => o,
            FieldKind::GeoPoint(o) => o,
            FieldKind::Password(o) => o,
        }
    }

    /// The JSON `type` name, e.g. `"geoPoint"`.
    pub fn type_name(&self) -> &'static str {
        self.as_type().type_name()
    }
}

impl Field {
    /// A non-system, visible field with an empty id (PocketBase assigns one on save).
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        Self {
            id: String::new(),
            name: name.into(),
            system: false,
            hidden: false,
            presentable: false,
            kind,
        }
    }

    /// The JSON `type` name, e.g. `"text"`.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }

    /// The `help` text (`""` for autodate, which has none).
    pub fn help(&self) -> &str {
        self.kind.as_type().help()
    }

    /// True for select, relation and file fields with `maxSelect > 1`.
    pub fn is_multiple(&self) -> bool {
        self.kind.as_type().is_multiple()
    }

    /// The `required` option (false for autodate, which has none).
    pub fn required(&self) -> bool {
        self.kind.as_type().required()
    }

    /// True for the text field marked as the primary key.
    pub fn is_primary_key(&self) -> bool {
        matches!(&self.kind, FieldKind::Text(t) if t.primary_key)
    }

    /// The SQLite column type and default PocketBase creates the column with.
    pub fn column_definition(&self) -> String {
        self.kind.as_type().column_definition()
    }

    /// What a record shows for an unset field: `""`, `0`, `false`, `[]`, `null` or
    /// `{"lon":0,"lat":0}`.
    pub fn zero_value(&self) -> Value {
        self.kind.as_type().zero_value()
    }

    /// Casts raw input (a JSON body value, or a multipart string) to the field's value, as
    /// PocketBase's `PrepareValue` does. Never fails: what can't be cast becomes the zero
    /// value (except a number given as `"NaN"`/`"Inf"`, kept as the string so that
    /// [`Field::validate_value`] reports `validation_not_a_number`).
    pub fn normalize(&self, raw: &Value) -> Value {
        self.kind.as_type().normalize(raw)
    }

    /// The column value to store for a normalized value: text, 0/1 for booleans, an integer
    /// or real for numbers, JSON text for multi-value, json and geoPoint fields (`NULL` for
    /// a `null` json value).
    pub fn to_sql(&self, value: &Value) -> SqlValue {
        self.kind.as_type().to_sql(value)
    }

    /// The value of a stored column, as a record shows it.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_sql(&self, v: &SqlValue) -> Value {
        self.kind.as_type().from_sql(v)
    }

    /// True when the field type has `modifier`: number `+`/`-`, and select, relation and
    /// file `+`, `+` prefix and `-`.
    pub fn supports_modifier(&self, modifier: Modifier) -> bool {
        self.kind
            .as_type()
            .apply_modifier(&Value::Null, modifier, &Value::Null)
            .is_some()
    }

    /// Applies a body key modifier (`field+`, `+field`, `field-`) to the current value.
    ///
    /// Fields without the modifier ignore it, as PocketBase does (it stores such a key as
    /// unknown data): the result is the current value, normalized.
    pub fn apply_modifier(&self, current: &Value, modifier: Modifier, arg: &Value) -> Value {
        let kind = self.kind.as_type();
        kind.apply_modifier(current, modifier, arg)
            .unwrap_or_else(|| kind.normalize(current))
    }

    /// Checks a normalized value with PocketBase's codes and messages. Checks that need the
    /// database (relation targets exist, uniqueness, files being new uploads) are the
    /// caller's. A password field gets the plain password.
    pub fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        self.kind.as_type().validate_value(value)
    }

    /// Checks the field definition before its collection is saved: id, name (PocketBase's
    /// `^\w+$`, 1-100 characters, not reserved, no `_via_`), help, and the type's options.
    /// Keys are the JSON option names. Checks that need the collection or the database
    /// (one primary key, the relation collection exists and is unchanged, system autodate
    /// flags unchanged) are the caller's.
    pub fn validate_options(&self) -> ValidationErrors {
        let mut errs = ValidationErrors::new();
        errors::check_id(&mut errs, &self.id);
        errors::check_name(&mut errs, &self.name);
        errors::check_help(&mut errs, self.help());
        self.kind.as_type().validate_options(self, &mut errs);
        errs
    }

    /// For autodate fields, the value to set when a record is created (`is_create`, if
    /// `onCreate`) or updated (if `onUpdate`): `now`, formatted by the caller as
    /// `2006-01-02 15:04:05.000Z`. `None` for other fields or when not due.
    pub fn autodate_value(&self, now: &str, is_create: bool) -> Option<Value> {
        match &self.kind {
            FieldKind::Autodate(a) => a.is_due(is_create).then(|| Value::String(now.to_owned())),
            _ => None,
        }
    }

    /// For text fields with an `autogeneratePattern`, a generated value (`pick(n)` returns
    /// a random index below `n`). `None` for other fields or without a pattern.
    pub fn autogenerate(
        &self,
        pick: &mut dyn FnMut(usize) -> usize,
    ) -> Option<Result<String, PatternError>> {
        match &self.kind {
            FieldKind::Text(t) => t.autogenerate(pick),
            _ => None,
        }
    }

    /// The approximate largest body a value may need (PocketBase's
    /// `CalculateMaxBodySize`): editor and json max sizes, file max size × max select.
    pub fn max_body_size(&self) -> Option<i64> {
        match &self.kind {
            FieldKind::Editor(e) => Some(e.max_size()),
            FieldKind::Json(j) => Some(j.max_size()),
            FieldKind::File(f) => Some(f.max_size().saturating_mul(f.max_select())),
            _ => None,
        }
    }
}
