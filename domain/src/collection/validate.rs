//! The checks a collection must pass before it is saved, with PocketBase's codes.

use super::index::index_parts;
use super::{Collection, CollectionType};
use crate::error::{FieldError, ValidationErrors};
use regex::Regex;
use std::sync::OnceLock;

/// What the validator needs to know about the rest of the database.
#[derive(Debug, Clone, Default)]
pub struct ValidateContext {
    /// `(id, name)` of every other stored collection.
    pub others: Vec<(String, String)>,
    /// Names of tables that exist but are not collections (`_params`, `_collections`, ...).
    pub internal_tables: Vec<String>,
}

fn name_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\w+$").unwrap_or_else(|_| unreachable!()))
}

/// Validates `new` (the collection as it would be saved) against `original` (the stored
/// one, for updates) and the rest of the database. Returns the errors in PocketBase's shape.
pub fn validate_collection(
    new: &Collection,
    original: Option<&Collection>,
    ctx: &ValidateContext,
) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    check_id(new, original, ctx, &mut errs);
    check_type(new, original, &mut errs);
    check_name(new, original, ctx, &mut errs);
    check_fields(new, original, &mut errs);
    check_rules(new, &mut errs);
    check_indexes(new, &mut errs);
    if new.is_auth() {
        for (key, node) in crate::oauth2::validate_oauth2(&new.options).0 {
            errs.0.entry(key).or_insert(node);
        }
    }
    super::auth_options::check(new, &mut errs);
    if new.is_view() && new.view_query().trim().is_empty() {
        errs.add("viewQuery", FieldError::required());
    }
    errs
}

fn check_id(
    new: &Collection,
    original: Option<&Collection>,
    ctx: &ValidateContext,
    errs: &mut ValidationErrors,
) {
    if new.id.is_empty() {
        errs.add("id", FieldError::required());
        return;
    }
    match original {
        None => {
            if new.id.len() > 100 {
                errs.add(
                    "id",
                    FieldError::new(
                        "validation_length_out_of_range",
                        "The length must be between 1 and 100.",
                    )
                    .with_param("max", 100)
                    .with_param("min", 1),
                );
            } else if !name_regex().is_match(&new.id) {
                errs.add(
                    "id",
                    FieldError::new("validation_match_invalid", "Must be in a valid format."),
                );
            } else if ctx.others.iter().any(|(id, _)| id == &new.id) {
                errs.add(
                    "id",
                    FieldError::new(
                        "validation_invalid_id",
                        "The model id is invalid or already exists.",
                    ),
                );
            }
        }
        Some(o) if o.id != new.id => {
            errs.add(
                "id",
                FieldError::new("validation_values_mismatch", "Values mismatch."),
            );
        }
        Some(_) => {}
    }
}

fn check_type(new: &Collection, original: Option<&Collection>, errs: &mut ValidationErrors) {
    if let Some(o) = original
        && o.kind != new.kind
    {
        errs.add(
            "type",
            FieldError::new(
                "validation_collection_type_change",
                "Collection type cannot be changed.",
            ),
        );
    }
}

