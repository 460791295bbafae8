//! `expand`, as PocketBase answers it: the `expand` query parameter loads related records
//! into `expand` (each only if the caller passes its collection's view rule, and shown with
//! its own collection's hidden fields and email visibility).
//!
//! Expansion follows `core/record_query_expand.go` and `apis/record_helpers.go`: the paths
//! are merged into a tree and loaded level by level, with one `SELECT ... WHERE id IN (...)`
//! per (collection, level) carrying the view rule, plus one query per back-relation to find
//! the ids. A path that fails anywhere (unknown field, `null` view rule for a non-superuser,
//! a rule that doesn't compile) adds nothing at all, as in PocketBase, where the error is
//! only logged; a record gets an `expand` object (possibly empty) as soon as one path through
//! its level succeeds.

use super::access::managed_ids;
use super::shown::{enrich_records, visibility};
use crate::App;
use crate::query::{Gate, RecordQuery, RequestScope, gate};
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::collection::has_single_column_unique_index;
use basalt_domain::field::FieldKind;
use basalt_domain::query::{ExpandSegment, MAX_BACK_RELATIONS, parse_expand, relation_ids};
use basalt_domain::record::Record;
use basalt_ports::ServiceError;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The JSON of `records` of `c` for the caller of `scope`, with the `expand` of its
/// request (`fields` is the caller's to apply).
pub(crate) async fn render(
    app: &App,
    scope: &mut RequestScope<'_>,
    c: &CollectionRef,
    records: Vec<Record>,
) -> Result<Vec<Value>, ServiceError> {
    Enricher { app, scope }.render(c, records).await
}

/// One node of the expand tree: a path segment under its parent level (node 0 is the
/// requested records themselves).
struct Node {
    key: String,
    parent: usize,
    children: Vec<usize>,
    state: State,
}

enum State {
    /// Not reached yet.
    Pending,
    /// Nothing to expand: the parent level has no records (never an error, as in
    /// PocketBase, which stops at an empty level before looking at the segment).
    Vacuous,
    /// The segment can't be expanded for this caller; paths through it add nothing.
    Failed,
    /// Loaded.
    Loaded(Box<Level>),
}

/// A segment resolved against its parent level, before its records are fetched.
struct Resolved {
    node: usize,
    target: CollectionRef,
    multiple: bool,
    links: Vec<Vec<String>>,
}

/// The records of one level.
struct Level {
    collection: CollectionRef,
    /// Whether the relation shows as an array (else the first record).
    multiple: bool,
    /// For each record of the parent level (same order), the related ids in order.
    links: Vec<Vec<String>>,
    /// The related records the caller may see.
    records: Vec<Record>,
    /// Ids of auth records whose email the caller may see through the manage rule.
    managed: HashSet<String>,
}

/// One response being enriched: the app and the caller.
struct Enricher<'a, 's, 'r> {
    app: &'a App,
    scope: &'s mut RequestScope<'r>,
}

