//! The `file` field: one (`maxSelect` ≤ 1) or several stored file names. Uploading,
//! naming and deleting files is the caller's; this file knows the names, the limits and
//! PocketBase's upload checks.

use super::cast::unique_strings;
use super::errors::{self, MAX_SAFE_JSON_INT, check_int};
use super::serde_util::null_default;
use super::{Field, FieldType, Modifier, multi};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::LazyLock;

/// The per-file size limit applied when `maxSize` is 0 or less: 5 MiB.
pub const DEFAULT_FILE_MAX_SIZE: i64 = 5 << 20;

/// Thumb sizes PocketBase refuses.
const FORBIDDEN_THUMBS: &[&str] = &["0x0", "0x0t", "0x0b", "0x0f"];

static THUMB_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([0-9]+)x([0-9]+)(t|b|f)?$").ok());

static LOOSE_FILENAME_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[^\./\\][^/\\]+$").ok());

/// Options of a `file` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires at least one file.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// How many files may be stored; more than 1 makes the field a list.
    #[serde(default, deserialize_with = "null_default")]
    pub max_select: i64,
    /// Per-file size limit in bytes (0: 5 MiB).
    #[serde(default, deserialize_with = "null_default")]
    pub max_size: i64,
    /// Accepted MIME types (empty or `null`: any).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub mime_types: Vec<String>,
    /// Thumb sizes that may be requested (`WxH`, `WxHt`, `WxHb`, `WxHf`, `0xH`, `Wx0`).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub thumbs: Vec<String>,
    /// Files are served only with a file token.
    #[serde(default, deserialize_with = "null_default")]
    pub protected: bool,
}

/// The file names of a value, as PocketBase's file field reads a value: a name, a JSON
/// array string, or an array whose items each give exactly one name; repeats dropped.
pub(crate) fn file_names(v: &Value) -> Vec<String> {
    let names: Vec<String> = match v {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .filter_map(|item| {
                let mut one = file_names(item);
                (one.len() == 1).then(|| one.remove(0))
            })
            .collect(),
        other => unique_strings(other),
    };
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The first `max` bytes of `s` (on a character boundary).
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// PocketBase's `cutStr`: at most `max` bytes, then `...` when cut.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_owned()
    } else {
        format!("{}...", prefix(s, max))
    }
}

impl FileOptions {
    /// The effective per-file size limit in bytes.
    pub fn max_size(&self) -> i64 {
        if self.max_size <= 0 {
            DEFAULT_FILE_MAX_SIZE
        } else {
            self.max_size
        }
    }

    /// The effective number of files allowed (at least 1).
    pub fn max_select(&self) -> i64 {
        self.max_select.max(1)
    }

    /// PocketBase's checks of one new upload: the stored `name` (1-150 bytes, no path
    /// separators, not starting with `.`), its `size` against `maxSize`, and, when
    /// `mimeTypes` is set, the `detected_mime` type (sniffed by the caller; `None` when it
    /// could not be read), compared case-insensitively without parameters.
    pub fn validate_upload(
        &self,
        name: &str,
        original_name: &str,
        size: u64,
        detected_mime: Option<&str>,
    ) -> Result<(), FieldError> {
        if name.is_empty() || name.len() > 150 {
            return Err(errors::length_out_of_range(1, 150));
        }
        if !LOOSE_FILENAME_RE
            .as_ref()
            .is_some_and(|re| re.is_match(name))
        {
            return Err(errors::match_invalid());
        }
        let max = self.max_size();
        if i64::try_from(size).unwrap_or(i64::MAX) > max {
            return Err(FieldError::new(
                "validation_file_size_limit",
                format!(
                    "Failed to upload {} - the maximum allowed file size is {max} bytes.",
                    cut(original_name, 300)
                ),
            )
            .with_param("file", cut(original_name, 300))
            .with_param("maxSize", max));
        }
        let accepted = self.mime_types.as_slice();
        if accepted.is_empty() {
            return Ok(());
        }
        let Some(mime) = detected_mime else {
            return Err(FieldError::new(
                "validation_invalid_mime_type",
                format!(
                    "Failed to upload {:?} due to unsupported file type.",
                    cut(original_name, 300)
                ),
            ));
        };
        let essence = |m: &str| {
            m.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        };
        let detected = essence(mime);
        if accepted.iter().any(|t| essence(t) == detected) {
            return Ok(());
        }
        Err(FieldError::new(
            "validation_invalid_mime_type",
            format!(
                "{name:?} mime type must be one of: {}.",
                accepted.join(", ")
            ),
        ))
    }

