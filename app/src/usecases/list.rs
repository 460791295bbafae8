//! Pagination and sorting shared by the list endpoints.

use basalt_domain::collection::Collection;
use basalt_domain::field::FieldKind;
use basalt_domain::schema::ident;
use basalt_ports::{ListQuery, ListResult, ServiceError};
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

/// How deep a sort may follow relations (`a.b.c.d.e.f.field`).
const MAX_SORT_DEPTH: usize = 6;

/// Turns a `sort` parameter into an `ORDER BY` list over `c`'s table: `-` descending,
/// `@random`, `@rowid`, and relation paths through single relations (`author.team.name`,
/// as correlated subqueries). Unknown fields, and hidden ones unless `allow_hidden`, are a 400.
pub(crate) fn order_by(
    c: &Collection,
    sort: Option<&str>,
    allow_hidden: bool,
    collections: &[Collection],
) -> Result<Vec<String>, ServiceError> {
    let mut out = Vec::new();
    let Some(sort) = sort else { return Ok(out) };
    for key in sort.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let (name, dir) = match key.strip_prefix('-') {
            Some(rest) => (rest, "DESC"),
            None => (key.trim_start_matches('+'), "ASC"),
        };
        let expr = match name {
            "@random" => {
                out.push("RANDOM()".to_owned());
                continue;
            }
            "@rowid" if !c.is_view() => format!("{}.`_rowid_`", ident(&c.name)),
            path => sort_path(c, path, allow_hidden, collections).ok_or_else(|| {
                tracing::debug!(field = path, "invalid sort field");
                ServiceError::bad_request("Something went wrong while processing your request.")
            })?,
        };
        out.push(format!("{expr} {dir}"));
    }
    Ok(out)
}

/// The SQL value of `path` for a row of `c`, or `None` when it names no visible field.
fn sort_path(
    c: &Collection,
    path: &str,
    allow_hidden: bool,
    collections: &[Collection],
) -> Option<String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() > MAX_SORT_DEPTH + 1 {
        return None;
    }
    let mut current = c;
    let mut expr = String::new();
    for (i, part) in parts.iter().enumerate() {
        let field = current.field(part).filter(|f| allow_hidden || !f.hidden)?;
        if i == 0 {
            expr = format!("{}.{}", ident(&c.name), ident(&field.name));
        } else {
            let alias = ident(&format!("__s{i}"));
            expr = format!(
                "(SELECT {alias}.{} FROM {} AS {alias} WHERE {alias}.`id` = {expr})",
                ident(&field.name),
                ident(&current.name)
            );
        }
        if i + 1 < parts.len() {
            let FieldKind::Relation(opts) = &field.kind else {
                return None;
            };
            if field.is_multiple() {
                return None;
            }
            current = collections.iter().find(|o| o.id == opts.collection_id)?;
        }
    }
    Some(expr)
}
