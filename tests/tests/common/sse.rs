//! A minimal Server-Sent Events reader for `GET /api/realtime`.
//!
//! Events are parsed incrementally from the response body chunks (an event may span chunks
//! and one chunk may hold several events). Reading is cancel-safe: a timed-out
//! [`SseClient::next_event`] loses nothing.

use super::{Method, StatusCode, TestServer, Value, json};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

/// One event as received: the `id:`, `event:` and `data:` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub id: String,
    pub name: String,
    pub data: String,
}

/// The default wait for an event that is expected to come.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The window in which no event is expected (used after a positive control event, so
/// anything that was going to arrive has had its chance).
pub const QUIET: Duration = Duration::from_millis(300);

pub struct SseClient {
    resp: reqwest::Response,
    buf: Vec<u8>,
    /// How much of `buf` is known to hold no event end (not rescanned).
    scanned: usize,
    queue: VecDeque<RawEvent>,
    ended: bool,
    /// The client id from `PB_CONNECT`.
    pub client_id: String,
}

impl SseClient {
    /// Opens `GET /api/realtime` and reads the `PB_CONNECT` event; panics unless both work.
    pub async fn connect(srv: &TestServer) -> SseClient {
        // A client of its own: the shared one has a total-request timeout that would cut
        // the stream.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("reqwest client");
        let resp = tokio::time::timeout(EVENT_TIMEOUT, http.get(srv.url("/api/realtime")).send())
            .await
            .expect("GET /api/realtime: no response headers in time")
            .expect("GET /api/realtime");
        assert_eq!(resp.status(), StatusCode::OK, "GET /api/realtime");
        let ct = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(ct.starts_with("text/event-stream"), "content-type {ct:?}");
        let mut sse = SseClient {
            resp,
            buf: Vec::new(),
            scanned: 0,
            queue: VecDeque::new(),
            ended: false,
            client_id: String::new(),
        };
        let first = sse
            .next_raw(EVENT_TIMEOUT)
            .await
            .expect("no PB_CONNECT event");
        assert_eq!(first.name, "PB_CONNECT", "{first:?}");
        let data: Value = serde_json::from_str(&first.data).expect("PB_CONNECT data is JSON");
        let id = data["clientId"].as_str().expect("clientId").to_string();
        assert_eq!(first.id, id, "the SSE id of PB_CONNECT is the client id");
        assert_eq!(data, json!({"clientId": id}));
        sse.client_id = id;
        sse
    }

    /// `POST /api/realtime` with this client's id and `subscriptions`, as `token`.
    pub async fn subscribe(
        &self,
        srv: &TestServer,
        token: Option<&str>,
        subscriptions: &[&str],
    ) -> (StatusCode, Value) {
        srv.req(
            Method::POST,
            "/api/realtime",
            token,
            Some(json!({"clientId": self.client_id, "subscriptions": subscriptions})),
        )
        .await
    }

    /// Like [`SseClient::subscribe`], panicking unless 204.
    pub async fn subscribe_ok(&self, srv: &TestServer, token: Option<&str>, subs: &[&str]) {
        let (status, body) = self.subscribe(srv, token, subs).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "subscribe {subs:?}: {body}");
    }

    /// The next event, `None` when none arrived within `timeout` or the stream ended.
    pub async fn next_raw(&mut self, timeout: Duration) -> Option<RawEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(ev) = self.queue.pop_front() {
                return Some(ev);
            }
            if self.ended {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.resp.chunk()).await {
                Err(_) => return None,
                Ok(Ok(Some(bytes))) => {
                    self.buf.extend_from_slice(&bytes);
                    self.parse();
                }
                Ok(Ok(None)) | Ok(Err(_)) => self.ended = true,
            }
        }
    }

    /// The next event as (name, parsed data); checks its `id:` is the client id.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<(String, Value)> {
        let ev = self.next_raw(timeout).await?;
        assert_eq!(ev.id, self.client_id, "event id of {ev:?}");
        let data = serde_json::from_str(&ev.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {ev:?}"));
        Some((ev.name, data))
    }

    /// The next event, panicking when none arrives within [`EVENT_TIMEOUT`].
    pub async fn expect_event(&mut self, what: &str) -> (String, Value) {
        match self.next_event(EVENT_TIMEOUT).await {
            Some(ev) => ev,
            None => panic!("{what}: no event within {EVENT_TIMEOUT:?}"),
        }
    }

    /// Panics if an event arrives within `window`.
    pub async fn expect_none(&mut self, window: Duration, what: &str) {
        if let Some(ev) = self.next_raw(window).await {
            panic!("{what}: expected no event, got {ev:?}");
        }
    }

    /// Whether the stream has ended (as seen so far).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Moves every complete event of the buffer to the queue.
    fn parse(&mut self) {
        loop {
            let from = self.scanned.saturating_sub(1);
            let Some(end) = find(&self.buf[from..], b"\n\n").map(|i| i + from) else {
                self.scanned = self.buf.len();
                return;
            };
            self.scanned = 0;
            let block: Vec<u8> = self.buf.drain(..end + 2).collect();
            let text = String::from_utf8(block[..end].to_vec()).expect("utf-8 event");
            let mut ev = RawEvent {
                id: String::new(),
                name: String::new(),
                data: String::new(),
            };
            let mut data_lines: Vec<&str> = Vec::new();
            for line in text.split('\n') {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => ev.id = value.to_string(),
                    "event" => ev.name = value.to_string(),
                    "data" => data_lines.push(value),
                    _ => {}
                }
            }
            ev.data = data_lines.join("\n");
            self.queue.push_back(ev);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
