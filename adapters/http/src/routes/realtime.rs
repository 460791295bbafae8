//! `/api/realtime`: the Server-Sent Events stream (`GET`) and setting its subscriptions
//! (`POST`), in PocketBase's wire format: `id:CLIENT_ID\nevent:NAME\ndata:JSON\n\n`.

use super::{ApiTags, NoContent, api};
use crate::auth::request_context;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::{RealtimeMessage, ServiceError, SubscribeForm};
use futures_util::StreamExt;
use poem::web::Data;
use poem::{Body, IntoResponse, Request};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::Value;

/// Realtime routes.
pub(crate) struct RealtimeRoutes;

type Out<T> = Result<T, ApiError>;

/// Messages written in one go when several are queued.
const MAX_BATCH: usize = 8;

/// The body setting a realtime client's subscriptions.
// Only documents the body: the route reads it leniently, so that a malformed one gets
// PocketBase's answer.
#[allow(dead_code)]
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct SubscribeBody {
    /// The client id from the stream's `PB_CONNECT` event.
    client_id: String,
    /// The new subscriptions (replacing the previous ones; none unsubscribes from all):
    /// `COLLECTION/*`, `COLLECTION/RECORD_ID`, each optionally with
    /// `?options={"query": {...}, "headers": {...}}`.
    subscriptions: Option<Vec<String>>,
}

crate::body::body_schema!(SubscribeBody);

/// One event of the realtime stream (each `id:`/`event:`/`data:` block).
// The schema of each event of `text/event-stream` (what OpenAPI 3.2 calls `itemSchema`, and
// what schemathesis checks each event against); never built, the frames are written below.
#[allow(dead_code)]
#[derive(Object)]
struct RealtimeEvent {
    /// The realtime client's id.
    id: String,
    /// `PB_CONNECT` first, then the name of the subscription the record change matched.
    event: String,
    /// JSON text: `{"clientId": ...}` for `PB_CONNECT`, else
    /// `{"record": {...}, "action": "create" | "update" | "delete"}`.
    data: String,
}

/// The stream's bytes, documented as a sequence of [`RealtimeEvent`]s (`Binary` would
/// document one binary string, which is not what a client reads).
pub(crate) struct Frames(Body);

impl Payload for Frames {
    const CONTENT_TYPE: &'static str = "text/event-stream";

    fn schema_ref() -> MetaSchemaRef {
        RealtimeEvent::schema_ref()
    }

    fn register(registry: &mut Registry) {
        RealtimeEvent::register(registry);
    }
}

impl IntoResponse for Frames {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .body(self.0)
    }
}

/// The event stream.
#[derive(ApiResponse)]
pub(crate) enum EventStream {
    /// Server-Sent Events: first `PB_CONNECT` with `{"clientId": ...}`, then one event per
    /// record change a subscription matches, named after the subscription, with
    /// `{"record": {...}, "action": "create" | "update" | "delete"}`.
    #[oai(status = 200, content_type = "text/event-stream")]
    Stream(
        Frames,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "X-Accel-Buffering")] String,
    ),
}

#[OpenApi]
impl RealtimeRoutes {
    /// Opens the realtime event stream. Subscribe with `POST /api/realtime` and the client id
    /// from the first event. The connection closes after 5 minutes without a message, or
    /// when the client reads too slowly.
    #[oai(
        path = "/realtime",
        method = "get",
        operation_id = "realtimeConnect",
        tag = "ApiTags::Realtime"
    )]
    async fn connect(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
    ) -> Out<EventStream> {
        let conn = api(s.realtime_connect(&request_context(req)).await, &cfg)?;
        let id = conn.client_id;
        let frames = conn
            .messages
            .ready_chunks(MAX_BATCH)
            .map(move |batch| Ok::<_, std::io::Error>(frames(&id, &batch)));
        Ok(EventStream::Stream(
            Frames(Body::from_bytes_stream(frames)),
            "no-store".into(),
            "no".into(),
        ))
    }

    /// Sets the subscriptions of a realtime client (replacing its previous ones):
    /// `{"clientId": "...", "subscriptions": ["posts/*", "posts/RECORD_ID?options=..."]}`.
    /// The request's auth becomes the client's; a client already signed in cannot be
    /// changed by another identity (403).
    #[oai(
        path = "/realtime",
        method = "post",
        operation_id = "realtimeSubscribe",
        tag = "ApiTags::Realtime"
    )]
    async fn subscribe(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        body: JsonBody<SubscribeBody>,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::rejected("realtime body is not a JSON object"))?;
        let form = parse_form(&body).ok_or_else(|| {
            ApiError::from_service(
                ServiceError::rejected("malformed realtime subscriptions"),
                false,
            )
        })?;
        api(
            s.realtime_subscribe(&request_context(req), form).await,
            &cfg,
        )
        .map(|()| NoContent::Done)
    }
}

/// `{clientId, subscriptions}`; `None` when a value has the wrong type.
fn parse_form(body: &serde_json::Map<String, Value>) -> Option<SubscribeForm> {
    let client_id = match body.get("clientId") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return None,
    };
    let subscriptions = match body.get("subscriptions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    Some(SubscribeForm {
        client_id,
        subscriptions,
    })
}

/// The SSE frames of `batch`, each `id:CLIENT\nevent:NAME\ndata:DATA\n\n`.
fn frames(client_id: &str, batch: &[RealtimeMessage]) -> bytes::Bytes {
    let size: usize = batch
        .iter()
        .map(|m| client_id.len() + m.name.len() + m.data.len() + 20)
        .sum();
    let mut out = Vec::with_capacity(size);
    for m in batch {
        out.extend_from_slice(b"id:");
        out.extend_from_slice(client_id.as_bytes());
        out.extend_from_slice(b"\nevent:");
        out.extend_from_slice(m.name.as_bytes());
        out.extend_from_slice(b"\ndata:");
        out.extend_from_slice(m.data.as_bytes());
        out.extend_from_slice(b"\n\n");
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn frames_use_pocketbase_wire_format() {
        let m = RealtimeMessage {
            name: Arc::from("posts/*"),
            data: Arc::from(r#"{"a":1}"#),
        };
        let out = frames("abc", &[m.clone(), m]);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "id:abc\nevent:posts/*\ndata:{\"a\":1}\n\nid:abc\nevent:posts/*\ndata:{\"a\":1}\n\n"
        );
    }

    #[test]
    fn forms_reject_wrong_types() {
        let ok: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"clientId":"x","subscriptions":["a/*"]}"#).unwrap();
        assert_eq!(
            parse_form(&ok),
            Some(SubscribeForm {
                client_id: "x".into(),
                subscriptions: vec!["a/*".into()]
            })
        );
        let bad: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"clientId":"x","subscriptions":"a/*"}"#).unwrap();
        assert_eq!(parse_form(&bad), None);
    }
}
