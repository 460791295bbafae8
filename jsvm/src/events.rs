//! The events JS handlers receive, as JS sees them (`e.record`, `e.collection`, `e.request`,
//! `e.json(...)`, ...) and back.

use crate::bridge::JsEvent;
use crate::records;
use basalt_core::App;
use basalt_core::hooks::{
    AppEvent, BackupEvent, CollectionErrorEvent, CollectionEvent, RealtimeConnectRequestEvent,
    RealtimeMessageEvent, RealtimeSubscribeRequestEvent, RecordEnrichEvent, RecordErrorEvent,
    RecordEvent, RecordRequestEvent, RecordsListRequestEvent,
};
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_http::router::RequestEvent;
use basalt_ports::hook::{BoxFuture, Chain, Event};
use basalt_ports::{Auth, RequestContext, ServiceError};
use serde_json::{Value, json};

/// `{id, name}` of a collection.
pub(crate) fn collection_ref(c: &Collection) -> Value {
    json!({"id": c.id, "name": c.name})
}

/// Applies `state.record` to `record`.
pub(crate) fn import_record(record: &mut Record, state: &Value) {
    if let Some(r) = state.get("record") {
        records::apply_changes(record, r);
    }
}

/// Applies `state.collection` to `collection` when JS changed it.
fn import_collection(collection: &mut Collection, state: &Value) -> Result<(), ServiceError> {
    if let Some(c) = state.get("collection")
        && *c != collection.to_json(true)
    {
        *collection = Collection::from_json(c).map_err(|e| ServiceError::BadRequest {
            message: "Invalid collection.".into(),
            data: e,
        })?;
    }
    Ok(())
}

/// The auth record of `auth`, as JS receives it (`null` for guests).
async fn auth_record(app: &App, auth: &Auth) -> Result<Value, ServiceError> {
    match auth {
        Auth::Record {
            collection_name,
            id,
            ..
        } => Ok(records::export(
            &app.find_record_by_id(collection_name, id).await?,
        )),
        _ => Ok(Value::Null),
    }
}

/// `e.requestInfo()` of a use case's request context.
async fn request_info(app: &App, ctx: &RequestContext, body: Value) -> Result<Value, ServiceError> {
    Ok(json!({
        "method": ctx.method,
        "query": ctx.query,
        "headers": ctx.headers,
        "body": body,
        "auth": auth_record(app, &ctx.auth).await?,
        "context": "default",
    }))
}

/// An operation of a JS event carrying a use case's request context `ctx` whose body is
/// `body` (`e.requestInfo()`, `e.auth`, `e.request.header.get(...)`, ...).
pub(crate) async fn context_op(
    app: &App,
    ctx: &RequestContext,
    op: &str,
    args: Value,
    body: Value,
) -> Result<Value, ServiceError> {
    match op {
        "requestInfo" => request_info(app, ctx, body).await,
        "body" => Ok(body),
        "auth" => auth_record(app, &ctx.auth).await,
        "hasSuperuserAuth" => Ok(json!(ctx.auth.is_superuser())),
        "header" => Ok(ctx
            .headers
            .get(&args.as_str().unwrap_or("").to_ascii_lowercase())
            .cloned()
            .unwrap_or(Value::Null)),
        "query" => Ok(ctx
            .query
            .get(args.as_str().unwrap_or(""))
            .cloned()
            .unwrap_or(Value::Null)),
        _ => Err(ServiceError::internal_message(format!(
            "unsupported operation {op}"
        ))),
    }
}

/// `onServe`'s event as JS handlers get it (`e.app`, `e.next()`); the binary triggers it
/// from its own `on_serve` (whose router JS adds to with `routerAdd`).
pub(crate) struct ServeJsEvent {
    pub app: App,
    pub chain: Chain<Self>,
}

impl Event for ServeJsEvent {
    fn chain(&mut self) -> &mut Chain<Self> {
        &mut self.chain
    }
}

impl JsEvent for ServeJsEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({})
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for AppEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({})
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for BackupEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"name": self.name})
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for RecordEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"record": records::export(&self.record), "collectionRef": collection_ref(&self.collection)})
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        Ok(())
    }
}

impl JsEvent for RecordErrorEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "error": self.error.to_string(),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        Ok(())
    }
}

impl JsEvent for CollectionEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"collection": self.collection.to_json(true)})
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_collection(&mut self.collection, &state)
    }
}

