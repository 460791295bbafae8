//! The app's error type and its mapping to the service API's errors.

use basalt_domain::error::ValidationErrors;
use basalt_domain::filter::FilterError;
use basalt_ports::{Cause, DbError, Input, ServiceError};

/// Errors of the app's use cases and start-up. Each keeps what caused it (for the logs);
/// [`From<AppError> for ServiceError`] is the one place they become the service API's errors.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Stored data could not be understood: what, and why.
    #[error("corrupt stored data: {what}: {reason}")]
    Corrupt {
        /// What was being read (`_collections.fields`, `stored settings`, ...).
        what: String,
        /// Why it could not be read.
        reason: String,
    },
    /// A configuration or start-up problem, reported to the user as is.
    #[error("{0}")]
    Config(String),
    /// No such collection or record (in the library API's lookups).
    #[error("not found: {0}")]
    NotFound(String),
    /// A filter or sort expression given to the library API was rejected.
    #[error("invalid filter: {0}")]
    Filter(#[from] FilterError),
    /// A delete refused because record `record` of `collection` would be left with an
    /// empty required relation to the deleted record.
    #[error(
        "the record cannot be deleted because it is part of a required reference in record {record} ({collection} collection)"
    )]
    RequiredReference {
        /// The referencing record's id.
        record: String,
        /// Its collection's name.
        collection: String,
    },
    /// A record's or collection's values failed validation.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// An error a hook or a use case returned in the service API's terms (kept as is, so a
    /// hook's 400 or 404 reaches the client unchanged).
    #[error(transparent)]
    Service(ServiceError),
    /// A migration failed to apply or revert.
    #[error(transparent)]
    Migration(Box<MigrationError>),
    /// Signing or reading a token failed.
    #[error("token: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
    /// Hashing a password failed.
    #[error("password hash: {0}")]
    Hash(#[from] bcrypt::BcryptError),
    /// A blocking task (password hashing) did not finish.
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// A random-string pattern could not be generated from.
    #[error("pattern {pattern}: {reason}")]
    Pattern {
        /// The pattern (`[a-z0-9]{15}`).
        pattern: String,
        /// Why.
        reason: String,
    },
    /// Code run inside a transaction panicked (the transaction was rolled back).
    #[error("panic: {0}")]
    Panic(String),
    /// The settings could not be encrypted.
    #[error("settings encryption: {0}")]
    Encryption(String),
    /// The file storage failed.
    #[error(transparent)]
    Files(#[from] basalt_ports::files::FileStoreError),
    /// A backup or restore was started while another one runs.
    #[error("try again later - another backup/restore operation has already been started")]
    BackupBusy,
    /// A backup or restore failed (what was being done, and why).
    #[error("backup: {0}")]
    Backup(String),
    /// The process could not restart after a restore.
    #[error(transparent)]
    Restart(#[from] basalt_ports::RestartError),
    /// The HTTP server failed.
    #[error("server: {0}")]
    Server(#[source] std::io::Error),
    /// An error of the program built on Basalt: a hook, a migration, a transaction's
    /// closure ([`AppError::other`]).
    #[error("{0}")]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// An error of the program built on Basalt, e.g. `AppError::other("abort")` to roll a
    /// transaction back.
    pub fn other(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Other(error.into())
    }

    /// A [`AppError::Corrupt`] for `what`, for `reason`.
    pub fn corrupt(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        AppError::Corrupt {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}

impl From<ServiceError> for AppError {
    /// A record's field errors and the generic 404 (as [`From<AppError>`] makes them) come
    /// back as [`AppError::Validation`] and [`AppError::NotFound`]; anything else is kept
    /// as [`AppError::Service`].
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid {
                input: Input::Record,
                errors,
            } => AppError::Validation(errors),
            ServiceError::Missing => AppError::NotFound("not found".into()),
            other => AppError::Service(other),
        }
    }
}

impl From<AppError> for ServiceError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Service(e) => e,
            AppError::Validation(errors) => ServiceError::invalid(Input::Record, errors),
            AppError::NotFound(_) => ServiceError::Missing,
            AppError::Filter(e) => ServiceError::rejected(e),
            e @ AppError::RequiredReference { .. } => {
                ServiceError::RequiredReference(Cause::new(e))
            }
            other => ServiceError::internal(other),
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
        if let AppError::Service(e) = &self.source
            && let Some(data) = e.field_errors().filter(|d| !d.is_empty())
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
