//! Basalt's pure core: collections, fields, records, validation, token claims, settings and
//! cron expressions.
//! No I/O, no async, no clock or randomness of its own: callers pass them in.

pub mod collection;
pub mod cron;
pub mod datetime;
pub mod error;
pub mod field;
pub mod files;
pub mod filter;
pub mod net;
pub mod oauth2;
pub mod pattern;
pub mod query;
pub mod record;
pub mod record_files;
mod record_uploads;
pub mod schema;
pub mod settings;
pub mod sql;
pub mod token;

#[cfg(test)]
mod record_tests;
#[cfg(test)]
mod schema_tests;
