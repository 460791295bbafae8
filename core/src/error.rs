//! The app's error type and its mapping to the service API's errors.

use basalt_domain::error::ValidationErrors;
use basalt_ports::{DbError, ServiceError};

/// Errors of the app's use cases and start-up.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Stored data could not be understood.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// Anything else that should never happen.
    #[error("internal error: {0}")]
    Internal(String),
    /// A configuration or start-up problem, reported to the user as is.
    #[error("{0}")]
    Config(String),
    /// No such collection (or record).
    #[error("not found: {0}")]
    NotFound(String),
    /// A filter or sort expression was rejected.
    #[error("invalid filter: {0}")]
    Filter(String),
    /// Validation failed.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// An error a hook or a use case returned in the service API's terms (kept as is, so a
    /// hook's 400 or 404 reaches the client unchanged).
    #[error("{0}")]
    Service(ServiceError),
    /// A migration failed to apply or revert.
    #[error(transparent)]
    Migration(Box<crate::migrations::MigrationError>),
}

/// The message of a 400 carrying field errors from a model validation.
const VALIDATION_FAILED: &str = "Failed to validate.";

impl From<ServiceError> for AppError {
    /// Field errors (as [`From<AppError>`] makes them) come back as
    /// [`AppError::Validation`]; anything else is kept as [`AppError::Service`].
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::BadRequest { message, data } if message == VALIDATION_FAILED => {
                AppError::Validation(data)
            }
            other => AppError::Service(other),
        }
    }
}

impl From<AppError> for ServiceError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Service(e) => e,
            AppError::Validation(data) => ServiceError::BadRequest {
                message: VALIDATION_FAILED.into(),
                data,
            },
            AppError::NotFound(_) => ServiceError::not_found(),
            AppError::Filter(e) => {
                tracing::debug!(error = %e, "filter rejected");
                ServiceError::bad_request("Something went wrong while processing your request.")
            }
            other => {
                tracing::error!(error = %other, "internal error");
                ServiceError::Internal(other.to_string())
            }
        }
    }
}
