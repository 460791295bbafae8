//! Reading logs: `_logs` described as a collection (`id`, `created`, `level`, `message`,
//! `data` — a JSON field, so `data.status`-style paths resolve), so that a client's
//! `filter` and `sort` go through the domain's filter compiler with every value bound.

use crate::App;
use crate::records::read::{offset, page_bounds, total_pages};
use crate::store::logs as store;
use basalt_domain::collection::Collection;
use basalt_domain::filter::{
    CompileOptions, CompiledFilter, FilterContext, FilterError, RequestInfo, compile_filter,
    compile_sort,
};
use basalt_ports::db::{Row, SqlValue};
use basalt_ports::{ListQuery, ListResult, LogsStat, ServiceError};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// How the queries name the table (filter columns are written `` `_logs`.`col` ``).
const ALIAS: &str = "`_logs`";

/// `_logs` as a collection the filter compiler understands.
fn logs_collection() -> Option<&'static Collection> {
    static LOGS: OnceLock<Option<Collection>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let json = json!({
            "id": "_pb_logs_", "name": "_logs", "type": "base", "system": true,
            "fields": [
                {"name": "id", "type": "text", "primaryKey": true, "system": true,
                 "required": true, "min": 15, "max": 15, "pattern": "^[a-z0-9]+$",
                 "autogeneratePattern": "[a-z0-9]{15}"},
                {"name": "created", "type": "text"},
                {"name": "level", "type": "number"},
                {"name": "message", "type": "text"},
                {"name": "data", "type": "json"},
            ],
        });
        Collection::from_json(&json).ok()
    })
    .as_ref()
}

/// The error when the `_logs` description did not build (it always does).
fn unavailable() -> FilterError {
    FilterError::Invalid {
        message: "the logs schema is not available".to_owned(),
    }
}

/// A `filter` over `_logs` compiled to a condition (`1=1` when empty).
fn compile_condition(app: &App, filter: Option<&str>) -> Result<CompiledFilter, FilterError> {
    let collection = logs_collection().ok_or_else(unavailable)?;
    let request = RequestInfo::default();
    let params = Map::new();
    let ctx = FilterContext {
        collection,
        collections: &[],
        request: &request,
        now: app.now_datetime(),
        params: &params,
        table_alias: ALIAS,
    };
    compile_filter(filter.unwrap_or(""), &ctx)
}

/// A `sort` over `_logs` compiled to an `ORDER BY` list and its parameters: `-` for
/// descending, `@random`, `@rowid`, and the fields (and `data.*` paths).
fn compile_order(app: &App, sort: Option<&str>) -> Result<(String, Vec<SqlValue>), FilterError> {
    let collection = logs_collection().ok_or_else(unavailable)?;
    let request = RequestInfo::default();
    let params = Map::new();
    let ctx = FilterContext {
        collection,
        collections: &[],
        request: &request,
        now: app.now_datetime(),
        params: &params,
        table_alias: ALIAS,
    };
    let mut order = Vec::new();
    let mut order_params = Vec::new();
    for key in sort.unwrap_or("").split(',').map(str::trim) {
        if key.is_empty() {
            continue;
        }
        let (name, dir) = match key.strip_prefix('-') {
            Some(rest) => (rest, "DESC"),
            None => (key.trim_start_matches('+'), "ASC"),
        };
        match name {
            "@random" => order.push("RANDOM()".to_owned()),
            "@rowid" => order.push(format!("{ALIAS}.`_rowid_` {dir}")),
            path => {
                let compiled = compile_sort(path, &ctx, CompileOptions::default())?;
                order.push(format!("{} {dir}", compiled.sql));
                order_params.extend(compiled.params);
            }
        }
    }
    Ok((order.join(", "), order_params))
}

/// A `_logs` row as the API shows it: `{id, created, data, message, level}`.
fn log_json(row: &Row) -> Value {
    let data = serde_json::from_str::<Value>(row.text("data")).unwrap_or_else(|_| json!({}));
    let mut out = Map::new();
    out.insert("id".into(), row.text("id").into());
    out.insert("created".into(), row.text("created").into());
    out.insert("data".into(), data);
    out.insert("message".into(), row.text("message").into());
    out.insert(
        "level".into(),
        row.get("level")
            .and_then(SqlValue::as_i64)
            .unwrap_or(0)
            .into(),
    );
    Value::Object(out)
}

/// A rejected list request: PocketBase's generic 400, the reason kept for the log.
fn rejected(reason: impl std::fmt::Display) -> ServiceError {
    ServiceError::rejected(reason)
}

/// `GET /api/logs`: a page of logs. A filter or sort that does not compile, or that
/// SQLite cannot run, is PocketBase's generic 400.
pub(super) async fn list(app: &App, query: &ListQuery) -> Result<ListResult, ServiceError> {
    let (page, per_page) = page_bounds(query);
    let condition = compile_condition(app, query.filter.as_deref()).map_err(rejected)?;
    let (order, order_params) = compile_order(app, query.sort.as_deref()).map_err(rejected)?;
    let aux = app.auxiliary_db().as_ref();
    let rows = store::select(
        aux,
        &condition.sql,
        &condition.params,
        &order,
        &order_params,
        per_page,
        offset(page, per_page),
    )
    .await
    .map_err(rejected)?;
    let (total_items, total_pages) = if query.skip_total {
        (-1, -1)
    } else {
        let total = store::count(aux, &condition.sql, &condition.params)
            .await
            .map_err(rejected)?;
        (total, total_pages(total, per_page))
    };
    Ok(ListResult {
        page,
        per_page,
        total_items,
        total_pages,
        items: rows.iter().map(log_json).collect(),
    })
}

/// `GET /api/logs/{id}`: the log, or PocketBase's 404.
pub(super) async fn view(app: &App, id: &str) -> Result<Value, ServiceError> {
    if id.is_empty() {
        return Err(ServiceError::Missing);
    }
    match store::find(app.auxiliary_db().as_ref(), id).await {
        Ok(Some(row)) => Ok(log_json(&row)),
        Ok(None) => Err(ServiceError::Missing),
        Err(e) => {
            tracing::debug!(error = %e, "log lookup failed");
            Err(ServiceError::Missing)
        }
    }
}

/// `GET /api/logs/stats`: counts per hour of the logs matching `filter`.
pub(super) async fn stats(app: &App, filter: Option<&str>) -> Result<Vec<LogsStat>, ServiceError> {
    let condition = compile_condition(app, filter.filter(|f| !f.is_empty()))
        .map_err(|e| ServiceError::InvalidLogsFilter(e.to_string()))?;
    let rows = store::stats(
        app.auxiliary_db().as_ref(),
        &condition.sql,
        &condition.params,
    )
    .await
    .map_err(|e| ServiceError::LogsStatsFailed(basalt_ports::Cause::new(e)))?;
    Ok(rows
        .iter()
        .map(|row| LogsStat {
            total: row.get("total").and_then(SqlValue::as_i64).unwrap_or(0),
            date: format!("{}.000Z", row.text("date")),
        })
        .collect())
}
