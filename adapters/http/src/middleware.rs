//! The global middlewares, outermost first: CORS, the activity logger
//! ([`crate::activity`]), security headers, error shaping (every
//! error becomes `{status, message, data}`), panic recovery (a 500 in that shape; the
//! server keeps serving), and the auth-token loader. Then requests go to the custom routes
//! when one matches (their own chain has the rate limiter and the body limit, see
//! [`Router`](crate::router::Router)), else to the built-in API behind the rate limiter and
//! the body limit.

use crate::auth::load_auth;
use crate::error::{ApiError, GENERIC_BAD_REQUEST};
use crate::ratelimit::RateLimiter;
use crate::router::{BuiltinRoute, RouterEndpoint};
use crate::{HttpConfig, SharedServices};
use basalt_ports::{Auth, ServiceError};
use futures_util::FutureExt;
use poem::http::{Method, StatusCode, header};
use poem::middleware::SetHeader;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// Wraps the custom routes and the API routes in the global middlewares.
pub(crate) fn wrap(
    api: impl Endpoint + 'static,
    custom: Option<RouterEndpoint>,
    services: SharedServices,
    config: HttpConfig,
) -> impl Endpoint + 'static {
    let limit = config.body_limit;
    let limiter = Arc::new(RateLimiter::new(config.rate_limits.clone()));
    let cors = crate::cors::Cors::new(&config.origins);
    let allowances = services.clone();
    let logs = services.clone();
    let builtin = api
        .around(move |ep, mut req: Request| {
            let allowances = allowances.clone();
            async move {
                if is_batch(&req) {
                    // the batch route applies `settings.batch.maxBodySize` itself, once
                    // it knows batches are allowed (PocketBase answers the 403 first)
                    return ep.call(req).await.map(IntoResponse::into_response);
                }
                let limit = match record_write_collection(&req) {
                    Some(c) => {
                        let extra = allowances.record_body_allowance(&c).unwrap_or(0);
                        let n = (limit as u64).saturating_add(extra);
                        req.set_data(crate::body::RecordBodyLimit(n));
                        usize::try_from(n).unwrap_or(usize::MAX)
                    }
                    // PocketBase lifts the body limit of backup uploads (`BodyLimit(0)`).
                    None if is_backup_upload(&req) => usize::MAX,
                    None => limit,
                };
                if content_length(&req).is_some_and(|n| n > limit) {
                    drain(req.take_body(), limit).await;
                    let mut res = ApiError::too_large().into_response();
                    res.headers_mut().insert(
                        header::CONNECTION,
                        header::HeaderValue::from_static("close"),
                    );
                    return Ok(res);
                }
                ep.call(req).await.map(IntoResponse::into_response)
            }
        })
        .around(rate_limit_builtin);
    let builtin_routes = match custom {
        Some(_) => crate::router::builtin_routes(
            &serde_json::from_str(&crate::openapi_json()).unwrap_or_default(),
        ),
        None => Vec::new(),
    };
    Dispatch {
        custom,
        builtin,
        builtin_routes,
    }
    .around(load_auth)
    .around(recover_panics)
    .data(services)
    .data(config)
    .data(limiter)
    .catch_all_error(shape_error)
    .after(|res: poem::Result<Response>| async move { res.map(plain_json_content_type) })
    .with(
        SetHeader::new()
            .overriding("X-Content-Type-Options", "nosniff")
            .overriding("X-Xss-Protection", "1; mode=block")
            .overriding("Cross-Origin-Opener-Policy", "same-origin"),
    )
    .after(|res: poem::Result<Response>| async move { res.map(frame_options) })
    .around(move |ep, req| crate::activity::log_activity(ep, req, logs.clone()))
    .with(cors)
}

/// Whether `req` is `POST /api/backups/upload`.
fn is_backup_upload(req: &Request) -> bool {
    req.method() == Method::POST && req.uri().path().trim_end_matches('/') == "/api/backups/upload"
}

/// Custom routes first, unless a built-in route is more specific for the request (as in
/// one mux: `GET /api/health` wins over a custom `/{path...}`); everything else goes to the
/// built-in API.
struct Dispatch<B> {
    custom: Option<RouterEndpoint>,
    builtin: B,
    builtin_routes: Vec<BuiltinRoute>,
}

