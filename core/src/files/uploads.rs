//! Uploads as a record holds them: a file part handed in by the HTTP adapter (or bytes
//! from library code) becomes a [`NewFile`] with PocketBase's stored name and its sniffed
//! content type; and the stream a store reads a [`NewFile`]'s bytes from.

use crate::App;
use crate::error::AppError;
use basalt_domain::files::{detect_mime, mime_extension, normalize_name};
use basalt_domain::record_files::{FileContent, NewFile};
use basalt_ports::Upload;
use basalt_ports::files::{ByteStream, FileStoreError, bytes_stream};
use bytes::Bytes;
use tokio::io::AsyncReadExt;

/// The random part of stored names.
const RANDOM_PART: &str = "[a-z0-9]{10}";

/// How much of a file is read into memory at a time when it is stored.
const CHUNK: usize = 64 * 1024;

/// PocketBase's stored name for a file the client called `original`, of `content_type`
/// (whose extension stands in when the name has none).
fn stored_name(app: &App, original: &str, content_type: &str) -> Result<String, AppError> {
    let random = app.random_from_pattern(RANDOM_PART)?;
    let short = app.random_from_pattern(RANDOM_PART)?;
    Ok(normalize_name(
        original,
        &random,
        &short,
        Some(mime_extension(content_type)),
    ))
}

/// An upload as PocketBase hands it on inside a batch: it re-submits each file under the
/// name it would have stored it as, so the stored name is that name normalized again
/// (`doc.txt` → `doc_<10>_<10>.txt`).
pub(crate) fn renamed_as_stored(app: &App, mut up: Upload) -> Result<Upload, AppError> {
    up.original_name = stored_name(app, &up.original_name, &detect_mime(&up.head))?;
    Ok(up)
}

/// A form's file part as the record holds it, with its form key.
pub(crate) fn from_upload(app: &App, up: Upload) -> Result<(String, NewFile), AppError> {
    let content_type = detect_mime(&up.head);
    let file = NewFile {
        name: stored_name(app, &up.original_name, &content_type)?,
        content_type,
        original_name: up.original_name,
        size: up.size,
        content: up.content,
    };
    Ok((up.key, file))
}

/// A new file from bytes (PocketBase's `filesystem.NewFileFromBytes`), to set on a record
/// with [`basalt_domain::record::Record::set_files`]: stored under PocketBase's normalized
/// form of `original_name` when the record is saved.
pub fn new_file_from_bytes(
    app: &App,
    bytes: impl Into<Vec<u8>>,
    original_name: &str,
) -> Result<NewFile, AppError> {
    let bytes: Vec<u8> = bytes.into();
    let content_type = detect_mime(&bytes);
    Ok(NewFile {
        name: stored_name(app, original_name, &content_type)?,
        original_name: original_name.to_owned(),
        size: bytes.len() as u64,
        content_type,
        content: FileContent::Bytes(Bytes::from(bytes)),
    })
}

/// The bytes of `content`, streamed (a file on disk is read a chunk at a time).
pub(crate) async fn content_stream(content: &FileContent) -> Result<ByteStream, AppError> {
    match content {
        FileContent::Bytes(b) => Ok(bytes_stream(b.clone())),
        FileContent::Path { path, .. } => {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(FileStoreError::backend)?;
            Ok(Box::pin(futures_util::stream::unfold(
                Some(file),
                |state| async move {
                    let mut file = state?;
                    let mut buf = vec![0u8; CHUNK];
                    match file.read(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            buf.truncate(n);
                            Some((Ok(Bytes::from(buf)), Some(file)))
                        }
                        Err(e) => Some((Err(FileStoreError::backend(e)), None)),
                    }
                },
            )))
        }
    }
}
