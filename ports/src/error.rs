//! The driving ports' error: why a use case failed, by cause. It carries no HTTP status and
//! no wording of PocketBase's: the HTTP adapter's table (`basalt_http::error`) gives each
//! variant its status, message and `data`. Hooks and custom routes that choose their own
//! answer use the explicit variants (`BadRequest`, `Forbidden`, ...), which are sent as given.

use basalt_domain::error::ValidationErrors;
use std::fmt;
use std::sync::Arc;

/// What a rejected input was for; it decides the message of [`ServiceError::Invalid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A record create through the API.
    RecordCreate,
    /// A record update through the API.
    RecordUpdate,
    /// A record saved outside an API action (a hook's or a custom route's save).
    Record,
    /// A collection create.
    CollectionCreate,
    /// A collection update.
    CollectionUpdate,
    /// A collection delete.
    CollectionDelete,
    /// A collections import.
    CollectionsImport,
    /// A settings save.
    Settings,
    /// A form of its own (auth with password, realtime subscriptions, ...).
    Form,
    /// A request PocketBase rejects with its generic message, with field errors.
    Request,
    /// A batch's requests (their number, methods and urls).
    Batch,
    /// A submitted form PocketBase rejects with "An error occurred while loading the
    /// submitted data." (auth with OAuth2, ...).
    Submitted,
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Input::RecordCreate => "record create",
            Input::RecordUpdate => "record update",
            Input::Record => "record",
            Input::CollectionCreate => "collection create",
            Input::CollectionUpdate => "collection update",
            Input::CollectionDelete => "collection delete",
            Input::CollectionsImport => "collections import",
            Input::Settings => "settings",
            Input::Form => "form",
            Input::Request => "request",
            Input::Batch => "batch",
            Input::Submitted => "submitted data",
        })
    }
}

/// The query parameter a [`ServiceError::InvalidParam`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryParam {
    /// `filter`.
    Filter,
    /// `sort`.
    Sort,
}

impl QueryParam {
    /// The parameter's name (`filter`, `sort`).
    pub fn name(self) -> &'static str {
        match self {
            QueryParam::Filter => "filter",
            QueryParam::Sort => "sort",
        }
    }
}

/// Which lookup of a collection failed (PocketBase words each differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionLookup {
    /// The records list, view and delete endpoints.
    Records,
    /// The record create and update endpoints, and auth refresh.
    RecordsWrite,
    /// An auth endpoint on a collection that is not an auth collection.
    Auth,
}

