//! The auth-token loader: resolves the `Authorization` header once per request and stores
//! who is calling ([`Auth`]) in the request's extensions, where routes read it.

use crate::SharedServices;
use crate::client_ip;
use basalt_ports::Auth;
use poem::http::header;
use poem::{Endpoint, IntoResponse, Request, Response, Result};

/// Middleware body: resolves the client IP ([`client_ip`]), then the caller; a missing,
/// malformed or invalid token makes the request a guest's. A superuser calling from outside
/// `superuserIPs` gets PocketBase's 403.
pub(crate) async fn load_auth<E: Endpoint>(ep: E, mut req: Request) -> Result<Response> {
    let network = req
        .data::<crate::HttpConfig>()
        .and_then(|c| c.network.clone())
        .map(|p| p());
    if let Some(network) = &network {
        let ip = client_ip::real_ip(&req, network);
        if let Some(ip) = ip {
            req.extensions_mut().insert(client_ip::ClientIp(ip));
        }
    }
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (auth, record) = match (token, req.data::<SharedServices>().cloned()) {
        (Some(t), Some(services)) => services.authenticate_with_record(&t).await,
        _ => (Auth::Guest, None),
    };
    if let Some(activity) = crate::activity::Activity::of(&req) {
        activity.set_auth(&auth);
        activity.set_user_ip(client_ip::of(&req));
    }
    if auth.is_superuser()
        && let Some(network) = &network
        && !client_ip::superuser_allowed(network, client_ip::of(&req))
    {
        tracing::debug!("superuser IP is not whitelisted");
        return Ok(crate::error::ApiError::with_status(
            403,
            "You are not allowed to perform this request.",
        ));
    }
    req.extensions_mut().insert(auth);
    req.extensions_mut().insert(AuthRecord(record));
    ep.call(req).await.map(IntoResponse::into_response)
}

/// The authenticated record's values, loaded with the token.
#[derive(Clone)]
pub(crate) struct AuthRecord(
    pub(crate) Option<std::sync::Arc<serde_json::Map<String, serde_json::Value>>>,
);

/// The rules' view of a request: the loaded [`Auth`], the method, the query parameters and
/// the headers (names lowercased).
pub(crate) fn request_context(req: &Request) -> basalt_ports::RequestContext {
    use serde_json::{Map, Value};
    let auth = req.extensions().get::<Auth>().cloned().unwrap_or_default();
    let query: Map<String, Value> = req
        .params::<std::collections::BTreeMap<String, String>>()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let headers: Map<String, Value> = req
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let v = value.to_str().ok()?;
            Some((
                name.as_str().to_ascii_lowercase(),
                Value::String(v.to_owned()),
            ))
        })
        .collect();
    basalt_ports::RequestContext {
        auth,
        method: req.method().as_str().to_owned(),
        query,
        headers,
        auth_record: req
            .extensions()
            .get::<AuthRecord>()
            .and_then(|r| r.0.clone()),
        remote_ip: client_ip::of(req).map(|ip| ip.to_string()),
    }
}
