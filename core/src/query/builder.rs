//! [`RecordQuery`]: the conditions, order and page of one query over a collection's records,
//! compiled into a [`CompiledQuery`] that `crate::store::records` runs.

use super::filter::ClientFilter;
use super::rules::Gate;
use super::scope::RequestScope;
use crate::App;
use basalt_domain::collection::Collection;
use basalt_domain::filter::{
    CompileOptions, CompiledFilter, Expr, FilterContext, FilterError, RequestInfo, compile_expr,
    compile_filter_with, compile_sort,
};
use basalt_domain::record::Record;
use basalt_domain::schema::ident;
use basalt_domain::sql::SqlValue;
use basalt_ports::{QueryParam, ServiceError};
use serde_json::{Map, Value};

/// Where a query's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// The collection's table.
    Table,
    /// One row of these column values (a record that is not stored yet, for the create and
    /// manage rules, as PocketBase checks them), read as a CTE.
    Values(Vec<(String, SqlValue)>),
}

/// A query over the records of one collection, as SQL parts with bound parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledQuery {
    /// The name the rows go by (the table, or the CTE of [`Source::Values`]), quoted.
    pub(crate) alias: String,
    /// Where the rows come from.
    pub(crate) source: Source,
    /// `""`, or ` WHERE (…) AND (…)`.
    pub(crate) where_sql: String,
    /// The parameters of `where_sql`, in order.
    pub(crate) params: Vec<SqlValue>,
    /// `""`, or ` ORDER BY …`.
    pub(crate) order_sql: String,
    /// The parameters of `order_sql`, in order.
    pub(crate) order_params: Vec<SqlValue>,
    /// At most this many rows (`None`: all).
    pub(crate) limit: Option<i64>,
    /// Rows skipped first.
    pub(crate) offset: i64,
}

/// The alias of a [`Source::Values`] row.
const NEW_RECORD_ALIAS: &str = "__basalt_new";

/// Builds the query of one request (or one library call) over `collection`: its rule, the
/// client's filter, ids, sort and page. Conditions are ANDed in the order they are added.
pub(crate) struct RecordQuery<'a> {
    app: &'a App,
    collection: &'a Collection,
    alias: String,
    source: Source,
    conditions: Vec<CompiledFilter>,
    order: Vec<String>,
    order_params: Vec<SqlValue>,
    limit: Option<i64>,
    offset: i64,
}

impl<'a> RecordQuery<'a> {
    /// A query over the stored records of `collection`.
    pub(crate) fn new(app: &'a App, collection: &'a Collection) -> Self {
        Self::over(app, collection, ident(&collection.name), Source::Table)
    }

    /// A query over one row: `record` as it would be stored (not stored yet). As PocketBase
    /// does for its create rule, an auth record reads as unverified and a record without an
    /// id gets a temporary one.
    pub(crate) fn of_values(app: &'a App, collection: &'a Collection, record: &Record) -> Self {
        let mut values = record.clone();
        if collection.is_auth() {
            values.set("verified", Value::Bool(false));
        }
        if values.id().is_empty() {
            values.set("id", Value::from("__temp_id__basalt"));
        }
        let source = Source::Values(values.to_sql(collection));
        Self::over(app, collection, ident(NEW_RECORD_ALIAS), source)
    }

    fn over(app: &'a App, collection: &'a Collection, alias: String, source: Source) -> Self {
        Self {
            app,
            collection,
            alias,
            source,
            conditions: Vec::new(),
            order: Vec::new(),
            order_params: Vec::new(),
            limit: None,
            offset: 0,
        }
    }

