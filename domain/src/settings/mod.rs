//! Application settings as data: PocketBase's `core.Settings`, how a JSON body is laid over
//! them, and how they are validated. Storing, encrypting and caching them is the app's
//! (`basalt-core`'s `settings` module, which re-exports this one's items).
//!
//! - `model.rs`: the [`Settings`] struct and its defaults; serializing it leaves the secrets out.
//! - `rate_limit.rs`: [`RateLimitRule`], shared with the HTTP adapter's rate limiter.
//! - `patch.rs`: laying a JSON body over settings (`PATCH /api/settings`, the stored row).
//! - `validate.rs`, `checks.rs`, `cron.rs`: PocketBase's validation rules.

mod checks;
mod cron;
mod model;
mod patch;
mod rate_limit;
mod validate;

pub use model::{
    BackupsConfig, BatchConfig, LogsConfig, MetaConfig, OpenApiConfig, RateLimitsConfig, S3Config,
    Settings, SmtpConfig, TrustedProxyConfig,
};
pub use patch::LoadError;
pub use rate_limit::{RateLimitRule, default_rate_limit_rules};
