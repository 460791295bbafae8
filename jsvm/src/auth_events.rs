//! The auth request events as JS handlers get them (`onRecordAuthRequest`,
//! `onRecordAuthWithPasswordRequest`, `onRecordRequestOTPRequest`, the verification,
//! password reset and email change requests, ...), with PocketBase's JSVM field names
//! (`e.record`, `e.token`, `e.meta`, `e.authMethod`, `e.identity`, `e.newEmail`, ...).

use crate::bridge::JsEvent;
use crate::events::{collection_ref, context_op, import_record};
use crate::records;
use basalt_core::App;
use basalt_core::hooks::{
    RecordAuthRefreshRequestEvent, RecordAuthRequestEvent, RecordAuthWithOAuth2RequestEvent,
    RecordAuthWithOtpRequestEvent, RecordAuthWithPasswordRequestEvent, RecordCreateOtpRequestEvent,
    RecordEmailChangeRequestEvent, RecordTokenFlowRequestEvent,
};
use basalt_domain::record::Record;
use basalt_ports::hook::BoxFuture;
use basalt_ports::{AuthResponse, RequestContext, ServiceError};
use serde_json::{Map, Value, json};

/// `e.request` of an event with request context `ctx`.
fn req(ctx: &RequestContext) -> Value {
    json!({"method": ctx.method, "path": "", "query": "", "pathParams": {}})
}

/// The JSON body a handler answered with (`e.json(status, body)`), if any.
fn json_response(state: &Value) -> Option<&Value> {
    let r = state.get("response")?;
    (r.get("kind").and_then(Value::as_str) == Some("json")).then(|| r.get("body"))?
}

/// An auth answer `{token, record, meta?}` a handler gave with `e.json(...)`.
fn auth_response(state: &Value) -> Result<Option<AuthResponse>, ServiceError> {
    let Some(body) = json_response(state) else {
        return Ok(None);
    };
    let token = body.get("token").and_then(Value::as_str).ok_or_else(|| {
        ServiceError::internal_message("an auth answer must be {token, record, meta?}")
    })?;
    Ok(Some(AuthResponse {
        token: token.to_owned(),
        record: body.get("record").cloned().unwrap_or(Value::Null),
        meta: body.get("meta").filter(|m| !m.is_null()).cloned(),
    }))
}

fn optional_record(r: Option<&Record>) -> Value {
    r.map_or(Value::Null, records::export)
}

fn import_optional(record: &mut Option<Record>, state: &Value) {
    if let Some(r) = record {
        import_record(r, state);
    }
}

fn text(state: &Value, key: &str) -> Option<String> {
    state.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The request context operations of an event (`e.requestInfo()`, `e.auth`, ...).
macro_rules! context_ops {
    ($body:expr) => {
        fn op<'a>(
            &'a mut self,
            op: &'a str,
            args: Value,
        ) -> BoxFuture<'a, Result<Value, ServiceError>> {
            Box::pin(context_op(&self.app, &self.request, op, args, $body))
        }
    };
}

impl JsEvent for RecordAuthRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "token": self.token,
            "meta": self.meta,
            "authMethod": self.auth_method,
            "req": req(&self.request),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        if let Some(t) = text(&state, "token") {
            self.token = t;
        }
        if let Some(m) = state.get("meta") {
            self.meta = (!m.is_null()).then(|| m.clone());
        }
        if let Some(r) = auth_response(&state)? {
            self.response = Some(r);
        }
        Ok(())
    }
    context_ops!(Value::Object(Map::new()));
}

impl JsEvent for RecordAuthWithPasswordRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": optional_record(self.record.as_ref()),
            "collectionRef": collection_ref(&self.collection),
            "identity": self.identity,
            "identityField": self.identity_field,
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_optional(&mut self.record, &state);
        if let Some(r) = auth_response(&state)? {
            self.response = Some(r);
        }
        Ok(())
    }
}

impl JsEvent for RecordAuthRefreshRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        if let Some(r) = auth_response(&state)? {
            self.response = Some(r);
        }
        Ok(())
    }
}

impl JsEvent for RecordAuthWithOAuth2RequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": optional_record(self.record.as_ref()),
            "collectionRef": collection_ref(&self.collection),
            "providerName": self.provider_name,
            "oauth2User": self.oauth2_user.to_json(),
            "createData": self.create_data,
            "isNewRecord": self.is_new_record,
            "req": req(&self.request),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_optional(&mut self.record, &state);
        if let Some(d) = state.get("createData").and_then(Value::as_object) {
            self.create_data = d.clone();
        }
        if let Some(r) = auth_response(&state)? {
            self.response = Some(r);
        }
        Ok(())
    }
    context_ops!(Value::Object(Map::new()));
}

impl JsEvent for RecordCreateOtpRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": optional_record(self.record.as_ref()),
            "collectionRef": collection_ref(&self.collection),
            "password": self.password,
            "req": req(&self.request),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_optional(&mut self.record, &state);
        if let Some(p) = text(&state, "password") {
            self.password = p;
        }
        if let Some(body) = json_response(&state) {
            self.response = Some(body.clone());
        }
        Ok(())
    }
    context_ops!(Value::Object(Map::new()));
}

impl JsEvent for RecordAuthWithOtpRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "otp": records::export(&self.otp),
            "req": req(&self.request),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        if let Some(r) = auth_response(&state)? {
            self.response = Some(r);
        }
        Ok(())
    }
    context_ops!(Value::Object(Map::new()));
}

impl JsEvent for RecordTokenFlowRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "req": req(&self.request),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        Ok(())
    }
    context_ops!(Value::Object(Map::new()));
}

impl JsEvent for RecordEmailChangeRequestEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "newEmail": self.new_email,
            "req": req(&self.request),
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        import_record(&mut self.record, &state);
        if let Some(e) = text(&state, "newEmail") {
            self.new_email = e;
        }
        Ok(())
    }
    context_ops!(Value::Object(Map::new()));
}
