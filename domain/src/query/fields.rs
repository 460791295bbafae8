//! The `fields` query parameter: which keys of a response's JSON to keep, as PocketBase's
//! `tools/picker` does it (`a,b.c,*,d:excerpt(10,true)`).

use super::excerpt::{Excerpt, ExcerptError};
use super::tokenizer::{Tokenizer, Unbalanced};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A value modifier (`key:modifier(args)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// `excerpt(max, withEllipsis?)`.
    Excerpt(Excerpt),
}

impl Modifier {
    /// Applies the modifier; values it doesn't handle (non-strings) are returned as they are.
    pub fn apply(&self, value: Value) -> Value {
        match (self, value) {
            (Modifier::Excerpt(e), Value::String(s)) => Value::String(e.apply(&s)),
            (_, other) => other,
        }
    }
}

/// Why a `fields` value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldsError {
    /// A parenthesis or quote is not closed.
    #[error("unbalanced parenthesis or quoted expression: {0:?}")]
    Unbalanced(String),
    /// `key:` with nothing after the colon.
    #[error("invalid or empty modifier expression {0:?}")]
    EmptyModifier(String),
    /// A modifier other than `excerpt`.
    #[error("missing or invalid modifier {0:?}")]
    UnknownModifier(String),
    /// Bad `excerpt` arguments.
    #[error(transparent)]
    Excerpt(#[from] ExcerptError),
}

impl From<Unbalanced> for FieldsError {
    fn from(e: Unbalanced) -> Self {
        FieldsError::Unbalanced(e.0)
    }
}

/// A parsed `fields` value: field paths (dot notation, `*` for "every key at this level"),
/// each with an optional modifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldsPicker {
    fields: BTreeMap<String, Option<Modifier>>,
}

const FIELD_SEPARATORS: &[char] = &[','];
const MODIFIER_SEPARATORS: &[char] = &['(', ')', ',', ' '];

impl FieldsPicker {
    /// Parses a `fields` value. A later duplicate path replaces an earlier one. An empty
    /// list (`""`, `","`) picks nothing away.
    pub fn parse(raw: &str) -> Result<Self, FieldsError> {
        let tokens = Tokenizer::new(FIELD_SEPARATORS, false).scan_all(raw)?;
        let mut fields = BTreeMap::new();
        for token in tokens {
            let token = token.trim_matches(char::is_whitespace);
            match token.split_once(':') {
                Some((key, modifier)) => {
                    fields.insert(key.to_owned(), Some(parse_modifier(modifier)?));
                }
                None => {
                    fields.insert(token.to_owned(), None);
                }
            }
        }
        Ok(Self { fields })
    }

    /// Whether nothing would be removed (no paths).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Keeps only the picked keys of `value` (an object, or an array of objects, each picked)
    /// and applies the modifiers.
    pub fn pick(&self, value: &mut Value) {
        let mut fields = self.fields.clone();
        pick_value(value, &mut fields);
    }
}

fn parse_modifier(raw: &str) -> Result<Modifier, FieldsError> {
    let parts = Tokenizer::new(MODIFIER_SEPARATORS, true).scan_all(raw)?;
    let Some((name, args)) = parts.split_first() else {
        return Err(FieldsError::EmptyModifier(raw.to_owned()));
    };
    match name.as_str() {
        "excerpt" => Ok(Modifier::Excerpt(Excerpt::from_args(args)?)),
        other => Err(FieldsError::UnknownModifier(other.to_owned())),
    }
}

type Fields = BTreeMap<String, Option<Modifier>>;

fn pick_value(value: &mut Value, fields: &mut Fields) {
    match value {
        Value::Object(map) => pick_map(map, fields),
        Value::Array(items) => {
            // Like PocketBase: only arrays of objects are picked into.
            if !matches!(items.first(), Some(Value::Object(_))) {
                return;
            }
            for item in items {
                if let Value::Object(map) = item {
                    pick_map(map, fields);
                }
            }
        }
        _ => {}
    }
}

/// Whether path `field` starts with key `key` (`a.b` and `a` do; `ab` and `a` don't).
fn has_key_prefix(field: &str, key: &str) -> bool {
    field
        .strip_prefix(key)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn pick_map(data: &mut Map<String, Value>, fields: &mut Fields) {
    if fields.is_empty() {
        return;
    }
    if let Some(modifier) = fields.get("*").copied() {
        // `*` adds every key not already named by a path (PocketBase keeps them in the
        // shared field set, so they also apply to the following items of a list).
        for key in data.keys() {
            if !fields.keys().any(|f| has_key_prefix(f, key)) {
                fields.insert(key.clone(), modifier);
            }
        }
    }
    let keys: Vec<String> = data.keys().cloned().collect();
    for key in keys {
        let matching: Vec<(&String, &Option<Modifier>)> = fields
            .iter()
            .filter(|(f, _)| has_key_prefix(f, &key))
            .collect();
        if matching.is_empty() {
            data.remove(&key);
            continue;
        }
        if let Some((_, modifier)) = matching.iter().find(|(f, _)| **f == key) {
            if let Some(m) = modifier
                && let Some(v) = data.get_mut(&key)
            {
                *v = m.apply(std::mem::take(v));
            }
            continue;
        }
        let mut nested: Fields = matching
            .into_iter()
            .map(|(f, m)| (f[key.len() + 1..].to_owned(), *m))
            .collect();
        if let Some(v) = data.get_mut(&key) {
            pick_value(v, &mut nested);
        }
    }
}
