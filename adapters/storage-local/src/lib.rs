//! Basalt's [`FileStore`] on local disk: the file at key `a/b/c` is `{root}/a/b/c`.
//!
//! A write streams into a temp file beside its target (`.{name}.tmp-{random}`) and renames it
//! into place, so a reader sees the old file or the whole new one, never a part; the temp file
//! is removed when the write fails or is cancelled, and [`FileStore::list`] never shows one.
//! Local disk keeps no metadata: a file's content type is sniffed from its first bytes.

#![warn(missing_docs)]

use async_trait::async_trait;
use basalt_ports::files::{
    ByteStream, FileAttributes, FileEntry, FileObject, FileStore, FileStoreError, bytes_stream,
};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use std::hash::{BuildHasher, Hasher};
use std::io::{ErrorKind, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Bytes read per chunk of a body.
const CHUNK: usize = 64 * 1024;
/// Bytes a content type is sniffed from.
const SNIFF_LEN: usize = basalt_domain::files::SNIFF_LEN;
/// What a temp file's name has between the target's name and its random suffix.
const TEMP_MARK: &str = ".tmp-";

/// A [`FileStore`] in a directory on local disk (created on the first write).
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store keeping its files under `root`.
    pub fn new(root: PathBuf) -> Self {
        LocalStore { root }
    }

    /// The directory the files are kept in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of the file at `key` (a valid key).
    fn path(&self, key: &str) -> Result<PathBuf, FileStoreError> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }
}

/// Refuses what is not a plain relative `/`-separated path: empty, absolute, an empty, `.` or
/// `..` segment, a backslash or a control character (NUL included).
fn validate_key(key: &str) -> Result<(), FileStoreError> {
    let invalid = key.is_empty()
        || key.starts_with('/')
        || key.chars().any(|c| c == '\\' || c.is_control())
        || key
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..");
    if invalid {
        Err(FileStoreError::InvalidKey(key.to_owned()))
    } else {
        Ok(())
    }
}

/// A directory prefix as a key (one trailing `/` allowed); `""` only when `allow_all`.
fn validate_prefix(prefix: &str, allow_all: bool) -> Result<&str, FileStoreError> {
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    if trimmed.is_empty() && allow_all && prefix.is_empty() {
        return Ok("");
    }
    validate_key(trimmed).map_err(|_| FileStoreError::InvalidKey(prefix.to_owned()))?;
    Ok(trimmed)
}

/// The content type of a file starting with `head`, sniffed as uploads are
/// ([`basalt_domain::files::detect_mime`], PocketBase's detection): local disk keeps no
/// content type, so this is what `attributes` and `get` report; the key is not consulted.
fn sniff(head: &[u8], _key: &str) -> String {
    basalt_domain::files::detect_mime(head)
}

/// Whether `name` is one of this store's temp files (`.{name}.tmp-{16 hex digits}`).
fn is_temp_name(name: &str) -> bool {
    name.starts_with('.')
        && name.rsplit_once(TEMP_MARK).is_some_and(|(base, suffix)| {
            base.len() > 1 && suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// 64 random-enough bits for a temp name: std's randomly keyed hasher over a process-wide
/// counter and the pid (the file is created with `create_new`, so a clash is retried, never
/// clobbered).
fn temp_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

fn io_error(key: &str, e: std::io::Error) -> FileStoreError {
    match e.kind() {
        // A missing file, a directory where the file would be, or a file where a parent
        // directory would be: no file at `key` either way.
        ErrorKind::NotFound | ErrorKind::IsADirectory | ErrorKind::NotADirectory => {
            FileStoreError::NotFound(key.to_owned())
        }
        _ => FileStoreError::Backend(format!("{key}: {e}")),
    }
}

/// Removes the temp file it names when dropped, unless disarmed (the rename happened): a
/// failed or cancelled write leaves nothing behind.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("armed")
    }

    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let Some(path) = self.0.take() else { return };
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a temp file");
            }
            _ => {}
        }
    }
}