    /// PocketBase's check that the plain names submitted for the field (not uploads) are
    /// files it already has: `existing` is the stored value, `submitted` the names given.
    pub fn check_submitted_names(
        &self,
        existing: &Value,
        submitted: &Value,
    ) -> Result<(), FieldError> {
        let existing = file_names(existing);
        let invalid: Vec<String> = file_names(submitted)
            .into_iter()
            .filter(|n| !existing.contains(n))
            .map(|n| prefix(&n, 250).to_owned())
            .collect();
        if invalid.is_empty() {
            return Ok(());
        }
        let message = format!("Invalid new files: [{}].", invalid.join(" "));
        Err(FieldError::new("validation_invalid_file", message).with_param("invalidFiles", invalid))
    }
}

impl FieldType for FileOptions {
    fn type_name(&self) -> &'static str {
        "file"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn is_multiple(&self) -> bool {
        self.max_select > 1
    }

    fn column_definition(&self) -> String {
        multi::column(self.is_multiple())
    }

    fn zero_value(&self) -> Value {
        multi::zero(self.is_multiple())
    }

    fn normalize(&self, raw: &Value) -> Value {
        multi::shape(file_names(raw), self.is_multiple())
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        multi::to_sql(file_names(value), self.is_multiple())
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        self.normalize(&multi::stored(v))
    }

