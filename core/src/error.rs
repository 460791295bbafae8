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
    Migration(Box<MigrationError>),
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

/// A migration that failed to apply or revert, or a `_migrations` lookup that failed.
#[derive(Debug)]
pub struct MigrationError {
    /// The migration that failed (`None` when the history itself could not be read).
    pub file: Option<String>,
    /// True when it failed while reverting.
    pub reverting: bool,
    /// The migrations applied (or reverted) and committed before the failure.
    pub completed: Vec<String>,
    /// What failed.
    pub source: AppError,
}

impl std::fmt::Display for MigrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let action = if self.reverting { "revert" } else { "apply" };
        match &self.file {
            Some(file) => write!(f, "failed to {action} migration {file}: {}", self.source)?,
            None => write!(f, "migrations: {}", self.source)?,
        }
        // A 400 from a hook or an import keeps its detail in `data`: show it.
        if let AppError::Service(ServiceError::BadRequest { data, .. }) = &self.source
            && !data.is_empty()
        {
            write!(f, " ({data})")?;
        }
        Ok(())
    }
}

impl std::error::Error for MigrationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<MigrationError> for AppError {
    fn from(e: MigrationError) -> Self {
        AppError::Migration(Box::new(e))
    }
}
