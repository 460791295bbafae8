//! The `expand` query parameter: relation paths to load into a record's `expand`, as
//! PocketBase's `core/record_query_expand.go` reads them.

use regex::Regex;
use std::sync::OnceLock;

/// How many relation levels an expand path may go down; deeper segments are ignored.
pub const MAX_EXPAND_DEPTH: usize = 6;

/// The most back-related records PocketBase loads per record for `x_via_y`.
pub const MAX_BACK_RELATIONS: usize = 1000;

/// One segment of an expand path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandSegment<'a> {
    /// A relation field of the current collection.
    Field(&'a str),
    /// The records of `collection` whose relation field `field` points at the current
    /// record (`collection_via_field`, or the deprecated `collection(field)`).
    BackRelation {
        /// The back-related collection's name or id.
        collection: &'a str,
        /// Its relation field.
        field: &'a str,
    },
}

fn via_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^([0-9A-Za-z_]+)_via_([0-9A-Za-z_]+)$").unwrap_or_else(|_| unreachable!())
    })
}

fn old_via_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^([0-9A-Za-z_]+)\(([0-9A-Za-z_]+)\)$").unwrap_or_else(|_| unreachable!())
    })
}

impl<'a> ExpandSegment<'a> {
    /// Reads a segment: `a_via_b` (or `a(b)`) is a back-relation, anything else a field name.
    pub fn parse(segment: &'a str) -> Self {
        let re = if segment.contains('(') {
            old_via_regex()
        } else {
            via_regex()
        };
        if let Some(caps) = re.captures(segment)
            && let (Some(c), Some(f)) = (caps.get(1), caps.get(2))
        {
            return ExpandSegment::BackRelation {
                collection: c.as_str(),
                field: f.as_str(),
            };
        }
        ExpandSegment::Field(segment)
    }
}

/// Splits an `expand` value on commas and normalizes the paths like PocketBase: spaces
/// removed, leading/trailing dots trimmed, empty paths dropped, a path dropped when another
/// one extends it (`a` next to `a.b`), duplicates dropped (first kept).
pub fn normalize_expands(raw: &str) -> Vec<String> {
    let normalized: Vec<String> = raw
        .split(',')
        .map(|p| p.replace(' ', "").trim_matches('.').to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    let mut result: Vec<String> = Vec::with_capacity(normalized.len());
    for (i, p1) in normalized.iter().enumerate() {
        let prefix = format!("{p1}.");
        let extended = normalized
            .iter()
            .enumerate()
            .any(|(j, p2)| i != j && p2.starts_with(&prefix));
        if !extended && !result.contains(p1) {
            result.push(p1.clone());
        }
    }
    result
}

/// The normalized paths of an `expand` value, each as its segments, cut to
/// [`MAX_EXPAND_DEPTH`] levels.
pub fn parse_expand(raw: &str) -> Vec<Vec<String>> {
    normalize_expands(raw)
        .iter()
        .map(|p| {
            p.split('.')
                .take(MAX_EXPAND_DEPTH)
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The ids a relation value holds, as PocketBase's `GetStringSlice` reads them: a string is
/// one id (or a JSON array of ids when it looks like one), an array its string items; empty
/// ids and repeats are dropped, order kept.
pub fn relation_ids(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let raw: Vec<String> = match value {
        Value::String(s) if s.contains('[') => {
            serde_json::from_str::<Vec<String>>(s).unwrap_or_else(|_| vec![s.clone()])
        }
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    raw.into_iter()
        .filter(|id| !id.is_empty() && seen.insert(id.clone()))
        .collect()
}