fn check_name(
    new: &Collection,
    original: Option<&Collection>,
    ctx: &ValidateContext,
    errs: &mut ValidationErrors,
) {
    let name = &new.name;
    if name.is_empty() {
        errs.add("name", FieldError::required());
        return;
    }
    if name.chars().count() > 255 {
        errs.add(
            "name",
            FieldError::new(
                "validation_length_out_of_range",
                "The length must be between 1 and 255.",
            )
            .with_param("max", 255)
            .with_param("min", 1),
        );
        return;
    }
    if name.to_lowercase().contains("_via_") {
        errs.add(
            "name",
            FieldError::new(
                "validation_invalid_via",
                "The name cannot contain \"_via_\".",
            ),
        );
        return;
    }
    if !name_regex().is_match(name) {
        errs.add(
            "name",
            FieldError::new("validation_match_invalid", "Must be in a valid format."),
        );
        return;
    }
    if let Some(o) = original
        && o.system
        && o.name != *name
    {
        errs.add(
            "name",
            FieldError::new(
                "validation_collection_system_name_change",
                "System collection name cannot be changed.",
            ),
        );
        return;
    }
    let lower = name.to_lowercase();
    if ctx
        .others
        .iter()
        .any(|(id, n)| n.to_lowercase() == lower && *id != new.id)
    {
        errs.add(
            "name",
            FieldError::new(
                "validation_collection_name_exists",
                "Collection name must be unique (case insensitive).",
            ),
        );
        return;
    }
    if ctx.others.iter().any(|(id, _)| id == name) {
        errs.add(
            "name",
            FieldError::new(
                "validation_collection_name_id_duplicate",
                "The name must not match an existing collection id.",
            ),
        );
        return;
    }
    let changed = original.is_none_or(|o| o.name != *name);
    if changed
        && ctx
            .internal_tables
            .iter()
            .any(|t| t.to_lowercase() == lower)
    {
        errs.add(
            "name",
            FieldError::new(
                "validation_collection_name_invalid",
                "The name shouldn't match with an existing internal table.",
            ),
        );
    }
}

fn check_fields(new: &Collection, original: Option<&Collection>, errs: &mut ValidationErrors) {
    let mut nested = ValidationErrors::new();
    let mut ids: Vec<&str> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, f) in new.fields.iter().enumerate() {
        let mut ferrs = f.validate_options();
        if ids.contains(&f.id.as_str()) {
            ferrs.add(
                "id",
                FieldError::new(
                    "validation_duplicated_field_id",
                    format!("Duplicated or invalid field id \"{}\"", f.id),
                ),
            );
        }
        let lname = f.name.to_lowercase();
        if names.contains(&lname) {
            ferrs.add(
                "name",
                FieldError::new(
                    "validation_duplicated_field_name",
                    format!("Duplicated or invalid field name {}", f.name),
                )
                .with_param("fieldName", f.name.clone()),
            );
        }
        if new.is_auth() && ["passwordConfirm", "oldPassword"].contains(&f.name.as_str()) {
            ferrs.add(
                "name",
                FieldError::new(
                    "validation_reserved_field_name",
                    "The field name is reserved and cannot be used.",
                ),
            );
        }
        if let Some(old) = original.and_then(|o| o.field_by_id(&f.id))
            && old.type_name() != f.type_name()
            && !new.is_view()
        {
            ferrs.add(
                "type",
                FieldError::new(
                    "validation_field_type_change",
                    "Field type cannot be changed.",
                ),
            );
        }
        nested.add_nested(i.to_string(), ferrs);
        ids.push(&f.id);
        names.push(lname);
    }
    if !nested.is_empty() {
        errs.add_nested("fields", nested);
        return;
    }
    if new.kind != CollectionType::View {
        if let Some(o) = original {
            let broken = o.fields.iter().filter(|f| f.system).any(|old| {
                new.field_by_id(&old.id)
                    .is_none_or(|nf| nf.name != old.name)
            });
            if broken {
                errs.add(
                    "fields",
                    FieldError::new(
                        "validation_system_field_change",
                        "System fields cannot be deleted or renamed.",
                    ),
                );
                return;
            }
        }
        let has_pk = new.field("id").is_some_and(|f| f.type_name() == "text");
        if !has_pk {
            errs.add(
                "fields",
                FieldError::new(
                    "validation_missing_primary_key",
                    "Missing or invalid \"id\" PK field.",
                ),
            );
            return;
        }
    }
    if new.is_auth() {
        for (name, kind, code) in [
            ("password", "password", "validation_missing_password_field"),
            ("tokenKey", "text", "validation_missing_tokenKey_field"),
            ("email", "email", "validation_missing_email_field"),
            (
                "emailVisibility",
                "bool",
                "validation_missing_emailVisibility_field",
            ),
            ("verified", "bool", "validation_missing_verified_field"),
        ] {
            if new.field(name).is_none_or(|f| f.type_name() != kind) {
                errs.add(
                    "fields",
                    FieldError::new(code, format!("System \"{name}\" field is required.")),
                );
                return;
            }
        }
    }
}

