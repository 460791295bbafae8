//! A record's files: uploads waiting to be stored with the record, the names as last
//! stored, and PocketBase's checks of a file field's value (names a client may keep, the
//! uploads' size and type). Storing and deleting the bytes is the caller's: this module
//! only says which files a save adds and which it leaves behind.

use crate::collection::Collection;
use crate::error::FieldError;
use crate::field::{FieldKind, FileOptions, file_names};
use crate::record::{Record, split_modifier};
pub use crate::record_uploads::{FileContent, NewFile};
use serde_json::{Map, Value};
use std::collections::HashMap;

impl Record {
    /// Applies uploaded files as PocketBase's record form does: each `(key, file)` names a
    /// file field plainly (the field's new value: the names also submitted under that key
    /// in `body`, then the uploads; for a single-file field the last one wins), or with a
    /// modifier (`field+` appends, `+field` prepends). Keys of other fields are ignored.
    pub fn apply_uploads(
        &mut self,
        c: &Collection,
        body: &Map<String, Value>,
        uploads: Vec<(String, NewFile)>,
    ) {
        let mut by_key: Vec<(String, Vec<NewFile>)> = Vec::new();
        for (key, file) in uploads {
            match by_key.iter_mut().find(|(k, _)| *k == key) {
                Some((_, files)) => files.push(file),
                None => by_key.push((key, vec![file])),
            }
        }
        for (key, files) in by_key {
            let (name, modifier) = split_modifier(&key);
            let Some(field) = c.field(name) else { continue };
            if !matches!(field.kind, FieldKind::File(_)) {
                continue;
            }
            let new_names: Vec<Value> =
                files.iter().map(|f| Value::from(f.name.as_str())).collect();
            let value = match modifier {
                None => {
                    let mut list: Vec<Value> = body
                        .get(&key)
                        .map(file_names)
                        .unwrap_or_default()
                        .into_iter()
                        .map(Value::from)
                        .collect();
                    list.extend(new_names);
                    field.normalize(&Value::Array(list))
                }
                Some(m) => field.apply_modifier(self.get(name), m, &Value::Array(new_names)),
            };
            self.data.insert(name.to_owned(), value);
            self.files.get_mut().uploads.extend(files);
        }
    }

    /// Sets the file field `field` to `files` (replacing its value), as PocketBase's
    /// `record.Set(field, files)`; the files are stored when the record is saved.
    pub fn set_files(&mut self, c: &Collection, field: &str, files: Vec<NewFile>) {
        let uploads = files.into_iter().map(|f| (field.to_owned(), f)).collect();
        self.apply_uploads(c, &Map::new(), uploads);
    }

    /// The uploads still named by their field's value, with that field's name: what a save
    /// stores.
    pub fn pending_uploads<'a>(&'a self, c: &Collection) -> Vec<(String, &'a NewFile)> {
        let mut out = Vec::new();
        for f in &c.fields {
            if !matches!(f.kind, FieldKind::File(_)) {
                continue;
            }
            let names = file_names(self.get(&f.name));
            for up in self.files.uploads() {
                if names.contains(&up.name)
                    && !out
                        .iter()
                        .any(|(_, u): &(String, &NewFile)| u.name == up.name)
                {
                    out.push((f.name.clone(), up));
                }
            }
        }
        out
    }

    /// Forgets the uploads (once stored, or after a failed save cleaned them up).
    pub fn clear_uploads(&mut self) {
        if let Some(f) = self.files.0.as_mut() {
            f.uploads.clear();
            f.written_ahead.clear();
        }
    }

    /// Remembers that the uploads at these storage `keys` were written ahead of the save
    /// (outside its transaction), so the save's write skips them.
    pub fn mark_written_ahead(&mut self, keys: Vec<String>) {
        if !keys.is_empty() {
            self.files.get_mut().written_ahead = keys;
        }
    }

    /// Whether the upload at storage `key` was written ahead of the save.
    pub fn is_written_ahead(&self, key: &str) -> bool {
        self.files
            .0
            .as_ref()
            .is_some_and(|f| f.written_ahead.iter().any(|k| k == key))
    }

    /// Remembers the file names of every file field as stored (after a load or a save).
    pub fn mark_files_stored(&mut self, c: &Collection) {
        let stored: HashMap<String, Vec<String>> = c
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::File(_)))
            .map(|f| (f.name.clone(), file_names(self.get(&f.name))))
            .collect();
        if stored.is_empty() && self.files.0.is_none() {
            return;
        }
        self.files.get_mut().stored = stored;
    }

    /// The names stored before that the values no longer hold: the files a save of this
    /// record leaves behind (to delete once it commits).
    pub fn dropped_files(&self, c: &Collection) -> Vec<String> {
        let mut out = Vec::new();
        for f in &c.fields {
            let Some(stored) = self.files.stored(&f.name) else {
                continue;
            };
            let now = file_names(self.get(&f.name));
            out.extend(stored.iter().filter(|n| !now.contains(n)).cloned());
        }
        out
    }

    /// Every file name the record holds, over all its file fields.
    pub fn file_names(&self, c: &Collection) -> Vec<String> {
        c.fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::File(_)))
            .flat_map(|f| file_names(self.get(&f.name)))
            .collect()
    }

    /// The file field holding `name`, if any (PocketBase's `FindFileFieldByFile`).
    pub fn file_field_of<'c>(
        &self,
        c: &'c Collection,
        name: &str,
    ) -> Option<&'c crate::field::Field> {
        c.fields.iter().find(|f| {
            matches!(f.kind, FieldKind::File(_))
                && file_names(self.get(&f.name)).iter().any(|n| n == name)
        })
    }

    /// PocketBase's checks of a file field's value beyond its count: plain names must be
    /// files the record already had (`validation_invalid_file`), and each upload must pass
    /// the field's name, size and type checks.
    pub(crate) fn check_files(&self, field: &str, o: &FileOptions) -> Result<(), FieldError> {
        let value = self.get(field);
        let names = file_names(value);
        let stored = self.files.stored(field).cloned().unwrap_or_default();
        let plain: Vec<Value> = names
            .iter()
            .filter(|n| !self.files.uploads().iter().any(|u| &u.name == *n))
            .map(|n| Value::from(n.as_str()))
            .collect();
        o.check_submitted_names(&Value::from(stored), &Value::Array(plain))?;
        for up in self
            .files
            .uploads()
            .iter()
            .filter(|u| names.contains(&u.name))
        {
            o.validate_upload(&up.name, &up.original_name, up.size, Some(&up.content_type))?;
        }
        Ok(())
    }
}
