//! Running a batch: every request in order on one transactional app, through the record
//! API's own use cases (rules, validation, hooks, files), the whole bounded by the batch
//! timeout. The first failing request stops the run and rolls everything back; realtime
//! events and `after_*_success` hooks leave only after the commit, as on any write.

use super::action::{self, Action};
use crate::App;
use crate::error::AppError;
use crate::records::{delete, read, write};
use basalt_ports::{
    BatchRequest, BatchResult, CollectionLookup, RecordForm, RequestContext, ServiceError,
};
use serde_json::{Map, Value};
use std::time::Duration;

/// Runs `requests` for the caller of `req` in one transaction of `app`, within `timeout`.
pub(crate) async fn run(
    app: &App,
    req: &RequestContext,
    requests: Vec<BatchRequest>,
    timeout: Duration,
) -> Result<Vec<BatchResult>, ServiceError> {
    app.run_in_transaction(|tx| async move {
        match tokio::time::timeout(timeout, run_all(&tx, req, requests)).await {
            Ok(Ok(results)) => Ok(results),
            Ok(Err(e)) => Err(AppError::Service(e)),
            Err(_elapsed) => Err(AppError::Service(ServiceError::BatchTimeout)),
        }
    })
    .await
    .map_err(ServiceError::from)
}

/// Each request in turn; the first failure names its index.
async fn run_all(
    tx: &App,
    req: &RequestContext,
    requests: Vec<BatchRequest>,
) -> Result<Vec<BatchResult>, ServiceError> {
    let mut results = Vec::with_capacity(requests.len());
    for (index, request) in requests.into_iter().enumerate() {
        match run_one(tx, req, request).await {
            Ok(result) => results.push(result),
            Err(error) => {
                return Err(ServiceError::BatchRequestFailed {
                    index,
                    error: Box::new(as_answered(index, error)),
                });
            }
        }
    }
    Ok(results)
}

/// A failed request's error as PocketBase answers it inside a batch: a missing collection
/// is the records lookup's 404 (PocketBase's batch actions skip the route's collection
/// middleware), and an unknown action after the first request is a 500 (PocketBase runs
/// each request inside the previous one's handler, which wraps errors that carry no
/// status as internal ones).
fn as_answered(index: usize, error: ServiceError) -> ServiceError {
    match error {
        ServiceError::MissingCollection(CollectionLookup::RecordsWrite) => {
            ServiceError::MissingCollection(CollectionLookup::Records)
        }
        ServiceError::UnknownBatchAction if index > 0 => {
            ServiceError::internal_message("unknown batch request action")
        }
        other => other,
    }
}

/// One request: its action run as the route would run it, with its own method, query and
/// headers (its `Authorization` header is ignored: the batch's caller is the caller).
async fn run_one(
    tx: &App,
    base: &RequestContext,
    request: BatchRequest,
) -> Result<BatchResult, ServiceError> {
    let BatchRequest {
        method,
        url,
        headers,
        body,
        files,
    } = request;
    let (action, query) = action::parse(&method, &url).ok_or(ServiceError::UnknownBatchAction)?;
    let action = match action {
        Action::Upsert { collection } => upsert_target(tx, collection, &body).await?,
        other => other,
    };
    let mut req = base.clone();
    req.query = query;
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("authorization") {
            req.headers
                .insert(name.to_ascii_lowercase(), Value::String(value));
        }
    }
    let files = files
        .into_iter()
        .map(|up| crate::files::uploads::renamed_as_stored(tx, up))
        .collect::<Result<Vec<_>, AppError>>()?;
    let form = RecordForm { body, files };
    match action {
        Action::Create { collection } | Action::Upsert { collection } => {
            req.method = "POST".into();
            let body = write::create(tx, &req, &collection, form).await?;
            Ok(BatchResult { status: 200, body })
        }
        Action::Update { collection, id } => {
            req.method = "PATCH".into();
            let body = write::update(tx, &req, &collection, &id, form).await?;
            Ok(BatchResult { status: 200, body })
        }
        Action::Delete { collection, id } => {
            req.method = "DELETE".into();
            delete::delete(tx, &req, &collection, &id).await?;
            Ok(BatchResult {
                status: 204,
                body: Value::Null,
            })
        }
    }
}

/// An upsert as what it does: an update when the body's `id` names a stored record of the
/// collection (found without rules, as PocketBase looks it up), otherwise a create.
async fn upsert_target(
    tx: &App,
    collection: String,
    body: &Map<String, Value>,
) -> Result<Action, ServiceError> {
    let id = match body.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    };
    if !id.is_empty()
        && let Some(c) = tx.find_collection(&collection)
        && read::find_by_id(tx, &c, &id).await?.is_some()
    {
        return Ok(Action::Update { collection, id });
    }
    Ok(Action::Create { collection })
}
