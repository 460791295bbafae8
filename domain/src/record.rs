//! Records: the values of one row of a collection, how request bodies change them (with the
//! `+`/`-` modifiers), how they are validated, and how the API shows them.

use crate::collection::Collection;
use crate::error::{FieldError, ValidationErrors};
use crate::field::{FieldKind, Modifier};
use crate::sql::SqlValue;
use serde_json::{Map, Value, json};

/// One record of a collection; `data` holds every field's normalized value by field name.
/// Two records are equal when they belong to the same collection and hold the same values.
#[derive(Debug, Clone)]
pub struct Record {
    /// The owning collection's id.
    pub collection_id: String,
    /// The owning collection's name.
    pub collection_name: String,
    /// Field values by field name.
    pub data: Map<String, Value>,
    /// The id the record is stored under (`None` until it is saved).
    stored_id: Option<String>,
    /// A new plain password to hash on save.
    password: Option<PlainPassword>,
    /// What `to_json` shows beyond the collection's defaults.
    shape: Shape,
    /// Files uploaded since the last save, and the file names as last stored.
    pub(crate) files: crate::record_uploads::FileState,
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.collection_id == other.collection_id && self.data == other.data
    }
}

/// A plain password waiting to be hashed; its `Debug` never shows it.
#[derive(Clone, PartialEq)]
struct PlainPassword(String);

impl std::fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainPassword(***)")
    }
}

/// Per-record overrides of the API JSON (PocketBase's `Hide`, `Unhide`, `WithCustomData`).
#[derive(Debug, Clone, Default, PartialEq)]
struct Shape {
    hidden: Vec<String>,
    unhidden: Vec<String>,
    custom_data: bool,
}

/// The body keys of an auth record that are not fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthInput {
    /// The new plain password.
    pub password: Option<String>,
    /// Its confirmation.
    pub password_confirm: Option<String>,
    /// The current password (required for owners changing their own password).
    pub old_password: Option<String>,
}

/// Who sees a record, which decides hidden fields and the auth email.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Visibility {
    /// Show fields marked hidden (never the password hash or token key).
    pub hidden: bool,
    /// Show the email of an auth record whatever its `emailVisibility`.
    pub email: bool,
}

