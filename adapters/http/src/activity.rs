//! PocketBase's activity logger: every finished request is handed to
//! [`LogsApi::record_request`](basalt_ports::LogsApi::record_request), which queues it
//! without waiting. Inner layers report into the request's [`Activity`] slot: the
//! auth-token loader who is calling, routes with `skip_success_activity_log` (and the
//! built-in `/api/logs` and realtime stream routes) that successes are not logged. An error
//! response ([`ApiError`](crate::ApiError)) carries its message and details
//! ([`LoggedError`]), which make the log an error one.

use crate::SharedServices;
use basalt_ports::{Auth, RequestError, RequestLog};
use poem::http::{Method, header};
use poem::{Endpoint, IntoResponse, Request, Response, Result};
use serde_json::Value;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// What inner layers learn about a request, for its log.
#[derive(Debug, Default)]
pub(crate) struct ActivityState {
    auth: Auth,
    skip_success: bool,
    /// The client IP once resolved (trusted proxy headers), else the peer's is logged.
    user_ip: Option<std::net::IpAddr>,
}

/// The request's shared [`ActivityState`], in its extensions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Activity(Arc<Mutex<ActivityState>>);

impl Activity {
    fn with<R>(&self, f: impl FnOnce(&mut ActivityState) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Records who is calling.
    pub(crate) fn set_auth(&self, auth: &Auth) {
        self.with(|s| s.auth = auth.clone());
    }

    /// Records the client IP resolved for the request.
    pub(crate) fn set_user_ip(&self, ip: Option<std::net::IpAddr>) {
        self.with(|s| s.user_ip = ip);
    }

    /// Successful responses to this request are not logged.
    pub(crate) fn skip_success(&self) {
        self.with(|s| s.skip_success = true);
    }

    /// The slot of `req`, if the activity logger runs for it.
    pub(crate) fn of(req: &Request) -> Option<&Activity> {
        req.extensions().get::<Activity>()
    }
}

/// The error an error response was made from: its message and what caused it.
#[derive(Debug, Clone)]
pub(crate) struct LoggedError {
    /// The message sent.
    pub(crate) message: String,
    /// Field errors by name, the cause's text, or `null`.
    pub(crate) details: Value,
}

/// Whether a built-in route logs only its failures (PocketBase binds
/// `SkipSuccessActivityLog` to the logs API and the realtime stream).
pub(crate) fn builtin_skips_success(method: &Method, path: &str) -> bool {
    path == "/api/logs"
        || path.starts_with("/api/logs/")
        || (method == Method::GET && path == "/api/realtime")
}

/// The middleware: times the request, lets it run, then hands its log to the service.
pub(crate) async fn log_activity<E: Endpoint>(
    ep: E,
    mut req: Request,
    services: SharedServices,
) -> Result<Response> {
    let started = Instant::now();
    let activity = Activity::default();
    req.extensions_mut().insert(activity.clone());
    let header = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default()
    };
    let referer = header(header::REFERER);
    let user_agent = header(header::USER_AGENT);
    let method = req.method().as_str().to_owned();
    let url = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let peer = crate::client_ip::peer(&req);
    let res = match ep.call(req).await {
        Ok(res) => res.into_response(),
        Err(err) => err.into_response(),
    };
    let error = res.extensions().get::<LoggedError>().map(|e| RequestError {
        message: e.message.clone(),
        details: e.details.clone(),
    });
    let state = std::mem::take(&mut *activity.0.lock().unwrap_or_else(PoisonError::into_inner));
    services.record_request(RequestLog {
        method,
        url,
        status: res.status().as_u16(),
        exec_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        auth: state.auth,
        user_ip: state.user_ip.or(peer).map(|ip| ip.to_string()),
        remote_ip: peer.map(|ip| ip.to_string()),
        referer,
        user_agent,
        error,
        skip_success: state.skip_success,
    });
    Ok(res)
}
