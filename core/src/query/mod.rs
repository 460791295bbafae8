//! The record query builder: the one place where "the records of this collection that this
//! caller may see or act on, filtered and sorted" becomes SQL conditions with bound
//! parameters. List, view, count, update and delete lookups, expand, the realtime checks,
//! the create rule, the manage rule and the Rust query API all build their queries here;
//! `crate::store::records` runs them.
//!
//! - [`rules`]: what an API rule asks of a caller ([`Gate`]: anyone, superusers only, or a
//!   condition), and the superuser-only parts of a client's `filter`/`sort`.
//! - [`scope`]: the caller's `@request` data, built once per request when a rule or
//!   filter first needs it.
//! - [`filter`]: a client's `filter`, parsed once per request.
//! - [`builder`]: [`RecordQuery`], which adds the rule, the filter, ids, sort and page of
//!   one query and compiles them into a [`CompiledQuery`].

mod builder;
mod filter;
mod rules;
mod scope;

pub(crate) use builder::{CompiledQuery, RecordQuery, Source};
pub(crate) use filter::ClientFilter;
pub(crate) use rules::{Gate, check_superuser_only_fields, gate, manage_rule, require_superuser};
pub(crate) use scope::RequestScope;
