//! Pagination and sorting shared by the list endpoints.

use basalt_domain::collection::Collection;
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

/// Turns a `sort` parameter into an `ORDER BY` list over `c`'s columns: `-` descending,
/// `@random`, `@rowid`. Unknown fields are a 400.
pub(crate) fn order_by(c: &Collection, sort: Option<&str>) -> Result<Vec<String>, ServiceError> {
    let mut out = Vec::new();
    let Some(sort) = sort else { return Ok(out) };
    for key in sort.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let (name, dir) = match key.strip_prefix('-') {
            Some(rest) => (rest, "DESC"),
            None => (key.trim_start_matches('+'), "ASC"),
        };
        let expr = match name {
            "@random" => "RANDOM()".to_owned(),
            "@rowid" if !c.is_view() => "`_rowid_`".to_owned(),
            _ => match c.field(name) {
                Some(f) => ident(&f.name),
                None => {
                    tracing::debug!(field = name, "invalid sort field");
                    return Err(ServiceError::bad_request(
                        "Something went wrong while processing your request.",
                    ));
                }
            },
        };
        if expr == "RANDOM()" {
            out.push(expr);
        } else {
            out.push(format!("{expr} {dir}"));
        }
    }
    Ok(out)
}