impl Enricher<'_, '_, '_> {
    async fn render(
        &mut self,
        c: &CollectionRef,
        records: Vec<Record>,
    ) -> Result<Vec<Value>, ServiceError> {
        let paths = match self.scope.req.query.get("expand").and_then(Value::as_str) {
            Some(raw) if !raw.is_empty() && !records.is_empty() => parse_expand(raw),
            _ => Vec::new(),
        };
        let ids: Vec<&str> = records.iter().map(Record::id).collect();
        let managed = managed_ids(self.app, c, self.scope, &ids).await?;
        let mut nodes = vec![Node {
            key: String::new(),
            parent: 0,
            children: Vec::new(),
            state: State::Loaded(Box::new(Level {
                collection: c.clone(),
                multiple: false,
                links: Vec::new(),
                records,
                managed,
            })),
        }];
        let mut by_depth: Vec<Vec<usize>> = Vec::new();
        for path in &paths {
            let mut at = 0;
            for (depth, segment) in path.iter().enumerate() {
                let existing = nodes[at]
                    .children
                    .iter()
                    .copied()
                    .find(|&ch| nodes[ch].key == *segment);
                at = match existing {
                    Some(ch) => ch,
                    None => {
                        let idx = nodes.len();
                        nodes.push(Node {
                            key: segment.clone(),
                            parent: at,
                            children: Vec::new(),
                            state: State::Pending,
                        });
                        nodes[at].children.push(idx);
                        if by_depth.len() <= depth {
                            by_depth.resize_with(depth + 1, Vec::new);
                        }
                        by_depth[depth].push(idx);
                        idx
                    }
                };
            }
        }
        for level in &by_depth {
            self.load_level(&mut nodes, level).await;
        }
        for node in nodes.iter_mut() {
            if let State::Loaded(l) = &mut node.state {
                enrich_records(self.app, &l.collection, self.scope.req, &mut l.records).await?;
            }
        }
        let active = active_nodes(&nodes);
        let mut rendered: HashMap<usize, HashMap<String, Value>> = HashMap::new();
        for level in by_depth.iter().rev() {
            for &n in level {
                if !active[n] {
                    continue;
                }
                if let State::Loaded(l) = &nodes[n].state {
                    let values = self.render_level(&nodes, &active, &mut rendered, n, l);
                    let map = l
                        .records
                        .iter()
                        .map(|r| r.id().to_owned())
                        .zip(values)
                        .collect();
                    rendered.insert(n, map);
                }
            }
        }
        match &nodes[0].state {
            State::Loaded(root) => Ok(self.render_level(&nodes, &active, &mut rendered, 0, root)),
            _ => Ok(Vec::new()),
        }
    }

    /// The JSON of the records of node `n` (level `l`), with the `expand` of its active
    /// children (already rendered into `rendered`).
    fn render_level(
        &self,
        nodes: &[Node],
        active: &[bool],
        rendered: &mut HashMap<usize, HashMap<String, Value>>,
        n: usize,
        l: &Level,
    ) -> Vec<Value> {
        let children: Vec<(&Node, &Level, HashMap<String, Value>)> = nodes[n]
            .children
            .iter()
            .filter(|&&ch| active[ch])
            .filter_map(|&ch| match &nodes[ch].state {
                State::Loaded(cl) => Some((
                    &nodes[ch],
                    cl.as_ref(),
                    rendered.remove(&ch).unwrap_or_default(),
                )),
                _ => None,
            })
            .collect();
        let auth = self.scope.auth();
        l.records
            .iter()
            .enumerate()
            .map(|(i, rec)| {
                let managed = l.managed.contains(rec.id());
                let vis = visibility(&l.collection, auth, rec.id(), managed);
                let mut json = rec.to_json(&l.collection, vis);
                if !children.is_empty() {
                    let mut expand = Map::new();
                    for (child, cl, values) in &children {
                        let ids = cl.links.get(i).map(Vec::as_slice).unwrap_or(&[]);
                        let mut found: Vec<Value> = ids
                            .iter()
                            .filter_map(|id| values.get(id).cloned())
                            .collect();
                        if found.is_empty() {
                            continue;
                        }
                        let value = if cl.multiple {
                            Value::Array(found)
                        } else {
                            found.swap_remove(0)
                        };
                        expand.insert(child.key.clone(), value);
                    }
                    if let Value::Object(obj) = &mut json {
                        obj.insert("expand".into(), Value::Object(expand));
                    }
                }
                json
            })
            .collect()
    }

    /// Loads the nodes of one depth: resolves each segment against its parent level, then
    /// fetches the related records with one query per target collection.
    async fn load_level(&mut self, nodes: &mut [Node], level: &[usize]) {
        let mut groups: BTreeMap<String, Vec<Resolved>> = BTreeMap::new();
        for &n in level {
            let parent = nodes[n].parent;
            let State::Loaded(p) = &nodes[parent].state else {
                nodes[n].state = State::Vacuous;
                continue;
            };
            if p.records.is_empty() {
                nodes[n].state = State::Vacuous;
                continue;
            }
            match self.resolve(&p.collection, &p.records, &nodes[n].key).await {
                Some((target, multiple, links)) => {
                    groups.entry(target.id.clone()).or_default().push(Resolved {
                        node: n,
                        target,
                        multiple,
                        links,
                    });
                }
                None => nodes[n].state = State::Failed,
            }
        }
        for members in groups.into_values() {
            let Some(target) = members.first().map(|r| r.target.clone()) else {
                continue;
            };
            let mut ids: Vec<&str> = Vec::new();
            let mut seen = HashSet::new();
            for id in members.iter().flat_map(|r| r.links.iter().flatten()) {
                if seen.insert(id.as_str()) {
                    ids.push(id.as_str());
                }
            }
            let fetched = match self.fetch_visible(&target, &ids).await {
                Ok(f) => f,
                Err(e) => {
                    tracing::debug!(collection = %target.name, error = %e, "expand failed");
                    for r in &members {
                        nodes[r.node].state = State::Failed;
                    }
                    continue;
                }
            };
            let fetched_ids: Vec<&str> = fetched.keys().map(String::as_str).collect();
            let managed = managed_ids(self.app, &target, self.scope, &fetched_ids)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(collection = %target.name, error = %e, "manage rule check failed");
                    HashSet::new()
                });
            for r in members {
                let mut seen = HashSet::new();
                let records = r
                    .links
                    .iter()
                    .flatten()
                    .filter(|id| seen.insert(id.as_str()))
                    .filter_map(|id| fetched.get(id).cloned())
                    .collect();
                nodes[r.node].state = State::Loaded(Box::new(Level {
                    collection: r.target,
                    multiple: r.multiple,
                    links: r.links,
                    records,
                    managed: managed.clone(),
                }));
            }
        }
    }

    /// What segment `key` relates the `records` of collection `c` to: the target collection,
    /// whether it shows as an array, and each record's related ids. `None` when it can't be
    /// expanded (unknown or non-relation field, missing collection, query failure).
    async fn resolve(
        &self,
        c: &Collection,
        records: &[Record],
        key: &str,
    ) -> Option<(CollectionRef, bool, Vec<Vec<String>>)> {
        match ExpandSegment::parse(key) {
            ExpandSegment::Field(name) => {
                let FieldKind::Relation(opts) = &c.field(name)?.kind else {
                    return None;
                };
                let target = self.app.find_collection(&opts.collection_id)?;
                let links = records.iter().map(|r| relation_ids(r.get(name))).collect();
                Some((target, opts.max_select > 1, links))
            }
            ExpandSegment::BackRelation { collection, field } => {
                let target = self.app.find_collection(collection)?;
                let FieldKind::Relation(opts) = &target.field(field)?.kind else {
                    return None;
                };
                if opts.collection_id != c.id {
                    return None;
                }
                let multiple = !has_single_column_unique_index(&target.indexes, field);
                match self
                    .back_links(&target, field, opts.max_select > 1, records)
                    .await
                {
                    Ok(links) => Some((target, multiple, links)),
                    Err(e) => {
                        tracing::debug!(error = %e, "back-relation expand failed");
                        None
                    }
                }
            }
        }
    }

    /// For each of `records`, the ids of the `target` records whose relation `field` points
    /// at it, in storage order, at most [`MAX_BACK_RELATIONS`] each (one query for all).
    async fn back_links(
        &self,
        target: &Collection,
        field: &str,
        field_multiple: bool,
        records: &[Record],
    ) -> Result<Vec<Vec<String>>, ServiceError> {
        let parent_ids: Vec<&str> = records.iter().map(Record::id).collect();
        let links = rows::back_links(
            self.app.db().as_ref(),
            target,
            field,
            field_multiple,
            &parent_ids,
        )
        .await?;
        let mut by_parent: HashMap<String, Vec<String>> = HashMap::new();
        for (id, parent) in links {
            let list = by_parent.entry(parent).or_default();
            if list.len() < MAX_BACK_RELATIONS && !id.is_empty() && !list.contains(&id) {
                list.push(id);
            }
        }
        Ok(records
            .iter()
            .map(|r| by_parent.get(r.id()).cloned().unwrap_or_default())
            .collect())
    }

    /// The records of `target` with these ids that the caller may view (superusers: all;
    /// others: those passing the view rule, in request context `expand`; a `null` rule is
    /// an error), by id.
    async fn fetch_visible(
        &mut self,
        target: &Collection,
        ids: &[&str],
    ) -> Result<HashMap<String, Record>, ServiceError> {
        let gate = gate(&target.rules.view, self.scope.auth());
        if gate == Gate::SuperusersOnly {
            return Err(ServiceError::SuperusersOnly);
        }
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let q = RecordQuery::new(self.app, target)
            .ids(ids)
            .gated(&gate, self.scope, "expand")
            .await?
            .build();
        Ok(rows::select(self.app.db().as_ref(), target, &q)
            .await?
            .into_iter()
            .map(|rec| (rec.id().to_owned(), rec))
            .collect())
    }
}

/// Which nodes are on at least one path that succeeded: not failed, and a leaf, below an
/// empty level, or above an active node.
fn active_nodes(nodes: &[Node]) -> Vec<bool> {
    fn visit(nodes: &[Node], n: usize, out: &mut [bool]) -> bool {
        let mut any_child = false;
        for &ch in &nodes[n].children {
            any_child |= visit(nodes, ch, out);
        }
        let ok = match nodes[n].state {
            State::Failed | State::Pending => false,
            State::Vacuous => true,
            State::Loaded(_) => nodes[n].children.is_empty() || any_child,
        };
        out[n] = ok;
        ok
    }
    let mut out = vec![false; nodes.len()];
    visit(nodes, 0, &mut out);
    out
}
