//! `POST /api/batch`: record creates, updates, upserts and deletes in one transaction
//! (`settings.batch`). The body is a JSON `{"requests": [...]}`, or `multipart/form-data`
//! with that JSON as `@jsonPayload` and the files of request N as `requests.N.field` parts.
//! Batches have their own body limit (`settings.batch.maxBodySize`), checked here after
//! the batch is known to be allowed, so the global body limit leaves this route alone.

use super::{ApiTags, api};
use crate::auth::request_context;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::{BatchRequest, RecordForm, ServiceError};
use poem::web::Data;
use poem::{Body, Request, RequestBody};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, Object, OpenApi};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The batch route.
pub(crate) struct BatchRoutes;

/// One request of a batch.
#[derive(Object)]
struct BatchRequestDoc {
    /// `POST` (create), `PUT` (upsert), `PATCH` (update) or `DELETE`.
    method: String,
    /// The record action's path and query, e.g. `/api/collections/posts/records?expand=author`.
    url: String,
    /// Headers for this request (its `Authorization` is ignored: the batch's caller acts).
    headers: Option<BTreeMap<String, String>>,
    /// The record body.
    body: Option<BTreeMap<String, Value>>,
}

/// A batch body.
#[derive(Object)]
struct BatchBodyDoc {
    /// The requests, run in order (at most `settings.batch.maxRequests`).
    requests: Vec<BatchRequestDoc>,
}

/// One request's answer.
#[derive(Object)]
struct BatchResultDoc {
    /// 200, or 204 for a delete.
    status: u16,
    /// The record as the route would answer it (`null` for a delete).
    body: Value,
}

/// The batch body, not read yet: the route checks the settings first.
struct BatchBody(Body);

impl<'a> ApiExtractor<'a> for BatchBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        BatchBodyDoc::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        let multipart = MetaSchema {
            additional_properties: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY)))),
            ..MetaSchema::new("object")
        };
        Some(MetaRequest {
            description: Some(
                "`{\"requests\": [...]}`; as `multipart/form-data`, that JSON in `@jsonPayload` and the files of request N as `requests.N.field`.",
            ),
            content: vec![
                MetaMediaType {
                    content_type: "application/json",
                    schema: BatchBodyDoc::schema_ref(),
                },
                MetaMediaType {
                    content_type: "multipart/form-data",
                    schema: MetaSchemaRef::Inline(Box::new(multipart)),
                },
            ],
            required: true,
        })
    }

    async fn from_request(
        _request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Ok(BatchBody(body.take().unwrap_or_default()))
    }
}

#[OpenApi]
impl BatchRoutes {
    /// Runs record creates (`POST`), upserts (`PUT`), updates (`PATCH`) and deletes
    /// (`DELETE`) in one transaction: all of them, or none (the failed one is named in
    /// `data.requests`).
    #[oai(
        path = "/batch",
        method = "post",
        operation_id = "batch",
        tag = "ApiTags::Batch"
    )]
    async fn batch(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        body: BatchBody,
    ) -> Result<Json<Vec<BatchResultDoc>>, ApiError> {
        let limit = api(s.batch_body_limit(), &cfg)?;
        let declared = req
            .header(poem::http::header::CONTENT_LENGTH)
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            crate::middleware::drain(body.0, usize::try_from(limit).unwrap_or(usize::MAX)).await;
            return Err(ApiError::too_large());
        }
        let requests = read_requests(req, body.0, limit).await?;
        let results = api(s.batch(&request_context(req), requests).await, &cfg)?;
        Ok(Json(
            results
                .into_iter()
                .map(|r| BatchResultDoc {
                    status: r.status,
                    body: r.body,
                })
                .collect(),
        ))
    }
}

/// The batch's requests from a JSON or multipart body of at most `limit` bytes; a body that
/// cannot be read (malformed, wrong types, over the limit) is PocketBase's 400.
async fn read_requests(
    req: &Request,
    body: Body,
    limit: u64,
) -> Result<Vec<BatchRequest>, ApiError> {
    let unreadable = || ApiError::from_service(ServiceError::UnreadableBatch, false);
    let is_multipart = req
        .content_type()
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    let RecordForm {
        body: values,
        files,
    } = if is_multipart {
        let mut inner = RequestBody::new(body);
        crate::upload::multipart_form(req, &mut inner, limit)
            .await
            .map_err(|e| if e.status() >= 500 { e } else { unreadable() })?
    } else {
        let cap = usize::try_from(limit).unwrap_or(usize::MAX);
        let bytes = body.into_bytes_limit(cap).await.map_err(|_| unreadable())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            RecordForm::default()
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(m)) => m.into(),
                _ => return Err(unreadable()),
            }
        }
    };
    let mut requests = match values.get("requests") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(batch_request)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(unreadable)?,
        Some(_) => return Err(unreadable()),
    };
    for (index, upload) in crate::upload::indexed_uploads(files, "requests") {
        if let Some(r) = requests.get_mut(index) {
            r.files.push(upload);
        }
    }
    Ok(requests)
}

/// One request of the JSON: `method` and `url` strings, `headers` an object of strings,
/// `body` an object (each may be missing or null); `None` for anything else.
fn batch_request(item: &Value) -> Option<BatchRequest> {
    let Value::Object(item) = item else {
        return if item.is_null() {
            Some(BatchRequest::default())
        } else {
            None
        };
    };
    let text = |key: &str| match item.get(key) {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => None,
    };
    let headers = match item.get("headers") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect::<Option<_>>()?,
        Some(_) => return None,
    };
    let body = match item.get("body") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(b)) => b.clone(),
        Some(_) => return None,
    };
    Some(BatchRequest {
        method: text("method")?,
        url: text("url")?,
        headers,
        body,
        files: Vec::new(),
    })
}
