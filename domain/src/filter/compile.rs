//! Expression → SQL: comparisons are resolved into conditions over the main row and joined
//! rows, then every group of conditions that share joined rows is wrapped in one correlated
//! `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN ... WHERE ...)`.
//!
//! PocketBase `LEFT JOIN`s everything a filter reads onto the main query (one join per
//! distinct path, shared by every comparison that reads it) and de-duplicates with
//! `SELECT DISTINCT`: a row matches when some combination of joined rows satisfies the whole
//! expression. The `EXISTS` form is that same quantifier, moved into the `WHERE` clause so the
//! outer query never sees duplicates. Conditions that read no joined rows stay outside, `||`
//! distributes (∃ over a disjunction is the disjunction of ∃s), and `&&` keeps conditions that
//! share a joined row in the same `EXISTS` (so `members.user ?= @request.auth.id &&
//! members.role ?= "admin"` needs one member row with both, as in PocketBase).

use super::ast::{Comparison, Expr, Operand};
use super::context::{CompileOptions, FilterContext};
use super::error::FilterError;
use super::resolved::{Join, Joins, Open};
use super::sql::Sql;
use crate::collection::Collection;
use std::collections::BTreeSet;

/// Where unqualified field names are read from: the main collection, or a related
/// collection whose list rule is being applied to a joined row.
#[derive(Debug, Clone)]
pub(crate) struct Base<'a> {
    /// The collection.
    pub collection: &'a Collection,
    /// Its alias in SQL (already quoted).
    pub alias: String,
    /// Prefix of the join keys registered from it.
    pub key: String,
}

/// The state of one compilation.
pub(crate) struct Compiler<'a> {
    /// What the filter is compiled against.
    pub ctx: FilterContext<'a>,
    /// Trusted expressions may read hidden fields and any related collection.
    pub allow_hidden: bool,
    /// The joins registered so far.
    pub joins: Joins,
    /// The next join alias number (`__j1`, `__j2`, ...), shared with multi-match subqueries.
    pub next_alias: usize,
    /// The collection unqualified names refer to.
    pub base: Base<'a>,
}

/// A compiled expression before `EXISTS` wrapping: `&&`/`||` chains are flattened.
enum Node {
    Leaf(Open),
    And(Vec<Node>, BTreeSet<usize>),
    Or(Vec<Node>, BTreeSet<usize>),
}

impl Node {
    fn joins(&self) -> &BTreeSet<usize> {
        match self {
            Node::Leaf(o) => &o.joins,
            Node::And(_, j) | Node::Or(_, j) => j,
        }
    }
}

impl<'a> Compiler<'a> {
    /// A compiler for `ctx`.
    pub fn new(ctx: FilterContext<'a>, opts: CompileOptions) -> Self {
        Compiler {
            base: Base {
                collection: ctx.collection,
                alias: ctx.table_alias.to_owned(),
                key: "main".to_owned(),
            },
            ctx,
            allow_hidden: opts.allow_hidden_fields,
            joins: Joins::default(),
            next_alias: 1,
        }
    }

    /// A fresh join alias.
    pub fn alias(&mut self) -> String {
        let a = format!("`__j{}`", self.next_alias);
        self.next_alias += 1;
        a
    }

    /// Compiles `expr` to a self-contained boolean SQL expression.
    pub fn compile(&mut self, expr: &Expr) -> Result<Sql, FilterError> {
        let node = self.node(expr)?;
        Ok(self.close(&node))
    }

    /// Compiles `expr` to a condition that may read joined rows.
    pub fn open(&mut self, expr: &Expr) -> Result<Open, FilterError> {
        let node = self.node(expr)?;
        Ok(Open {
            sql: render(&node),
            joins: node.joins().clone(),
        })
    }

    fn node(&mut self, expr: &Expr) -> Result<Node, FilterError> {
        match expr {
            Expr::Compare(c) => Ok(Node::Leaf(self.comparison(c)?)),
            Expr::And(..) => {
                let mut parts = Vec::new();
                flatten(expr, true, &mut parts);
                let nodes = parts
                    .into_iter()
                    .map(|e| self.node(e))
                    .collect::<Result<Vec<_>, _>>()?;
                let joins = union(&nodes);
                Ok(Node::And(nodes, joins))
            }
            Expr::Or(..) => {
                let mut parts = Vec::new();
                flatten(expr, false, &mut parts);
                let nodes = parts
                    .into_iter()
                    .map(|e| self.node(e))
                    .collect::<Result<Vec<_>, _>>()?;
                let joins = union(&nodes);
                Ok(Node::Or(nodes, joins))
            }
        }
    }

    fn comparison(&mut self, c: &Comparison) -> Result<Open, FilterError> {
        let left = self.resolve(&c.left, None)?;
        let right = self.resolve(&c.right, None)?;
        self.compare(&c.left, left, c.op, &c.right, right)
    }