    fn apply_modifier(&self, current: &Value, modifier: Modifier, arg: &Value) -> Option<Value> {
        let current = file_names(current);
        let arg = file_names(arg);
        let list: Vec<String> = match modifier {
            Modifier::Append => current.into_iter().chain(arg).collect(),
            Modifier::Prepend => arg.into_iter().chain(current).collect(),
            Modifier::Subtract => current.into_iter().filter(|n| !arg.contains(n)).collect(),
        };
        Some(self.normalize(&Value::from(list)))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let names = file_names(value);
        if names.is_empty() {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        let max = self.max_select();
        if i64::try_from(names.len()).unwrap_or(i64::MAX) > max {
            return Err(FieldError::new(
                "validation_too_many_files",
                format!("The maximum allowed files is {max}."),
            )
            .with_param("maxSelect", max));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        check_int(
            errs,
            "maxSelect",
            self.max_select,
            Some(0),
            Some(MAX_SAFE_JSON_INT),
        );
        check_int(
            errs,
            "maxSize",
            self.max_size,
            Some(0),
            Some(MAX_SAFE_JSON_INT),
        );
        let mut nested = ValidationErrors::new();
        for (i, thumb) in self.thumbs.iter().enumerate() {
            if thumb.is_empty() {
                continue;
            }
            if FORBIDDEN_THUMBS.contains(&thumb.as_str()) {
                nested.add(i.to_string(), errors::not_in_invalid());
            } else if !THUMB_RE.as_ref().is_some_and(|re| re.is_match(thumb)) {
                nested.add(i.to_string(), errors::match_invalid());
            }
        }
        errs.add_nested("thumbs", nested);
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldKind;
    use super::*;
    use crate::error::ErrorNode;
    use serde_json::json;

    fn file(o: FileOptions) -> Field {
        let mut f = Field::new("docs", FieldKind::File(o));
        f.id = "file1".into();
        f
    }

    fn files(max_select: i64) -> Field {
        file(FileOptions {
            max_select,
            ..Default::default()
        })
    }

    fn opts(f: &Field) -> &FileOptions {
        match &f.kind {
            FieldKind::File(o) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn basics() {
        let single = files(1);
        let multi = files(3);
        assert_eq!(single.type_name(), "file");
        assert!(!single.is_multiple());
        assert!(multi.is_multiple());
        assert_eq!(single.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(multi.column_definition(), "JSON DEFAULT '[]' NOT NULL");
        assert_eq!(single.zero_value(), json!(""));
        assert_eq!(multi.zero_value(), json!([]));
        assert_eq!(single.max_body_size(), Some(5 << 20));
        assert_eq!(
            file(FileOptions {
                max_select: 3,
                max_size: 100,
                ..Default::default()
            })
            .max_body_size(),
            Some(300)
        );
    }

    #[test]
    fn normalize() {
        let single = files(1);
        let multi = files(3);
        assert_eq!(single.normalize(&json!("a.txt")), json!("a.txt"));
        assert_eq!(single.normalize(&json!(["a.txt", "b.txt"])), json!("b.txt"));
        assert_eq!(single.normalize(&json!(null)), json!(""));
        assert_eq!(multi.normalize(&json!("a.txt")), json!(["a.txt"]));
        assert_eq!(
            multi.normalize(&json!(["a", "", "a", "b"])),
            json!(["a", "b"])
        );
        assert_eq!(multi.normalize(&json!(r#"["a","b"]"#)), json!(["a", "b"]));
        // array items must each give exactly one name
        assert_eq!(
            multi.normalize(&json!(["a", ["b"], ["c", "d"], {"x": 1}, null, 5])),
            json!(["a", "b", "5"])
        );
        assert_eq!(
            multi.normalize(&json!(["a", r#"["b","c"]"#, r#"["d"]"#])),
            json!(["a", "d"])
        );
    }

    #[test]
    fn sql_round_trip() {
        let single = files(1);
        let multi = files(3);
        assert_eq!(
            multi.to_sql(&json!(["a", "b"])),
            SqlValue::Text(r#"["a","b"]"#.into())
        );
        assert_eq!(single.to_sql(&json!("a")), SqlValue::Text("a".into()));
        for (f, v) in [
            (&single, json!("x.png")),
            (&multi, json!(["x.png", "y.png"])),
            (&multi, json!([])),
        ] {
            assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        }
        assert_eq!(single.from_sql(&SqlValue::Null), json!(""));
    }

    #[test]
    fn modifiers() {
        let f = files(5);
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Append, &json!("b")),
            json!(["a", "b"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Append, &json!(["a", "b"])),
            json!(["a", "b"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Prepend, &json!(["b", "c"])),
            json!(["b", "c", "a"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a", "b"]), Modifier::Subtract, &json!("a")),
            json!(["b"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a", "b"]), Modifier::Subtract, &json!(["a", "b"])),
            json!([])
        );
        let single = files(1);
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Append, &json!("b")),
            json!("b")
        );
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Subtract, &json!("a")),
            json!("")
        );
    }

    #[test]
    fn validate() {
        let f = file(FileOptions {
            required: true,
            max_select: 2,
            ..Default::default()
        });
        assert_eq!(
            f.validate_value(&json!([])).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!(["a", "b"])).is_ok());
        assert_eq!(
            f.validate_value(&json!(["a", "b", "c"])).unwrap_err(),
            FieldError::new(
                "validation_too_many_files",
                "The maximum allowed files is 2."
            )
            .with_param("maxSelect", 2)
        );
        let single = files(0);
        assert!(single.validate_value(&json!("")).is_ok());
        assert_eq!(
            single
                .validate_value(&json!(["a", "b"]))
                .unwrap_err()
                .message,
            "The maximum allowed files is 1."
        );
    }

    #[test]
    fn uploads() {
        let f = file(FileOptions {
            max_size: 10,
            mime_types: (vec!["image/png".into(), "text/plain".into()]),
            ..Default::default()
        });
        let o = opts(&f);
        assert!(
            o.validate_upload("a_abc.png", "a.png", 10, Some("image/png"))
                .is_ok()
        );
        assert!(
            o.validate_upload("a_abc.txt", "a.txt", 1, Some("Text/Plain; charset=utf-8"))
                .is_ok()
        );
        assert_eq!(
            o.validate_upload("", "a.png", 1, Some("image/png"))
                .unwrap_err()
                .code,
            "validation_length_out_of_range"
        );
        assert_eq!(
            o.validate_upload(&"a".repeat(151), "a.png", 1, Some("image/png"))
                .unwrap_err()
                .message,
            "The length must be between 1 and 150."
        );
        for bad in [".hidden", "a/b", "a\\b", "x"] {
            assert_eq!(
                o.validate_upload(bad, "a.png", 1, Some("image/png"))
                    .unwrap_err()
                    .code,
                "validation_match_invalid",
                "{bad}"
            );
        }
        assert_eq!(
            o.validate_upload("a_abc.png", "a.png", 11, Some("image/png"))
                .unwrap_err(),
            FieldError::new(
                "validation_file_size_limit",
                "Failed to upload a.png - the maximum allowed file size is 10 bytes."
            )
            .with_param("file", "a.png")
            .with_param("maxSize", 10)
        );
        assert_eq!(
            o.validate_upload("a_abc.gif", "a.gif", 1, Some("image/gif"))
                .unwrap_err(),
            FieldError::new(
                "validation_invalid_mime_type",
                "\"a_abc.gif\" mime type must be one of: image/png, text/plain."
            )
        );
        assert_eq!(
            o.validate_upload("a_abc.gif", "a.gif", 1, None)
                .unwrap_err(),
            FieldError::new(
                "validation_invalid_mime_type",
                "Failed to upload \"a.gif\" due to unsupported file type."
            )
        );
        // without mimeTypes any type passes, and the default limit is 5 MiB
        let any = files(1);
        assert!(
            opts(&any)
                .validate_upload("a_b.bin", "a.bin", 5 << 20, None)
                .is_ok()
        );
        assert!(
            opts(&any)
                .validate_upload("a_b.bin", "a.bin", (5 << 20) + 1, None)
                .is_err()
        );
        let long = "n".repeat(301);
        let msg = opts(&any)
            .validate_upload("a_b.bin", &long, u64::MAX, None)
            .unwrap_err()
            .message;
        assert!(msg.starts_with(&format!("Failed to upload {}... - ", "n".repeat(300))));
    }

    #[test]
    fn submitted_names() {
        let f = files(3);
        let o = opts(&f);
        assert!(
            o.check_submitted_names(&json!(["a", "b"]), &json!(["b"]))
                .is_ok()
        );
        assert!(o.check_submitted_names(&json!(["a"]), &json!([])).is_ok());
        assert_eq!(
            o.check_submitted_names(&json!(["a"]), &json!(["a", "x", "y"]))
                .unwrap_err(),
            FieldError::new("validation_invalid_file", "Invalid new files: [x y].")
                .with_param("invalidFiles", json!(["x", "y"]))
        );
    }

    #[test]
    fn options() {
        assert!(files(1).validate_options().is_empty());
        let errs = file(FileOptions {
            max_select: -1,
            max_size: MAX_SAFE_JSON_INT + 1,
            thumbs: (vec![
                "100x100".into(),
                "0x0".into(),
                "abc".into(),
                "0x50".into(),
                "10x10f".into(),
                String::new(),
                "10x10z".into(),
            ]),
            ..Default::default()
        })
        .validate_options();
        assert_eq!(
            errs.get("maxSelect").unwrap().message,
            "Must be no less than 0."
        );
        assert_eq!(
            errs.get("maxSize").unwrap().message,
            "Must be no greater than 9007199254740991."
        );
        let Some(ErrorNode::Nested(t)) = errs.0.get("thumbs") else {
            panic!("{errs:?}")
        };
        assert_eq!(t.0.len(), 3, "{t:?}");
        assert_eq!(t.get("1").unwrap().code, "validation_not_in_invalid");
        assert_eq!(t.get("2").unwrap().code, "validation_match_invalid");
        assert_eq!(t.get("6").unwrap().code, "validation_match_invalid");
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "file1",
            "maxSelect": 1,
            "maxSize": 0,
            "mimeTypes": [],
            "name": "docs",
            "presentable": false,
            "protected": false,
            "required": false,
            "system": false,
            "thumbs": [],
            "type": "file"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, files(1));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);

        let raw = json!({
            "help": "",
            "hidden": false,
            "id": "file1",
            "maxSelect": 99,
            "maxSize": 5242880,
            "mimeTypes": ["image/png"],
            "name": "docs",
            "presentable": false,
            "protected": true,
            "required": true,
            "system": false,
            "thumbs": ["100x100", "0x50"],
            "type": "file"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert!(f.is_multiple());
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
