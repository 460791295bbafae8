//! PocketBase's error shape, `{status, message, data}`, and the mapping from service errors.

use basalt_domain::error::ValidationErrors;
use basalt_ports::{CollectionLookup, Input, ServiceError};
use poem::IntoResponse;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::{ApiResponse, Object};
use serde_json::{Value, json};
use std::borrow::Cow;

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
/// The OpenAPI document lists the statuses of [`Documented`]: what the built-in routes
/// answer, and the rate limiter's 429 (when `settings.rateLimits` is on).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The body sent.
    pub body: ErrorBody,
    /// What caused it, for the activity log (field errors by name, the cause's text, or
    /// `null`); never sent.
    details: Value,
    /// A body sent instead of `body` (MFA's `{"mfaId": ...}`, which PocketBase writes
    /// as the whole 401 body).
    raw: Option<Box<Value>>,
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
    /// 429: rate limited (`settings.rateLimits`; superusers are exempt).
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>),
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
        let logged = crate::activity::LoggedError {
            message: self.body.message.clone(),
            details: self.details,
        };
        let mut res = match self.raw {
            Some(raw) => poem::web::Json(*raw).with_status(status).into_response(),
            None => poem::web::Json(self.body)
                .with_status(status)
                .into_response(),
        };
        res.extensions_mut().insert(logged);
        res
    }
}

impl From<ApiError> for poem::Error {
    fn from(e: ApiError) -> Self {
        let message = e.body.message.clone();
        let res = e.into_response();
        // `Error::into_response` replaces the response's extensions with the error's own.
        let logged = res
            .extensions()
            .get::<crate::activity::LoggedError>()
            .cloned();
        let mut err = poem::Error::from_response(res);
        if let Some(logged) = logged {
            err.set_data(logged);
        }
        err.set_error_message(message);
        err
    }
}

/// PocketBase's message for a 400 whose cause is not shown.
pub const GENERIC_BAD_REQUEST: &str = "Something went wrong while processing your request.";

/// PocketBase's message for a 500.
pub(crate) const GENERIC_INTERNAL: &str = "Something went wrong while processing your request.";