impl<B: Endpoint> Endpoint for Dispatch<B> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if let Some(custom) = &self.custom
            && let Some(found) = custom.find(&req)
            && !custom.yields_to(&found, &req, &self.builtin_routes)
        {
            return Ok(custom.serve(found, req).await);
        }
        if crate::activity::builtin_skips_success(req.method(), req.uri().path())
            && let Some(activity) = crate::activity::Activity::of(&req)
        {
            activity.skip_success();
        }
        self.builtin
            .call(req)
            .await
            .map(IntoResponse::into_response)
    }
}

/// The rate limiter in front of the built-in routes (labels by path, and by collection
/// action for the record and auth routes).
async fn rate_limit_builtin<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    if let Some(limiter) = req.data::<Arc<RateLimiter>>() {
        let auth = req.extensions().get::<Auth>().cloned().unwrap_or_default();
        let ip = crate::client_ip::of(&req);
        if let Err(limited) =
            limiter.check_builtin(req.method().as_str(), req.uri().path(), &auth, ip)
        {
            tracing::debug!(reason = %limited.0, "rate limited");
            return Ok(ApiError::with_status(429, "Too Many Requests."));
        }
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

/// PocketBase's panic recovery: a panicking handler answers a 500 in the error shape
/// (the panic is logged; its message is shown only with `--dev`).
async fn recover_panics<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let dev = req.data::<HttpConfig>().is_some_and(|c| c.dev);
    match AssertUnwindSafe(ep.call(req)).catch_unwind().await {
        Ok(res) => res.map(IntoResponse::into_response),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            let err = ServiceError::internal_message(format!("[PANIC RECOVER] {message}"));
            Ok(ApiError::from_service(err, dev).into_response())
        }
    }
}

/// PocketBase sends `Content-Type: application/json` without a charset; so do we.
fn plain_json_content_type(mut res: Response) -> Response {
    let is_json_utf8 = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .eq_ignore_ascii_case(b"application/json; charset=utf-8")
    });
    if is_json_utf8 {
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
    }
    res
}

/// Reads and discards an oversized body (at most 8× the limit, for at most 10 s) so the
/// client finishes sending and reads the 413 instead of failing with a broken pipe.
pub(crate) async fn drain(body: poem::Body, limit: usize) {
    use tokio::io::AsyncReadExt;
    let cap = (limit as u64).saturating_mul(8);
    let mut reader = body.into_async_read().take(cap);
    let mut sink = tokio::io::sink();
    let copy = tokio::io::copy(&mut reader, &mut sink);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), copy).await;
}

/// `X-Frame-Options: SAMEORIGIN` on every response but served files (PocketBase drops it
/// there so uploaded files can be embedded).
fn frame_options(mut res: Response) -> Response {
    let headers = res.headers_mut();
    if headers
        .remove(crate::routes::files::ALLOW_FRAMING)
        .is_none()
    {
        headers.insert(
            "X-Frame-Options",
            header::HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    res
}

/// The collection of a record create (`POST …/records`) or update (`PATCH …/records/{id}`),
/// whose body may be as large as its fields allow.
fn record_write_collection(req: &Request) -> Option<String> {
    let rest = req.uri().path().strip_prefix("/api/collections/")?;
    let mut parts = rest.split('/');
    let collection = parts.next().filter(|c| !c.is_empty())?;
    let is_write = match (parts.next(), parts.next(), parts.next()) {
        (Some("records"), None, None) => req.method() == Method::POST,
        (Some("records"), Some(id), None) => !id.is_empty() && req.method() == Method::PATCH,
        _ => false,
    };
    // names and ids are `\w+`: a segment needing percent-decoding names no collection
    is_write.then(|| collection.to_owned())
}

/// `POST /api/batch`, which has its own body limit.
fn is_batch(req: &Request) -> bool {
    req.method() == Method::POST && req.uri().path() == "/api/batch"
}

fn content_length(req: &Request) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Turns any error that escaped a route (unknown path, wrong method, a parse failure) into
/// PocketBase's shape; errors that already carry a response keep it.
async fn shape_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let message = match status {
        // PocketBase answers an unknown method on a known path like an unknown path.
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            return ApiError::with_status(404, crate::error::NOT_FOUND);
        }
        StatusCode::PAYLOAD_TOO_LARGE => "Request entity too large.".to_owned(),
        s if s.is_client_error() => GENERIC_BAD_REQUEST.to_owned(),
        _ => {
            tracing::error!(error = %err, "unhandled error");
            "Something went wrong while processing your request.".to_owned()
        }
    };
    ApiError::with_status(status.as_u16(), message)
}
