//! Pagination and sorting shared by the list endpoints.

use super::access::invalid_param;
use crate::App;
use basalt_domain::collection::Collection;
use basalt_domain::filter::{CompileOptions, FilterContext, RequestInfo, compile_sort};
use basalt_domain::schema::ident;
use basalt_ports::db::SqlValue;
use basalt_ports::{ListQuery, ListResult, ServiceError};
use serde_json::Map;
use serde_json::Value;

/// PocketBase's default page size.
pub(crate) const DEFAULT_PER_PAGE: i64 = 30;
/// PocketBase's largest page size.
pub(crate) const MAX_PER_PAGE: i64 = 1000;

/// The effective `(page, perPage)`: page ≥ 1, perPage in 1..=1000 (default 30).
pub(crate) fn page_bounds(q: &ListQuery) -> (i64, i64) {
    let page = q.page.filter(|p| *p > 0).unwrap_or(1);
    let per_page = match q.per_page {
        Some(p) if p > 0 => p.min(MAX_PER_PAGE),
        _ => DEFAULT_PER_PAGE,
    };
    (page, per_page)
}

/// The total page count for `total` items.
pub(crate) fn total_pages(total: i64, per_page: i64) -> i64 {
    if per_page <= 0 {
        0
    } else {
        (total + per_page - 1) / per_page
    }
}

/// Paginates an in-memory list.
pub(crate) fn paginate(
    items: Vec<Value>,
    page: i64,
    per_page: i64,
    skip_total: bool,
) -> ListResult {
    let total = items.len() as i64;
    let start = ((page - 1) * per_page).max(0) as usize;
    let items: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    let (total_items, total_pages) = if skip_total {
        (-1, -1)
    } else {
        (total, total_pages(total, per_page))
    };
    ListResult {
        page,
        per_page,
        total_items,
        total_pages,
        items,
    }
}

impl App {
    /// Turns a `sort` parameter into an `ORDER BY` list over `c`'s table (referred to by its
    /// name): `-` descending, `@random`, `@rowid`, and any field path the filter language
    /// resolves (relations, back-relations, JSON paths, `:lower`, `:length`), with bound
    /// parameters appended to `params`. Unknown keys, and hidden fields unless
    /// `allow_hidden`, are PocketBase's generic 400.
    pub(crate) fn order_by(
        &self,
        c: &Collection,
        sort: Option<&str>,
        allow_hidden: bool,
        params: &mut Vec<SqlValue>,
    ) -> Result<Vec<String>, ServiceError> {
        let mut out = Vec::new();
        let Some(sort) = sort else { return Ok(out) };
        let alias = ident(&c.name);
        let collections = self.collections();
        let request = RequestInfo::default();
        let no_params = Map::new();
        let ctx = FilterContext {
            collection: c,
            collections: &collections,
            request: &request,
            now: self.now_datetime(),
            params: &no_params,
            table_alias: &alias,
        };
        for key in sort.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let (name, dir) = match key.strip_prefix('-') {
                Some(rest) => (rest, "DESC"),
                None => (key.trim_start_matches('+'), "ASC"),
            };
            match name {
                "@random" => out.push("RANDOM()".to_owned()),
                "@rowid" if !c.is_view() => out.push(format!("{alias}.`_rowid_` {dir}")),
                path => {
                    let compiled = compile_sort(
                        path,
                        &ctx,
                        CompileOptions {
                            allow_hidden_fields: allow_hidden,
                        },
                    )
                    .map_err(|e| invalid_param("sort", e))?;
                    out.push(format!("{} {dir}", compiled.sql));
                    params.extend(compiled.params);
                }
            }
        }
        Ok(out)
    }
}