/// The one table from the service errors to PocketBase's answers: the status, the message
/// (PocketBase's wording) and `data` (field errors, as `{field: {code, message}}`).
pub fn answer(e: &ServiceError) -> (u16, Cow<'static, str>, Value) {
    use ServiceError as E;
    let fixed = |status: u16, message: &'static str| (status, Cow::Borrowed(message), json!({}));
    let fields = |status: u16, message: Cow<'static, str>, errors: &ValidationErrors| {
        let data = serde_json::to_value(errors).unwrap_or_else(|_| json!({}));
        (status, message, data)
    };
    match e {
        E::Invalid { input, errors } => fields(400, Cow::Borrowed(rejected_input(*input)), errors),
        E::UnreadableBody => fixed(400, "An error occurred while loading the submitted data."),
        E::InvalidFormat => fixed(
            400,
            "Failed to load the submitted data due to invalid formatting.",
        ),
        E::InvalidParam { param, reason } => {
            let name = param.name();
            let data =
                json!({ name: {"code": format!("validation_invalid_{name}"), "message": reason} });
            (400, Cow::Borrowed(GENERIC_BAD_REQUEST), data)
        }
        E::Rejected(_) => fixed(400, GENERIC_BAD_REQUEST),
        E::InvalidLogsFilter(_) => fixed(400, "Invalid filter format."),
        E::LogsStatsFailed(_) => fixed(400, "Failed to generate logs stats."),
        E::UnsupportedCollectionType => fixed(400, "Unsupported collection type."),
        E::InvalidCollectionSort => fixed(400, "Invalid sort parameter format."),
        E::CollectionRejected { input, raw } => {
            let action = match input {
                Input::CollectionUpdate => "update",
                _ => "create",
            };
            let message = format!("Failed to {action} collection. Raw error: \n{raw}");
            (400, Cow::Owned(message), json!({}))
        }
        E::CollectionReferenced(names) => {
            let message = format!(
                "Failed to delete collection probably due to existing reference in {}.",
                names.join(", ")
            );
            (400, Cow::Owned(message), json!({}))
        }
        E::TruncateView => fixed(
            400,
            "View collections cannot be truncated since they don't store their own records.",
        ),
        E::TruncateBlocked(_) => fixed(
            400,
            "Failed to truncate collection (most likely due to required cascade delete record references).",
        ),
        E::RequiredReference(_) => fixed(
            400,
            "Failed to delete record. Make sure that the record is not part of a required relation reference.",
        ),
        E::OnlySuperuser => fixed(400, "You can't delete the only existing superuser."),
        E::UnreadableBatch => fixed(400, "Failed to read the submitted batch data."),
        E::UnknownBatchAction => fixed(400, GENERIC_BAD_REQUEST),
        E::BatchRequestFailed { index, error } => {
            let (status, message, data) = answer(error);
            let failed = json!({
                "code": "batch_request_failed",
                "message": "Batch request failed.",
                "response": {"status": status, "message": message, "data": data},
            });
            let data = json!({ "requests": { index.to_string(): failed } });
            (400, Cow::Borrowed(BATCH_FAILED), data)
        }
        E::BatchTimeout => fixed(400, BATCH_FAILED),
        E::AuthFailed | E::OAuth2Failed(_) => fixed(400, "Failed to authenticate."),
        E::OAuth2TokenFailed(_) => fixed(400, "Failed to fetch OAuth2 token."),
        E::OAuth2UserFailed(_) => fixed(400, "Failed to fetch OAuth2 user."),
        E::InvalidRealtimeClient => fixed(400, "Invalid realtime client."),
        E::InvalidOtp => fixed(400, "Invalid or expired OTP."),
        E::InvalidMfa => fixed(400, "Invalid or expired MFA session."),
        E::MfaOtherRecord => fixed(400, "Invalid MFA session."),
        E::MfaSameMethod => fixed(400, "A different authentication method is required."),
        // PocketBase's create handler words it without the period, but its error
        // constructor adds one (`inflector.Sentenize`): both answers end with it.
        E::BackupBusy => fixed(
            400,
            "Try again later - another backup/restore process has already been started.",
        ),
        E::BackupFailed(_) => fixed(400, "Failed to create backup."),
        E::BackupUploadFailed(_) => fixed(400, "Failed to upload backup."),
        E::BackupsUnavailable(_) => fixed(400, "Failed to load backups filesystem."),
        E::BackupsListFailed(raw) => (
            400,
            Cow::Owned(format!(
                "Failed to retrieve backup items. Raw error: \n{raw}"
            )),
            json!({}),
        ),
        E::BackupDeleteFailed(raw) => (
            400,
            Cow::Owned(format!(
                "Invalid or already deleted backup file. Raw error: \n{raw}"
            )),
            json!({}),
        ),
        E::BackupInUse => fixed(
            400,
            "The backup is currently being used and cannot be deleted.",
        ),
        E::MissingBackup => fixed(400, "Missing or invalid backup file."),
        E::BackupAccessDenied => fixed(403, "Insufficient permissions to access the resource."),
        E::AuthRequired => fixed(
            401,
            "The request requires valid record authorization token.",
        ),
        E::BatchDisabled => fixed(403, "Batch requests are not allowed."),
        E::SuperusersOnly => fixed(403, "Only superusers can perform this action."),
        E::NotAllowed => fixed(
            403,
            "The authorized record is not allowed to perform this action.",
        ),
        E::SuperuserOnlyFilter(field) => (
            403,
            Cow::Owned(format!("Only superusers can filter by {field}")),
            json!({}),
        ),
        E::PasswordAuthDisabled => fixed(
            403,
            "The collection is not configured to allow password authentication.",
        ),
        E::OAuth2Disabled => fixed(
            403,
            "The collection is not configured to allow OAuth2 authentication.",
        ),
        E::OtpDisabled => fixed(
            403,
            "The collection is not configured to allow OTP authentication.",
        ),
        E::AuthRuleFailed => fixed(
            403,
            "The request doesn't satisfy the collection requirements to authenticate.",
        ),
        E::SuperuserIpDenied => fixed(403, "You are not allowed to perform this request."),
        // The body is `{"mfaId": ...}` alone (see `ApiError::from_service`).
        E::MfaRequired(_) => fixed(401, "mfa required"),
        E::OtpAttempts => fixed(
            429,
            "Too many attempts, please try again later with a new OTP.",
        ),
        E::WrongAuthCollection(name) => (
            403,
            Cow::Owned(format!(
                "The request requires auth record from {name} collection."
            )),
            json!({}),
        ),
        E::RealtimeAuthMismatch => fixed(
            403,
            "The current and the previous request authorization don't match.",
        ),
        E::MissingCollection(CollectionLookup::Records) => {
            fixed(404, "Missing collection context.")
        }
        E::MissingCollection(CollectionLookup::RecordsWrite) => {
            fixed(404, "Missing or invalid collection context.")
        }
        E::MissingCollection(CollectionLookup::Auth) => {
            fixed(404, "Missing or invalid auth collection context.")
        }
        E::Missing => fixed(404, NOT_FOUND),
        E::MissingCronJob => fixed(404, "Missing or invalid cron job."),
        E::MissingRealtimeClient => fixed(404, "Missing or invalid client id."),
        E::BadRequest { message, data } => fields(400, Cow::Owned(message.clone()), data),
        E::Unauthorized(m) => (401, Cow::Owned(m.clone()), json!({})),
        E::Forbidden(m) => (403, Cow::Owned(m.clone()), json!({})),
        E::NotFound(m) => (404, Cow::Owned(m.clone()), json!({})),
        E::TooLarge(m) => (413, Cow::Owned(m.clone()), json!({})),
        E::RangeNotSatisfiable(_) => fixed(416, "Requested range not satisfiable."),
        E::TooManyRequests(m) => (429, Cow::Owned(m.clone()), json!({})),
        E::Internal(_) => fixed(500, GENERIC_INTERNAL),
    }
}

