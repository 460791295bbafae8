//! Fanning committed record changes out to realtime subscribers.
//!
//! For each change, the subscribed clients are grouped by (identity, subscription): every
//! client of a group would get the same bytes, so the rule check (the list rule for
//! `collection/*`, the view rule for `collection/ID`, each with the subscription's `filter`)
//! and the rendering (`on_record_enrich`, `expand`, `fields`, hidden fields and email
//! visibility) run once per group, and the message is queued to each member without waiting.

use super::{Broker, RealtimeClient, SendError, Subscription};
use crate::App;
use crate::query::{
    ClientFilter, Gate, RecordQuery, RequestScope, check_superuser_only_fields, gate,
};
use crate::records::render::render_records;
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::filter::CompiledFilter;
use basalt_domain::record::Record;
use basalt_ports::{Auth, RealtimeMessage, RequestContext, ServiceError};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Subscriber groups rendered concurrently for one change.
const GROUPS_AT_ONCE: usize = 8;

/// Subscriber groups whose rules one query checks.
const CHECKS_PER_QUERY: usize = 64;

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Create,
    Update,
    Delete,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Update => "update",
            Change::Delete => "delete",
        }
    }
}

/// Messages ready to be queued, one per (client, subscription).
#[derive(Default)]
pub(crate) struct Deliveries(Vec<(Arc<RealtimeClient>, RealtimeMessage)>);

/// Clients with the same identity and the same subscription text.
struct Group {
    auth: Auth,
    auth_record: Option<Arc<Map<String, Value>>>,
    subscription: Subscription,
    members: Vec<Arc<RealtimeClient>>,
}

/// A group's key: the identity (empty for guests) and the subscription text.
type GroupKey = (String, Arc<str>);

fn auth_key(auth: &Auth) -> String {
    match auth {
        Auth::Guest => String::new(),
        Auth::Record {
            collection_id, id, ..
        } => format!("{collection_id}/{id}"),
    }
}

/// A committed change waiting for the broadcaster (see [`Broker::enqueue`]).
pub(crate) enum Job {
    /// A create or update: check, render and queue its messages.
    Change {
        app: App,
        change: Change,
        collection: CollectionRef,
        record: Record,
    },
    /// A delete's messages, prepared before it.
    Deleted { app: App, deliveries: Deliveries },
}

impl Job {
    /// Sends the job's messages.
    pub(crate) async fn run(self) {
        match self {
            Job::Change {
                app,
                change,
                collection,
                record,
            } => {
                let deliveries = prepare(&app, change, &collection, &record).await;
                deliver(&app.inner.realtime, deliveries);
            }
            Job::Deleted { app, deliveries } => deliver(&app.inner.realtime, deliveries),
        }
    }
}

/// Hands a committed create or update of `record` to the broadcaster, which sends it to
/// the subscribers allowed to see it (in commit order, off the writer's path). An auth
/// record first refreshes (or, with a new token key, drops) the auth of the clients
/// signed in as it, before this returns: the writer's next request sees the new state.
pub(crate) async fn changed(app: &App, change: Change, c: &CollectionRef, record: &Record) {
    if app.inner.realtime.is_empty() {
        return;
    }
    if c.is_auth() {
        refresh_clients_auth(&app.inner.realtime, &c.id, record);
    }
    app.inner
        .realtime
        .enqueue(Job::Change {
            app: app.clone(),
            change,
            collection: c.clone(),
            record: record.clone(),
        })
        .await;
}

/// The delete messages for `record`, prepared while it still exists (so the rules see it)
/// to be sent with [`deliver_delete`] once the delete commits. Call it on
/// a non-transactional app: the checks read the committed state.
pub(crate) async fn prepare_delete(app: &App, c: &CollectionRef, record: &Record) -> Deliveries {
    if app.inner.realtime.is_empty() {
        return Deliveries::default();
    }
    prepare(app, Change::Delete, c, record).await
}

/// After a committed delete: clients signed in as a deleted auth record become guests
/// (at once), and the prepared messages go to the broadcaster.
pub(crate) async fn deliver_delete(
    app: &App,
    c: &CollectionRef,
    record_id: &str,
    deliveries: Deliveries,
) {
    let broker = &app.inner.realtime;
    if c.is_auth() {
        for client in broker.clients() {
            client.write(|s| {
                if matches!(&s.auth, Auth::Record { collection_id, id, .. } if *collection_id == c.id && id == record_id)
                {
                    s.auth = Auth::Guest;
                    s.auth_record = None;
                }
            });
        }
    }
    if !deliveries.0.is_empty() {
        let job = Job::Deleted {
            app: app.clone(),
            deliveries,
        };
        broker.enqueue(job).await;
    }
}

