//! Mail for JS: `e.message` of the mailer hooks (`onMailerSend`, `onMailerRecord*Send`) as
//! PocketBase's JSVM shows a `mailer.Message` (`{from: {address, name}, to: [...], cc, bcc,
//! subject, html, text, headers}`) and back, and `$app.newMailClient().send(message)`.

use crate::bridge::JsEvent;
use crate::events::{collection_ref, import_record};
use crate::records;
use basalt_core::App;
use basalt_core::hooks::{MailerEvent, MailerRecordEvent};
use basalt_ports::ServiceError;
use basalt_ports::mail::{Address, Mailer, Message};
use serde_json::{Map, Value, json};

fn address_json(a: &Address) -> Value {
    json!({"address": a.address, "name": a.name})
}

fn addresses_json(list: &[Address]) -> Value {
    Value::Array(list.iter().map(address_json).collect())
}

/// `message` as JS sees it.
pub(crate) fn message_json(m: &Message) -> Value {
    let headers: Map<String, Value> = m
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "from": address_json(&m.from),
        "to": addresses_json(&m.to),
        "cc": addresses_json(&m.cc),
        "bcc": addresses_json(&m.bcc),
        "subject": m.subject,
        "html": m.html,
        "text": m.text,
        "headers": headers,
    })
}

/// An address from JS: `{address, name}` or a bare string.
fn address(v: &Value) -> Option<Address> {
    match v {
        Value::String(s) if !s.is_empty() => Some(Address::new(s.clone())),
        Value::Object(o) => {
            let address = o.get("address").and_then(Value::as_str).unwrap_or("");
            let name = o.get("name").and_then(Value::as_str).unwrap_or("");
            (!address.is_empty()).then(|| Address::named(name, address))
        }
        _ => None,
    }
}

fn addresses(v: Option<&Value>) -> Vec<Address> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(address).collect())
        .unwrap_or_default()
}

/// Applies the JS message `v` to `m` (attachments stay as they are).
pub(crate) fn apply_message(m: &mut Message, v: &Value) {
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    m.from = v.get("from").and_then(address).unwrap_or_default();
    m.to = addresses(v.get("to"));
    m.cc = addresses(v.get("cc"));
    m.bcc = addresses(v.get("bcc"));
    m.subject = text("subject");
    m.html = text("html");
    m.text = text("text");
    m.headers = v
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
}

/// `$app.newMailClient().send(message)`: sends through the app's mail client (and so its
/// `on_mailer_send` hook).
pub(crate) async fn send(app: &App, message: &Value) -> Result<Value, ServiceError> {
    let mut m = Message::default();
    apply_message(&mut m, message);
    app.new_mail_client()
        .send(m)
        .await
        .map_err(ServiceError::internal)?;
    Ok(Value::Null)
}

impl JsEvent for MailerEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({"message": message_json(&self.message)})
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        if let Some(m) = state.get("message") {
            apply_message(&mut self.message, m);
        }
        Ok(())
    }
}

impl JsEvent for MailerRecordEvent {
    fn js_app(&self) -> &App {
        &self.app
    }
    fn export(&mut self) -> Value {
        json!({
            "message": message_json(&self.message),
            "record": records::export(&self.record),
            "collectionRef": collection_ref(&self.collection),
            "meta": self.meta,
        })
    }
    fn import(&mut self, state: Value) -> Result<(), ServiceError> {
        if let Some(m) = state.get("message") {
            apply_message(&mut self.message, m);
        }
        if let Some(meta) = state.get("meta").and_then(Value::as_object) {
            self.meta = meta.clone();
        }
        import_record(&mut self.record, &state);
        Ok(())
    }
}
