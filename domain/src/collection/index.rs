//! The `CREATE INDEX` statements a collection keeps in `indexes`, read into their parts.

use regex::Regex;
use std::sync::OnceLock;

/// The parts of a `CREATE INDEX` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexParts {
    /// `UNIQUE` or not.
    pub unique: bool,
    /// The index name.
    pub name: String,
    /// The table it names (may be empty in scaffolds).
    pub table: String,
    /// The column list, as written.
    pub columns: String,
    /// The `WHERE ...` clause, if any.
    pub where_clause: Option<String>,
}

/// Parses `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (columns) [WHERE ...]`.
pub fn index_parts(sql: &str) -> Option<IndexParts> {
    let caps = index_regex().captures(sql)?;
    let get = |i: usize| caps.get(i).map_or("", |m| m.as_str()).trim().to_owned();
    Some(IndexParts {
        unique: caps.get(1).is_some(),
        name: get(3),
        table: get(4),
        columns: get(5),
        where_clause: caps
            .get(6)
            .map(|m| m.as_str().trim().trim_end_matches(';').to_owned()),
    })
}

/// Whether `indexes` has a `UNIQUE` index on `column` alone (its `WHERE` clause ignored),
/// which makes a back-relation through `column` a single record.
pub fn has_single_column_unique_index(indexes: &[String], column: &str) -> bool {
    indexes.iter().any(|idx| {
        let Some(parts) = index_parts(idx) else {
            return false;
        };
        if !parts.unique || parts.columns.contains(',') {
            return false;
        }
        let name = parts
            .columns
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c| matches!(c, '`' | '"' | '\'' | '[' | ']'));
        name.eq_ignore_ascii_case(column)
    })
}

fn index_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r#"(?is)^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?[`"'\[]?(\w+)[`"'\]]?\s+ON\s+[`"'\[]?(\w*)[`"'\]]?\s*\((.+?)\)\s*(WHERE\s+.+)?;?\s*$"#,
        )
        .unwrap_or_else(|_| unreachable!())
    })
}
