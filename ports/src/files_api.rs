//! The driving port of files: uploads handed in with a record form, file downloads
//! (`GET /api/files/{collection}/{record}/{filename}`) and file tokens
//! (`POST /api/files/token`).

use crate::files::{ByteStream, FileAttributes};
use crate::service::{Auth, RequestContext, ServiceResult};
use async_trait::async_trait;
pub use basalt_domain::record_files::FileContent;
use serde_json::{Map, Value};

/// A file part of a `multipart/form-data` record body, streamed to a temporary file by the
/// HTTP adapter.
#[derive(Clone)]
pub struct Upload {
    /// The form key: `field`, `field+` or `+field`.
    pub key: String,
    /// The file name the client sent.
    pub original_name: String,
    /// The bytes: in memory for a small file, else in a temporary file (removed when the
    /// last clone is dropped).
    pub content: FileContent,
    /// Its size in bytes.
    pub size: u64,
    /// Its first bytes (up to `basalt_domain::files::SNIFF_LEN`), to detect its type.
    pub head: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("key", &self.key)
            .field("original_name", &self.original_name)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// A record body: its values and its uploaded files.
#[derive(Debug, Clone, Default)]
pub struct RecordForm {
    /// The submitted keys and values (`name+`/`+name`/`name-` keys apply modifiers).
    pub body: Map<String, Value>,
    /// The uploaded files.
    pub files: Vec<Upload>,
}

impl From<Map<String, Value>> for RecordForm {
    fn from(body: Map<String, Value>) -> Self {
        RecordForm {
            body,
            files: Vec::new(),
        }
    }
}

/// A requested byte range (`Range: bytes=…`), before it is checked against the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=START-` or `bytes=START-END` (END inclusive).
    From {
        /// The first byte.
        start: u64,
        /// The last byte, inclusive.
        end: Option<u64>,
    },
    /// `bytes=-N`: the last N bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The half-open range of a file of `size` bytes this asks for; `None` when it cannot
    /// be satisfied (HTTP 416).
    pub fn resolve(self, size: u64) -> Option<std::ops::Range<u64>> {
        match self {
            ByteRange::From { start, end } => {
                if start >= size {
                    return None;
                }
                let end = end.map_or(size, |e| e.saturating_add(1).min(size));
                (end > start).then_some(start..end)
            }
            ByteRange::Suffix(0) => None,
            ByteRange::Suffix(n) => Some(size.saturating_sub(n)..size),
        }
    }
}

/// A download request.
#[derive(Debug, Clone, Default)]
pub struct FileRequest {
    /// The collection's id or name.
    pub collection: String,
    /// The record's id.
    pub record_id: String,
    /// The file's name.
    pub filename: String,
    /// `thumb=WxH…`, if any.
    pub thumb: Option<String>,
    /// `token=…` (a file token), if any.
    pub token: Option<String>,
    /// The requested range, if any.
    pub range: Option<ByteRange>,
}

/// A file as it is served.
pub struct ServedFile {
    /// The name the client sees (`Content-Disposition`): the file's, or the thumb's.
    pub name: String,
    /// The content type to send.
    pub content_type: String,
    /// Shown inline by browsers (images, video, audio, PDF) unless a download is forced.
    pub inline: bool,
    /// The whole file's attributes.
    pub attributes: FileAttributes,
    /// The range served (`None`: the whole file).
    pub range: Option<std::ops::Range<u64>>,
    /// The bytes served.
    pub body: ByteStream,
    /// Response headers set by `on_file_download_request` handlers.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for ServedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedFile")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// Files through the API.
#[async_trait]
pub trait FilesApi: Send + Sync {
    /// `GET /api/files/{collection}/{record}/{filename}`: PocketBase's 404 for anything
    /// missing or not allowed (a protected file without a valid token).
    async fn download(&self, req: &RequestContext, file: FileRequest) -> ServiceResult<ServedFile>;
    /// `POST /api/files/token`: a short-lived token for protected files.
    async fn file_token(&self, req: &RequestContext) -> ServiceResult<String>;
    /// The largest record body the collection's fields allow beyond the default body limit
    /// (PocketBase's `CalculateMaxBodySize` summed: file fields' `maxSize × maxSelect`,
    /// editor and JSON limits); `None` for an unknown collection.
    fn record_body_allowance(&self, collection: &str) -> Option<u64>;
    /// `POST /api/settings/test/s3`: checks that the configured S3 storage (`storage`, or
    /// `backups`) answers.
    async fn test_s3(&self, auth: &Auth, filesystem: &str) -> ServiceResult<()>;
}
