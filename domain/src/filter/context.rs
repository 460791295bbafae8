//! What a filter is compiled against: the collection, the request and the injected clock.

use crate::collection::Collection;
use crate::sql::SqlValue;
use serde_json::{Map, Value};

/// The request data `@request.*` reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestInfo {
    /// The authenticated record, `None` for guests.
    pub auth: Option<AuthInfo>,
    /// The HTTP method, upper case (`GET`, `POST`, ...).
    pub method: String,
    /// The query parameters (first value of each).
    pub query: Map<String, Value>,
    /// The request headers; looked up case-insensitively with `-` read as `_`.
    pub headers: Map<String, Value>,
    /// The submitted body (create / update data).
    pub body: Map<String, Value>,
    /// The request context (`default`, `oauth2`, `otp`, `password`, `realtime`, `protectedFile`).
    pub context: String,
}

/// The authenticated record behind `@request.auth.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthInfo {
    /// Its collection (shared: it comes from the app's schema cache).
    pub collection: std::sync::Arc<Collection>,
    /// Its field values (including `id`), as stored.
    pub record: Map<String, Value>,
}

impl AuthInfo {
    /// The record id (`""` when missing).
    pub fn id(&self) -> &str {
        self.record.get("id").and_then(Value::as_str).unwrap_or("")
    }
}

/// Everything [`compile_filter`](super::compile_filter) needs besides the expression.
#[derive(Debug, Clone, Copy)]
pub struct FilterContext<'a> {
    /// The collection whose records are filtered.
    pub collection: &'a Collection,
    /// Every collection, for relations, back-relations and `@collection.*`.
    pub collections: &'a [Collection],
    /// The request `@request.*` reads.
    pub request: &'a RequestInfo,
    /// The time the datetime macros (`@now`, `@todayStart`, ...) are computed from.
    pub now: chrono::DateTime<chrono::Utc>,
    /// Values of `{:name}` placeholders.
    pub params: &'a Map<String, Value>,
    /// How the outer query names the filtered table, e.g. `` `posts` ``; main-table columns
    /// are written `` {table_alias}.`col` ``.
    pub table_alias: &'a str,
}

/// A compiled filter: a boolean SQL expression and the values of its `?` placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledFilter {
    /// The SQL expression, for a `WHERE` clause; self-contained (parenthesized as needed).
    pub sql: String,
    /// One value per `?` in `sql`, in order.
    pub params: Vec<SqlValue>,
}

/// Knobs of [`compile_filter_with`](super::compile_filter_with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompileOptions {
    /// Trusted expressions (API rules, superuser filters) may read hidden fields and any
    /// related collection. When `false` (a client `?filter=` of a non-superuser), as in
    /// PocketBase: hidden fields are rejected, an auth collection's `email` only matches
    /// where `emailVisibility` is on, and rows of related collections only count when the
    /// caller may list them (their list rule; `null` list rule → rejected).
    pub allow_hidden_fields: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            allow_hidden_fields: true,
        }
    }
}
