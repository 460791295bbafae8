//! Basalt's ports: the traits every side effect goes through (driven ports) and the service API
//! the HTTP adapter calls (driving ports). Traits only; implementations live in `adapters/*`
//! and in the `basalt` app crate. With the `mock` feature, `mockall` mocks of each trait.

pub mod auth_mail_api;
pub mod backups_api;
pub mod batch_api;
pub mod clock;
pub mod cron_api;
pub mod db;
pub mod docs;
pub mod error;
pub mod files;
pub mod files_api;
pub mod hook;
pub mod logs_api;
pub mod mail;
pub mod random;
pub mod rate_limit;
pub mod realtime;
pub mod restart;
pub mod service;
pub mod settings_api;

pub use auth_mail_api::AuthMailApi;
pub use backups_api::{BackupFile, BackupsApi};
pub use batch_api::{BatchApi, BatchRequest, BatchResult};
pub use clock::Clock;
pub use cron_api::{CronApi, CronJob};
pub use db::{Database, DbError, ExecResult, Row, Transaction};
pub use docs::{CollectionDoc, DocsApi};
pub use error::{Cause, CollectionLookup, Input, QueryParam};
pub use files_api::{FilesApi, RecordForm, Upload};
pub use logs_api::{LogsApi, LogsStat, RequestError, RequestLog};
pub use random::Random;
pub use rate_limit::{RateLimitRule, default_rate_limit_rules};
pub use realtime::{
    RealtimeApi, RealtimeConnection, RealtimeMessage, RealtimeStream, SubscribeForm,
};
pub use restart::{Restart, RestartError};
pub use service::{
    Auth, AuthApi, AuthResponse, CollectionsApi, ListQuery, ListResult, RecordsApi, RequestContext,
    ServiceError, Services,
};
pub use settings_api::SettingsApi;
