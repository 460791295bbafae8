//! [`RequestEvent`]: what a custom route's middlewares and action receive (PocketBase's
//! `core.RequestEvent`): the app, who is calling, the request, and the response being built.

use basalt_ports::hook::{Chain, Event};
use basalt_ports::{Auth, RequestContext, ServiceError};
use bytes::Bytes;
use poem::http::{HeaderMap, Method, Uri, header};
use poem::{Body, Request, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::any::Any;
use std::collections::HashMap;
use std::net::IpAddr;

pub(crate) enum BodyState {
    Unread(Body),
    Read(Bytes),
    Taken,
}

/// The request data the rules see (`@request.*`), plus the parsed body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestInfo {
    /// Auth, method, query and headers, as the use cases take them.
    pub context: RequestContext,
    /// The body as a JSON object: a JSON body, or a urlencoded / multipart form (values
    /// as strings, a repeated key as an array, a `@jsonPayload` part merged in); empty when
    /// there is no body.
    pub body: Map<String, Value>,
}

/// The event of a custom route: [`Event`] for the route's middleware chain, whose last
/// function is the route's action. Middlewares continue with `e.next().await`; one that
/// returns without calling it ends the request with whatever response it set (or its error).
pub struct RequestEvent<A> {
    /// The application (whatever the router was built with).
    pub app: A,
    /// Who is calling, as the auth-token loader resolved it (middlewares may change it).
    pub auth: Auth,
    pub(crate) request: Request,
    pub(crate) body: BodyState,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) body_limit: Option<usize>,
    pub(crate) response: Option<Response>,
    pub(crate) headers: HeaderMap,
    pub(crate) store: HashMap<String, Box<dyn Any + Send + Sync>>,
    pub(crate) skip_success_activity_log: bool,
    chain: Chain<Self>,
}

impl<A: Send + 'static> Event for RequestEvent<A> {
    fn chain(&mut self) -> &mut Chain<Self> {
        &mut self.chain
    }
}

