//! Operand resolution: literals, placeholders and macros become bound values; field paths
//! become columns of the main row or of joined rows (relations, back-relations,
//! `@collection.*`, `@request.auth.*`), following PocketBase's record field resolver.

use super::ast::Operand;
use super::compile::Compiler;
use super::error::FilterError;
use super::macros::macro_value;
use super::resolved::{Fallback, Join, Joins, Resolved};
use super::sql::{Param, Sql, column, ident, json_array_length, json_each, json_extract};
use crate::collection::Collection;
use crate::field::{Field, FieldKind};
use serde_json::Value;
use std::collections::BTreeSet;

/// The most relations a path may traverse (PocketBase's `maxNestedRels`).
pub const MAX_NESTED_RELATIONS: usize = 6;

/// A field modifier (`name:modifier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Modifier {
    /// `:isset` — the request body has the key.
    Isset,
    /// `:each` — every item of a multi-valued field.
    Each,
    /// `:length` — the item count of a multi-valued field.
    Length,
    /// `:lower` — `LOWER(value)`.
    Lower,
    /// `:changed` — the request body sets the field to a different value.
    Changed,
}

/// Splits `name:modifier`; a prop without exactly one `:` has no modifier.
pub(crate) fn split_modifier(prop: &str) -> Result<(&str, Option<Modifier>), FilterError> {
    let mut parts = prop.split(':');
    let (Some(name), Some(modifier), None) = (parts.next(), parts.next(), parts.next()) else {
        return Ok((prop, None));
    };
    let m = match modifier {
        "isset" => Modifier::Isset,
        "each" => Modifier::Each,
        "length" => Modifier::Length,
        "lower" => Modifier::Lower,
        "changed" => Modifier::Changed,
        _ => {
            return Err(FilterError::invalid(format!(
                "unknown modifier {modifier:?} in {prop:?}"
            )));
        }
    };
    Ok((name, Some(m)))
}

/// The position reached while walking a field path.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'a> {
    /// The collection the next prop is a field of.
    pub collection: &'a Collection,
    /// Its SQL alias (quoted).
    pub alias: String,
    /// The join key of this position.
    pub key: String,
    /// Whether the path already ranges over several rows.
    pub multi: bool,
    /// The main-registry joins the path needs so far.
    pub chain: BTreeSet<usize>,
    /// Unknown fields read as NULL instead of failing (`@request.*` paths).
    pub nullify: bool,
}

/// Whether `f` holds a list in some configurations (select, file, relation).
pub(crate) fn is_multi_valuer(f: &Field) -> bool {
    matches!(
        f.kind,
        FieldKind::Select(_) | FieldKind::File(_) | FieldKind::Relation(_)
    )
}