impl JsEvent for CollectionErrorEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"collection": self.collection.to_json(true), "error": self.error.to_string()})
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for RecordEnrichEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"record": records::export(&self.record), "collectionRef": collection_ref(&self.collection)})
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        Ok(())
    }
    fn op<'a>(&'a mut self, op: &'a str, _: Value) -> BoxFuture<'a, Result<Value, ServiceError>> {
        Box::pin(async move {
            match op {
                "requestInfo" => request_info(&self.app, &self.request, json!({})).await,
                "auth" => auth_record(&self.app, &self.request.auth).await,
                _ => Err(ServiceError::internal_message(format!(
                    "unsupported operation {op}"
                ))),
            }
        })
    }
}

impl JsEvent for RecordRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "req": {"method": self.request.method, "path": "", "query": "", "pathParams": {}},
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        if let Some(r) = state.get("response")
            && r.get("kind").and_then(Value::as_str) == Some("json")
        {
            self.response = Some(r.get("body").cloned().unwrap_or(Value::Null));
        }
        Ok(())
    }
    fn op<'a>(
        &'a mut self,
        op: &'a str,
        args: Value,
    ) -> BoxFuture<'a, Result<Value, ServiceError>> {
        let body = Value::Object(self.body.clone());
        Box::pin(context_op(&self.app, &self.request, op, args, body))
    }
}

impl JsEvent for RecordsListRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "records": self.records.iter().map(records::export).collect::<Vec<_>>(),
            "collectionRef": collection_ref(&self.collection),
        })
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for RealtimeConnectRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({})
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for RealtimeSubscribeRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"subscriptions": self.subscriptions})
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        if let Some(subs) = state.get("subscriptions").and_then(Value::as_array) {
            self.subscriptions = subs
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect();
        }
        Ok(())
    }
}

impl JsEvent for RealtimeMessageEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"message": {"name": &*self.message.name, "data": &*self.message.data}})
    }
    fn import(&mut self, _: Value) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl JsEvent for RequestEvent<App> {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        let params: serde_json::Map<String, Value> = self
            .path_params()
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        json!({"req": {
            "method": self.method().as_str(),
            "path": self.uri().path(),
            "query": self.uri().query().unwrap_or(""),
            "pathParams": params,
        }})
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        if let Some(headers) = state.get("headers").and_then(Value::as_array) {
            for pair in headers {
                let (Some(k), Some(v)) = (
                    pair.get(0).and_then(Value::as_str),
                    pair.get(1).and_then(Value::as_str),
                ) else {
                    continue;
                };
                if let (Ok(k), Ok(v)) = (
                    http::HeaderName::from_bytes(k.as_bytes()),
                    http::HeaderValue::from_str(v),
                ) {
                    self.response_headers_mut().insert(k, v);
                }
            }
        }
        let Some(r) = state.get("response") else {
            return Ok(());
        };
        let status = r
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200);
        let body = r.get("body").cloned().unwrap_or(Value::Null);
        let text = || body.as_str().unwrap_or("").to_owned();
        match r.get("kind").and_then(Value::as_str).unwrap_or("") {
            "json" => self.json(status, &body),
            "string" => self.string(status, text()),
            "html" => self.html(status, text()),
            "noContent" => self.no_content(status),
            "redirect" => self.redirect(status, &text()),
            "blob" => {
                let bytes: Vec<u8> = body
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|b| b.as_u64().map(|b| b as u8))
                            .collect()
                    })
                    .unwrap_or_default();
                let ty = r
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("application/octet-stream");
                self.blob(status, ty, bytes)
            }
            _ => Ok(()),
        }
    }
    fn op<'a>(
        &'a mut self,
        op: &'a str,
        args: Value,
    ) -> BoxFuture<'a, Result<Value, ServiceError>> {
        Box::pin(async move {
            match op {
                "header" => Ok(json!(
                    self.header(args.as_str().unwrap_or("")).unwrap_or("")
                )),
                "query" => Ok(json!(
                    self.query_param(args.as_str().unwrap_or(""))
                        .unwrap_or_default()
                )),
                "auth" => {
                    let auth = self.auth.clone();
                    auth_record(&self.app, &auth).await
                }
                "hasSuperuserAuth" => Ok(json!(self.has_superuser_auth())),
                "realIP" => Ok(json!(
                    self.real_ip().map(|ip| ip.to_string()).unwrap_or_default()
                )),
                "remoteIP" => Ok(json!(
                    self.remote_ip()
                        .map(|ip| ip.to_string())
                        .unwrap_or_default()
                )),
                "body" => Ok(Value::Object(self.body_map().await?)),
                "requestInfo" => {
                    let info = self.request_info().await?;
                    request_info(&self.app, &info.context, Value::Object(info.body)).await
                }
                _ => Err(ServiceError::internal_message(format!(
                    "unsupported operation {op}"
                ))),
            }
        })
    }
}