/// Creates the directory `dir` and a new temp file in it for the file `name` (blocking).
fn create_temp(
    key: &str,
    dir: &Path,
    name: &str,
) -> Result<(std::fs::File, TempFile), FileStoreError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        std::fs::create_dir_all(dir)
            .map_err(|e| FileStoreError::Backend(format!("{key}: creating its directory: {e}")))?;
        let path = dir.join(format!(".{name}{TEMP_MARK}{}", temp_suffix()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, TempFile(Some(path)))),
            // A name clash, or the directory removed meanwhile (`delete_prefix`): try again.
            Err(e)
                if attempts < 5
                    && matches!(e.kind(), ErrorKind::AlreadyExists | ErrorKind::NotFound) => {}
            Err(e) => {
                return Err(FileStoreError::Backend(format!(
                    "{key}: creating a temp file: {e}"
                )));
            }
        }
    }
}

/// Opens the file at `path` with its attributes (`NotFound` for a directory), on the
/// blocking pool, in one hop: open, metadata, the first bytes for the content type and,
/// when `read` asks for a range of at most [`READ_WHOLE`] bytes, that range itself.
async fn open(key: &str, path: &Path, read: Option<Range<u64>>) -> Result<Opened, FileStoreError> {
    let (key, path) = (key.to_owned(), path.to_owned());
    tokio::task::spawn_blocking(move || open_blocking(&key, &path, read))
        .await
        .map_err(FileStoreError::backend)?
}

/// What [`open`] found.
struct Opened {
    file: std::fs::File,
    attributes: FileAttributes,
    /// The requested range (clamped to the size), read whole when small enough.
    read: Option<(Range<u64>, Option<Bytes>)>,
}

/// Ranges up to this many bytes are read in the same blocking hop as the open and served
/// from memory; larger ones are streamed.
const READ_WHOLE: u64 = 256 * 1024;

fn open_blocking(
    key: &str,
    path: &Path,
    read: Option<Range<u64>>,
) -> Result<Opened, FileStoreError> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).map_err(|e| io_error(key, e))?;
    let meta = file.metadata().map_err(|e| io_error(key, e))?;
    if !meta.is_file() {
        return Err(FileStoreError::NotFound(key.to_owned()));
    }
    let size = meta.len();
    let read_at = |start: u64, len: u64| -> Result<Vec<u8>, FileStoreError> {
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
        let mut filled = 0;
        while filled < buf.len() {
            match file.read_at(&mut buf[filled..], start + filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(key, e)),
            }
        }
        buf.truncate(filled);
        Ok(buf)
    };
    let read = match read {
        None => None,
        Some(r) => {
            let start = r.start.min(size);
            let end = r.end.clamp(start, size);
            let whole = if end - start <= READ_WHOLE {
                let bytes = read_at(start, end - start)?;
                if (bytes.len() as u64) < end - start {
                    return Err(FileStoreError::Backend(format!(
                        "{key}: the file ended {} bytes early",
                        end - start - bytes.len() as u64
                    )));
                }
                Some(Bytes::from(bytes))
            } else {
                None
            };
            Some((start..end, whole))
        }
    };
    let head = match &read {
        Some((r, Some(bytes))) if r.start == 0 && (bytes.len() >= SNIFF_LEN || r.end == size) => {
            bytes[..bytes.len().min(SNIFF_LEN)].to_vec()
        }
        _ => read_at(0, SNIFF_LEN as u64)?,
    };
    let attributes = FileAttributes {
        size,
        content_type: sniff(&head, key),
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    };
    Ok(Opened {
        file,
        attributes,
        read,
    })
}

/// Writes `bytes` to a new temp file beside `path` and renames it into place (blocking).
fn put_blocking(key: &str, path: &Path, bytes: &[u8]) -> Result<u64, FileStoreError> {
    use std::io::Write;
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(FileStoreError::InvalidKey(key.to_owned()));
    };
    let (mut file, temp) = create_temp(key, dir, &name.to_string_lossy())?;
    file.write_all(bytes).map_err(|e| io_error(key, e))?;
    // not fsynced, as `put` (see there)
    drop(file);
    std::fs::rename(temp.path(), path).map_err(|e| {
        FileStoreError::Backend(format!("{key}: moving the written file into place: {e}"))
    })?;
    temp.disarm();
    Ok(bytes.len() as u64)
}

