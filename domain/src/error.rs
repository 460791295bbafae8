//! Validation errors in PocketBase's shape: `data.<field> = {code, message}`.

use serde::Serialize;
use std::collections::BTreeMap;

/// One failed check on one value, e.g. `validation_required`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Machine-readable code, always prefixed `validation_`.
    pub code: String,
    /// Human-readable message, as PocketBase words it.
    pub message: String,
    /// The values the message was built from (e.g. `{"max": 10}`), when PocketBase sends them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
}

impl FieldError {
    /// Builds an error from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            params: None,
        }
    }

    /// Adds one message parameter (`params.<key> = value`).
    pub fn with_param(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.params
            .get_or_insert_with(serde_json::Map::new)
            .insert(key.to_owned(), value.into());
        self
    }

    /// `validation_required` / "Cannot be blank.".
    pub fn required() -> Self {
        Self::new("validation_required", "Cannot be blank.")
    }
}

/// A node of a validation error tree: a leaf error or a nested map (e.g. `fields.0.name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ErrorNode {
    /// A leaf `{code, message}`.
    Leaf(FieldError),
    /// Nested errors keyed by name or index.
    Nested(ValidationErrors),
}

/// Errors keyed by field name, serialized as PocketBase's `data` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(pub BTreeMap<String, ErrorNode>);

impl ValidationErrors {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a leaf error for `key` (the first error for a key wins, as in PocketBase).
    pub fn add(&mut self, key: impl Into<String>, err: FieldError) {
        self.0.entry(key.into()).or_insert(ErrorNode::Leaf(err));
    }

    /// Records a nested error set for `key`, when it is not empty.
    pub fn add_nested(&mut self, key: impl Into<String>, errs: ValidationErrors) {
        if !errs.is_empty() {
            self.0.entry(key.into()).or_insert(ErrorNode::Nested(errs));
        }
    }

    /// True when nothing failed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when empty, the errors otherwise.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The leaf error for `key`, if any.
    pub fn get(&self, key: &str) -> Option<&FieldError> {
        match self.0.get(key) {
            Some(ErrorNode::Leaf(e)) => Some(e),
            _ => None,
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| match v {
                ErrorNode::Leaf(e) => format!("{k}: {}", e.message),
                ErrorNode::Nested(n) => format!("{k}: ({n})"),
            })
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}
