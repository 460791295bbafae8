//! Fanning committed record changes out to realtime subscribers.
//!
//! For each change, the subscribed clients are grouped by (identity, subscription): every
//! client of a group would get the same bytes, so the rule check (the list rule for
//! `collection/*`, the view rule for `collection/ID`, each with the subscription's `filter`)
//! and the rendering (`on_record_enrich`, `expand`, `fields`, hidden fields and email
//! visibility) run once per group, and the message is queued to each member without waiting.

use super::{Broker, RealtimeClient, SendError, Subscription};
use crate::App;
use crate::app::CollectionRef;
use crate::usecases::access::{Gate, check_superuser_only_fields, gate};
use basalt_domain::record::Record;
use basalt_domain::schema::ident;
use basalt_ports::db::SqlValue;
use basalt_ports::{Auth, RealtimeMessage, RequestContext};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Subscriber groups checked and rendered concurrently for one change.
const GROUPS_AT_ONCE: usize = 8;

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
    /// A delete whose messages were prepared before it.
    Deleted {
        app: App,
        collection: CollectionRef,
        record_id: String,
        deliveries: Deliveries,
    },
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
                app.realtime_broadcast_now(change, &collection, &record)
                    .await
            }
            Job::Deleted {
                app,
                collection,
                record_id,
                deliveries,
            } => app.realtime_deliver_delete_now(&collection, &record_id, deliveries),
        }
    }
}

impl App {
    /// Hands a committed create or update of `record` to the broadcaster, which sends it to
    /// the subscribers allowed to see it (in commit order, off the writer's path); an auth
    /// record also refreshes (or, with a new token key, drops) the auth of the clients
    /// signed in as it.
    pub(crate) async fn realtime_broadcast(
        &self,
        change: Change,
        c: &CollectionRef,
        record: &Record,
    ) {
        if self.inner.realtime.is_empty() {
            return;
        }
        self.inner
            .realtime
            .enqueue(Job::Change {
                app: self.clone(),
                change,
                collection: c.clone(),
                record: record.clone(),
            })
            .await;
    }

    async fn realtime_broadcast_now(&self, change: Change, c: &CollectionRef, record: &Record) {
        if c.is_auth() {
            refresh_clients_auth(&self.inner.realtime, &c.id, record);
        }
        let deliveries = self.realtime_prepare(change, c, record).await;
        deliver(&self.inner.realtime, deliveries);
    }

    /// The delete messages for `record`, prepared while it still exists (so the rules see it)
    /// to be sent with [`App::realtime_deliver_delete`] once the delete commits. Call it on
    /// a non-transactional app: the checks read the committed state.
    pub(crate) async fn realtime_prepare_delete(
        &self,
        c: &CollectionRef,
        record: &Record,
    ) -> Deliveries {
        if self.inner.realtime.is_empty() {
            return Deliveries::default();
        }
        self.realtime_prepare(Change::Delete, c, record).await
    }

    /// Hands prepared delete messages to the broadcaster; clients signed in as a deleted
    /// auth record become guests.
    pub(crate) async fn realtime_deliver_delete(
        &self,
        c: &CollectionRef,
        record_id: &str,
        deliveries: Deliveries,
    ) {
        if deliveries.0.is_empty() && !c.is_auth() {
            return;
        }
        self.inner
            .realtime
            .enqueue(Job::Deleted {
                app: self.clone(),
                collection: c.clone(),
                record_id: record_id.to_owned(),
                deliveries,
            })
            .await;
    }

    fn realtime_deliver_delete_now(
        &self,
        c: &CollectionRef,
        record_id: &str,
        deliveries: Deliveries,
    ) {
        let broker = &self.inner.realtime;
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
        deliver(broker, deliveries);
    }

    async fn realtime_prepare(
        &self,
        change: Change,
        c: &CollectionRef,
        record: &Record,
    ) -> Deliveries {
        let mut groups: HashMap<GroupKey, Group> = HashMap::new();
        for client in self.inner.realtime.clients() {
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
        // groups whose rules need a query are checked a few at a time (one broadcaster task
        // serves every writer)
        let mut rendered = futures_util::stream::iter(groups.into_values())
            .map(|group| async move {
                let data = self.realtime_render(change, c, record, &group).await;
                (group, data)
            })
            .buffered(GROUPS_AT_ONCE);
        let mut out = Deliveries::default();
        while let Some((group, data)) = rendered.next().await {
            let Some(data) = data else {
                continue;
            };
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
        out
    }

    /// The message data of `record` for `group`, `None` when its rules hide the record.
    async fn realtime_render(
        &self,
        change: Change,
        c: &CollectionRef,
        record: &Record,
        group: &Group,
    ) -> Option<Arc<str>> {
        let sub = &group.subscription;
        let mut req = RequestContext {
            auth: group.auth.clone(),
            method: "GET".into(),
            query: sub.query.clone(),
            headers: sub.headers.clone(),
            auth_record: group.auth_record.clone(),
            remote_ip: None,
        };
        let rule = if sub.record.is_some() {
            &c.rules.view
        } else {
            &c.rules.list
        };
        match self.realtime_can_access(c, record.id(), rule, &req).await {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                tracing::debug!(topic = %sub.topic, error = %e, "realtime access check failed");
                return None;
            }
        }
        let rendered = match self
            .render_record(c, &req, &Map::new(), record.clone())
            .await
        {
            Ok(v) => v,
            // as PocketBase, an unusable `fields` sends the whole record
            Err(_) if req.query.remove("fields").is_some() => {
                match self
                    .render_record(c, &req, &Map::new(), record.clone())
                    .await
                {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::debug!(topic = %sub.topic, error = %e, "realtime render failed");
                        return None;
                    }
                }
            }
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

    /// Whether the client of `req` passes `rule` and its subscription's `filter` for record
    /// `id` (PocketBase's `realtimeCanAccessRecord`).
    async fn realtime_can_access(
        &self,
        c: &CollectionRef,
        id: &str,
        rule: &Option<String>,
        req: &RequestContext,
    ) -> Result<bool, basalt_ports::ServiceError> {
        let filter = req
            .query
            .get("filter")
            .and_then(Value::as_str)
            .filter(|f| !f.is_empty());
        let gate = gate(rule, &req.auth);
        match (&gate, filter) {
            (Gate::SuperusersOnly, _) => return Ok(false),
            (Gate::Allow, None) => return Ok(true),
            _ => {}
        }
        if check_superuser_only_fields(&req.auth, &[filter]).is_err() {
            return Ok(false);
        }
        let mut info = self.request_info(req, Map::new()).await?;
        info.context = "realtime".into();
        let alias = ident(&c.name);
        let mut sql = format!("SELECT 1 AS ok FROM {alias} WHERE {alias}.`id` = ?");
        let mut params = vec![SqlValue::from(id)];
        if let Gate::Expr(expr) = &gate {
            let compiled = self.compile_where(c, expr, &info, &alias, true)?;
            sql.push_str(&format!(" AND ({})", compiled.sql));
            params.extend(compiled.params);
        }
        if let Some(filter) = filter {
            let compiled = self.compile_where(c, filter, &info, &alias, req.auth.is_superuser())?;
            sql.push_str(&format!(" AND ({})", compiled.sql));
            params.extend(compiled.params);
        }
        sql.push_str(" LIMIT 1");
        Ok(!self.db().query(&sql, &params).await?.is_empty())
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
