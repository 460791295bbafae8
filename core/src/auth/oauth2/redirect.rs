//! `GET`/`POST /api/oauth2-redirect` (PocketBase's `oauth2SubscriptionRedirect`): the
//! provider redirects here with `state` (the id of the realtime client waiting, subscribed
//! to `@oauth2`) and `code` or `error`, which are forwarded to that client as an `@oauth2`
//! message; the subscription is then removed.

use crate::App;
use basalt_ports::{OAuth2Redirect, RealtimeMessage, RequestContext};
use serde::Serialize;
use std::sync::Arc;

/// The realtime topic the client waits on.
const TOPIC: &str = "@oauth2";

/// The message the client gets (`error` only when there is one).
#[derive(Serialize)]
struct Message<'a> {
    state: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    error: &'a str,
}

/// Apple's `user` form value: `{"name":{"firstName","lastName"}}`, the full name kept for
/// the sign-in with this code.
fn keep_apple_name(app: &App, code: &str, user: &str) {
    if code.len() > 1000 {
        return;
    }
    let Ok(v) = serde_json::from_str::<serde_json::Value>(user) else {
        tracing::debug!("Failed to parse the Apple redirect name data");
        return;
    };
    let part = |k: &str| v["name"][k].as_str().unwrap_or("").to_owned();
    let mut full = format!("{} {}", part("firstName"), part("lastName"));
    if full.len() > 150 {
        let mut end = 150;
        while !full.is_char_boundary(end) {
            end -= 1;
        }
        full.truncate(end);
    }
    let full = full.trim();
    if !full.is_empty() {
        app.keep_apple_name(code, full.to_owned());
    }
}

/// Forwards `data` to its realtime client; true when the sign-in may go on.
pub(crate) fn forward(app: &App, req: &RequestContext, data: OAuth2Redirect) -> bool {
    if data.state.is_empty() {
        tracing::debug!("Missing OAuth2 state parameter");
        return false;
    }
    let client = app.realtime().client(&data.state);
    let Some(client) = client.filter(|c| !c.is_closed() && c.has_subscription(TOPIC)) else {
        tracing::debug!(client_id = %data.state, "Missing or invalid OAuth2 subscription client");
        return false;
    };
    client.write(|s| s.subscriptions.retain(|sub| &*sub.topic != TOPIC));
    if let Some(ip) = client.ip()
        && req.remote_ip.as_deref() != Some(ip)
    {
        tracing::debug!(
            "The client IP that completed the authentication is different from the one that initialized the OAuth2 realtime connection"
        );
        return false;
    }
    if !data.apple_user.is_empty() && data.error.is_empty() && !data.code.is_empty() {
        keep_apple_name(app, &data.code, &data.apple_user);
    }
    let message = Message {
        state: &data.state,
        code: &data.code,
        error: &data.error,
    };
    let Ok(text) = serde_json::to_string(&message) else {
        return false;
    };
    let sent = client.send(RealtimeMessage {
        name: Arc::from(TOPIC),
        data: Arc::from(text),
    });
    if sent.is_err() {
        app.realtime().disconnect(client.id());
    }
    if !data.error.is_empty() || data.code.is_empty() {
        tracing::debug!(error = %data.error, client_id = %data.state, "Failed OAuth2 redirect due to an error or missing code parameter");
        return false;
    }
    true
}
