//! `/api/files`: serving uploaded files (`GET /files/{collection}/{record}/{filename}`, with
//! `thumb`, `token`, `download` and `Range`) and file tokens (`POST /files/token`).

use super::{ApiTags, api, truthy};
use crate::auth::request_context;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::ServiceError;
use basalt_ports::files_api::{ByteRange, FileRequest, ServedFile};
use futures_util::StreamExt;
use poem::http::{HeaderValue, header};
use poem::web::Data;
use poem::{Body, IntoResponse, Request};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::{ApiResponse, Object, OpenApi};
use std::time::SystemTime;

/// File routes.
pub(crate) struct FileRoutes;

type Out<T> = Result<T, ApiError>;

/// A file token.
#[derive(Object)]
pub(crate) struct FileToken {
    /// A short-lived token for protected files (`?token=`).
    token: String,
}

/// The header that tells the global middleware not to add `X-Frame-Options` (uploaded files
/// may be embedded, as PocketBase allows); removed before the response leaves.
pub(crate) const ALLOW_FRAMING: &str = "x-basalt-allow-framing";

/// A served file: its bytes and PocketBase's headers.
pub(crate) struct FileBody(pub(crate) poem::Response);

impl Payload for FileBody {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }))
    }
}

impl IntoResponse for FileBody {
    fn into_response(self) -> poem::Response {
        self.0
    }
}

/// A file download.
#[derive(ApiResponse)]
pub(crate) enum FileResponse {
    /// The file (or its thumb).
    #[oai(status = 200)]
    Whole(FileBody),
    /// The requested byte range (`Range: bytes=…`).
    #[oai(status = 206)]
    Partial(FileBody),
    /// Not modified since `If-Modified-Since`.
    #[oai(status = 304)]
    NotModified,
    /// The `Range` is outside the file (`Content-Range: bytes */SIZE`).
    #[oai(status = 416)]
    RangeNotSatisfiable(
        Json<crate::error::ErrorBody>,
        #[oai(header = "Content-Range")] String,
    ),
}

#[OpenApi]
impl FileRoutes {
    /// A token for protected files (valid for the collection's `fileToken.duration`); needs
    /// an auth token.
    #[oai(
        path = "/files/token",
        method = "post",
        operation_id = "fileToken",
        tag = "ApiTags::Files"
    )]
    async fn token(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
    ) -> Out<Json<FileToken>> {
        api(s.file_token(&request_context(req)).await, &cfg).map(|token| Json(FileToken { token }))
    }

    /// A record's file. `thumb=WxH` (`WxHt`, `WxHb`, `WxHf`, `0xH`, `Wx0`; the field's
    /// `thumbs` and `100x100`) serves an image's thumb; a protected file needs `token`;
    /// `download=1` forces an attachment. Honours `Range` and `If-Modified-Since`.
    #[oai(
        path = "/files/:collection/:record_id/:filename",
        method = "get",
        operation_id = "downloadFile",
        tag = "ApiTags::Files"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn download(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        record_id: Path<String>,
        filename: Path<String>,
        thumb: Query<Option<String>>,
        token: Query<Option<String>>,
        download: Query<Option<String>>,
    ) -> Out<FileResponse> {
        let file = FileRequest {
            collection: collection.0,
            record_id: record_id.0,
            filename: filename.0,
            thumb: thumb.0,
            token: token.0,
            range: req
                .headers()
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_range),
        };
        let served = match s.download(&request_context(req), file).await {
            Err(ServiceError::RangeNotSatisfiable(size)) => {
                let e = ApiError::from_service(ServiceError::RangeNotSatisfiable(size), cfg.dev);
                return Ok(FileResponse::RangeNotSatisfiable(
                    Json(e.body),
                    format!("bytes */{size}"),
                ));
            }
            other => api(other, &cfg)?,
        };
        if not_modified(req, served.attributes.modified) && served.range.is_none() {
            return Ok(FileResponse::NotModified);
        }
        let partial = served.range.is_some();
        let res = respond(served, truthy(download.0.as_deref()));
        Ok(if partial {
            FileResponse::Partial(FileBody(res))
        } else {
            FileResponse::Whole(FileBody(res))
        })
    }
}

/// `bytes=A-B`, `bytes=A-`, `bytes=-N` (one range; anything else is ignored and the whole
/// file served, as Go's `ServeContent` does for what it cannot parse... except it answers
/// 416 for several ranges it cannot satisfy, which Basalt does not do).
fn parse_range(raw: &str) -> Option<ByteRange> {
    let spec = raw.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        return end.parse().ok().map(ByteRange::Suffix);
    }
    let start: u64 = start.parse().ok()?;
    let end = if end.is_empty() {
        None
    } else {
        let e: u64 = end.parse().ok()?;
        if e < start {
            return None;
        }
        Some(e)
    };
    Some(ByteRange::From { start, end })
}

/// Whether `If-Modified-Since` is at or after `modified` (to the second).
fn not_modified(req: &Request, modified: SystemTime) -> bool {
    let Some(since) = req
        .headers()
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
    else {
        return false;
    };
    let secs = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    secs(modified) <= secs(since)
}

/// The response for a served file, with PocketBase's headers.
pub(crate) fn respond(f: ServedFile, force_download: bool) -> poem::Response {
    let disposition = if f.inline && !force_download {
        "inline"
    } else {
        "attachment"
    };
    let length = f
        .range
        .as_ref()
        .map_or(f.attributes.size, |r| r.end - r.start);
    let body = Body::from_bytes_stream(f.body.map(|chunk| chunk.map_err(std::io::Error::other)));
    let mut res = poem::Response::builder()
        .header(header::CONTENT_TYPE, f.content_type.as_str())
        .header(
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename={:?}", f.name),
        )
        .header(
            "Content-Security-Policy",
            "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
        )
        .header(
            header::CACHE_CONTROL,
            "max-age=2592000, stale-while-revalidate=86400",
        )
        .header(header::ACCEPT_RANGES, "bytes")
        .header(
            header::LAST_MODIFIED,
            httpdate::fmt_http_date(f.attributes.modified),
        )
        .header(header::CONTENT_LENGTH, length)
        .header(ALLOW_FRAMING, "1");
    if let Some(r) = &f.range {
        res = res.header(
            header::CONTENT_RANGE,
            format!(
                "bytes {}-{}/{}",
                r.start,
                r.end.saturating_sub(1),
                f.attributes.size
            ),
        );
    }
    let mut res = res.body(body);
    for (k, v) in f.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            res.headers_mut().insert(name, value);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(
            parse_range("bytes=2-5"),
            Some(ByteRange::From {
                start: 2,
                end: Some(5)
            })
        );
        assert_eq!(
            parse_range("bytes=7-"),
            Some(ByteRange::From {
                start: 7,
                end: None
            })
        );
        assert_eq!(parse_range("bytes=-3"), Some(ByteRange::Suffix(3)));
        assert_eq!(parse_range("bytes=5-2"), None);
        assert_eq!(parse_range("bytes=1-2,4-5"), None);
        assert_eq!(parse_range("items=1-2"), None);
        assert_eq!(ByteRange::Suffix(3).resolve(10), Some(7..10));
        assert_eq!(
            ByteRange::From {
                start: 2,
                end: Some(50)
            }
            .resolve(10),
            Some(2..10)
        );
        assert_eq!(
            ByteRange::From {
                start: 10,
                end: None
            }
            .resolve(10),
            None
        );
    }
}
