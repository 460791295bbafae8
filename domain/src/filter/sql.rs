//! SQL text with positional `?` parameters, built piece by piece, and the SQLite JSON helper
//! expressions PocketBase uses for columns that may or may not hold JSON.

use crate::sql::SqlValue;
use serde_json::Value;

/// A bound value, before it becomes a [`SqlValue`]. Booleans are kept apart so `~` can turn
/// them into text the way PocketBase does (`true`), while SQL sees `1`/`0`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    /// NULL.
    Null,
    /// A boolean (bound as 1 / 0).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// A text.
    Text(String),
}

impl Param {
    /// The value to bind.
    pub fn into_sql_value(self) -> SqlValue {
        match self {
            Param::Null => SqlValue::Null,
            Param::Bool(b) => SqlValue::Integer(i64::from(b)),
            Param::Int(i) => SqlValue::Integer(i),
            Param::Real(f) => SqlValue::Real(f),
            Param::Text(s) => SqlValue::Text(s),
        }
    }

    /// The value as text, as Go's `cast.ToString` gives it (NULL → `""`).
    pub fn to_text(&self) -> String {
        match self {
            Param::Null => String::new(),
            Param::Bool(b) => b.to_string(),
            Param::Int(i) => i.to_string(),
            Param::Real(f) => f.to_string(),
            Param::Text(s) => s.clone(),
        }
    }

    /// True for NULL and `""` (what PocketBase's null/empty normalization treats as empty).
    pub fn is_empty(&self) -> bool {
        matches!(self, Param::Null) || matches!(self, Param::Text(s) if s.is_empty())
    }

    /// A number literal as written in a filter: integers without a `.` stay integers.
    pub fn number(literal: &str) -> Option<Param> {
        if !literal.contains('.')
            && let Ok(i) = literal.parse::<i64>()
        {
            return Some(Param::Int(i));
        }
        literal
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Param::Real)
    }

    /// A JSON value as a parameter: scalars as themselves, arrays and objects as JSON text.
    pub fn from_json(v: &Value) -> Param {
        match v {
            Value::Null => Param::Null,
            Value::Bool(b) => Param::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Param::Int(i),
                None => n.as_f64().map_or(Param::Null, Param::Real),
            },
            Value::String(s) => Param::Text(s.clone()),
            other => Param::Text(other.to_string()),
        }
    }
}

/// A piece of SQL and the parameters of its `?`s, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sql {
    /// The SQL text. Never contains user-supplied text: values are `?`s.
    pub text: String,
    /// One value per `?` in `text`.
    pub params: Vec<Param>,
}

impl Sql {
    /// Fixed SQL text without parameters.
    pub fn raw(s: impl Into<String>) -> Sql {
        Sql {
            text: s.into(),
            params: Vec::new(),
        }
    }

    /// A single `?` bound to `p`.
    pub fn param(p: Param) -> Sql {
        Sql {
            text: "?".to_owned(),
            params: vec![p],
        }
    }

    /// Appends fixed text.
    pub fn s(mut self, text: &str) -> Sql {
        self.text.push_str(text);
        self
    }

    /// Appends another fragment (its parameters follow ours).
    pub fn p(mut self, other: &Sql) -> Sql {
        self.text.push_str(&other.text);
        self.params.extend(other.params.iter().cloned());
        self
    }

    /// Appends a bound parameter.
    pub fn v(mut self, p: Param) -> Sql {
        self.text.push('?');
        self.params.push(p);
        self
    }

    /// Joins fragments with a separator.
    pub fn join(parts: &[Sql], sep: &str) -> Sql {
        let mut out = Sql::default();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.text.push_str(sep);
            }
            out = out.p(part);
        }
        out
    }

    /// `(self)`.
    pub fn paren(&self) -> Sql {
        Sql::raw("(").p(self).s(")")
    }
}

/// A quoted identifier (table, column or alias) made of schema names only.
pub(crate) fn ident(name: &str) -> String {
    crate::schema::ident(name)
}

/// `alias.`col``.
pub(crate) fn column(alias: &str, col: &str) -> Sql {
    Sql::raw(format!("{alias}.{}", ident(col)))
}

/// `json_each(...)` over a column that may hold a JSON array or a plain value.
pub(crate) fn json_each(col: &Sql) -> Sql {
    Sql::raw("json_each(CASE WHEN iif(json_valid(")
        .p(col)
        .s("), json_type(")
        .p(col)
        .s(")='array', FALSE) THEN ")
        .p(col)
        .s(" ELSE json_array(")
        .p(col)
        .s(") END)")
}

/// The item count of a column that may hold a JSON array, a plain value, `""` or NULL.
pub(crate) fn json_array_length(col: &Sql) -> Sql {
    Sql::raw("json_array_length(CASE WHEN iif(json_valid(")
        .p(col)
        .s("), json_type(")
        .p(col)
        .s(")='array', FALSE) THEN ")
        .p(col)
        .s(" ELSE (CASE WHEN ")
        .p(col)
        .s(" = '' OR ")
        .p(col)
        .s(" IS NULL THEN json_array() ELSE json_array(")
        .p(col)
        .s(") END) END)")
}

/// `JSON_EXTRACT` of `path` (`""`, `.a.b`, `[0].c`, ...) from a column that may not hold
/// JSON (then read as the JSON string it would be). The path is bound, not spliced.
pub(crate) fn json_extract(col: &Sql, path: &str) -> Sql {
    Sql::raw("(CASE WHEN json_valid(")
        .p(col)
        .s(") THEN JSON_EXTRACT(")
        .p(col)
        .s(", ")
        .v(Param::Text(format!("${path}")))
        .s(") ELSE JSON_EXTRACT(json_object('pb', ")
        .p(col)
        .s("), ")
        .v(Param::Text(format!("$.pb{path}")))
        .s(") END)")
}
