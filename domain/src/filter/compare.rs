//! One comparison → SQL, with PocketBase's rules:
//!
//! * `=` / `!=` treat NULL and `""` alike unless an operand opts out (JSON values,
//!   functions): `a = ""` is `(a = '' OR a IS NULL)`, `a != b` is `a IS NOT b` (so NULL
//!   columns compare as values), and two unknown operands meet in `COALESCE(a, '')`.
//! * `~` / `!~` are `LIKE` / `NOT LIKE` with `ESCAPE '\'`; a value is wrapped in `%…%`.
//! * A multi-valued operand (multi-relation, `:each`, back-relation, `@collection`) with a
//!   plain operator must match for every item: the comparison is ANDed with
//!   `NOT EXISTS (... WHERE NOT (comparison))` over a fresh copy of its joins. The `?`
//!   operators only need one matching item.

use super::ast::{Op, Operand};
use super::compile::Compiler;
use super::error::FilterError;
use super::like::wrap_like;
use super::resolved::{Fallback, Joins, Open, Resolved};
use super::sql::{Param, Sql};

/// `NULL`, `''` and the like.
fn is_empty_identifier(r: &Resolved) -> bool {
    matches!(
        r.sql.text.to_ascii_lowercase().as_str(),
        "" | "null" | "''" | "\"\"" | "``"
    )
}

fn has_empty_param(r: &Resolved) -> bool {
    r.pb_params.iter().any(Param::is_empty)
}

/// Known not to be NULL or `""`: a boolean constant or a non-empty value.
fn is_known_non_empty(r: &Resolved) -> bool {
    if r.fallback == Fallback::Enforced {
        return false;
    }
    if matches!(
        r.sql.text.to_ascii_lowercase().as_str(),
        "1" | "0" | "false" | "true"
    ) {
        return true;
    }
    !r.pb_params.is_empty() && !has_empty_param(r) && !is_empty_identifier(r)
}

/// Known to be NULL or `""`.
fn is_empty(r: &Resolved) -> bool {
    is_empty_identifier(r)
        || (r.fallback == Fallback::Auto && r.pb_params.len() == 1 && has_empty_param(r))
}

/// `=` (`equal`) or `!=` with NULL/`""` normalization.
fn equal(eq: bool, l: &Resolved, r: &Resolved) -> Sql {
    let (op, null_op, concat, null_expr) = if eq {
        ("=", "IS", "OR", "IS NULL")
    } else {
        ("IS NOT", "IS NOT", "AND", "IS NOT NULL")
    };
    if l.fallback == Fallback::Disabled || r.fallback == Fallback::Disabled {
        return l.sql.clone().s(&format!(" {null_op} ")).p(&r.sql);
    }
    let l_empty = is_empty(l);
    let r_empty = is_empty(r);
    if l_empty && r_empty {
        return Sql::raw(format!("'' {op} ''"));
    }
    if is_known_non_empty(l) || is_known_non_empty(r) {
        let lhs = if l_empty {
            Sql::raw("''")
        } else {
            l.sql.clone()
        };
        let rhs = if r_empty {
            Sql::raw("''")
        } else {
            r.sql.clone()
        };
        return lhs.s(&format!(" {op} ")).p(&rhs);
    }
    if l_empty {
        return Sql::raw(format!("('' {op} "))
            .p(&r.sql)
            .s(&format!(" {concat} "))
            .p(&r.sql)
            .s(&format!(" {null_expr})"));
    }
    if r_empty {
        return Sql::raw("(")
            .p(&l.sql)
            .s(&format!(" {op} '' {concat} "))
            .p(&l.sql)
            .s(&format!(" {null_expr})"));
    }
    Sql::raw("COALESCE(")
        .p(&l.sql)
        .s(&format!(", '') {op} COALESCE("))
        .p(&r.sql)
        .s(", '')")
}

