//! PocketBase's validation errors for fields, worded as its API shows them (the
//! `ozzo-validation` messages after PocketBase capitalizes them and adds the full stop),
//! and the generic option checks every field type shares.

use crate::error::{FieldError, ValidationErrors};
use regex::Regex;
use std::fmt::Display;
use std::sync::LazyLock;

/// Go's `1<<53 - 1`: the largest integer JSON keeps exact, PocketBase's limit for sizes.
pub(crate) const MAX_SAFE_JSON_INT: i64 = (1 << 53) - 1;

/// `validation_required`: "Cannot be blank."
pub(crate) fn required() -> FieldError {
    FieldError::required()
}

/// `validation_unsupported_value_type`: the value is not of the field's type.
pub(crate) fn unsupported_value_type() -> FieldError {
    FieldError::new(
        "validation_unsupported_value_type",
        "Invalid or unsupported value type.",
    )
}

/// `validation_length_out_of_range` (ozzo's `Length(min, max)`).
pub(crate) fn length_out_of_range(min: usize, max: usize) -> FieldError {
    FieldError::new(
        "validation_length_out_of_range",
        format!("The length must be between {min} and {max}."),
    )
}

/// `validation_match_invalid` (ozzo's `Match`).
pub(crate) fn match_invalid() -> FieldError {
    FieldError::new("validation_match_invalid", "Must be in a valid format.")
}

/// `validation_not_in_invalid` (ozzo's `NotIn`).
pub(crate) fn not_in_invalid() -> FieldError {
    FieldError::new("validation_not_in_invalid", "Must not be in list.")
}

/// `validation_empty` (ozzo's `Empty`).
pub(crate) fn must_be_blank() -> FieldError {
    FieldError::new("validation_empty", "Must be blank.")
}

/// `validation_min_greater_equal_than_required` (ozzo's `Min`).
pub(crate) fn min_threshold(threshold: impl Display) -> FieldError {
    FieldError::new(
        "validation_min_greater_equal_than_required",
        format!("Must be no less than {threshold}."),
    )
}

/// `validation_max_less_equal_than_required` (ozzo's `Max`).
pub(crate) fn max_threshold(threshold: impl Display) -> FieldError {
    FieldError::new(
        "validation_max_less_equal_than_required",
        format!("Must be no greater than {threshold}."),
    )
}

/// `validation_invalid_regex`: the pattern does not compile.
pub(crate) fn invalid_regex(err: &regex::Error) -> FieldError {
    // Go words it "error parsing regexp: <problem>: `<expr>`"; ours names the problem
    // in the regex crate's words (its first line).
    let text = err.to_string();
    let detail = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("error:")
                .trim()
                .to_owned()
        })
        .unwrap_or_else(|| text.lines().next().unwrap_or("invalid pattern").to_owned());
    FieldError::new(
        "validation_invalid_regex",
        format!("Error parsing regexp: {detail}."),
    )
}

/// PocketBase's `inflector.Sentenize`: trimmed, first letter upper-cased, a final `.`
/// unless it already ends with `.`, `?` or `!`.
pub(crate) fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// ozzo's `Min(min)` / `Max(max)` on an integer option: both skip the zero value.
pub(crate) fn check_int(
    errs: &mut ValidationErrors,
    key: &str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) {
    if value == 0 {
        return;
    }
    if let Some(min) = min
        && value < min
    {
        errs.add(key, min_threshold(min));
        return;
    }
    if let Some(max) = max
        && value > max
    {
        errs.add(key, max_threshold(max));
    }
}

/// Names a field may not have: filter literals and the dynamic record keys.
pub const RESERVED_FIELD_NAMES: &[&str] = &[
    "null",
    "true",
    "false",
    "_rowid_",
    "collectionId",
    "collectionName",
    "expand",
];

static NAME_RE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^[0-9A-Za-z_]+$").ok());

/// PocketBase's `DefaultFieldIdValidationRule`.
pub(crate) fn check_id(errs: &mut ValidationErrors, id: &str) {
    if id.is_empty() {
        errs.add("id", required());
    } else if id.len() > 100 {
        errs.add("id", length_out_of_range(1, 100));
    }
}