/// Whether `name` is a field path form PocketBase lets through (its allowed-fields
/// patterns); the lexer has already restricted the characters.
fn is_allowed_path(name: &str) -> bool {
    let rest_ok = |rest: &str| !rest.is_empty();
    if let Some(rest) = name.strip_prefix("@request.") {
        if rest == "context" || rest == "method" {
            return true;
        }
        return ["auth.", "body.", "query.", "headers."]
            .iter()
            .any(|p| rest.strip_prefix(p).is_some_and(rest_ok));
    }
    if let Some(rest) = name.strip_prefix("@collection.") {
        let Some((coll, tail)) = rest.split_once('.') else {
            return false;
        };
        let word =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let coll_ok = match coll.split_once(':') {
            Some((n, a)) => word(n) && word(a),
            None => word(coll),
        };
        return coll_ok && !tail.is_empty();
    }
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn null_or(nullify: bool, err: FilterError) -> Result<Resolved, FilterError> {
    if nullify {
        Ok(Resolved::raw("NULL"))
    } else {
        Err(err)
    }
}

/// The `(collection, field)` of a back-relation prop `collection_via_field`.
fn split_via(prop: &str) -> Option<(&str, &str)> {
    let idx = prop.rfind("_via_")?;
    let (coll, field) = (&prop[..idx], &prop[idx + 5..]);
    (!coll.is_empty() && !field.is_empty()).then_some((coll, field))
}

impl<'a> Compiler<'a> {
    /// Resolves an operand. With `local`, joins go to that registry (a multi-match
    /// subquery) instead of the shared one.
    pub fn resolve(
        &mut self,
        op: &Operand,
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        match op {
            Operand::Null => Ok(Resolved::raw("NULL")),
            Operand::Bool(b) => Ok(Resolved::raw(if *b { "1" } else { "0" })),
            Operand::Number(n) => Param::number(n)
                .map(Resolved::value)
                .ok_or_else(|| FilterError::invalid(format!("invalid number {n}"))),
            Operand::Text(s) => Ok(Resolved::value(Param::Text(s.clone()))),
            Operand::Macro(m) => Ok(Resolved::value(macro_value(*m, self.ctx.now))),
            Operand::Placeholder(name) => self.placeholder(name),
            Operand::Field(name) => self.field(name, local),
            Operand::Function { name, args } => self.function(name, args, local),
        }
    }

    /// A `{:name}` value, read as the literal it stands for.
    fn placeholder(&self, name: &str) -> Result<Resolved, FilterError> {
        let value = self.ctx.params.get(name).ok_or_else(|| {
            FilterError::invalid(format!("missing value for placeholder {{:{name}}}"))
        })?;
        Ok(match value {
            Value::Null => Resolved::raw("NULL"),
            Value::Bool(b) => Resolved::raw(if *b { "1" } else { "0" }),
            other => Resolved::value(Param::from_json(other)),
        })
    }

    /// The collection with id `id_or_name`, or named so (case-insensitively).
    pub fn find_collection(&self, id_or_name: &str) -> Option<&'a Collection> {
        let own = [self.base.collection, self.ctx.collection];
        let all = own.into_iter().chain(self.ctx.collections.iter());
        let mut by_name = None;
        for c in all {
            if c.id == id_or_name {
                return Some(c);
            }
            if by_name.is_none() && c.name.eq_ignore_ascii_case(id_or_name) {
                by_name = Some(c);
            }
        }
        by_name
    }

    /// Registers (or reuses) the join `key`; `make` builds its source and `ON` from the
    /// alias. `table` is the joined collection, whose list rule guards it for untrusted
    /// filters.
    pub fn join(
        &mut self,
        local: Option<&mut Joins>,
        chain: &mut BTreeSet<usize>,
        key: String,
        table: Option<&'a Collection>,
        make: impl FnOnce(&mut Self, &str) -> (Sql, Option<Sql>),
    ) -> Result<String, FilterError> {
        if let Some(l) = local {
            if let Some(i) = l.get(&key) {
                return Ok(l.list[i].alias.clone());
            }
            let alias = self.alias();
            let (source, on) = make(self, &alias);
            l.add(
                key,
                Join {
                    alias: alias.clone(),
                    source,
                    on,
                    guard: None,
                },
            );
            return Ok(alias);
        }
        if let Some(i) = self.joins.get(&key) {
            chain.insert(i);
            return Ok(self.joins.list[i].alias.clone());
        }
        let alias = self.alias();
        let (source, on) = make(self, &alias);
        let idx = self.joins.add(
            key,
            Join {
                alias: alias.clone(),
                source,
                on,
                guard: None,
            },
        );
        chain.insert(idx);
        if let Some(c) = table
            && !self.allow_hidden
        {
            let guard = self.list_rule_guard(c, &alias, &idx.to_string())?;
            self.joins.list[idx].guard = guard;
        }
        Ok(alias)
    }

    /// A field path.
    fn field(&mut self, name: &str, local: Option<&mut Joins>) -> Result<Resolved, FilterError> {
        if !is_allowed_path(name) {
            return Err(FilterError::unknown(name));
        }
        let props: Vec<&str> = name.split('.').collect();
        match props[0] {
            "@collection" => self.collection_path(name, &props, local),
            "@request" => self.request_path(name, &props, local),
            _ => {
                let walk = self.base_walk(false);
                self.walk(name, walk, &props, local)
            }
        }
    }

    /// The walk start at the base collection's row.
    pub fn base_walk(&self, nullify: bool) -> Walk<'a> {
        Walk {
            collection: self.base.collection,
            alias: self.base.alias.clone(),
            key: self.base.key.clone(),
            multi: false,
            chain: BTreeSet::new(),
            nullify,
        }
    }

    /// `@collection.name[:alias].path`: every row of another collection.
    fn collection_path(
        &mut self,
        name: &str,
        props: &[&str],
        mut local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        if props.len() < 3 {
            return Err(FilterError::invalid(format!(
                "invalid @collection field path {name:?}"
            )));
        }
        let (coll_name, alias) = match props[1].split_once(':') {
            Some((c, a)) => (c, a),
            None => (props[1], ""),
        };
        let collection = self.find_collection(coll_name).ok_or_else(|| {
            FilterError::invalid(format!("unknown collection {coll_name:?} in {name:?}"))
        })?;
        let key = if alias.is_empty() {
            format!("{}|@collection:{}", self.base.key, collection.id)
        } else {
            format!("{}|@collection:{alias}:{}", self.base.key, collection.id)
        };
        let mut chain = BTreeSet::new();
        let table = ident(&collection.name);
        let joined = self.join(
            local.as_deref_mut(),
            &mut chain,
            key.clone(),
            Some(collection),
            |_, _| (Sql::raw(table), None),
        )?;
        let walk = Walk {
            collection,
            alias: joined,
            key,
            multi: true,
            chain,
            nullify: false,
        };
        self.walk(name, walk, &props[2..], local)
    }

    /// Walks `props` from `w`: relations and back-relations join the next collection, a
    /// JSON field takes the rest as a JSON path, the last prop is the value.
    pub fn walk(
        &mut self,
        full: &str,
        mut w: Walk<'a>,
        props: &[&str],
        mut local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        let total = props.len();
        for (i, prop) in props.iter().enumerate() {
            if i + 1 == total {
                return self.finalize(full, w, prop, local);
            }
            let field = w.collection.field(prop);
            if let Some(f) = field {
                if f.hidden && !self.allow_hidden {
                    return Err(FilterError::invalid(format!(
                        "non-filterable field {prop:?}"
                    )));
                }
                if matches!(f.kind, FieldKind::Json(_) | FieldKind::GeoPoint(_)) {
                    return json_path(full, &w, f, &props[i + 1..]);
                }
            }
            if i >= MAX_NESTED_RELATIONS {
                return Err(FilterError::invalid(format!(
                    "max nested relations reached for field {prop:?}"
                )));
            }
            match field {
                None => {
                    if let Some(r) = self.back_relation(full, &mut w, prop, local.as_deref_mut())? {
                        return Ok(r);
                    }
                }
                Some(f) => {
                    let FieldKind::Relation(opts) = &f.kind else {
                        return Err(FilterError::invalid(format!(
                            "field {prop:?} is not a valid relation"
                        )));
                    };
                    let target = self.find_collection(&opts.collection_id).ok_or_else(|| {
                        FilterError::invalid(format!(
                            "failed to load the collection of relation field {prop:?}"
                        ))
                    })?;
                    if !f.is_multiple() && i + 2 == total && props[i + 1] == "id" {
                        return self.finalize(full, w, &f.name, local);
                    }
                    let col = column(&w.alias, &f.name);
                    let key = format!("{}/{}", w.key, f.name);
                    let table = ident(&target.name);
                    let joined = if f.is_multiple() {
                        let je = self.join(
                            local.as_deref_mut(),
                            &mut w.chain,
                            format!("{key}#each"),
                            None,
                            |_, _| (json_each(&col), None),
                        )?;
                        self.join(
                            local.as_deref_mut(),
                            &mut w.chain,
                            key.clone(),
                            Some(target),
                            |_, a| {
                                let on = column(a, "id").s(" = ").p(&column(&je, "value"));
                                (Sql::raw(table), Some(on))
                            },
                        )?
                    } else {
                        self.join(
                            local.as_deref_mut(),
                            &mut w.chain,
                            key.clone(),
                            Some(target),
                            |_, a| {
                                let on = column(a, "id").s(" = ").p(&col);
                                (Sql::raw(table), Some(on))
                            },
                        )?
                    };
                    w.multi |= f.is_multiple();
                    w.collection = target;
                    w.alias = joined;
                    w.key = key;
                }
            }
        }
        Err(FilterError::unknown(full))
    }

    /// Steps `w` through the back-relation `prop` (`comments_via_post`); `Some` when the
    /// walk ends here (as NULL).
    fn back_relation(
        &mut self,
        full: &str,
        w: &mut Walk<'a>,
        prop: &str,
        local: Option<&mut Joins>,
    ) -> Result<Option<Resolved>, FilterError> {
        let nullify = w.nullify;
        let fail = |err| null_or(nullify, err).map(Some);
        let Some((coll_name, field_name)) = split_via(prop) else {
            return fail(FilterError::unknown(full));
        };
        let Some(back) = self.find_collection(coll_name) else {
            return fail(FilterError::unknown(full));
        };
        let Some(back_field) = back.field(field_name) else {
            return fail(FilterError::unknown(full));
        };
        let FieldKind::Relation(opts) = &back_field.kind else {
            return fail(FilterError::invalid(format!(
                "invalid back relation field {field_name:?}"
            )));
        };
        if back_field.hidden && !self.allow_hidden {
            return Err(FilterError::invalid(format!(
                "non-filterable back relation field {field_name:?}"
            )));
        }
        if opts.collection_id != w.collection.id {
            return fail(FilterError::invalid(format!(
                "invalid collection reference of back relation field {field_name:?}"
            )));
        }
        let multiple = back_field.is_multiple();
        let key = format!("{}/{prop}", w.key);
        let table = ident(&back.name);
        let parent_id = column(&w.alias, "id");
        let back_col_name = back_field.name.clone();
        let joined = self.join(local, &mut w.chain, key.clone(), Some(back), |c, a| {
            let back_col = column(a, &back_col_name);
            let on = if multiple {
                let je = c.alias();
                parent_id
                    .clone()
                    .s(" IN (SELECT ")
                    .p(&column(&je, "value"))
                    .s(" FROM ")
                    .p(&json_each(&back_col))
                    .s(" ")
                    .s(&je)
                    .s(")")
            } else {
                back_col.s(" = ").p(&parent_id)
            };
            (Sql::raw(table), Some(on))
        })?;
        w.multi = w.multi
            || multiple
            || !crate::collection::has_single_column_unique_index(&back.indexes, &back_field.name);
        w.collection = back;
        w.alias = joined;
        w.key = key;
        Ok(None)
    }

    /// The last prop of a path: a column, `:each` item, `:length`, `:lower`.
    pub fn finalize(
        &mut self,
        full: &str,
        mut w: Walk<'a>,
        prop: &str,
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        let (name, modifier) = split_modifier(prop)?;
        let Some(field) = w.collection.field(name) else {
            return null_or(w.nullify, FilterError::unknown(full));
        };
        if field.hidden && !self.allow_hidden {
            return Err(FilterError::invalid(format!(
                "non-filterable field {name:?}"
            )));
        }
        let col = column(&w.alias, &field.name);
        let multi_valuer = is_multi_valuer(field);
        match modifier {
            Some(Modifier::Length) if multi_valuer => {
                let mut r = Resolved::expr(json_array_length(&col), Fallback::Auto);
                r.joins = w.chain;
                r.multi = w.multi;
                return Ok(r);
            }
            Some(Modifier::Each) if multi_valuer => {
                let key = format!("{}/{}:each", w.key, field.name);
                let je = self.join(local, &mut w.chain, key, None, |_, _| {
                    (json_each(&col), None)
                })?;
                let mut r = Resolved::expr(column(&je, "value"), Fallback::Auto);
                r.joins = w.chain;
                r.multi = w.multi || field.is_multiple();
                return Ok(r);
            }
            _ => {}
        }
        let mut r = Resolved::expr(col.clone(), Fallback::Auto);
        if field.name == "email" && !self.allow_hidden && w.collection.is_auth() {
            r.guard = Some(column(&w.alias, "emailVisibility").s(" = TRUE"));
        }
        if matches!(field.kind, FieldKind::Json(_)) {
            r.sql = json_extract(&col, "");
            r.fallback = Fallback::Disabled;
        }
        if modifier == Some(Modifier::Lower) {
            r.sql = Sql::raw("LOWER(").p(&r.sql).s(")");
        }
        r.joins = w.chain;
        r.multi = w.multi;
        Ok(r)
    }
}

/// A JSON (or geoPoint) field followed by a path: `data.a.0.b` → `JSON_EXTRACT(data, '$.a[0].b')`.
fn json_path(full: &str, w: &Walk<'_>, f: &Field, rest: &[&str]) -> Result<Resolved, FilterError> {
    let mut path = String::new();
    for p in rest {
        if p.is_empty() {
            return Err(FilterError::unknown(full));
        }
        // PocketBase keeps only `[\w.*\-@#]` of a JSON path segment, so `k:lower` looks up
        // the key `klower` (no modifiers inside JSON paths).
        let p: String = p
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "_.*-@#".contains(*c))
            .collect();
        if p.is_empty() {
            return Err(FilterError::unknown(full));
        }
        if p.parse::<u64>().is_ok() {
            path.push('[');
            path.push_str(&p);
            path.push(']');
        } else {
            path.push('.');
            path.push_str(&p);
        }
    }
    let col = column(&w.alias, &f.name);
    let mut r = Resolved::expr(json_extract(&col, &path), Fallback::Disabled);
    r.joins = w.chain.clone();
    r.multi = w.multi;
    Ok(r)
}
