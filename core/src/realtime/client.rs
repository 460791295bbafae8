//! A realtime client: its id, auth, subscriptions and bounded message queue.

use basalt_ports::{Auth, RealtimeMessage};
use serde_json::{Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::Notify;

/// One SSE connection registered with the broker (PocketBase's `subscriptions.Client`).
pub struct RealtimeClient {
    id: String,
    /// The IP the stream was opened from; subscribe requests must come from it.
    ip: Option<String>,
    state: RwLock<ClientState>,
    queue: Queue,
}

/// Who the client is and what it listens to.
#[derive(Default)]
pub(crate) struct ClientState {
    pub(crate) auth: Auth,
    pub(crate) auth_record: Option<Arc<Map<String, Value>>>,
    pub(crate) subscriptions: Vec<Subscription>,
}

/// Why [`RealtimeClient::send`] did not queue a message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SendError {
    /// The queue is full: the client reads too slowly.
    Full,
    /// The client is disconnected.
    Closed,
}

/// A bounded message queue that holds no memory while empty (an idle connection costs
/// nothing here), with one waiting reader.
struct Queue {
    items: Mutex<VecDeque<RealtimeMessage>>,
    capacity: usize,
    ready: Notify,
    closed: AtomicBool,
}

/// Capacity kept by a drained queue; a larger one is released (after a burst).
const KEEP_CAPACITY: usize = 16;

impl RealtimeClient {
    pub(crate) fn new(id: String, ip: Option<String>, capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            id,
            ip,
            state: RwLock::new(ClientState::default()),
            queue: Queue {
                items: Mutex::new(VecDeque::new()),
                capacity: capacity.max(1),
                ready: Notify::new(),
                closed: AtomicBool::new(false),
            },
        })
    }

    /// The client id (40 random characters, as PocketBase's).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The IP address the stream was opened from, when known.
    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    /// The identity the client subscribed with (guest until its first subscribe request).
    pub fn auth(&self) -> Auth {
        self.read(|s| s.auth.clone())
    }

    /// The client's subscriptions, as submitted.
    pub fn subscriptions(&self) -> Vec<String> {
        self.read(|s| {
            s.subscriptions
                .iter()
                .map(|s| s.topic.to_string())
                .collect()
        })
    }

    /// Whether the client has subscription `topic` (exactly as submitted).
    pub fn has_subscription(&self, topic: &str) -> bool {
        self.read(|s| s.subscriptions.iter().any(|s| &*s.topic == topic))
    }

    /// Whether the client was disconnected (its stream has ended or is about to).
    pub fn is_closed(&self) -> bool {
        self.queue.closed.load(Ordering::Acquire)
    }

    /// Queues `message` for the client without waiting; a message that does not fit is an
    /// error (the caller disconnects the client).
    pub(crate) fn send(&self, message: RealtimeMessage) -> Result<(), SendError> {
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        {
            let mut items = self.items();
            if items.len() >= self.queue.capacity {
                return Err(SendError::Full);
            }
            items.push_back(message);
        }
        self.queue.ready.notify_one();
        Ok(())
    }

    /// The next queued message, waiting for one; `None` once the client is closed (queued
    /// messages are dropped then).
    pub(crate) async fn recv(&self) -> Option<RealtimeMessage> {
        loop {
            if self.is_closed() {
                return None;
            }
            if let Some(m) = self.try_recv() {
                return Some(m);
            }
            self.queue.ready.notified().await;
        }
    }

    /// How many messages are queued.
    pub(crate) fn queued(&self) -> usize {
        self.items().len()
    }

    /// The next queued message, if one is queued now.
    pub(crate) fn try_recv(&self) -> Option<RealtimeMessage> {
        let mut items = self.items();
        let m = items.pop_front()?;
        if items.is_empty() && items.capacity() > KEEP_CAPACITY {
            items.shrink_to(KEEP_CAPACITY);
        }
        Some(m)
    }

    /// Marks the client closed, so its stream ends and nothing more is queued.
    pub(crate) fn close(&self) {
        self.queue.closed.store(true, Ordering::Release);
        self.items().clear();
        self.queue.ready.notify_one();
    }

    fn items(&self) -> std::sync::MutexGuard<'_, VecDeque<RealtimeMessage>> {
        self.queue
            .items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&ClientState) -> T) -> T {
        let guard = self
            .state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&guard)
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut ClientState) -> T) -> T {
        let mut guard = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// One subscription: `collection/*` or `collection/RECORD_ID`, with the `options` query
/// parameter's `query` and `headers` (values as strings; header names snake_cased).
#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    /// The subscription as submitted: the SSE event name of its messages.
    pub(crate) topic: Arc<str>,
    /// The collection name or id before the `/`.
    pub(crate) collection: String,
    /// The record id after the `/`, `None` for `*` (or PocketBase's deprecated bare name).
    pub(crate) record: Option<String>,
    /// `options.query`: `filter`, `expand`, `fields`, anything the rules read.
    pub(crate) query: Map<String, Value>,
    /// `options.headers`.
    pub(crate) headers: Map<String, Value>,
}

