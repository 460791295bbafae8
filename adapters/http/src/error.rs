//! PocketBase's error shape, `{status, message, data}`, and the mapping from service errors.

use basalt_ports::ServiceError;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use serde_json::{Value, json};

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct ErrorBody {
    /// The HTTP status code.
    pub status: u16,
    /// A human-readable message.
    pub message: String,
    /// Per-field errors: `{field: {code, message}}` (an empty object when none).
    pub data: Value,
}

/// An error response in PocketBase's shape.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "parse_error")]
pub enum ApiError {
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

/// PocketBase's message for a 400 whose cause is not shown.
pub const GENERIC_BAD_REQUEST: &str = "Something went wrong while processing your request.";

fn body(status: u16, message: impl Into<String>, data: Value) -> Json<ErrorBody> {
    Json(ErrorBody {
        status,
        message: message.into(),
        data,
    })
}

impl ApiError {
    /// A 400 with no field errors.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(body(400, message, json!({})))
    }

    /// A 413.
    pub fn too_large() -> Self {
        ApiError::TooLarge(body(413, "Request entity too large.", json!({})))
    }

    /// Maps a service error; internal details are shown only when `dev` is on.
    pub fn from_service(e: ServiceError, dev: bool) -> Self {
        match e {
            ServiceError::BadRequest { message, data } => ApiError::BadRequest(body(
                400,
                message,
                serde_json::to_value(&data).unwrap_or_else(|_| json!({})),
            )),
            ServiceError::Unauthorized(m) => ApiError::Unauthorized(body(401, m, json!({}))),
            ServiceError::Forbidden(m) => ApiError::Forbidden(body(403, m, json!({}))),
            ServiceError::NotFound(m) => ApiError::NotFound(body(404, m, json!({}))),
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                let message = if dev {
                    m
                } else {
                    "Something went wrong while processing your request.".into()
                };
                ApiError::Internal(body(500, message, json!({})))
            }
        }
    }

    /// The response for any status, in PocketBase's shape.
    pub fn with_status(status: u16, message: impl Into<String>) -> poem::Response {
        use poem::IntoResponse;
        let b = ErrorBody {
            status,
            message: message.into(),
            data: json!({}),
        };
        poem::web::Json(serde_json::to_value(ErrorBodyJson::from(b)).unwrap_or_default())
            .with_status(
                poem::http::StatusCode::from_u16(status)
                    .unwrap_or(poem::http::StatusCode::INTERNAL_SERVER_ERROR),
            )
            .into_response()
    }
}

#[derive(serde::Serialize)]
struct ErrorBodyJson {
    status: u16,
    message: String,
    data: Value,
}

impl From<ErrorBody> for ErrorBodyJson {
    fn from(b: ErrorBody) -> Self {
        Self {
            status: b.status,
            message: b.message,
            data: b.data,
        }
    }
}

/// Request parsing failures (bad JSON, bad query types) become PocketBase's generic 400.
fn parse_error(err: poem::Error) -> ApiError {
    tracing::debug!(error = %err, "request parse error");
    ApiError::bad_request(GENERIC_BAD_REQUEST)
}