fn check_rules(new: &Collection, errs: &mut ValidationErrors) {
    if new.is_view() {
        for (key, rule) in [
            ("createRule", &new.rules.create),
            ("updateRule", &new.rules.update),
            ("deleteRule", &new.rules.delete),
        ] {
            if rule.is_some() {
                errs.add(
                    key,
                    FieldError::new("validation_nil_invalid", "Must be blank."),
                );
            }
        }
    }
}

fn check_indexes(new: &Collection, errs: &mut ValidationErrors) {
    if new.is_view() {
        if !new.indexes.is_empty() {
            errs.add(
                "indexes",
                FieldError::new(
                    "validation_indexes_not_supported",
                    "View collections don't support indexes.",
                ),
            );
        }
        return;
    }
    let mut nested = ValidationErrors::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, idx) in new.indexes.iter().enumerate() {
        let Some(parts) = index_parts(idx) else {
            nested.add(
                i.to_string(),
                FieldError::new(
                    "validation_invalid_index_expression",
                    "Invalid CREATE INDEX expression.",
                ),
            );
            continue;
        };
        let name = parts.name.to_lowercase();
        if seen.contains(&name) {
            nested.add(
                i.to_string(),
                FieldError::new(
                    "validation_duplicated_index_name",
                    "The index name must be unique.",
                ),
            );
            continue;
        }
        seen.push(name);
        for col in parts.columns.split(',') {
            let col = col
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(|c| matches!(c, '`' | '"' | '\'' | '[' | ']'));
            // Expressions (`lower(name)`) are left to SQLite to reject.
            if !col.contains('(') && new.field(col).is_none() {
                nested.add(
                    i.to_string(),
                    FieldError::new(
                        "validation_invalid_index_expression",
                        "Invalid CREATE INDEX expression.",
                    ),
                );
                break;
            }
        }
    }
    errs.add_nested("indexes", nested);
}

/// Checks every rule of `c` (the five record rules, and `authRule`/`manageRule` of auth
/// collections) against the schema: `c` as it would be saved, among `collections` (the
/// other stored collections). Errors use PocketBase's `validation_invalid_rule`.
pub fn validate_rules(c: &Collection, collections: &[Collection]) -> ValidationErrors {
    let mut all: Vec<Collection> = collections
        .iter()
        .filter(|o| o.id != c.id)
        .cloned()
        .collect();
    all.push(c.clone());
    let auth_rule = |key: &str| {
        c.options
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let mut rules = vec![
        ("listRule", c.rules.list.clone()),
        ("viewRule", c.rules.view.clone()),
        ("createRule", c.rules.create.clone()),
        ("updateRule", c.rules.update.clone()),
        ("deleteRule", c.rules.delete.clone()),
    ];
    if c.is_auth() {
        rules.push(("authRule", auth_rule("authRule")));
        rules.push(("manageRule", auth_rule("manageRule")));
    }
    let mut errs = ValidationErrors::new();
    let mfa_rule = c
        .options
        .get("mfa")
        .filter(|m| m.get("enabled").and_then(|v| v.as_bool()) == Some(true))
        .and_then(|m| m.get("rule"))
        .and_then(|v| v.as_str())
        .filter(|r| !r.trim().is_empty());
    if c.is_auth()
        && let Some(rule) = mfa_rule
        && let Err(e) = crate::filter::validate_rule(rule, c, &all)
    {
        let mut nested = ValidationErrors::new();
        nested.add(
            "rule",
            FieldError::new(
                "validation_invalid_rule",
                format!("Invalid rule. Raw error: {e}"),
            ),
        );
        errs.add_nested("mfa", nested);
    }
    for (key, rule) in rules {
        let Some(rule) = rule.filter(|r| !r.trim().is_empty()) else {
            continue;
        };
        if let Err(e) = crate::filter::validate_rule(&rule, c, &all) {
            errs.add(
                key,
                FieldError::new(
                    "validation_invalid_rule",
                    format!("Invalid rule. Raw error: {e}"),
                ),
            );
        }
    }
    errs
}
