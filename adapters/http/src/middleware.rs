//! The global middlewares, outermost first: CORS, security headers, error shaping (every
//! error becomes `{status, message, data}`), the body limit, and the auth-token loader.

use crate::auth::load_auth;
use crate::error::{ApiError, GENERIC_BAD_REQUEST};
use crate::{HttpConfig, SharedServices};
use poem::http::{Method, StatusCode, header};
use poem::middleware::{Cors, SetHeader};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};

/// Wraps the API routes in the global middlewares.
pub(crate) fn wrap(
    api: impl Endpoint + 'static,
    services: SharedServices,
    config: HttpConfig,
) -> impl Endpoint + 'static {
    let limit = config.body_limit;
    let mut cors = Cors::new()
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::PATCH,
            Method::POST,
            Method::DELETE,
        ])
        .max_age(86400);
    for origin in &config.origins {
        cors = cors.allow_origin(origin.as_str());
    }
    api.around(load_auth)
        .around(move |ep, mut req: Request| async move {
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
        })
        .data(services)
        .data(config)
        .catch_all_error(shape_error)
        .after(|res: poem::Result<Response>| async move { res.map(plain_json_content_type) })
        .with(
            SetHeader::new()
                .overriding("X-Content-Type-Options", "nosniff")
                .overriding("X-Frame-Options", "SAMEORIGIN")
                .overriding("X-Xss-Protection", "1; mode=block")
                .overriding("Cross-Origin-Opener-Policy", "same-origin"),
        )
        .with(cors)
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
async fn drain(body: poem::Body, limit: usize) {
    use tokio::io::AsyncReadExt;
    let cap = (limit as u64).saturating_mul(8);
    let mut reader = body.into_async_read().take(cap);
    let mut sink = tokio::io::sink();
    let copy = tokio::io::copy(&mut reader, &mut sink);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), copy).await;
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
            return ApiError::with_status(404, "The requested resource wasn't found.");
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
