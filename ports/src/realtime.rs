//! The realtime port: Server-Sent Events connections and their subscriptions
//! (PocketBase's `GET`/`POST /api/realtime`). The app owns the broker; the HTTP adapter turns a
//! [`RealtimeConnection`] into an SSE response.

use crate::service::{RequestContext, ServiceError};
use async_trait::async_trait;
use futures_core::Stream;
use std::pin::Pin;
use std::sync::Arc;

/// One event for a realtime client: its SSE event name (`PB_CONNECT`, or the subscription it
/// matched, e.g. `posts/*`) and its data (a JSON text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimeMessage {
    /// The SSE `event:` name.
    pub name: Arc<str>,
    /// The SSE `data:` payload (JSON, one line).
    pub data: Arc<str>,
}

/// The events of one connection, in order; it ends when the client is disconnected (idle
/// timeout, a full queue, shutdown).
pub type RealtimeStream = Pin<Box<dyn Stream<Item = RealtimeMessage> + Send>>;

/// An open realtime connection.
pub struct RealtimeConnection {
    /// The client id (sent first, in `PB_CONNECT`).
    pub client_id: String,
    /// The events to send; dropping it unregisters the client.
    pub messages: RealtimeStream,
}

/// `POST /api/realtime`'s body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscribeForm {
    /// The client to update.
    pub client_id: String,
    /// Its new subscriptions (replacing the old ones): `collection/*`, `collection/ID`, each
    /// optionally with `?options={"query":{...},"headers":{...}}`.
    pub subscriptions: Vec<String>,
}

/// The realtime service API.
#[async_trait]
pub trait RealtimeApi: Send + Sync {
    /// `GET /api/realtime`: registers a client and returns its event stream (first event
    /// `PB_CONNECT` with `{"clientId": ...}`).
    async fn realtime_connect(
        &self,
        req: &RequestContext,
    ) -> Result<RealtimeConnection, ServiceError>;

    /// `POST /api/realtime`: replaces the client's subscriptions; the caller's auth becomes
    /// the client's (a client authenticated before cannot be taken over by another identity).
    async fn realtime_subscribe(
        &self,
        req: &RequestContext,
        form: SubscribeForm,
    ) -> Result<(), ServiceError>;
}