impl Record {
    /// A new record with every field at its zero value.
    pub fn new(c: &Collection) -> Self {
        let data = c
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.zero_value()))
            .collect();
        Self {
            collection_id: c.id.clone(),
            collection_name: c.name.clone(),
            data,
            stored_id: None,
            password: None,
            shape: Shape::default(),
            files: Default::default(),
        }
    }

    /// True until the record is saved (or when it was built, not loaded).
    pub fn is_new(&self) -> bool {
        self.stored_id.is_none()
    }

    /// The id the record is stored under (it differs from [`Record::id`] while an id
    /// change is pending).
    pub fn stored_id(&self) -> Option<&str> {
        self.stored_id.as_deref()
    }

    /// Marks the record as stored under its current id (after a save or a load).
    pub fn mark_stored(&mut self) {
        self.stored_id = Some(self.id().to_owned());
    }

    /// Marks the record as new again (after a delete).
    pub fn mark_new(&mut self) {
        self.stored_id = None;
    }

    /// Sets a new plain password, hashed into the password field when the record is saved.
    pub fn set_password(&mut self, plain: impl Into<String>) {
        self.password = Some(PlainPassword(plain.into()));
    }

    /// The plain password set since the last save, if any.
    pub fn pending_password(&self) -> Option<&str> {
        self.password.as_ref().map(|p| p.0.as_str())
    }

    /// Forgets the plain password (once hashed).
    pub fn clear_pending_password(&mut self) {
        self.password = None;
    }

    /// Hides fields from the API JSON (PocketBase's `Record.Hide`).
    pub fn hide(&mut self, fields: &[&str]) {
        for f in fields {
            self.shape.unhidden.retain(|u| u != f);
            self.shape.hidden.push((*f).to_owned());
        }
    }

    /// Shows fields marked hidden in the collection in the API JSON (`Record.Unhide`);
    /// the password hash and token key stay out.
    pub fn unhide(&mut self, fields: &[&str]) {
        for f in fields {
            self.shape.hidden.retain(|h| h != f);
            self.shape.unhidden.push((*f).to_owned());
        }
    }

    /// With `true`, values set under names that are not fields show in the API JSON
    /// (`Record.WithCustomData`).
    pub fn with_custom_data(&mut self, on: bool) {
        self.shape.custom_data = on;
    }

    /// A record read from a row: `(column, value)` pairs; unknown columns are ignored.
    pub fn from_sql<'a>(
        c: &Collection,
        row: impl IntoIterator<Item = (&'a str, &'a SqlValue)>,
    ) -> Self {
        let mut rec = Self::new(c);
        for (col, v) in row {
            if let Some(f) = c.field(col) {
                rec.data.insert(f.name.clone(), f.from_sql(v));
            }
        }
        rec.mark_stored();
        rec.mark_files_stored(c);
        rec
    }

    /// The record id.
    pub fn id(&self) -> &str {
        self.text("id")
    }

    /// The value of field `name` (`null` when absent).
    pub fn get(&self, name: &str) -> &Value {
        self.data.get(name).unwrap_or(&Value::Null)
    }

    /// The text of field `name`, `""` when absent or not text.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).as_str().unwrap_or("")
    }

    /// Sets field `name` to an already normalized value.
    pub fn set(&mut self, name: &str, value: Value) {
        self.data.insert(name.to_owned(), value);
    }

    /// The `(column, value)` pairs to store, in field order.
    pub fn to_sql(&self, c: &Collection) -> Vec<(String, SqlValue)> {
        c.fields
            .iter()
            .map(|f| (f.name.clone(), f.to_sql(self.get(&f.name))))
            .collect()
    }

    /// The JSON the API shows: `collectionId`, `collectionName` and the visible fields.
    pub fn to_json(&self, c: &Collection, vis: Visibility) -> Value {
        let mut out = Map::new();
        out.insert("collectionId".into(), json!(self.collection_id));
        out.insert("collectionName".into(), json!(self.collection_name));
        let email_visible = vis.email || self.get("emailVisibility").as_bool() == Some(true);
        for f in &c.fields {
            if matches!(f.kind, FieldKind::Password(_)) || (c.is_auth() && f.name == "tokenKey") {
                continue;
            }
            if self.shape.hidden.contains(&f.name) {
                continue;
            }
            if f.hidden && !vis.hidden && !self.shape.unhidden.contains(&f.name) {
                continue;
            }
            if c.is_auth() && f.name == "email" && !email_visible {
                continue;
            }
            out.insert(f.name.clone(), self.get(&f.name).clone());
        }
        if self.shape.custom_data {
            for (k, v) in &self.data {
                if c.field(k).is_none() && !self.shape.hidden.contains(k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// Applies a request body: plain keys set a field (normalized), `name+` / `+name` /
    /// `name-` apply the modifiers. Unknown keys, autodate fields, the token key, the id on
    /// update, and hidden fields unless `set_hidden` are ignored. Returns the auth-only keys
    /// (passwords) for the caller.
    pub fn apply_input(
        &mut self,
        c: &Collection,
        body: &Map<String, Value>,
        is_create: bool,
        set_hidden: bool,
    ) -> AuthInput {
        let mut auth = AuthInput::default();
        for (key, raw) in body {
            if c.is_auth() {
                let text = || match raw {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                };
                match key.as_str() {
                    "password" => {
                        auth.password = text();
                        continue;
                    }
                    "passwordConfirm" => {
                        auth.password_confirm = text();
                        continue;
                    }
                    "oldPassword" => {
                        auth.old_password = text();
                        continue;
                    }
                    "tokenKey" => continue,
                    _ => {}
                }
            }
            let (name, modifier) = split_modifier(key);
            let Some(field) = c.field(name) else { continue };
            if matches!(field.kind, FieldKind::Autodate(_) | FieldKind::Password(_)) {
                continue;
            }
            if (name == "id" && !is_create) || (field.hidden && !set_hidden) {
                continue;
            }
            let value = match modifier {
                Some(m) => field.apply_modifier(self.get(name), m, raw),
                None => field.normalize(raw),
            };
            self.data.insert(name.to_owned(), value);
        }
        auth
    }

    /// Runs every field's value checks; the password field checks the plain password from
    /// `auth` (required on create), and `passwordConfirm` must match it.
    pub fn validate(&self, c: &Collection, auth: &AuthInput, is_create: bool) -> ValidationErrors {
        let mut errs = self.validate_fields(c, auth.password.as_deref(), is_create);
        if let Some(e) = Self::password_confirm_error(c, auth, is_create) {
            errs.add("passwordConfirm", e);
        }
        errs
    }

    /// The form-only check of an auth record's `passwordConfirm`: required with a new
    /// password (always on create), and equal to it.
    pub fn password_confirm_error(
        c: &Collection,
        auth: &AuthInput,
        is_create: bool,
    ) -> Option<FieldError> {
        if !c.is_auth() || !(is_create || auth.password.is_some()) {
            return None;
        }
        let confirm = auth.password_confirm.as_deref().unwrap_or("");
        if confirm.is_empty() {
            Some(FieldError::required())
        } else if Some(confirm) != auth.password.as_deref() {
            Some(FieldError::new(
                "validation_values_mismatch",
                "Values don't match.",
            ))
        } else {
            None
        }
    }

    /// The model-level checks of every field (what a save runs): the password field checks
    /// `password`, the plain password about to be hashed (required on create).
    pub fn validate_fields(
        &self,
        c: &Collection,
        password: Option<&str>,
        is_create: bool,
    ) -> ValidationErrors {
        let mut errs = ValidationErrors::new();
        for f in &c.fields {
            match &f.kind {
                FieldKind::Autodate(_) => continue,
                FieldKind::Password(_) => {
                    if is_create || password.is_some() {
                        let plain = json!(password.unwrap_or_default());
                        if let Err(e) = f.validate_value(&plain) {
                            errs.add(f.name.clone(), e);
                        }
                    }
                }
                FieldKind::File(o) => {
                    if let Err(e) = f
                        .validate_value(self.get(&f.name))
                        .and_then(|()| self.check_files(&f.name, o))
                    {
                        errs.add(f.name.clone(), e);
                    }
                }
                _ => {
                    if let Err(e) = f.validate_value(self.get(&f.name)) {
                        errs.add(f.name.clone(), e);
                    }
                }
            }
        }
        errs
    }
}

/// Splits `name+`, `+name` and `name-` into the field name and its modifier.
pub fn split_modifier(key: &str) -> (&str, Option<Modifier>) {
    if let Some(rest) = key.strip_prefix('+') {
        (rest, Some(Modifier::Prepend))
    } else if let Some(rest) = key.strip_suffix('+') {
        (rest, Some(Modifier::Append))
    } else if let Some(rest) = key.strip_suffix('-') {
        (rest, Some(Modifier::Subtract))
    } else {
        (key, None)
    }
}