async fn prepare(app: &App, change: Change, c: &CollectionRef, record: &Record) -> Deliveries {
    let mut groups: HashMap<GroupKey, Group> = HashMap::new();
    for client in app.inner.realtime.clients() {
        client.read(|s| {
            for sub in &s.subscriptions {
                if !sub.matches(&c.name, &c.id, record.id()) {
                    continue;
                }
                groups
                    .entry((auth_key(&s.auth), sub.topic.clone()))
                    .or_insert_with(|| Group {
                        auth: s.auth.clone(),
                        auth_record: s.auth_record.clone(),
                        subscription: sub.clone(),
                        members: Vec::new(),
                    })
                    .members
                    .push(client.clone());
            }
        });
    }
    let groups: Vec<Group> = groups.into_values().collect();
    let allowed = access(app, c, record.id(), &groups).await;
    let units = render_units(app, c, groups.into_iter().zip(allowed));
    // rendering may query too (expand): a few units at a time
    let mut rendered = futures_util::stream::iter(units)
        .map(|unit| async move {
            let data = render(app, change, c, record, &unit[0]).await;
            (unit, data)
        })
        .buffered(GROUPS_AT_ONCE);
    let mut out = Deliveries::default();
    while let Some((unit, data)) = rendered.next().await {
        let Some(data) = data else {
            continue;
        };
        for group in unit {
            for member in group.members {
                out.0.push((
                    member,
                    RealtimeMessage {
                        name: group.subscription.topic.clone(),
                        data: data.clone(),
                    },
                ));
            }
        }
    }
    out
}

/// The allowed groups, in units rendered once each. Groups with the same subscription
/// share a rendering when nothing in it depends on who they are: no `on_record_enrich`
/// handler, no `expand`, not an auth collection (emails) and not a superuser (hidden
/// fields). Any other group is a unit of its own.
fn render_units(
    app: &App,
    c: &CollectionRef,
    groups: impl Iterator<Item = (Group, bool)>,
) -> Vec<Vec<Group>> {
    let shareable = app.inner.hooks.on_record_enrich.is_empty() && !c.is_auth();
    let mut units: Vec<Vec<Group>> = Vec::new();
    let mut by_topic: HashMap<Arc<str>, usize> = HashMap::new();
    for (group, allowed) in groups {
        if !allowed {
            continue;
        }
        let expands = group
            .subscription
            .query
            .get("expand")
            .and_then(Value::as_str)
            .is_some_and(|e| !e.trim().is_empty());
        if shareable && !expands && !group.auth.is_superuser() {
            if let Some(&i) = by_topic.get(&group.subscription.topic) {
                units[i].push(group);
                continue;
            }
            by_topic.insert(group.subscription.topic.clone(), units.len());
        }
        units.push(vec![group]);
    }
    units
}

/// The message data of `record` for `group` (whose rules let it see the record).
async fn render(
    app: &App,
    change: Change,
    c: &CollectionRef,
    record: &Record,
    group: &Group,
) -> Option<Arc<str>> {
    let sub = &group.subscription;
    let mut req = group.request();
    let render = |req: RequestContext| async move {
        let mut items = render_records(app, c, &req, &Map::new(), vec![record.clone()]).await?;
        items.pop().ok_or(ServiceError::Missing)
    };
    let rendered = match render(req.clone()).await {
        Ok(v) => v,
        // as PocketBase, an unusable `fields` sends the whole record
        Err(_) if req.query.remove("fields").is_some() => match render(req).await {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!(topic = %sub.topic, error = %e, "realtime render failed");
                return None;
            }
        },
        Err(e) => {
            tracing::debug!(topic = %sub.topic, error = %e, "realtime render failed");
            return None;
        }
    };
    let record_json = serde_json::to_string(&rendered).ok()?;
    Some(Arc::from(format!(
        r#"{{"record":{record_json},"action":"{}"}}"#,
        change.as_str()
    )))
}