/// What failed underneath: any error, kept for the logs (never sent outside `--dev`).
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    /// Keeps `error` as the cause.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Arc::new(error))
    }

    /// A cause that is only a message.
    pub fn message(message: impl Into<String>) -> Self {
        Cause::new(Message(message.into()))
    }

    /// The error and its sources, outermost first, joined by `: `.
    pub fn chain(&self) -> String {
        let mut text = self.0.to_string();
        let mut next = self.0.source();
        while let Some(e) = next {
            text.push_str(": ");
            text.push_str(&e.to_string());
            next = e.source();
        }
        text
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Two causes are equal when they read the same (errors are not comparable in general).
impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.chain() == other.chain()
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

/// Why a use case failed. Built-in conditions are typed variants; the explicit ones at the
/// end carry an answer chosen by a hook, a custom route or a middleware.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    // ---- invalid input (400) ----
    /// Field errors of a rejected input (`data` lists them).
    #[error("{input} rejected: {errors}")]
    Invalid {
        /// What the input was for.
        input: Input,
        /// The field errors (may be empty).
        errors: ValidationErrors,
    },
    /// The body could not be read (not JSON, not a form, wrong types).
    #[error("the request body could not be read")]
    UnreadableBody,
    /// The body was read but is not of the expected shape.
    #[error("the request body is not of the expected shape")]
    InvalidFormat,
    /// A client's `filter` or `sort` that does not compile.
    #[error("invalid {}: {reason}", .param.name())]
    InvalidParam {
        /// Which parameter.
        param: QueryParam,
        /// Why, as the compiler says it (with the position of a syntax error).
        reason: String,
    },
    /// A request rejected without detail for the client: a rule that does not compile, a
    /// filter SQLite cannot run, a bad `fields`. The cause is logged.
    #[error("request rejected: {0}")]
    Rejected(Cause),
    /// A logs stats `filter` that does not compile (the compiler's reason, for the log).
    #[error("invalid logs filter: {0}")]
    InvalidLogsFilter(String),
    /// The logs stats query failed (a filter SQLite cannot run, say).
    #[error("logs stats failed: {0}")]
    LogsStatsFailed(Cause),
    /// Records of view collections cannot be written through the API.
    #[error("unsupported collection type")]
    UnsupportedCollectionType,
    /// A collections list `sort` with an unknown key.
    #[error("invalid collections sort")]
    InvalidCollectionSort,
    /// SQLite rejected a collection's table change.
    #[error("{input} rejected by SQLite: {raw}")]
    CollectionRejected {
        /// [`Input::CollectionCreate`] or [`Input::CollectionUpdate`].
        input: Input,
        /// SQLite's error text (PocketBase shows it).
        raw: String,
    },
    /// Other collections' relation fields point at the collection to delete.
    #[error("collection referenced by {}", .0.join(", "))]
    CollectionReferenced(Vec<String>),
    /// View collections have no records of their own to truncate.
    #[error("view collections cannot be truncated")]
    TruncateView,
    /// A truncate blocked by a required relation reference.
    #[error("truncate blocked by a required relation reference: {0}")]
    TruncateBlocked(Cause),
    /// A record delete blocked by a required relation reference.
    #[error("delete blocked by a required relation reference: {0}")]
    RequiredReference(Cause),
    /// A delete of the only `_superusers` record (PocketBase keeps at least one).
    #[error("the only existing superuser cannot be deleted")]
    OnlySuperuser,
    /// A batch body that could not be read (not JSON, wrong types, over the limit while
    /// streaming).
    #[error("the batch body could not be read")]
    UnreadableBatch,
    /// A batch request that is not a record create, update, upsert or delete.
    #[error("unknown batch request action")]
    UnknownBatchAction,
    /// A request of a batch failed; the batch was rolled back.
    #[error("batch request {index} failed: {error}")]
    BatchRequestFailed {
        /// The failed request's position in the batch (0-based).
        index: usize,
        /// Why it failed (its own answer).
        error: Box<ServiceError>,
    },
    /// The batch transaction took longer than `settings.batch.timeout`; rolled back.
    #[error("batch transaction timeout")]
    BatchTimeout,
    /// Wrong identity or password.
    #[error("failed to authenticate")]
    AuthFailed,
    /// The OAuth2 code exchange with the provider failed.
    #[error("failed to fetch the OAuth2 token: {0}")]
    OAuth2TokenFailed(Cause),
    /// Fetching the OAuth2 user from the provider failed.
    #[error("failed to fetch the OAuth2 user: {0}")]
    OAuth2UserFailed(Cause),
    /// The OAuth2 sign-in could not find, link or create the record.
    #[error("OAuth2 sign-in failed: {0}")]
    OAuth2Failed(Cause),
    /// A realtime subscribe from another client than the one that opened the stream.
    #[error("invalid realtime client")]
    InvalidRealtimeClient,
    /// An OTP that does not exist, is of another collection, expired, or whose password
    /// does not match (one answer for all, against enumeration).
    #[error("invalid or expired OTP")]
    InvalidOtp,
    /// An `mfaId` that does not exist or expired.
    #[error("invalid or expired MFA session")]
    InvalidMfa,
    /// An `mfaId` of another record.
    #[error("invalid MFA session")]
    MfaOtherRecord,
    /// An MFA's second factor by the same method as its first.
    #[error("a different authentication method is required")]
    MfaSameMethod,

    /// A backup or restore was asked for while another one runs.
    #[error("another backup/restore is running")]
    BackupBusy,
    /// Creating a backup failed.
    #[error("backup failed: {0}")]
    BackupFailed(Cause),
    /// Storing an uploaded backup failed.
    #[error("backup upload failed: {0}")]
    BackupUploadFailed(Cause),
    /// The backups storage could not be opened (the list answers 400, as PocketBase does).
    #[error("backups storage unavailable: {0}")]
    BackupsUnavailable(Cause),
    /// Listing the backups failed; PocketBase shows the raw error.
    #[error("backups list failed: {0}")]
    BackupsListFailed(String),
    /// Deleting a backup failed (or it did not exist); PocketBase shows the raw error.
    #[error("backup delete failed: {0}")]
    BackupDeleteFailed(String),
    /// A delete of the backup being created or restored.
    #[error("the backup is in use")]
    BackupInUse,
    /// A restore of a backup that does not exist.
    #[error("missing or invalid backup file")]
    MissingBackup,

    // ---- who (401, 403) ----
    /// The request needs a valid auth token.
    #[error("a valid auth token is required")]
    AuthRequired,
    /// A `null` rule: superusers only.
    #[error("only superusers can perform this action")]
    SuperusersOnly,
    /// `settings.batch` is off (or allows no request).
    #[error("batch requests are not allowed")]
    BatchDisabled,
    /// The authenticated record may not do this.
    #[error("the authorized record is not allowed to perform this action")]
    NotAllowed,
    /// A non-superuser's `filter`/`sort` reads `@collection.*` or `@request.*`.
    #[error("only superusers can filter by {0}")]
    SuperuserOnlyFilter(&'static str),
    /// The collection's password auth is off.
    #[error("password auth is disabled")]
    PasswordAuthDisabled,
    /// The collection's OAuth2 sign-in is off.
    #[error("OAuth2 auth is disabled")]
    OAuth2Disabled,
    /// The collection's OTP auth is off.
    #[error("OTP auth is disabled")]
    OtpDisabled,
    /// The authenticated record fails its collection's `authRule` (or the rule is `null`).
    #[error("the record does not satisfy the collection's auth rule")]
    AuthRuleFailed,
    /// A superuser sign-in from an IP outside `superuserIPs`.
    #[error("superuser IP is not whitelisted")]
    SuperuserIpDenied,
    /// A first auth factor passed and MFA wants a second one: PocketBase answers 401 with
    /// `{"mfaId": ...}` (this id) as the whole body.
    #[error("mfa required")]
    MfaRequired(String),
    /// An auth refresh with a token of another collection (its name).
    #[error("the request requires an auth record of {0}")]
    WrongAuthCollection(String),
    /// A realtime subscribe whose auth differs from the stream's.
    #[error("realtime authorization mismatch")]
    RealtimeAuthMismatch,

    /// A backup download without a valid superuser file token (or from an IP not in
    /// `superuserIPs`).
    #[error("insufficient permissions to access the backup")]
    BackupAccessDenied,

    // ---- too many (429) ----
    /// Too many `auth-with-otp` attempts for one record from one IP (429).
    #[error("too many OTP attempts")]
    OtpAttempts,

    // ---- what (404) ----
    /// No such collection for this endpoint.
    #[error("missing collection ({0:?})")]
    MissingCollection(CollectionLookup),
    /// No such resource (or one a rule hides).
    #[error("not found")]
    Missing,
    /// No such cron job.
    #[error("missing cron job")]
    MissingCronJob,
    /// No such realtime client.
    #[error("missing realtime client")]
    MissingRealtimeClient,

    // ---- explicit answers ----
    /// 400 with this message and field errors.
    #[error("{message}")]
    BadRequest {
        /// The top-level message.
        message: String,
        /// Per-field `validation_*` errors (may be empty).
        data: ValidationErrors,
    },
    /// 401 with this message.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 with this message.
    #[error("{0}")]
    Forbidden(String),
    /// 404 with this message.
    #[error("{0}")]
    NotFound(String),
    /// 413 with this message.
    #[error("{0}")]
    TooLarge(String),
    /// 429 with this message.
    #[error("{0}")]
    TooManyRequests(String),

    /// A `Range` outside the file (its size): HTTP 416.
    #[error("range not satisfiable (size {0})")]
    RangeNotSatisfiable(u64),

    // ---- 500 ----
    /// An internal failure; the cause is logged, never sent outside `--dev`.
    #[error("internal error: {0}")]
    Internal(Cause),
}

impl ServiceError {
    /// A 400 with only a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ServiceError::BadRequest {
            message: message.into(),
            data: ValidationErrors::new(),
        }
    }

    /// PocketBase's generic 404.
    pub fn not_found() -> Self {
        ServiceError::Missing
    }

    /// Field errors of a rejected input.
    pub fn invalid(input: Input, errors: ValidationErrors) -> Self {
        ServiceError::Invalid { input, errors }
    }

    /// An internal failure caused by `error`.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        ServiceError::Internal(Cause::new(error))
    }

    /// An internal failure described by `message`.
    pub fn internal_message(message: impl Into<String>) -> Self {
        ServiceError::Internal(Cause::message(message))
    }

    /// A request rejected without detail for the client, for `reason` (logged).
    pub fn rejected(reason: impl fmt::Display) -> Self {
        ServiceError::Rejected(Cause::message(reason.to_string()))
    }

    /// The field errors the answer carries, if any.
    pub fn field_errors(&self) -> Option<&ValidationErrors> {
        match self {
            ServiceError::Invalid { errors, .. } => Some(errors),
            ServiceError::BadRequest { data, .. } => Some(data),
            _ => None,
        }
    }
}

impl From<crate::db::DbError> for ServiceError {
    fn from(e: crate::db::DbError) -> Self {
        ServiceError::internal(e)
    }
}