impl Subscription {
    /// Parses a submitted topic; `None` for an empty one (skipped, as PocketBase does).
    pub(crate) fn parse(topic: &str) -> Option<Self> {
        if topic.is_empty() {
            return None;
        }
        let (path, raw_query) = topic.split_once('?').unwrap_or((topic, ""));
        let (collection, record) = match path.split_once('/') {
            Some((c, "*")) => (c, None),
            Some((c, id)) => (c, Some(id.to_owned())),
            None => (path, None),
        };
        let mut query = Map::new();
        let mut headers = Map::new();
        let options = form_urlencoded::parse(raw_query.as_bytes())
            .find(|(k, _)| k == "options")
            .map(|(_, v)| v.into_owned());
        if let Some(Ok(Value::Object(o))) = options.map(|o| serde_json::from_str::<Value>(&o)) {
            if let Some(Value::Object(q)) = o.get("query") {
                for (k, v) in q {
                    query.insert(k.clone(), Value::String(to_text(v)));
                }
            }
            if let Some(Value::Object(h)) = o.get("headers") {
                for (k, v) in h {
                    headers.insert(snake_case(k), Value::String(to_text(v)));
                }
            }
        }
        Some(Self {
            topic: Arc::from(topic),
            collection: collection.to_owned(),
            record,
            query,
            headers,
        })
    }

    /// Whether the subscription is about `record_id` of the collection named `name` or `id`.
    pub(crate) fn matches(&self, name: &str, id: &str, record_id: &str) -> bool {
        (self.collection == name || self.collection == id)
            && self.record.as_deref().is_none_or(|r| r == record_id)
    }
}

/// A JSON value as text (`cast.ToString`): strings as is, other scalars printed, `null` empty.
fn to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `X-Token` → `x_token`, `someHeader` → `some_header`.
fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for ch in s.chars() {
        if ch.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
            prev_lower = false;
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch);
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_topics_and_options() {
        let s = Subscription::parse("posts/*").unwrap();
        assert_eq!(
            (s.collection.as_str(), s.record.as_deref()),
            ("posts", None)
        );
        let s = Subscription::parse("posts/abc").unwrap();
        assert_eq!(s.record.as_deref(), Some("abc"));
        assert!(s.matches("posts", "pbc_1", "abc"));
        assert!(!s.matches("posts", "pbc_1", "abd"));
        let raw = r#"{"query":{"filter":"views > 1","perPage":5},"headers":{"X-Token":"t"}}"#;
        let topic = format!(
            "posts/*?options={}",
            form_urlencoded::byte_serialize(raw.as_bytes()).collect::<String>()
        );
        let s = Subscription::parse(&topic).unwrap();
        assert_eq!(s.query["filter"], "views > 1");
        assert_eq!(s.query["perPage"], "5");
        assert_eq!(s.headers["x_token"], "t");
        assert_eq!(&*s.topic, topic);
        assert!(Subscription::parse("").is_none());
    }

    #[test]
    fn snake_cases_header_names() {
        assert_eq!(snake_case("X-Token"), "x_token");
        assert_eq!(snake_case("someHeader"), "some_header");
        assert_eq!(snake_case("authorization"), "authorization");
    }
}
