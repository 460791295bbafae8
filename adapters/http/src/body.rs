//! Request bodies: records accept JSON or `multipart/form-data` (non-file fields for now),
//! other routes a JSON object. Both are read within the configured body limit.

use crate::HttpConfig;
use crate::error::{ApiError, GENERIC_BAD_REQUEST};
use crate::form::push_form_value;
use basalt_ports::ServiceError;
use poem::web::Multipart;
use poem::{Body, FromRequest, Request, RequestBody};
use poem_openapi::ApiExtractor;
use poem_openapi::ApiExtractorType;
use poem_openapi::ExtractParamOptions;
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use serde_json::{Map, Value};
use std::marker::PhantomData;

/// A record body: the submitted keys and values (multipart values arrive as strings, and a
/// key repeated becomes an array; a `@jsonPayload` part is merged in as JSON) and, in a
/// multipart body, the uploaded files.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordBody(pub basalt_ports::RecordForm);

/// The body limit of a record write: the configured limit plus what the collection's fields
/// allow (PocketBase's dynamic collection body limit); set by the global middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordBodyLimit(pub u64);

fn object_schema() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        additional_properties: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY)))),
        ..MetaSchema::new("object")
    }))
}

fn limit_of(req: &Request) -> usize {
    if let Some(RecordBodyLimit(n)) = req.data::<RecordBodyLimit>() {
        return usize::try_from(*n).unwrap_or(usize::MAX);
    }
    req.data::<HttpConfig>()
        .map_or(HttpConfig::default().body_limit, |c| c.body_limit)
}

async fn read_limited(req: &Request, body: &mut RequestBody) -> Result<bytes::Bytes, poem::Error> {
    let limit = limit_of(req);
    body.take()?
        .into_bytes_limit(limit)
        .await
        .map_err(|e| match e {
            poem::error::ReadBodyError::PayloadTooLarge => poem::Error::from(ApiError::too_large()),
            other => poem::Error::from(other),
        })
}

fn is_multipart(req: &Request) -> bool {
    req.content_type()
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Parses a JSON object body; anything else is PocketBase's generic 400.
async fn json_object(req: &Request, body: &mut RequestBody) -> poem::Result<Map<String, Value>> {
    let bytes = read_limited(req, body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(ApiError::bad_request(GENERIC_BAD_REQUEST).into()),
    }
}

async fn multipart_object(
    req: &Request,
    body: &mut RequestBody,
) -> poem::Result<Map<String, Value>> {
    let bytes = read_limited(req, body).await?;
    multipart_from_bytes(req, bytes)
        .await
        .map_err(|()| poem::Error::from(ApiError::bad_request(GENERIC_BAD_REQUEST)))
}

/// Parses a buffered `multipart/form-data` body (the boundary comes from `req`'s
/// content type) into its non-file fields.
pub(crate) async fn multipart_from_bytes(
    req: &Request,
    bytes: bytes::Bytes,
) -> Result<Map<String, Value>, ()> {
    let mut inner = RequestBody::new(Body::from_bytes(bytes));
    let mut parts = <Multipart as FromRequest>::from_request(req, &mut inner)
        .await
        .map_err(|_| ())?;
    let mut out = Map::new();
    while let Some(field) = parts.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or("").to_owned();
        if name.is_empty() || field.file_name().is_some() {
            // File uploads are handled by the files change; skip their bytes for now.
            let _ = field.bytes().await.map_err(|_| ())?;
            continue;
        }
        let text = field.text().await.map_err(|_| ())?;
        if name == "@jsonPayload" {
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => out.extend(m),
                _ => return Err(()),
            }
            continue;
        }
        push_form_value(&mut out, name, text);
    }
    Ok(out)
}

/// A form map back as key/value text pairs (arrays repeat the key; other JSON values are
/// written as JSON text).
pub(crate) fn form_pairs(map: &Map<String, Value>) -> Vec<(String, String)> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    for (k, v) in map {
        match v {
            Value::Array(items) => out.extend(items.iter().map(|i| (k.clone(), text(i)))),
            other => out.push((k.clone(), text(other))),
        }
    }
    out
}

impl<'a> ApiExtractor<'a> for RecordBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some(
                "The record's field values; `name+`/`+name`/`name-` keys apply modifiers.",
            ),
            content: vec![
                MetaMediaType {
                    content_type: "application/json",
                    schema: object_schema(),
                },
                MetaMediaType {
                    content_type: "multipart/form-data",
                    schema: object_schema(),
                },
            ],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        if is_multipart(request) {
            crate::upload::multipart_form(request, body, limit_of(request) as u64)
                .await
                .map(RecordBody)
                .map_err(poem::Error::from)
        } else {
            json_object(request, body)
                .await
                .map(|m| RecordBody(m.into()))
        }
    }
}

/// What the OpenAPI document says a [`JsonBody`] holds. The body is read the same way
/// whatever it says (leniently, so each route answers a malformed one with PocketBase's
/// own message); only the document changes.
pub(crate) trait BodySchema: Send + Sync {
    /// The schema of the body.
    fn schema_ref() -> MetaSchemaRef;
    /// Registers the schemas it refers to.
    fn register(_registry: &mut Registry) {}
}

/// Any JSON object (the default [`BodySchema`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct AnyObject;

impl BodySchema for AnyObject {
    fn schema_ref() -> MetaSchemaRef {
        object_schema()
    }
}

/// Implements [`BodySchema`] for poem-openapi `Object`s that document a route's body.
macro_rules! body_schema {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::body::BodySchema for $ty {
            fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
                <$ty as poem_openapi::types::Type>::schema_ref()
            }
            fn register(registry: &mut poem_openapi::registry::Registry) {
                <$ty as poem_openapi::types::Type>::register(registry);
            }
        }
    )*};
}
pub(crate) use body_schema;

/// A JSON object body (any keys); `None` when it is not a JSON object, so each route can
/// answer with PocketBase's own message for that case. An oversized body is still a 413.
/// `S` is what the document says it holds (any object unless a route says more).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct JsonBody<S = AnyObject>(pub Option<Map<String, Value>>, PhantomData<S>);

impl<S> JsonBody<S> {
    /// The object, or the answer to `error` when the body was malformed.
    pub(crate) fn or_reject(self, error: ServiceError) -> Result<Map<String, Value>, ApiError> {
        self.0.ok_or_else(|| ApiError::from_service(error, false))
    }
}

/// Keeps 413s as errors and turns any other parse failure into `None`.
fn lenient(r: poem::Result<Map<String, Value>>) -> poem::Result<Option<Map<String, Value>>> {
    match r {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.status() == poem::http::StatusCode::PAYLOAD_TOO_LARGE => Err(e),
        Err(_) => Ok(None),
    }
}

impl<'a, S: BodySchema> ApiExtractor<'a> for JsonBody<S> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        S::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json",
                schema: S::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let parsed = if is_multipart(request) {
            multipart_object(request, body).await
        } else {
            json_object(request, body).await
        };
        lenient(parsed).map(|m| JsonBody(m, PhantomData))
    }
}
