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
}

impl From<AppError> for ServiceError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(data) => ServiceError::BadRequest {
                message: "Failed to validate.".into(),
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