/// PocketBase's `DefaultFieldNameValidationRule`: required, 1-100 bytes, `^\w+$`
/// (ASCII), not reserved, no `_via_`.
pub(crate) fn check_name(errs: &mut ValidationErrors, name: &str) {
    if let Err(e) = name_error(name) {
        errs.add("name", e);
    }
}

fn name_error(name: &str) -> Result<(), FieldError> {
    if name.is_empty() {
        return Err(required());
    }
    if name.len() > 100 {
        return Err(length_out_of_range(1, 100));
    }
    if !NAME_RE.as_ref().is_some_and(|re| re.is_match(name)) {
        return Err(match_invalid());
    }
    if RESERVED_FIELD_NAMES.contains(&name) {
        return Err(not_in_invalid());
    }
    if name.to_lowercase().contains("_via_") {
        return Err(FieldError::new(
            "validation_found_via",
            "The value cannot contain \"_via_\".",
        ));
    }
    Ok(())
}

/// PocketBase's `DefaultFieldHelpValidationRule`: at most 300 bytes.
pub(crate) fn check_help(errs: &mut ValidationErrors, help: &str) {
    if help.len() > 300 {
        errs.add("help", length_out_of_range(1, 300));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_code(name: &str) -> Option<String> {
        let mut errs = ValidationErrors::new();
        check_name(&mut errs, name);
        errs.get("name").map(|e| e.code.clone())
    }

    #[test]
    fn names() {
        assert_eq!(name_code("title"), None);
        assert_eq!(name_code("_a1"), None);
        assert_eq!(name_code("A"), None);
        assert_eq!(name_code(&"a".repeat(100)), None);
        assert_eq!(name_code("").as_deref(), Some("validation_required"));
        assert_eq!(
            name_code(&"a".repeat(101)).as_deref(),
            Some("validation_length_out_of_range")
        );
        for bad in ["a-b", "a b", "ä", "a.b", "title!"] {
            assert_eq!(
                name_code(bad).as_deref(),
                Some("validation_match_invalid"),
                "{bad}"
            );
        }
        for reserved in RESERVED_FIELD_NAMES {
            assert_eq!(
                name_code(reserved).as_deref(),
                Some("validation_not_in_invalid")
            );
        }
        // the reserved list is case-sensitive
        assert_eq!(name_code("NULL"), None);
        assert_eq!(
            name_code("a_VIA_b").as_deref(),
            Some("validation_found_via")
        );
    }

    #[test]
    fn ids_and_help() {
        let mut errs = ValidationErrors::new();
        check_id(&mut errs, "");
        check_help(&mut errs, &"x".repeat(301));
        assert_eq!(errs.get("id"), Some(&required()));
        assert_eq!(
            errs.get("help").map(|e| e.message.as_str()),
            Some("The length must be between 1 and 300.")
        );
        let mut errs = ValidationErrors::new();
        check_id(&mut errs, &"x".repeat(101));
        check_help(&mut errs, "");
        assert_eq!(errs.get("id"), Some(&length_out_of_range(1, 100)));
        assert!(errs.get("help").is_none());
    }

    #[test]
    fn int_checks_skip_zero() {
        let mut errs = ValidationErrors::new();
        check_int(&mut errs, "a", 0, Some(1), Some(2));
        check_int(&mut errs, "b", -1, Some(0), None);
        check_int(&mut errs, "c", 72, Some(1), Some(71));
        check_int(&mut errs, "d", 5, Some(1), Some(71));
        assert!(errs.get("a").is_none());
        assert_eq!(errs.get("b"), Some(&min_threshold(0)));
        assert_eq!(
            errs.get("c").map(|e| e.message.as_str()),
            Some("Must be no greater than 71.")
        );
        assert!(errs.get("d").is_none());
    }

    #[test]
    fn sentences() {
        assert_eq!(sentence(" abc "), "Abc.");
        assert_eq!(sentence("Abc!"), "Abc!");
        assert_eq!(sentence("ébc?"), "Ébc?");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn regex_errors_are_sentences() {
        let pattern = String::from("[a-");
        let err = Regex::new(&pattern).unwrap_err();
        let fe = invalid_regex(&err);
        assert_eq!(fe.code, "validation_invalid_regex");
        assert!(
            fe.message.starts_with("Error parsing regexp: "),
            "{}",
            fe.message
        );
        assert!(fe.message.ends_with('.'));
    }
}