/// For each group, whether it may see record `id`: the list rule (`collection/*`) or
/// the view rule (`collection/ID`) and the subscription's `filter`, evaluated with the
/// group's auth (PocketBase's `realtimeCanAccessRecord`). The groups whose answer needs
/// the database are answered together, [`CHECKS_PER_QUERY`] per query.
async fn access(app: &App, c: &CollectionRef, id: &str, groups: &[Group]) -> Vec<bool> {
    let mut allowed = vec![false; groups.len()];
    let mut pending: Vec<(usize, CompiledFilter)> = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        match condition(app, c, group).await {
            Ok(Access::Allow) => allowed[i] = true,
            Ok(Access::Deny) => {}
            Ok(Access::Check(cond)) => pending.push((i, cond)),
            Err(e) => {
                tracing::debug!(topic = %group.subscription.topic, error = %e, "realtime access check failed");
            }
        }
    }
    let q = RecordQuery::new(app, c).id(id).build();
    for chunk in pending.chunks(CHECKS_PER_QUERY) {
        let conditions: Vec<CompiledFilter> = chunk.iter().map(|(_, cond)| cond.clone()).collect();
        match rows::evaluate(app.db().as_ref(), &q, &conditions).await {
            Ok(Some(answers)) => {
                for ((i, _), yes) in chunk.iter().zip(answers) {
                    allowed[*i] = yes;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "realtime access query failed"),
        }
    }
    allowed
}

/// What `group` needs to see a record of `c`: nothing, never, or a condition on its row.
async fn condition(app: &App, c: &CollectionRef, group: &Group) -> Result<Access, ServiceError> {
    let sub = &group.subscription;
    let rule = if sub.record.is_some() {
        &c.rules.view
    } else {
        &c.rules.list
    };
    let filter = sub.query.get("filter").and_then(Value::as_str);
    let filter = ClientFilter::parse(filter)?;
    let gate = gate(rule, &group.auth);
    match (&gate, &filter) {
        (Gate::SuperusersOnly, _) => return Ok(Access::Deny),
        (Gate::Allow, None) => return Ok(Access::Allow),
        _ => {}
    }
    if check_superuser_only_fields(&group.auth, &[filter.as_ref().map(|f| f.text.as_str())])
        .is_err()
    {
        return Ok(Access::Deny);
    }
    // only a rule or filter to evaluate needs the request the subscription stands for
    let req = group.request();
    let mut scope = RequestScope::new(&req);
    let q = RecordQuery::new(app, c);
    let info = scope.info(app, "realtime").await?;
    let mut parts = Vec::new();
    if let Gate::Expr(expr) = &gate {
        parts.push(q.compile_rule(expr, info).map_err(ServiceError::rejected)?);
    }
    if let Some(filter) = &filter {
        let allow_hidden = group.auth.is_superuser();
        parts.push(
            q.compile_client_filter(&filter.expr, info, allow_hidden)
                .map_err(ServiceError::rejected)?,
        );
    }
    let sql = parts
        .iter()
        .map(|p| format!("({})", p.sql))
        .collect::<Vec<_>>()
        .join(" AND ");
    let params = parts.into_iter().flat_map(|p| p.params).collect();
    Ok(Access::Check(CompiledFilter { sql, params }))
}
/// Whether a subscriber group may see a record.
enum Access {
    Allow,
    Deny,
    /// When this condition holds for the record's row.
    Check(CompiledFilter),
}

impl Group {
    /// The request the group's subscription stands for: its auth, `options.query` and
    /// `options.headers`.
    fn request(&self) -> RequestContext {
        let sub = &self.subscription;
        RequestContext {
            auth: self.auth.clone(),
            method: "GET".into(),
            query: sub.query.clone(),
            headers: sub.headers.clone(),
            auth_record: self.auth_record.clone(),
            remote_ip: None,
        }
    }
}

/// Queues each message; a client whose queue is full is disconnected.
fn deliver(broker: &Broker, deliveries: Deliveries) {
    for (client, message) in deliveries.0 {
        match client.send(message) {
            Ok(()) | Err(SendError::Closed) => {}
            Err(SendError::Full) => {
                tracing::warn!(client_id = %client.id(), "realtime client too slow (queue full); disconnecting");
                broker.disconnect(client.id());
            }
        }
    }
}

/// After an update of auth record `record` (of collection `collection_id`), the clients
/// signed in as it see its new values, or become guests if its token key changed (a
/// password change), as PocketBase does.
fn refresh_clients_auth(broker: &Broker, collection_id: &str, record: &Record) {
    let data = Arc::new(record.data.clone());
    for client in broker.clients() {
        client.write(|s| {
            let Auth::Record {
                collection_id: cid,
                id,
                ..
            } = &s.auth
            else {
                return;
            };
            if cid != collection_id || id != record.id() {
                return;
            }
            let old_key = s
                .auth_record
                .as_ref()
                .and_then(|r| r.get("tokenKey").cloned());
            if old_key.is_some() && old_key.as_ref() != record.data.get("tokenKey") {
                s.auth = Auth::Guest;
                s.auth_record = None;
            } else {
                s.auth_record = Some(data.clone());
            }
        });
    }
}