impl<A: Send + 'static> RequestEvent<A> {
    /// An event for `request` (its body is read lazily, within the body limit).
    pub(crate) fn new(app: A, mut request: Request, params: Vec<(String, String)>) -> Self {
        let auth = request
            .extensions()
            .get::<Auth>()
            .cloned()
            .unwrap_or_default();
        let body = BodyState::Unread(request.take_body());
        Self {
            app,
            auth,
            request,
            body,
            params,
            body_limit: None,
            response: None,
            headers: HeaderMap::new(),
            store: HashMap::new(),
            skip_success_activity_log: false,
            chain: Chain::default(),
        }
    }

    /// Continues the chain: the next middleware, or the route's action after the last one
    /// (the same as [`Event::next`], without importing the trait).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> basalt_ports::hook::BoxFuture<'_, basalt_ports::hook::HookResult> {
        Event::next(self)
    }

    // ----- the request -----

    /// The request (its body is read through [`Self::body_bytes`], [`Self::bind_body`],
    /// [`Self::request_info`] or [`Self::take_body`]).
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The request, mutably (e.g. to add extensions for later handlers).
    pub fn request_mut(&mut self) -> &mut Request {
        &mut self.request
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        self.request.method()
    }

    /// The request URI (path and query).
    pub fn uri(&self) -> &Uri {
        self.request.uri()
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        self.request.headers()
    }

    /// A header's value as text (`None` when missing or not valid text).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.headers().get(name)?.to_str().ok()
    }

    /// A path wildcard's value (`{id}` → `path_param("id")`), unescaped.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every path wildcard's name and value.
    pub fn path_params(&self) -> &[(String, String)] {
        &self.params
    }

    /// A query parameter's first value, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.request.uri().query()?;
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The connecting peer's IP address (behind a proxy, the proxy's).
    pub fn remote_ip(&self) -> Option<IpAddr> {
        self.request.remote_addr().as_socket_addr().map(|a| a.ip())
    }

    /// The client's IP address (PocketBase's `e.RealIP()`): from the configured
    /// trusted-proxy header when the request has it, else [`RequestEvent::remote_ip`].
    pub fn real_ip(&self) -> Option<IpAddr> {
        crate::client_ip::of(&self.request)
    }

    /// True when a `_superusers` record is authenticated.
    pub fn has_superuser_auth(&self) -> bool {
        self.auth.is_superuser()
    }

    /// Whether [`skip_success_activity_log`](super::skip_success_activity_log) ran for this
    /// request: the activity logger then logs only a failure.
    pub fn skip_success_activity_log(&self) -> bool {
        self.skip_success_activity_log
    }

    /// Sets the flag read by [`Self::skip_success_activity_log`].
    pub fn set_skip_success_activity_log(&mut self, skip: bool) {
        self.skip_success_activity_log = skip;
    }

    /// The body limit in force for this request (`None`: no limit).
    pub fn body_limit(&self) -> Option<usize> {
        self.body_limit
    }

    // ----- the event's store (PocketBase's e.Get / e.Set) -----

    /// Stores a value for later handlers of this request.
    pub fn set<T: Any + Send + Sync>(&mut self, key: &str, value: T) {
        self.store.insert(key.to_owned(), Box::new(value));
    }

    /// A value stored with [`Self::set`], if it has type `T`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<&T> {
        self.store.get(key)?.downcast_ref()
    }

    // ----- the body -----

    /// The whole body, read once within the body limit (a 413 `ServiceError` beyond it) and
    /// kept, so later reads (`bind_body` after `request_info`) see it again.
    pub async fn body_bytes(&mut self) -> Result<Bytes, ServiceError> {
        let bytes = match std::mem::replace(&mut self.body, BodyState::Taken) {
            BodyState::Read(b) => b,
            BodyState::Taken => Bytes::new(),
            BodyState::Unread(body) => {
                let read = match self.body_limit {
                    Some(limit) => body.into_bytes_limit(limit).await,
                    None => body.into_bytes().await,
                };
                match read {
                    Ok(b) => b,
                    Err(poem::error::ReadBodyError::PayloadTooLarge) => {
                        return Err(too_large());
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "reading the request body");
                        return Err(ServiceError::UnreadableBody);
                    }
                }
            }
        };
        self.body = BodyState::Read(bytes.clone());
        if self.body_limit.is_some_and(|l| bytes.len() > l) {
            return Err(too_large());
        }
        Ok(bytes)
    }

    /// The body as a stream, for handlers that read it themselves; reading past the body
    /// limit fails with an I/O error. After a buffered read it is the buffered bytes.
    pub fn take_body(&mut self) -> Body {
        match std::mem::replace(&mut self.body, BodyState::Taken) {
            BodyState::Read(b) => {
                self.body = BodyState::Read(b.clone());
                Body::from_bytes(b)
            }
            BodyState::Taken => Body::empty(),
            BodyState::Unread(body) => match self.body_limit {
                Some(limit) => limited(body, limit),
                None => body,
            },
        }
    }

    fn content_type(&self) -> String {
        self.header(header::CONTENT_TYPE.as_str())
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// The body as a JSON object (see [`RequestInfo::body`]); an unsupported content type
    /// with a non-empty body is a 400, as in PocketBase.
    pub async fn body_map(&mut self) -> Result<Map<String, Value>, ServiceError> {
        let bytes = self.body_bytes().await?;
        if bytes.is_empty() {
            return Ok(Map::new());
        }
        let ct = self.content_type();
        if ct.starts_with("application/json") {
            return match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(m)) => Ok(m),
                _ => Err(ServiceError::UnreadableBody),
            };
        }
        if ct.starts_with("application/x-www-form-urlencoded") {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).map_err(|_| ServiceError::UnreadableBody)?;
            let mut out = Map::new();
            for (k, v) in pairs {
                crate::form::push_form_value(&mut out, k, v);
            }
            return Ok(out);
        }
        if ct.starts_with("multipart/form-data") {
            return crate::body::multipart_from_bytes(&self.request, bytes)
                .await
                .map_err(|_| ServiceError::UnreadableBody);
        }
        Err(ServiceError::bad_request("Unsupported Content-Type."))
    }

    /// Reads the body into `T`: JSON with serde; urlencoded and multipart forms as string
    /// values (a repeated key as an array), converted to `T`'s field types where they parse
    /// (`"5"` into an `i64` field). An empty body reads as `{}`. Failures are PocketBase's 400.
    pub async fn bind_body<T: DeserializeOwned>(&mut self) -> Result<T, ServiceError> {
        let bytes = self.body_bytes().await?;
        let bad = |e: &dyn std::fmt::Display| {
            tracing::debug!(error = %e, "binding the request body");
            ServiceError::UnreadableBody
        };
        if bytes.is_empty() {
            return serde_json::from_value(Value::Object(Map::new())).map_err(|e| bad(&e));
        }
        let ct = self.content_type();
        if ct.starts_with("application/json") {
            return serde_json::from_slice(&bytes).map_err(|e| bad(&e));
        }
        let map = self.body_map().await?;
        match serde_json::from_value::<T>(Value::Object(map.clone())) {
            Ok(v) => Ok(v),
            Err(json_err) => {
                // Typed fields: re-read the string pairs with the urlencoded deserializer,
                // which parses numbers and booleans from text.
                let pairs = crate::body::form_pairs(&map);
                let encoded = serde_urlencoded::to_string(&pairs).map_err(|e| bad(&e))?;
                serde_urlencoded::from_str(&encoded).map_err(|_| bad(&json_err))
            }
        }
    }

    /// The request as the rules see it, plus its parsed body (see [`Self::body_map`]).
    pub async fn request_info(&mut self) -> Result<RequestInfo, ServiceError> {
        let mut context = crate::auth::request_context(&self.request);
        context.auth = self.auth.clone();
        let body = self.body_map().await?;
        Ok(RequestInfo { context, body })
    }
}

pub(crate) fn too_large() -> ServiceError {
    ServiceError::TooLarge("Request entity too large.".into())
}

/// Wraps a body so reading more than `limit` bytes fails.
fn limited(body: Body, limit: usize) -> Body {
    use futures_util::StreamExt;
    let mut seen = 0usize;
    Body::from_bytes_stream(body.into_bytes_stream().map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len();
        if seen > limit {
            return Err(std::io::Error::other("request entity too large"));
        }
        Ok::<_, std::io::Error>(chunk)
    }))
}