    /// Wraps what needs wrapping in `EXISTS`.
    fn close(&self, node: &Node) -> Sql {
        if node.joins().is_empty() {
            return render(node);
        }
        match node {
            Node::Leaf(o) => self.exists(&o.joins, &o.sql),
            Node::Or(children, _) => {
                let parts: Vec<Sql> = children.iter().map(|c| self.close(c)).collect();
                Sql::join(&parts, " OR ").paren()
            }
            Node::And(children, _) => {
                let sets: Vec<BTreeSet<usize>> = children
                    .iter()
                    .map(|c| self.joins.closure(c.joins()))
                    .collect();
                let groups = components(&sets);
                let mut parts = Vec::new();
                let mut done = vec![false; children.len()];
                for (i, child) in children.iter().enumerate() {
                    if done[i] {
                        continue;
                    }
                    let group: Vec<usize> = (i..children.len())
                        .filter(|j| groups[*j] == groups[i] && !sets[i].is_empty())
                        .collect();
                    if group.len() <= 1 {
                        done[i] = true;
                        parts.push(self.close(child));
                        continue;
                    }
                    let mut set = BTreeSet::new();
                    let mut conds = Vec::new();
                    for j in group {
                        done[j] = true;
                        set.extend(sets[j].iter().copied());
                        conds.push(render(&children[j]));
                    }
                    parts.push(self.exists(&set, &Sql::join(&conds, " AND ")));
                }
                if parts.len() == 1 {
                    parts.pop().unwrap_or_default()
                } else {
                    Sql::join(&parts, " AND ").paren()
                }
            }
        }
    }

    /// `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN ... WHERE cond [AND guards])`.
    fn exists(&self, set: &BTreeSet<usize>, cond: &Sql) -> Sql {
        let set = self.joins.closure(set);
        let mut sql = Sql::raw("EXISTS (SELECT 1 ")
            .p(&self.joins.render_from(&set))
            .s(" WHERE ")
            .p(cond);
        for idx in &set {
            if let Some(Join { guard: Some(g), .. }) = self.joins.list.get(*idx) {
                sql = sql.s(" AND ").p(&g.sql);
            }
        }
        sql.s(")")
    }

    /// Runs `f` with `base` as the collection unqualified names refer to, trusted.
    pub fn with_base<T>(
        &mut self,
        base: Base<'a>,
        f: impl FnOnce(&mut Self) -> Result<T, FilterError>,
    ) -> Result<T, FilterError> {
        let saved_base = std::mem::replace(&mut self.base, base);
        let saved_hidden = std::mem::replace(&mut self.allow_hidden, true);
        let out = f(self);
        self.base = saved_base;
        self.allow_hidden = saved_hidden;
        out
    }

    /// The list rule condition of a collection joined as `alias` (untrusted filters only):
    /// `id = '' || (rule)`, so a missing joined row does not hide the whole record.
    pub fn list_rule_guard(
        &mut self,
        collection: &'a Collection,
        alias: &str,
        key: &str,
    ) -> Result<Option<Open>, FilterError> {
        let rule = match &collection.rules.list {
            None => {
                return Err(FilterError::invalid(format!(
                    "{:?} fields can be accessed only by superusers",
                    collection.name
                )));
            }
            Some(r) => r,
        };
        let Some(rule_expr) = super::parser::parse_optional(rule).map_err(|e| {
            FilterError::invalid(format!(
                "failed to build the {:?} list rule: {e}",
                collection.name
            ))
        })?
        else {
            return Ok(None);
        };
        let expr = Expr::or(
            Expr::compare(
                Operand::Field("id".to_owned()),
                super::ast::Op::Eq,
                Operand::Text(String::new()),
            ),
            rule_expr,
        );
        let base = Base {
            collection,
            alias: alias.to_owned(),
            key: format!("rule:{key}"),
        };
        self.with_base(base, |c| c.open(&expr)).map(Some)
    }
}

/// Collects the operands of a chain of `&&` (or `||`).
fn flatten<'e>(expr: &'e Expr, and: bool, out: &mut Vec<&'e Expr>) {
    match (expr, and) {
        (Expr::And(a, b), true) | (Expr::Or(a, b), false) => {
            flatten(a, and, out);
            flatten(b, and, out);
        }
        _ => out.push(expr),
    }
}

fn union(nodes: &[Node]) -> BTreeSet<usize> {
    nodes
        .iter()
        .flat_map(|n| n.joins().iter().copied())
        .collect()
}

/// The condition as is, joined rows referred to by alias.
fn render(node: &Node) -> Sql {
    match node {
        Node::Leaf(o) => o.sql.clone(),
        Node::And(children, _) => {
            let parts: Vec<Sql> = children.iter().map(render).collect();
            Sql::join(&parts, " AND ").paren()
        }
        Node::Or(children, _) => {
            let parts: Vec<Sql> = children.iter().map(render).collect();
            Sql::join(&parts, " OR ").paren()
        }
    }
}

/// Labels each set with its connected component (sets are connected when they share an
/// element); empty sets are alone.
fn components(sets: &[BTreeSet<usize>]) -> Vec<usize> {
    let mut label: Vec<usize> = (0..sets.len()).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..sets.len() {
            for j in (i + 1)..sets.len() {
                if label[i] != label[j] && !sets[i].is_disjoint(&sets[j]) {
                    let (keep, drop) = (label[i].min(label[j]), label[i].max(label[j]));
                    for l in label.iter_mut() {
                        if *l == drop {
                            *l = keep;
                        }
                    }
                    changed = true;
                }
            }
        }
    }
    label
}
