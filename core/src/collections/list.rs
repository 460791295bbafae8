//! The collections list: sorted in memory by a few keys, paginated.

use crate::records::read::{offset, total_pages};
use basalt_ports::{ListResult, ServiceError};
use serde_json::Value;

/// Sorts collection JSON by `name`, `created`, ... (`-` for descending).
pub(super) fn sort_json(items: &mut [Value], sort: &str) -> Result<(), ServiceError> {
    let keys: Vec<(String, bool)> = sort
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| match k.strip_prefix('-') {
            Some(rest) => (rest.to_owned(), true),
            None => (k.trim_start_matches('+').to_owned(), false),
        })
        .collect();
    const SORTABLE: [&str; 6] = ["id", "name", "type", "system", "created", "updated"];
    if keys.iter().any(|(k, _)| !SORTABLE.contains(&k.as_str())) {
        return Err(ServiceError::InvalidCollectionSort);
    }
    items.sort_by(|a, b| {
        for (k, desc) in &keys {
            let ord = a[k].to_string().cmp(&b[k].to_string());
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(())
}

/// One page of an in-memory list.
pub(super) fn paginate(
    items: Vec<Value>,
    page: i64,
    per_page: i64,
    skip_total: bool,
) -> ListResult {
    let total = items.len() as i64;
    let start = usize::try_from(offset(page, per_page)).unwrap_or(0);
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
