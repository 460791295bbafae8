//! Reading records through the API: the list (rule + filter + sort + page, totals from the
//! count cache) and the single-record lookup behind view, update and delete (a failing
//! rule is a 404: it is part of the lookup's `WHERE`).

use super::render::render_records;
use crate::App;
use crate::hooks::{RecordRequestEvent, RecordsListRequestEvent};
use crate::query::{ClientFilter, Gate, RecordQuery, RequestScope, check_superuser_only_fields};
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_ports::db::DbError;
use basalt_ports::hook::Chain;
use basalt_ports::{CollectionLookup, ListQuery, ListResult, RequestContext, ServiceError};
use serde_json::{Map, Value};

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

/// The number of items before `page` (saturating: a page past `i64::MAX` items is empty,
/// not an overflow).
pub(crate) fn offset(page: i64, per_page: i64) -> i64 {
    (page - 1).saturating_mul(per_page)
}

/// The total page count for `total` items.
pub(crate) fn total_pages(total: i64, per_page: i64) -> i64 {
    if per_page <= 0 {
        0
    } else {
        (total + per_page - 1) / per_page
    }
}

/// The collection `name` of the records endpoints.
pub(crate) fn collection(
    app: &App,
    name: &str,
    lookup: CollectionLookup,
) -> Result<CollectionRef, ServiceError> {
    app.find_collection(name)
        .ok_or(ServiceError::MissingCollection(lookup))
}

/// A query SQLite rejected: a filter or sort it cannot run (a JSON path it can't read, say)
/// is the client's 400, as in PocketBase; anything else stays a 500.
pub(crate) fn query_error(e: DbError) -> ServiceError {
    match e {
        DbError::Query(_) => ServiceError::rejected(e),
        other => other.into(),
    }
}

/// The record `id` of `c`, with the app's own authority (no rules).
pub(crate) async fn find_by_id(
    app: &App,
    c: &Collection,
    id: &str,
) -> Result<Option<Record>, DbError> {
    let q = RecordQuery::new(app, c).id(id).page(Some(1), 0).build();
    Ok(rows::select(app.db().as_ref(), c, &q).await?.pop())
}

/// The record `id` of `c` as the caller of `scope` may act on it under `gate` (a `null`
/// rule is 403; missing or hidden by the rule, 404).
pub(crate) async fn find_guarded(
    app: &App,
    c: &Collection,
    id: &str,
    gate: &Gate,
    scope: &mut RequestScope<'_>,
) -> Result<Record, ServiceError> {
    let q = RecordQuery::new(app, c)
        .id(id)
        .gated(gate, scope, "default")
        .await?
        .page(Some(1), 0)
        .build();
    rows::select(app.db().as_ref(), c, &q)
        .await?
        .pop()
        .ok_or(ServiceError::Missing)
}

/// `GET /api/collections/{c}/records`: a failing list rule filters silently, a `null` one
/// is 403 for all but superusers.
pub(crate) async fn list(
    app: &App,
    req: &RequestContext,
    collection: &str,
    query: ListQuery,
) -> Result<ListResult, ServiceError> {
    let c = self::collection(app, collection, CollectionLookup::Records)?;
    let (page, per_page) = page_bounds(&query);
    let gate = crate::query::gate(&c.rules.list, &req.auth).or_forbidden()?;
    let filter = ClientFilter::parse(query.filter.as_deref())?;
    check_superuser_only_fields(
        &req.auth,
        &[
            filter.as_ref().map(|f| f.text.as_str()),
            query.sort.as_deref(),
        ],
    )?;
    let mut scope = RequestScope::new(req);
    let q = RecordQuery::new(app, &c)
        .gated(&gate, &mut scope, "default")
        .await?
        .client_filter(filter.as_ref(), &mut scope)
        .await?
        .client_sort(query.sort.as_deref(), req.auth.is_superuser())?
        .page(Some(per_page), offset(page, per_page))
        .build();
    let records = rows::select(app.db().as_ref(), &c, &q)
        .await
        .map_err(query_error)?;
    let (total_items, total_pages) = if query.skip_total {
        (-1, -1)
    } else {
        let total = count(app, &q).await?;
        (total, self::total_pages(total, per_page))
    };
    let mut event = RecordsListRequestEvent {
        app: app.clone(),
        request: req.clone(),
        collection: c,
        records,
        result: None,
        chain: Chain::default(),
    };
    let empty = ListResult {
        page,
        per_page,
        total_items,
        total_pages,
        items: Vec::new(),
    };
    let template = empty.clone();
    app.hooks()
        .on_records_list_request
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                let records = std::mem::take(&mut e.records);
                let items =
                    render_records(&e.app, &e.collection, &e.request, &Map::new(), records).await?;
                e.result = Some(ListResult { items, ..template });
                Ok(())
            })
        })
        .await?;
    Ok(event.result.unwrap_or(empty))
}

/// The total of a list query, from the count cache while nothing was written (never
/// inside a transaction, whose uncommitted rows others don't see).
async fn count(app: &App, q: &crate::query::CompiledQuery) -> Result<i64, ServiceError> {
    let counts = app.count_cache();
    let cache = (!app.is_transactional()).then_some(counts);
    let (sql, params) = rows::count_statement(q);
    let key = crate::count_cache::CountCache::query_key(&sql, &params);
    if let Some(total) = cache.and_then(|c| c.get(&key)) {
        return Ok(total);
    }
    let version = counts.version();
    let total = rows::count(app.db().as_ref(), q)
        .await
        .map_err(query_error)?;
    if let Some(cache) = cache {
        cache.put(key, version, total);
    }
    Ok(total)
}

/// `GET /api/collections/{c}/records/{id}`.
pub(crate) async fn view(
    app: &App,
    req: &RequestContext,
    collection: &str,
    id: &str,
) -> Result<Value, ServiceError> {
    let c = self::collection(app, collection, CollectionLookup::Records)?;
    let gate = crate::query::gate(&c.rules.view, &req.auth).or_forbidden()?;
    let record = find_guarded(app, &c, id, &gate, &mut RequestScope::new(req)).await?;
    let mut event = RecordRequestEvent::new(app.clone(), req.clone(), Map::new(), c, record);
    app.hooks()
        .on_record_view_request
        .trigger(&mut event, |e| Box::pin(respond_with_record(e)))
        .await?;
    Ok(event.response.unwrap_or(Value::Null))
}

/// The default action of the view request (and the last step of create/update): the
/// record's response JSON.
pub(crate) async fn respond_with_record(e: &mut RecordRequestEvent) -> Result<(), ServiceError> {
    let mut items = render_records(
        &e.app,
        &e.collection,
        &e.request,
        &e.body,
        vec![e.record.clone()],
    )
    .await?;
    e.response = items.pop();
    Ok(())
}