/// `LIKE` / `NOT LIKE`.
fn like(not: bool, l: &Resolved, r: &Resolved) -> Sql {
    let kw = if not { " NOT LIKE " } else { " LIKE " };
    if r.pb_params.is_empty() || !r.like_wrap {
        return l
            .sql
            .clone()
            .s(kw)
            .s("('%' || ")
            .p(&r.sql)
            .s(" || '%') ESCAPE '\\'");
    }
    let wrapped = Sql {
        text: r.sql.text.clone(),
        params: r
            .sql
            .params
            .iter()
            .map(|p| Param::Text(wrap_like(&p.to_text())))
            .collect(),
    };
    l.sql.clone().s(kw).p(&wrapped).s(" ESCAPE '\\'")
}

/// The comparison of two resolved operands (no multi-match).
fn build(l: &Resolved, op: Op, r: &Resolved) -> Sql {
    let bin = |sym: &str| l.sql.clone().s(&format!(" {sym} ")).p(&r.sql);
    match op.base() {
        Op::Eq => equal(true, l, r),
        Op::Neq => equal(false, l, r),
        Op::Like => like(false, l, r),
        Op::NotLike => like(true, l, r),
        Op::Lt => bin("<"),
        Op::Lte => bin("<="),
        Op::Gt => bin(">"),
        Op::Gte => bin(">="),
        // `base()` only returns plain operators.
        _ => bin("="),
    }
}

/// A multi-match value: the operand's value over a fresh copy of its joins.
fn mm_value(local: &Resolved, fallback: Fallback) -> Resolved {
    Resolved::expr(local.sql.clone(), fallback)
}

impl Compiler<'_> {
    /// The condition for `left op right`.
    pub fn compare(
        &mut self,
        left_op: &Operand,
        left: Resolved,
        op: Op,
        right_op: &Operand,
        right: Resolved,
    ) -> Result<Open, FilterError> {
        let mut sql = build(&left, op, &right);
        let mut joins = left.joins.clone();
        joins.extend(right.joins.iter().copied());
        if !op.is_any() && (left.multi || right.multi) {
            let lm = if left.multi {
                Some(self.multi_match(left_op)?)
            } else {
                None
            };
            let rm = if right.multi {
                Some(self.multi_match(right_op)?)
            } else {
                None
            };
            let (from, inner) = match (lm, rm) {
                (Some((lj, lv)), Some((rj, rv))) => {
                    let mut from = lj.list.clone();
                    from.extend(rj.list.iter().cloned());
                    let inner = build(
                        &mm_value(&lv, left.fallback),
                        op,
                        &mm_value(&rv, right.fallback),
                    );
                    (from, inner)
                }
                (Some((lj, lv)), None) => {
                    let inner = build(&mm_value(&lv, left.fallback), op, &right.bare());
                    (lj.list, inner)
                }
                (None, Some((rj, rv))) => {
                    let inner = build(&left.bare(), op, &mm_value(&rv, right.fallback));
                    (rj.list, inner)
                }
                (None, None) => (Vec::new(), Sql::raw("1=1")),
            };
            let mut sub = Sql::raw("NOT EXISTS (SELECT 1 FROM (SELECT 1)");
            for j in &from {
                sub = sub.p(&j.render());
            }
            sub = sub.s(" WHERE NOT (").p(&inner).s("))");
            sql = Sql::raw("(").p(&sql).s(" AND ").p(&sub).s(")");
        }
        for guard in [&left.guard, &right.guard].into_iter().flatten() {
            sql = Sql::raw("(").p(&sql).s(" AND ").p(guard).s(")");
        }
        Ok(Open { sql, joins })
    }

    /// Resolves `op` again over fresh joins, for its multi-match subquery.
    fn multi_match(&mut self, op: &Operand) -> Result<(Joins, Resolved), FilterError> {
        let mut local = Joins::default();
        let r = self.resolve(op, Some(&mut local))?;
        Ok((local, r))
    }
}
