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
        .allow_methods([Method::GET, Method::HEAD, Method::PUT, Method::PATCH, Method::POST, Method::DELETE])
        .max_age(86400);
    for origin in &config.origins {
        cors = cors.allow_origin(origin.as_str());
    }
    api.around(load_auth)
        .around(move |ep, req: Request| async move {
            if content_length(&req).is_some_and(|n| n > limit) {
                return Ok(ApiError::too_large().into_response());
            }
            ep.call(req).await.map(IntoResponse::into_response)
        })
        .data(services)
        .data(config)
        .catch_all_error(shape_error)
        .with(
            SetHeader::new()
                .overriding("X-Content-Type-Options", "nosniff")
                .overriding("X-Frame-Options", "SAMEORIGIN")
                .overriding("X-Xss-Protection", "1; mode=block")
                .overriding("Cross-Origin-Opener-Policy", "same-origin"),
        )
        .with(cors)
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
