//! Record forms in `multipart/form-data`, read as a stream: each file part is written to a
//! temporary file as it arrives (never held whole in memory), the other parts become the
//! form's values, and the whole body is held to a byte limit (a 413 past it).

use crate::error::{ApiError, GENERIC_BAD_REQUEST};
use crate::form::push_form_value;
use basalt_ports::files_api::FileContent;
use basalt_ports::{RecordForm, ServiceError, Upload};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use poem::web::Multipart;
use poem::{Body, FromRequest, Request, RequestBody};
use serde_json::{Map, Value};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::io::AsyncReadExt;

/// How much of each file is kept in memory to detect its type (the domain's sniff length).
const HEAD_LEN: usize = basalt_domain::files::SNIFF_LEN;

/// A request body that fails once more than `limit` bytes went through it; `over` tells
/// afterwards whether that is why reading stopped.
fn limited(body: Body, limit: u64) -> (Body, Arc<AtomicBool>) {
    let over = Arc::new(AtomicBool::new(false));
    let seen = AtomicU64::new(0);
    let flag = over.clone();
    let stream = body.into_bytes_stream().map(move |chunk| {
        let chunk = chunk?;
        let total = seen.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
        if total > limit {
            flag.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other("request body too large"));
        }
        Ok::<Bytes, std::io::Error>(chunk)
    });
    (Body::from_bytes_stream(stream), over)
}

/// Reads a multipart record form from `body`, at most `limit` bytes; file parts go to
/// temporary files in the OS temp dir.
pub(crate) async fn multipart_form(
    req: &Request,
    body: &mut RequestBody,
    limit: u64,
) -> Result<RecordForm, ApiError> {
    let (limited_body, over) = limited(body.take().map_err(|_| bad())?, limit);
    let too_large = |over: &AtomicBool| {
        if over.load(Ordering::Relaxed) {
            ApiError::too_large()
        } else {
            bad()
        }
    };
    let mut inner = RequestBody::new(limited_body);
    let mut parts = <Multipart as FromRequest>::from_request(req, &mut inner)
        .await
        .map_err(|_| too_large(&over))?;
    let mut values = Map::new();
    let mut files = Vec::new();
    let mut budget = IN_MEMORY;
    // the body's length, when given: a part held in memory is read into one buffer of
    // (at most) that size
    let hint = req
        .header(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(too_large(&over)),
        };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().unwrap_or("").to_owned();
        if name.is_empty() {
            let _ = field.bytes().await.map_err(|_| too_large(&over))?;
            continue;
        }
        if file_name.is_empty() {
            let text = field.text().await.map_err(|_| too_large(&over))?;
            if name == "@jsonPayload" {
                match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(m)) => values.extend(m),
                    _ => return Err(bad()),
                }
            } else {
                push_form_value(&mut values, name, text);
            }
            continue;
        }
        let mut reader = field.into_async_read();
        let upload = spool(&mut reader, name, file_name, &mut budget, hint)
            .await
            .map_err(|e| match e {
                SpoolError::Read => too_large(&over),
                SpoolError::Temp(e) => ApiError::from_service(ServiceError::internal(e), false),
            })?;
        files.push(upload);
    }
    Ok(RecordForm {
        body: values,
        files,
    })
}

enum SpoolError {
    /// Reading the part failed (a broken or oversized body).
    Read,
    /// The temporary file could not be written.
    Temp(std::io::Error),
}

/// How much of one request's file parts is kept in memory (as Go's multipart reader keeps
/// small forms in memory); past it, the part being read and the later ones go to temporary
/// files.
const IN_MEMORY: usize = 8 << 20;

