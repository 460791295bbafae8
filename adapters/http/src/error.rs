//! PocketBase's error shape, `{status, message, data}`, and the mapping from service errors.

use basalt_ports::ServiceError;
use poem::IntoResponse;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::{ApiResponse, Object};
use serde_json::{Value, json};

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Object, serde::Serialize)]
pub struct ErrorBody {
    /// The HTTP status code.
    pub status: u16,
    /// A human-readable message.
    pub message: String,
    /// Per-field errors: `{field: {code, message}}` (an empty object when none).
    pub data: Value,
}

/// An error response in PocketBase's shape; the response status is `body.status`.
///
/// The OpenAPI document lists the statuses of [`Documented`] (what the built-in routes
/// answer); middlewares may also answer 429 (rate limit), which the document leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The body sent.
    pub body: ErrorBody,
}

/// The error statuses the built-in routes document (the OpenAPI meta of [`ApiError`]).
#[allow(dead_code)]
#[derive(ApiResponse)]
enum Documented {
    /// 400: invalid input; `data` says which fields.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// 401: a valid auth token is required.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// 403: the authenticated record may not do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// 404: no such resource (or hidden by an API rule).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// 413: the request body is over the limit.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    /// 500: an internal failure.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

impl ApiResponse for ApiError {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        Documented::meta()
    }

    fn register(registry: &mut Registry) {
        Documented::register(registry);
    }

    fn from_parse_request_error(err: poem::Error) -> Self {
        parse_error(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> poem::Response {
        let status =
            StatusCode::from_u16(self.body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        poem::web::Json(self.body)
            .with_status(status)
            .into_response()
    }
}

impl From<ApiError> for poem::Error {
    fn from(e: ApiError) -> Self {
        let message = e.body.message.clone();
        let mut err = poem::Error::from_response(e.into_response());
        err.set_error_message(message);
        err
    }
}

/// PocketBase's message for a 400 whose cause is not shown.
pub const GENERIC_BAD_REQUEST: &str = "Something went wrong while processing your request.";

/// PocketBase's message for a 500.
pub(crate) const GENERIC_INTERNAL: &str = "Something went wrong while processing your request.";

impl ApiError {
    /// An error with any status, message and `data`.
    pub fn new(status: u16, message: impl Into<String>, data: Value) -> Self {
        Self {
            body: ErrorBody {
                status,
                message: message.into(),
                data,
            },
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.body.status
    }

    /// A 400 with no field errors.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message, json!({}))
    }

    /// A 413.
    pub fn too_large() -> Self {
        Self::new(413, "Request entity too large.", json!({}))
    }

    /// Maps a service error; internal details are shown only when `dev` is on.
    pub fn from_service(e: ServiceError, dev: bool) -> Self {
        match e {
            ServiceError::BadRequest { message, data } => Self::new(
                400,
                message,
                serde_json::to_value(&data).unwrap_or_else(|_| json!({})),
            ),
            ServiceError::Unauthorized(m) => Self::new(401, m, json!({})),
            ServiceError::Forbidden(m) => Self::new(403, m, json!({})),
            ServiceError::NotFound(m) => Self::new(404, m, json!({})),
            ServiceError::TooLarge(m) => Self::new(413, m, json!({})),
            ServiceError::TooManyRequests(m) => Self::new(429, m, json!({})),
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                let message = if dev { m } else { GENERIC_INTERNAL.into() };
                Self::new(500, message, json!({}))
            }
        }
    }

    /// The response for any status, in PocketBase's shape.
    pub fn with_status(status: u16, message: impl Into<String>) -> poem::Response {
        Self::new(status, message, json!({})).into_response()
    }
}

/// Request parsing failures (bad JSON, bad query types) become PocketBase's generic 400.
fn parse_error(err: poem::Error) -> ApiError {
    tracing::debug!(error = %err, "request parse error");
    ApiError::bad_request(GENERIC_BAD_REQUEST)
}
