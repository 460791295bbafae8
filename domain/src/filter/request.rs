//! `@request.*`: request data as bound values (`context`, `method`, `query`, `headers`,
//! `body`, plain auth fields), and the body and auth forms that read the database
//! (`@request.body.rel.field`, `@request.body.field:each`, `@request.auth.field`, ...).

use super::ast::{Expr, Op, Operand};
use super::compile::Compiler;
use super::context::RequestInfo;
use super::error::FilterError;
use super::resolve::{Modifier, Walk, is_multi_valuer, split_modifier};
use super::resolved::{Fallback, Joins, Resolved};
use super::sql::{Param, Sql, column, ident};
use crate::field::{Field, FieldKind};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The auth fields read from the request itself rather than joined from the database.
const PLAIN_AUTH_FIELDS: [&str; 6] = [
    "id",
    "collectionId",
    "collectionName",
    "email",
    "emailVisibility",
    "verified",
];

/// A header name as PocketBase exposes it: lower case, `-` as `_`.
fn normalize_header(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

/// Follows `keys` into `v` (object keys, array indices); `None` when a key is missing.
fn descend(v: &Value, keys: &[&str]) -> Option<Value> {
    let Some((first, rest)) = keys.split_first() else {
        return Some(v.clone());
    };
    match v {
        Value::Object(m) => descend(m.get(*first)?, rest),
        Value::Array(a) => descend(a.get(first.parse::<usize>().ok()?)?, rest),
        _ => None,
    }
}

fn descend_map(m: &Map<String, Value>, keys: &[&str]) -> Option<Value> {
    let Some((first, rest)) = keys.split_first() else {
        return Some(Value::Object(m.clone()));
    };
    descend(m.get(*first)?, rest)
}

/// The request value at `path` (`["query", "page"]`, ...); `None` when missing.
fn lookup(req: &RequestInfo, path: &[&str]) -> Option<Value> {
    let (root, rest) = path.split_first()?;
    match *root {
        "context" => descend(&Value::String(req.context.clone()), rest),
        "method" => descend(&Value::String(req.method.clone()), rest),
        "query" => descend_map(&req.query, rest),
        "body" => descend_map(&req.body, rest),
        "headers" => {
            let Some((name, deeper)) = rest.split_first() else {
                return Some(Value::Object(req.headers.clone()));
            };
            let v = req.headers.get(*name).or_else(|| {
                req.headers
                    .iter()
                    .find(|(k, _)| normalize_header(k) == *name)
                    .map(|(_, v)| v)
            })?;
            descend(v, deeper)
        }
        "auth" => {
            let auth = req.auth.as_ref()?;
            let (field, deeper) = rest.split_first()?;
            let v = match *field {
                "collectionId" => auth
                    .record
                    .get("collectionId")
                    .cloned()
                    .unwrap_or_else(|| Value::String(auth.collection.id.clone())),
                "collectionName" => auth
                    .record
                    .get("collectionName")
                    .cloned()
                    .unwrap_or_else(|| Value::String(auth.collection.name.clone())),
                other => auth.record.get(other)?.clone(),
            };
            descend(&v, deeper)
        }
        _ => None,
    }
}

/// A value as a list: NULL → `[]`, a scalar → `[v]`.
fn to_slice(v: Option<&Value>) -> Vec<Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// Text of a scalar as Go's `cast.ToString` gives it (`""` for NULL, arrays and objects).
fn cast_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.as_f64().map(|f| f.to_string()).unwrap_or_default(),
        },
        _ => String::new(),
    }
}