/// PocketBase's message for a rejected input, by what it was for.
fn rejected_input(input: Input) -> &'static str {
    match input {
        Input::RecordCreate => "Failed to create record.",
        Input::RecordUpdate => "Failed to update record.",
        Input::Record => "Failed to validate.",
        Input::CollectionCreate => "Failed to create collection.",
        Input::CollectionUpdate => "Failed to update collection.",
        Input::CollectionDelete => "Failed to delete collection.",
        Input::CollectionsImport => "Failed to import collections.",
        Input::Settings => "An error occurred while saving the new settings.",
        Input::Form => "An error occurred while validating the submitted data.",
        Input::Request => GENERIC_BAD_REQUEST,
        Input::Batch => "Invalid batch request data.",
        Input::Submitted => "An error occurred while loading the submitted data.",
    }
}

/// PocketBase's message for a batch that was rolled back.
const BATCH_FAILED: &str = "Batch transaction failed.";

/// PocketBase's generic 404 message.
pub(crate) const NOT_FOUND: &str = "The requested resource wasn't found.";

impl ApiError {
    /// An error with any status, message and `data`.
    pub fn new(status: u16, message: impl Into<String>, data: Value) -> Self {
        Self {
            body: ErrorBody {
                status,
                message: message.into(),
                data,
            },
            details: Value::Null,
            raw: None,
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

    /// Maps a service error through [`answer`]; internal details are shown only when `dev`
    /// is on, and the cause of a 500 or of a rejected request is logged.
    pub fn from_service(e: ServiceError, dev: bool) -> Self {
        match &e {
            ServiceError::Internal(cause) => {
                tracing::error!(error = %cause.chain(), "internal error");
            }
            ServiceError::Rejected(cause)
            | ServiceError::RequiredReference(cause)
            | ServiceError::TruncateBlocked(cause)
            | ServiceError::OAuth2TokenFailed(cause)
            | ServiceError::OAuth2UserFailed(cause)
            | ServiceError::OAuth2Failed(cause) => {
                tracing::debug!(error = %cause.chain(), "request rejected");
            }
            _ => {}
        }
        let (status, message, data) = answer(&e);
        let details = details(&e);
        let raw = match &e {
            ServiceError::MfaRequired(id) => Some(Box::new(json!({ "mfaId": id }))),
            _ => None,
        };
        let message = match e {
            ServiceError::Internal(cause) if dev => cause.chain(),
            _ => message.into_owned(),
        };
        let mut err = Self::new(status, message, data);
        err.details = details;
        err.raw = raw;
        err
    }

    /// The response for any status, in PocketBase's shape.
    pub fn with_status(status: u16, message: impl Into<String>) -> poem::Response {
        Self::new(status, message, json!({})).into_response()
    }
}

/// What the activity log shows as an error's `details`, as PocketBase does: the field
/// errors' messages by field, else the underlying error's text, else `null`.
fn details(e: &ServiceError) -> Value {
    use ServiceError as E;
    if let Some(errors) = e.field_errors().filter(|f| !f.is_empty()) {
        let data = serde_json::to_value(errors).unwrap_or_else(|_| json!({}));
        let messages = data
            .as_object()
            .map(|fields| {
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get("message").cloned().unwrap_or(Value::Null)))
                    .collect::<serde_json::Map<_, _>>()
            })
            .unwrap_or_default();
        return Value::Object(messages);
    }
    match e {
        E::Internal(cause)
        | E::Rejected(cause)
        | E::RequiredReference(cause)
        | E::TruncateBlocked(cause)
        | E::OAuth2TokenFailed(cause)
        | E::OAuth2UserFailed(cause)
        | E::OAuth2Failed(cause)
        | E::LogsStatsFailed(cause) => Value::String(cause.chain()),
        E::InvalidParam { reason, .. } | E::InvalidLogsFilter(reason) => {
            Value::String(reason.clone())
        }
        E::CollectionRejected { raw, .. } => Value::String(raw.clone()),
        _ => Value::Null,
    }
}

/// Request parsing failures (bad JSON, bad query types) become PocketBase's generic 400.
fn parse_error(err: poem::Error) -> ApiError {
    tracing::debug!(error = %err, "request parse error");
    ApiError::bad_request(GENERIC_BAD_REQUEST)
}