/// Reads one file part: in memory while the request's in-memory `budget` lasts (read
/// straight into one buffer, sized from `hint` when the body's length is known, so the
/// bytes are not copied again), then into a new temporary file; keeps its first bytes.
async fn spool(
    reader: &mut (impl tokio::io::AsyncRead + Unpin),
    key: String,
    original_name: String,
    budget: &mut usize,
    hint: usize,
) -> Result<Upload, SpoolError> {
    let mut memory = BytesMut::with_capacity(hint.clamp(CHUNK, (*budget).max(CHUNK)));
    let mut file: Option<(tokio::fs::File, tempfile::TempPath)> = None;
    let mut head = Vec::new();
    let mut size = 0u64;
    let mut buf = Vec::new();
    loop {
        if file.is_none() {
            if memory.capacity() == memory.len() {
                memory.reserve(CHUNK);
            }
            let n = reader
                .read_buf(&mut memory)
                .await
                .map_err(|_| SpoolError::Read)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if memory.len() <= *budget {
                continue;
            }
            // over the budget: this part and the later ones go to disk
            head = memory[..memory.len().min(HEAD_LEN)].to_vec();
            let (f, path) = tempfile::NamedTempFile::new()
                .map_err(SpoolError::Temp)?
                .into_parts();
            let mut f = tokio::fs::File::from_std(f);
            tokio::io::AsyncWriteExt::write_all(&mut f, &memory)
                .await
                .map_err(SpoolError::Temp)?;
            memory = BytesMut::new();
            buf = vec![0u8; CHUNK];
            file = Some((f, path));
            continue;
        }
        let Some((f, _)) = &mut file else { break };
        let n = reader.read(&mut buf).await.map_err(|_| SpoolError::Read)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        tokio::io::AsyncWriteExt::write_all(f, &buf[..n])
            .await
            .map_err(SpoolError::Temp)?;
    }
    let content = match file {
        None => {
            *budget -= memory.len();
            head = memory[..memory.len().min(HEAD_LEN)].to_vec();
            FileContent::Bytes(memory.freeze())
        }
        Some((f, path)) => {
            let mut f = f.into_std().await;
            f.flush().map_err(SpoolError::Temp)?;
            drop(f);
            FileContent::Path {
                path: path.to_path_buf(),
                keep: Arc::new(path),
            }
        }
    };
    Ok(Upload {
        key,
        original_name,
        content,
        size,
        head,
    })
}

/// Bytes read at a time from a part spooled to disk (and the least a part's buffer grows).
const CHUNK: usize = 64 * 1024;

fn bad() -> ApiError {
    ApiError::bad_request(GENERIC_BAD_REQUEST)
}

/// The uploads keyed `{prefix}.N.key` or `{prefix}[N].key` (a batch's
/// `requests.0.avatar`), each with its index `N` and its key shortened to `key` (`avatar`,
/// `avatar+`, ...); uploads keyed otherwise are left out (and their temp files removed).
pub(crate) fn indexed_uploads(files: Vec<Upload>, prefix: &str) -> Vec<(usize, Upload)> {
    files
        .into_iter()
        .filter_map(|mut up| {
            let rest = up.key.strip_prefix(prefix)?;
            let (index, key) = if let Some(rest) = rest.strip_prefix('.') {
                rest.split_once('.')?
            } else {
                rest.strip_prefix('[')?.split_once("].")?
            };
            let index = index.parse::<usize>().ok()?;
            up.key = key.to_owned();
            Some((index, up))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(key: &str) -> Upload {
        Upload {
            key: key.into(),
            original_name: "a.txt".into(),
            content: FileContent::Bytes(Bytes::new()),
            size: 0,
            head: Vec::new(),
        }
    }

    #[test]
    fn indexed_uploads_are_rekeyed_by_request() {
        let files = [
            "requests.0.doc",
            "requests[12].doc+",
            "requests.x.doc",
            "doc",
            "requests.1",
        ]
        .map(upload)
        .to_vec();
        let got: Vec<(usize, String)> = indexed_uploads(files, "requests")
            .into_iter()
            .map(|(i, up)| (i, up.key))
            .collect();
        assert_eq!(got, vec![(0, "doc".into()), (12, "doc+".into())]);
    }
}