/// Relation ids from a body value: a string (or a JSON array in a string) or an array of
/// strings; empty and repeated ids are dropped.
fn to_unique_ids(v: Option<&Value>) -> Vec<String> {
    let raw: Vec<String> = match v {
        Some(Value::String(s)) if s.contains('[') => {
            serde_json::from_str::<Vec<String>>(s).unwrap_or_else(|_| vec![s.clone()])
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().map(|x| cast_text(Some(x))).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for id in raw {
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

impl<'a> Compiler<'a> {
    /// `@request.<...>`.
    pub fn request_path(
        &mut self,
        full: &str,
        props: &[&str],
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        let req: &'a RequestInfo = self.ctx.request;
        if props.get(1) == Some(&"auth") {
            return self.auth_path(full, props, local);
        }
        if props.get(1) == Some(&"body") && props.len() > 2 {
            let (name, modifier) = split_modifier(props[2])?;
            let base: &'a crate::collection::Collection = self.base.collection;
            if let Some(field) = base.field(name) {
                if matches!(field.kind, FieldKind::Relation(_)) && props.len() > 3 {
                    return self.body_relation(full, field, props, local);
                }
                if props.len() == 3 {
                    match modifier {
                        Some(Modifier::Each) => return self.body_each(field, local),
                        Some(Modifier::Length) => {
                            check_multi_valuer(field)?;
                            let n = to_slice(req.body.get(&field.name)).len();
                            return Ok(Resolved::raw(&n.to_string()));
                        }
                        Some(Modifier::Lower) => {
                            let text = cast_text(req.body.get(&field.name));
                            let mut r = Resolved::value(Param::Text(text));
                            r.sql = Sql::raw("LOWER(").p(&r.sql).s(")");
                            return Ok(r);
                        }
                        Some(Modifier::Changed) => return self.body_changed(field),
                        _ => {}
                    }
                }
            }
        }
        self.static_request(&props[1..])
    }

    /// A request value as a bound parameter (`NULL` when missing), or `TRUE`/`FALSE` for
    /// `:isset`, or `LOWER(?)` for `:lower`.
    fn static_request(&self, path: &[&str]) -> Result<Resolved, FilterError> {
        let Some((last, init)) = path.split_last() else {
            return Err(FilterError::invalid("empty @request path"));
        };
        let (last_name, modifier) = split_modifier(last)?;
        let mut keys: Vec<&str> = init.to_vec();
        keys.push(last_name);
        let found = lookup(self.ctx.request, &keys);
        if modifier == Some(Modifier::Isset) {
            return Ok(Resolved::raw(if found.is_some() {
                "TRUE"
            } else {
                "FALSE"
            }));
        }
        if !matches!(modifier, None | Some(Modifier::Lower)) {
            return Err(FilterError::invalid(format!(
                "invalid modifier sequence in {last:?}"
            )));
        }
        let mut param = match found {
            None | Some(Value::Null) => return Ok(Resolved::raw("NULL")),
            Some(v) => Param::from_json(&v),
        };
        let is_number_field = self
            .base
            .collection
            .field(last_name)
            .is_some_and(|f| matches!(f.kind, FieldKind::Number(_)));
        if is_number_field
            && let Param::Text(s) = &param
            && let Some(n) = numeric_text(s)
        {
            param = n;
        }
        let mut r = Resolved::value(param);
        if modifier == Some(Modifier::Lower) {
            r.sql = Sql::raw("LOWER(").p(&r.sql).s(")");
        }
        Ok(r)
    }

    /// `@request.auth.<...>`: NULL for guests; the plain fields from the request; any other
    /// field from the auth record's row, joined by id.
    fn auth_path(
        &mut self,
        full: &str,
        props: &[&str],
        mut local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        let req: &'a RequestInfo = self.ctx.request;
        let Some(auth) = req.auth.as_ref() else {
            return Ok(Resolved::raw("NULL"));
        };
        let rest = &props[2..];
        if rest.len() == 1 && PLAIN_AUTH_FIELDS.contains(&rest[0]) {
            return self.static_request(&props[1..]);
        }
        let collection = &auth.collection;
        let key = format!("{}|@auth:{}", self.base.key, collection.id);
        let table = ident(&collection.name);
        let id = auth.id().to_owned();
        let mut chain = BTreeSet::new();
        let alias = self.join(
            local.as_deref_mut(),
            &mut chain,
            key.clone(),
            Some(collection),
            |_, a| {
                let on = column(a, "id").s(" = ").v(Param::Text(id));
                (Sql::raw(table), Some(on))
            },
        )?;
        let walk = Walk {
            collection,
            alias,
            key,
            multi: false,
            chain,
            nullify: true,
        };
        self.walk(full, walk, rest, local)
    }

    /// `@request.body.rel.<...>`: the records the body's relation ids point to.
    fn body_relation(
        &mut self,
        full: &str,
        field: &'a Field,
        props: &[&str],
        mut local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        let FieldKind::Relation(opts) = &field.kind else {
            return Err(FilterError::invalid(format!(
                "{:?} is not a relation field",
                field.name
            )));
        };
        let target = self.find_collection(&opts.collection_id).ok_or_else(|| {
            FilterError::invalid(format!(
                "failed to load the collection of relation field {:?}",
                field.name
            ))
        })?;
        let ids = to_unique_ids(self.ctx.request.body.get(&field.name));
        if ids.is_empty() {
            return Ok(Resolved::raw("NULL"));
        }
        let key = format!("{}|@body:{}", self.base.key, field.name);
        let table = ident(&target.name);
        let mut chain = BTreeSet::new();
        let alias = self.join(
            local.as_deref_mut(),
            &mut chain,
            key.clone(),
            Some(target),
            |_, a| {
                let mut on = column(a, "id");
                if ids.len() == 1 {
                    on = on.s(" = ");
                } else {
                    on = on.s(" IN (");
                }
                for (i, id) in ids.into_iter().enumerate() {
                    if i > 0 {
                        on = on.s(", ");
                    }
                    on = on.v(Param::Text(id));
                }
                if on.params.len() > 1 {
                    on = on.s(")");
                }
                (Sql::raw(table), Some(on))
            },
        )?;
        let walk = Walk {
            collection: target,
            alias,
            key,
            multi: field.is_multiple(),
            chain,
            nullify: true,
        };
        self.walk(full, walk, &props[3..], local)
    }

    /// `@request.body.field:each`: the submitted items.
    fn body_each(
        &mut self,
        field: &'a Field,
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        check_multi_valuer(field)?;
        let items = to_slice(self.ctx.request.body.get(&field.name));
        let json = Value::Array(items).to_string();
        let key = format!("{}|@body-each:{}", self.base.key, field.name);
        let mut chain = BTreeSet::new();
        let param = Param::Text(json);
        let source = Sql::raw("json_each(").v(param.clone()).s(")");
        let alias = self.join(local, &mut chain, key, None, |_, _| (source, None))?;
        let mut r = Resolved::expr(column(&alias, "value"), Fallback::Auto);
        r.pb_params = vec![param];
        r.joins = chain;
        r.multi = field.is_multiple();
        Ok(r)
    }

    /// `@request.body.field:changed`: `(@request.body.field:isset = true &&
    /// @request.body.field != field)`, a boolean compared as is.
    fn body_changed(&mut self, field: &'a Field) -> Result<Resolved, FilterError> {
        let body = format!("@request.body.{}", field.name);
        let expr = Expr::and(
            Expr::compare(
                Operand::Field(format!("{body}:isset")),
                Op::Eq,
                Operand::Bool(true),
            ),
            Expr::compare(
                Operand::Field(body),
                Op::Neq,
                Operand::Field(field.name.clone()),
            ),
        );
        let open = self.open(&expr)?;
        let mut r = Resolved::expr(open.sql, Fallback::Disabled);
        r.joins = open.joins;
        Ok(r)
    }
}

/// Numeric text (e.g. a multipart value) as a number.
fn numeric_text(s: &str) -> Option<Param> {
    Param::number(s).or_else(|| {
        s.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Param::Real)
    })
}

fn check_multi_valuer(field: &Field) -> Result<(), FilterError> {
    if is_multi_valuer(field) {
        Ok(())
    } else {
        Err(FilterError::invalid(format!(
            "field {:?} doesn't support multivalue operations",
            field.name
        )))
    }
}
