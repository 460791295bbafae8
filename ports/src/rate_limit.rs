//! Rate-limit rules (PocketBase's `RateLimitRule`): part of the settings model in
//! `basalt_domain::settings`, enforced by the HTTP adapter; re-exported here, where the
//! adapter has always found them.

pub use basalt_domain::settings::{RateLimitRule, default_rate_limit_rules};
