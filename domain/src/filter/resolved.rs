//! The intermediate forms between the syntax tree and SQL: resolved operands and the joins
//! they need.

use super::sql::{Param, Sql};
use std::collections::{BTreeSet, HashMap};

/// How `=` / `!=` may normalize NULL against `""` for an operand (PocketBase's
/// `NullFallbackPreference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// Treat NULL and `""` alike where it can be told from the operands.
    Auto,
    /// Compare as is, with `IS` / `IS NOT` (JSON values, functions).
    Disabled,
    /// Never assume the operand is non-empty (`strftime` may yield NULL).
    Enforced,
}

/// An operand turned into SQL.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The SQL expression of the value.
    pub sql: Sql,
    /// The values PocketBase would attach to this operand (literals, request values), which
    /// drive its NULL/empty normalization; structural parameters (JSON paths) are not here.
    pub pb_params: Vec<Param>,
    /// Whether every parameter of `sql` is a plain value that `~` may wrap with `%`.
    pub like_wrap: bool,
    /// NULL/empty handling.
    pub fallback: Fallback,
    /// The joins (indices into the main registry) the expression reads, with their
    /// dependencies.
    pub joins: BTreeSet<usize>,
    /// Whether the operand ranges over several values (a multi-relation, `:each`,
    /// `@collection`, ...), so that a plain operator must hold for all of them.
    pub multi: bool,
    /// A condition that must hold too (an auth collection's `emailVisibility` for `email`).
    pub guard: Option<Sql>,
}

impl Resolved {
    /// A fixed SQL expression without parameters (`NULL`, `1`, `TRUE`, ...).
    pub fn raw(text: &str) -> Resolved {
        Resolved::expr(Sql::raw(text), Fallback::Auto)
    }

    /// An expression with no PocketBase-visible values.
    pub fn expr(sql: Sql, fallback: Fallback) -> Resolved {
        Resolved {
            sql,
            pb_params: Vec::new(),
            like_wrap: false,
            fallback,
            joins: BTreeSet::new(),
            multi: false,
            guard: None,
        }
    }

    /// A bound value.
    pub fn value(p: Param) -> Resolved {
        Resolved {
            sql: Sql::param(p.clone()),
            pb_params: vec![p],
            like_wrap: true,
            fallback: Fallback::Auto,
            joins: BTreeSet::new(),
            multi: false,
            guard: None,
        }
    }

    /// The same value seen as a plain operand of a multi-match subquery: its SQL and values,
    /// default NULL handling, nothing else.
    pub fn bare(&self) -> Resolved {
        Resolved {
            sql: self.sql.clone(),
            pb_params: self.pb_params.clone(),
            like_wrap: self.like_wrap,
            fallback: Fallback::Auto,
            joins: BTreeSet::new(),
            multi: false,
            guard: None,
        }
    }
}

/// One `LEFT JOIN`.
#[derive(Debug, Clone)]
pub(crate) struct Join {
    /// The quoted alias, e.g. `` `__j1` ``.
    pub alias: String,
    /// The quoted table or table-valued function call.
    pub source: Sql,
    /// The `ON` condition, if any.
    pub on: Option<Sql>,
    /// A condition the joined row must meet for the caller to see it (a related
    /// collection's list rule, for untrusted filters), with the joins it needs.
    pub guard: Option<Open>,
}

impl Join {
    /// `LEFT JOIN source alias [ON on]`.
    pub fn render(&self) -> Sql {
        let sql = Sql::raw(" LEFT JOIN ")
            .p(&self.source)
            .s(" ")
            .s(&self.alias);
        match &self.on {
            Some(on) => sql.s(" ON ").p(on),
            None => sql,
        }
    }
}

/// The joins registered while compiling, deduplicated by what they join (so the same path
/// read twice shares one joined row, as in PocketBase).
#[derive(Debug, Clone, Default)]
pub(crate) struct Joins {
    /// In registration order (dependencies first).
    pub list: Vec<Join>,
    by_key: HashMap<String, usize>,
}

impl Joins {
    /// The index of the join registered under `key`.
    pub fn get(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// Registers a join under `key`; returns its index.
    pub fn add(&mut self, key: String, join: Join) -> usize {
        let idx = self.list.len();
        self.list.push(join);
        self.by_key.insert(key, idx);
        idx
    }

    /// `FROM (SELECT 1) LEFT JOIN ...` over the joins in `set` (registry order).
    pub fn render_from(&self, set: &BTreeSet<usize>) -> Sql {
        let mut sql = Sql::raw("FROM (SELECT 1)");
        for idx in set {
            if let Some(j) = self.list.get(*idx) {
                sql = sql.p(&j.render());
            }
        }
        sql
    }

    /// `set` plus the joins the guards of its joins need, transitively.
    pub fn closure(&self, set: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut out = set.clone();
        let mut todo: Vec<usize> = set.iter().copied().collect();
        while let Some(idx) = todo.pop() {
            if let Some(Join { guard: Some(g), .. }) = self.list.get(idx) {
                for j in &g.joins {
                    if out.insert(*j) {
                        todo.push(*j);
                    }
                }
            }
        }
        out
    }
}

/// A condition that may read joined rows (not yet wrapped in `EXISTS`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Open {
    /// The condition.
    pub sql: Sql,
    /// The joins it reads.
    pub joins: BTreeSet<usize>,
}