/// `len` bytes of `file` from where it is, in chunks of up to `CHUNK` bytes.
fn read_stream(key: &str, file: fs::File, len: u64) -> ByteStream {
    let key = key.to_owned();
    Box::pin(futures_util::stream::try_unfold(
        (file, len, key),
        |(mut file, remaining, key)| async move {
            if remaining == 0 {
                return Ok(None);
            }
            let want = usize::try_from(remaining).unwrap_or(CHUNK).min(CHUNK);
            let mut buf = BytesMut::with_capacity(want);
            while buf.len() < want {
                let n = file
                    .read_buf(&mut buf)
                    .await
                    .map_err(|e| io_error(&key, e))?;
                if n == 0 {
                    return Err(FileStoreError::Backend(format!(
                        "{key}: the file ended {remaining} bytes early"
                    )));
                }
            }
            // `read_buf` may fill past `want` when the allocation is larger.
            buf.truncate(want);
            let chunk = buf.freeze();
            let remaining = remaining - chunk.len() as u64;
            Ok(Some((chunk, (file, remaining, key))))
        },
    ))
}

fn empty_stream() -> ByteStream {
    Box::pin(futures_util::stream::empty())
}

#[async_trait]
impl FileStore for LocalStore {
    async fn put(
        &self,
        key: &str,
        mut body: ByteStream,
        _content_type: &str,
    ) -> Result<u64, FileStoreError> {
        // The content type is not kept: reads sniff it from the bytes.
        let path = self.path(key)?;
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(FileStoreError::InvalidKey(key.to_owned()));
        };
        let name = name.to_string_lossy();
        let (file, temp) = {
            let (key, dir, name) = (key.to_owned(), dir.to_owned(), name.into_owned());
            tokio::task::spawn_blocking(move || create_temp(&key, &dir, &name))
                .await
                .map_err(FileStoreError::backend)??
        };
        let mut file = fs::File::from_std(file);
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(|e| io_error(key, e))?;
            size += chunk.len() as u64;
        }
        // flushed to the OS, not fsynced: a written file survives a kill of the process, as
        // the database's committed writes do (WAL with `synchronous=NORMAL`), and as
        // PocketBase's local storage does (it does not fsync either)
        file.flush().await.map_err(|e| io_error(key, e))?;
        drop(file);
        fs::rename(temp.path(), &path).await.map_err(|e| {
            FileStoreError::Backend(format!("{key}: moving the written file into place: {e}"))
        })?;
        temp.disarm();
        Ok(size)
    }

    async fn put_bytes(
        &self,
        key: &str,
        bytes: Bytes,
        _content_type: &str,
    ) -> Result<u64, FileStoreError> {
        // one hop to the blocking pool for the whole write (no chunking through tokio's
        // file buffer)
        let path = self.path(key)?;
        let key = key.to_owned();
        tokio::task::spawn_blocking(move || put_blocking(&key, &path, &bytes))
            .await
            .map_err(FileStoreError::backend)?
    }

    async fn attributes(&self, key: &str) -> Result<FileAttributes, FileStoreError> {
        let path = self.path(key)?;
        Ok(open(key, &path, None).await?.attributes)
    }

    async fn get(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<FileObject, FileStoreError> {
        let path = self.path(key)?;
        let Opened {
            file,
            attributes,
            read,
        } = open(key, &path, Some(range.unwrap_or(0..u64::MAX))).await?;
        let body = match read {
            Some((_, Some(bytes))) if bytes.is_empty() => empty_stream(),
            Some((_, Some(bytes))) => bytes_stream(bytes),
            Some((r, None)) => {
                let mut file = fs::File::from_std(file);
                file.seek(SeekFrom::Start(r.start))
                    .await
                    .map_err(|e| io_error(key, e))?;
                read_stream(key, file, r.end - r.start)
            }
            None => empty_stream(),
        };
        Ok(FileObject { attributes, body })
    }

    async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        let path = self.path(key)?;
        match fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) => match io_error(key, e) {
                FileStoreError::NotFound(_) => Ok(()),
                e => Err(e),
            },
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), FileStoreError> {
        let prefix = validate_prefix(prefix, false)?;
        let dir = self.root.join(prefix);
        match fs::symlink_metadata(&dir).await {
            Ok(meta) if meta.is_dir() => {}
            // Nothing under it: a missing directory, or a file (`a/b` names files `a/b/...`).
            Ok(_) => return Ok(()),
            Err(e) => {
                return match io_error(prefix, e) {
                    FileStoreError::NotFound(_) => Ok(()),
                    e => Err(e),
                };
            }
        }
        match fs::remove_dir_all(&dir).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(FileStoreError::Backend(format!("{prefix}: {e}"))),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, FileStoreError> {
        let prefix = validate_prefix(prefix, true)?;
        let mut entries = Vec::new();
        // Directories still to read: their path and their key prefix (`""` or `a/b/`).
        let mut pending = vec![(
            self.root.join(prefix),
            if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        )];
        while let Some((dir, key_prefix)) = pending.pop() {
            let mut read = match fs::read_dir(&dir).await {
                Ok(read) => read,
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                    continue;
                }
                Err(e) => return Err(FileStoreError::Backend(format!("{}: {e}", dir.display()))),
            };
            while let Some(entry) = read
                .next_entry()
                .await
                .map_err(|e| FileStoreError::Backend(format!("{}: {e}", dir.display())))?
            {
                // A name that is not UTF-8 cannot be a key: not this store's file.
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                if is_temp_name(&name) {
                    continue;
                }
                let key = format!("{key_prefix}{name}");
                let file_type = match entry.file_type().await {
                    Ok(t) => t,
                    // Removed meanwhile.
                    Err(e) if e.kind() == ErrorKind::NotFound => continue,
                    Err(e) => return Err(FileStoreError::Backend(format!("{key}: {e}"))),
                };
                if file_type.is_dir() {
                    pending.push((entry.path(), format!("{key}/")));
                    continue;
                }
                // Regular files, and symlinks to regular files (never followed into a
                // directory: no loops).
                let meta = match fs::metadata(entry.path()).await {
                    Ok(meta) if meta.is_file() => meta,
                    Ok(_) => continue,
                    Err(e) if e.kind() == ErrorKind::NotFound => continue,
                    Err(e) => return Err(FileStoreError::Backend(format!("{key}: {e}"))),
                };
                entries.push(FileEntry {
                    key,
                    size: meta.len(),
                    modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                });
            }
        }
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in ["a", "a/b/c.txt", ".hidden", "a/..b", "a/b..", "x y/z"] {
            assert!(validate_key(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "", "/a", "a/", "a//b", "./a", "a/./b", "..", "../a", "a/../b", "a/..", "a\\b", "a\0b",
            "a\nb",
        ] {
            assert!(
                matches!(validate_key(bad), Err(FileStoreError::InvalidKey(k)) if k == bad),
                "{bad:?}"
            );
        }
        assert_eq!(validate_prefix("", true).unwrap(), "");
        assert_eq!(validate_prefix("a/b/", true).unwrap(), "a/b");
        assert!(validate_prefix("", false).is_err());
        assert!(validate_prefix("/", true).is_err());
        assert!(validate_prefix("a//", true).is_err());
    }

    #[test]
    fn sniffing() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png, "a.txt"), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n", "a"), "application/pdf");
        assert_eq!(sniff(b"hello", "a.bin"), "text/plain; charset=utf-8");
        assert_eq!(
            sniff(b"<html><body>hi</body></html>", "a"),
            "text/html; charset=utf-8"
        );
        assert_eq!(sniff(b"a\0b", "a"), "application/octet-stream");
    }

    #[test]
    fn temp_names() {
        let name = format!(".photo.png{TEMP_MARK}{}", temp_suffix());
        assert!(is_temp_name(&name), "{name}");
        assert_ne!(temp_suffix(), temp_suffix());
        for not in [
            "photo.png",
            ".photo.png",
            ".photo.tmp-xyz",
            ".tmp-0123456789abcdef",
        ] {
            assert!(!is_temp_name(not), "{not}");
        }
    }

    #[tokio::test]
    async fn a_failed_put_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("files"));
        let body: ByteStream = Box::pin(futures_util::stream::iter([
            Ok(bytes::Bytes::from_static(b"part")),
            Err(FileStoreError::Backend("gone".into())),
        ]));
        assert!(store.put("a/b.txt", body, "text/plain").await.is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("files/a"))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