    fn context<'c>(
        &'c self,
        info: &'c RequestInfo,
        params: &'c Map<String, Value>,
        collections: &'c [Collection],
    ) -> FilterContext<'c> {
        FilterContext {
            collection: self.collection,
            collections,
            request: info,
            now: self.app.now_datetime(),
            params,
            table_alias: &self.alias,
        }
    }

    /// Compiles a trusted expression (a rule) for `info`.
    pub(crate) fn compile_rule(
        &self,
        expr: &str,
        info: &RequestInfo,
    ) -> Result<CompiledFilter, FilterError> {
        let collections = self.app.collections();
        let params = Map::new();
        let ctx = self.context(info, &params, &collections);
        compile_filter_with(expr, &ctx, CompileOptions::default())
    }

    /// Compiles a client's parsed filter for `info`; hidden fields only for superusers
    /// (`allow_hidden`).
    pub(crate) fn compile_client_filter(
        &self,
        expr: &Expr,
        info: &RequestInfo,
        allow_hidden: bool,
    ) -> Result<CompiledFilter, FilterError> {
        let collections = self.app.collections();
        let params = Map::new();
        let ctx = self.context(info, &params, &collections);
        let opts = CompileOptions {
            allow_hidden_fields: allow_hidden,
        };
        compile_expr(expr, &ctx, opts)
    }

    /// Adds a compiled condition.
    pub(crate) fn and(mut self, condition: CompiledFilter) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Restricts the rows to those `gate` lets the caller of `scope` reach (`context` is
    /// `@request.context`). A `null` rule is [`ServiceError::SuperusersOnly`]; a rule that
    /// does not compile is PocketBase's generic 400.
    pub(crate) async fn gated(
        self,
        gate: &Gate,
        scope: &mut RequestScope<'_>,
        context: &str,
    ) -> Result<Self, ServiceError> {
        match gate {
            Gate::Allow => Ok(self),
            Gate::SuperusersOnly => Err(ServiceError::SuperusersOnly),
            Gate::Expr(expr) => {
                let info = scope.info(self.app, context).await?;
                let condition = self
                    .compile_rule(expr, info)
                    .map_err(ServiceError::rejected)?;
                Ok(self.and(condition))
            }
        }
    }

    /// Adds the client's `filter` (if any): hidden fields only for superusers; one that does
    /// not compile is [`ServiceError::InvalidParam`].
    pub(crate) async fn client_filter(
        self,
        filter: Option<&ClientFilter>,
        scope: &mut RequestScope<'_>,
    ) -> Result<Self, ServiceError> {
        let Some(filter) = filter else {
            return Ok(self);
        };
        let allow_hidden = scope.auth().is_superuser();
        let info = scope.info(self.app, "default").await?;
        let condition = self
            .compile_client_filter(&filter.expr, info, allow_hidden)
            .map_err(|e| ServiceError::InvalidParam {
                param: QueryParam::Filter,
                reason: e.to_string(),
            })?;
        Ok(self.and(condition))
    }

    /// Adds a trusted filter of the Rust query API: no request, hidden fields allowed,
    /// `{:name}` placeholders bound from `params`. An empty filter adds nothing.
    pub(crate) fn trusted_filter(
        self,
        expr: &str,
        params: &Map<String, Value>,
    ) -> Result<Self, FilterError> {
        if expr.trim().is_empty() {
            return Ok(self);
        }
        let collections = self.app.collections();
        let info = RequestInfo::default();
        let ctx = self.context(&info, params, &collections);
        let condition = compile_filter_with(expr, &ctx, CompileOptions::default())?;
        Ok(self.and(condition))
    }

    /// Only the record `id`.
    pub(crate) fn id(self, id: &str) -> Self {
        let sql = format!("{}.`id` = ?", self.alias);
        self.and(CompiledFilter {
            sql,
            params: vec![SqlValue::from(id)],
        })
    }

    /// Only the records with these ids.
    pub(crate) fn ids(self, ids: &[&str]) -> Self {
        let sql = format!("{}.`id` IN (SELECT value FROM json_each(?))", self.alias);
        let list = Value::from(ids.to_vec()).to_string();
        self.and(CompiledFilter {
            sql,
            params: vec![SqlValue::from(list.as_str())],
        })
    }

    /// Every record but `id`.
    pub(crate) fn except(self, id: &str) -> Self {
        let sql = format!("{}.`id` != ?", self.alias);
        self.and(CompiledFilter {
            sql,
            params: vec![SqlValue::from(id)],
        })
    }

    /// Only the records whose field `field` (a field of the collection) equals `value`.
    pub(crate) fn field_equals(self, field: &str, value: SqlValue) -> Self {
        debug_assert!(self.collection.field(field).is_some());
        let sql = format!("{}.{} = ?", self.alias, ident(field));
        self.and(CompiledFilter {
            sql,
            params: vec![value],
        })
    }

    /// [`RecordQuery::field_equals`] compared `COLLATE NOCASE` (a column whose unique index
    /// is case-insensitive).
    pub(crate) fn field_equals_nocase(self, field: &str, value: SqlValue) -> Self {
        debug_assert!(self.collection.field(field).is_some());
        let sql = format!("{}.{} = ? COLLATE NOCASE", self.alias, ident(field));
        self.and(CompiledFilter {
            sql,
            params: vec![value],
        })
    }

    /// Only the records whose relation field `field` holds `id` (`multiple`: the field is a
    /// list of ids).
    pub(crate) fn referencing(self, field: &str, multiple: bool, id: &str) -> Self {
        debug_assert!(self.collection.field(field).is_some());
        let col = format!("{}.{}", self.alias, ident(field));
        let sql = if multiple {
            format!(
                "EXISTS (SELECT 1 FROM json_each(CASE WHEN iif(json_valid({col}), json_type({col})='array', FALSE) THEN {col} ELSE json_array({col}) END) __je WHERE __je.value = ?)"
            )
        } else {
            format!("{col} = ?")
        };
        self.and(CompiledFilter {
            sql,
            params: vec![SqlValue::from(id)],
        })
    }

    /// Orders by a `sort` parameter: `-` descending, `@random`, `@rowid`, and any field path
    /// the filter language resolves (relations, back-relations, JSON paths, `:lower`,
    /// `:length`). Unknown keys, and hidden fields unless `allow_hidden`, are errors (for a
    /// client's `sort`, [`RecordQuery::client_sort`] answers them).
    pub(crate) fn sort(
        mut self,
        sort: Option<&str>,
        allow_hidden: bool,
    ) -> Result<Self, FilterError> {
        let Some(sort) = sort else { return Ok(self) };
        let collections = self.app.collections();
        let info = RequestInfo::default();
        let params = Map::new();
        let ctx = self.context(&info, &params, &collections);
        let opts = CompileOptions {
            allow_hidden_fields: allow_hidden,
        };
        let mut order = Vec::new();
        let mut order_params = Vec::new();
        for key in sort.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let (name, dir) = match key.strip_prefix('-') {
                Some(rest) => (rest, "DESC"),
                None => (key.trim_start_matches('+'), "ASC"),
            };
            match name {
                "@random" => order.push("RANDOM()".to_owned()),
                "@rowid" if !self.collection.is_view() => {
                    order.push(format!("{}.`_rowid_` {dir}", self.alias));
                }
                path => {
                    let compiled = compile_sort(path, &ctx, opts)?;
                    order.push(format!("{} {dir}", compiled.sql));
                    order_params.extend(compiled.params);
                }
            }
        }
        self.order.extend(order);
        self.order_params.extend(order_params);
        Ok(self)
    }

    /// [`RecordQuery::sort`] for a client's `sort` parameter: a bad key is
    /// [`ServiceError::InvalidParam`].
    pub(crate) fn client_sort(
        self,
        sort: Option<&str>,
        allow_hidden: bool,
    ) -> Result<Self, ServiceError> {
        self.sort(sort, allow_hidden)
            .map_err(|e| ServiceError::InvalidParam {
                param: QueryParam::Sort,
                reason: e.to_string(),
            })
    }

    /// At most `limit` rows (`None`: all), after skipping `offset`.
    pub(crate) fn page(mut self, limit: Option<i64>, offset: i64) -> Self {
        self.limit = limit;
        self.offset = offset.max(0);
        self
    }

    /// The query's SQL parts.
    pub(crate) fn build(self) -> CompiledQuery {
        let mut where_sql = String::new();
        let mut params = Vec::new();
        for (i, c) in self.conditions.into_iter().enumerate() {
            where_sql.push_str(if i == 0 { " WHERE (" } else { " AND (" });
            where_sql.push_str(&c.sql);
            where_sql.push(')');
            params.extend(c.params);
        }
        let order_sql = if self.order.is_empty() {
            String::new()
        } else {
            format!(" ORDER BY {}", self.order.join(", "))
        };
        CompiledQuery {
            alias: self.alias,
            source: self.source,
            where_sql,
            params,
            order_sql,
            order_params: self.order_params,
            limit: self.limit,
            offset: self.offset,
        }
    }
}
