//! Basalt's [`FileStore`] on an S3-compatible bucket (AWS, MinIO, R2, ...), on object_store's
//! S3 client with a hyper + rustls (ring) transport (`transport.rs`).
//!
//! A body up to [`PART_SIZE`] is sent in one `PUT`; a longer one as a multipart upload of
//! [`PART_SIZE`] parts, at most [`PARTS_IN_FLIGHT`] at a time, so memory stays bounded whatever
//! the size. Either way nothing is visible at the key until the upload completes; a failed or
//! cancelled multipart upload is aborted.

#![warn(missing_docs)]

mod transport;

use async_trait::async_trait;
use basalt_ports::files::{
    ByteStream, FileAttributes, FileEntry, FileObject, FileStore, FileStoreError, S3Target,
};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    Attribute, AttributeValue, Attributes, GetOptions, GetRange, GetResult, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, WriteMultipart,
};
use secrecy::ExposeSecret;
use std::ops::Range;
use std::time::SystemTime;

/// The size of a multipart upload's parts (S3's minimum for all but the last), and the most a
/// body is buffered before an upload becomes multipart.
pub const PART_SIZE: usize = 5 * 1024 * 1024;
/// How many parts of one upload are sent at once.
pub const PARTS_IN_FLIGHT: usize = 2;
/// The content type reported for an object stored without one.
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// A [`FileStore`] in an S3 bucket. Its `Debug` shows the bucket, never the credentials.
pub struct S3Store {
    store: AmazonS3,
    bucket: String,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// A store on `target`'s bucket. Builds the client (no request is made): a
    /// [`FileStoreError::Config`] for a configuration it cannot use.
    ///
    /// With an `endpoint`, virtual-hosted-style addressing (`force_path_style` off) puts the
    /// bucket in front of the endpoint's host (`https://bucket.s3.example.com`), as AWS's SDKs
    /// do; an endpoint on an IP address or `localhost` is always addressed path-style. Without
    /// one, the bucket is on AWS in `region`.
    pub fn new(target: &S3Target) -> Result<Self, FileStoreError> {
        let config = |what: &str| FileStoreError::Config(format!("S3 storage: {what}"));
        if target.bucket.is_empty() {
            return Err(config("no bucket"));
        }
        if target.region.is_empty() && target.endpoint.is_empty() {
            return Err(config("no region"));
        }
        let region = if target.region.is_empty() {
            "us-east-1"
        } else {
            &target.region
        };
        let mut builder = AmazonS3Builder::new()
            .with_region(region)
            .with_bucket_name(&target.bucket)
            .with_access_key_id(&target.access_key)
            .with_secret_access_key(target.secret.expose_secret())
            .with_http_connector(transport::HyperConnector);
        let endpoint = target.endpoint.trim_end_matches('/');
        if endpoint.is_empty() {
            builder = builder.with_virtual_hosted_style_request(!target.force_path_style);
        } else {
            let (scheme, rest) = endpoint
                .split_once("://")
                .ok_or_else(|| config("the endpoint is not an http:// or https:// URL"))?;
            if !matches!(scheme, "http" | "https") || rest.is_empty() {
                return Err(config("the endpoint is not an http:// or https:// URL"));
            }
            let virtual_hosted = !target.force_path_style && !is_ip_or_localhost(rest);
            let endpoint = if virtual_hosted {
                // object_store takes a virtual-hosted endpoint with the bucket already in it.
                format!("{scheme}://{}.{rest}", target.bucket)
            } else {
                endpoint.to_owned()
            };
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(virtual_hosted)
                .with_allow_http(scheme == "http");
        }
        // object_store's error text names the setting, never a value.
        let store = builder.build().map_err(|e| config(&e.to_string()))?;
        Ok(S3Store {
            store,
            bucket: target.bucket.clone(),
        })
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn head(&self, key: &str, path: &Path) -> Result<FileAttributes, FileStoreError> {
        let options = GetOptions {
            head: true,
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(path, options)
            .await
            .map_err(|e| error(key, e))?;
        Ok(attributes(&result))
    }
}

/// Whether an endpoint's `host[:port][/path]` names an IP address or `localhost`, where no
/// bucket subdomain can resolve.
fn is_ip_or_localhost(rest: &str) -> bool {
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.starts_with('[') {
        return true; // an IPv6 literal
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _port)| host);
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::Ipv4Addr>().is_ok()
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

/// The object path of a valid key, kept as written (not percent-encoded).
fn object_path(key: &str) -> Result<Path, FileStoreError> {
    validate_key(key)?;
    Path::parse(key).map_err(|_| FileStoreError::InvalidKey(key.to_owned()))
}

/// A directory prefix as a path (one trailing `/` allowed); `""` is every key, only when
/// `allow_all`.
fn prefix_path(prefix: &str, allow_all: bool) -> Result<Option<Path>, FileStoreError> {
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    if prefix.is_empty() && allow_all {
        return Ok(None);
    }
    object_path(trimmed)
        .map(Some)
        .map_err(|_| FileStoreError::InvalidKey(prefix.to_owned()))
}

fn error(key: &str, e: object_store::Error) -> FileStoreError {
    match e {
        object_store::Error::NotFound { .. } => FileStoreError::NotFound(key.to_owned()),
        object_store::Error::InvalidPath { .. } => FileStoreError::InvalidKey(key.to_owned()),
        e => FileStoreError::Backend(format!("{key}: {e}")),
    }
}

fn attributes(result: &GetResult) -> FileAttributes {
    FileAttributes {
        size: result.meta.size,
        content_type: result
            .attributes
            .get(&Attribute::ContentType)
            .map_or(DEFAULT_CONTENT_TYPE, |v| v.as_ref())
            .to_owned(),
        modified: SystemTime::from(result.meta.last_modified),
    }
}

fn empty_stream() -> ByteStream {
    Box::pin(futures_util::stream::empty())
}

/// A multipart upload in progress, aborted when dropped before it finished (a failed or
/// cancelled `put`), so no parts are left behind in the bucket.
struct Upload(Option<WriteMultipart>);

impl Upload {
    fn writer(&mut self) -> &mut WriteMultipart {
        self.0.as_mut().expect("upload in progress")
    }

    async fn finish(mut self) -> object_store::Result<()> {
        let writer = self.0.take().expect("upload in progress");
        // On a failed part, `finish` aborts the upload itself.
        writer.finish().await.map(drop)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        let Some(writer) = self.0.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(e) = writer.abort().await {
                        tracing::warn!(error = %e, "S3 storage: aborting a multipart upload failed");
                    }
                });
            }
            Err(_) => tracing::warn!("S3 storage: a multipart upload was left unfinished"),
        }
    }
}

#[async_trait]
impl FileStore for S3Store {
    async fn put(
        &self,
        key: &str,
        mut body: ByteStream,
        content_type: &str,
    ) -> Result<u64, FileStoreError> {
        let path = object_path(key)?;
        let mut attributes = Attributes::new();
        if !content_type.is_empty() {
            attributes.insert(
                Attribute::ContentType,
                AttributeValue::from(content_type.to_owned()),
            );
        }
        // Buffer up to one part: a shorter body is sent in one request.
        let mut first = Vec::new();
        let mut size = 0usize;
        while size < PART_SIZE {
            match body.next().await {
                Some(chunk) => {
                    let chunk = chunk?;
                    size += chunk.len();
                    first.push(chunk);
                }
                None => {
                    let options = PutOptions {
                        attributes,
                        ..PutOptions::default()
                    };
                    self.store
                        .put_opts(&path, PutPayload::from_iter(first), options)
                        .await
                        .map_err(|e| error(key, e))?;
                    return Ok(size as u64);
                }
            }
        }
        let options = PutMultipartOptions {
            attributes,
            ..PutMultipartOptions::default()
        };
        let upload = self
            .store
            .put_multipart_opts(&path, options)
            .await
            .map_err(|e| error(key, e))?;
        let mut upload = Upload(Some(WriteMultipart::new_with_chunk_size(upload, PART_SIZE)));
        let mut size = size as u64;
        for chunk in first {
            upload.writer().put(chunk);
        }
        while let Some(chunk) = body.next().await {
            // An error drops `upload`, which aborts it.
            let chunk: Bytes = chunk?;
            upload
                .writer()
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(|e| error(key, e))?;
            size += chunk.len() as u64;
            upload.writer().put(chunk);
        }
        upload.finish().await.map_err(|e| error(key, e))?;
        Ok(size)
    }

    async fn attributes(&self, key: &str) -> Result<FileAttributes, FileStoreError> {
        let path = object_path(key)?;
        self.head(key, &path).await
    }

    async fn get(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<FileObject, FileStoreError> {
        let path = object_path(key)?;
        let Some(range) = range else {
            let result = self
                .store
                .get_opts(&path, GetOptions::default())
                .await
                .map_err(|e| error(key, e))?;
            return Ok(object(key, result));
        };
        // A range inside the object: one request. S3 refuses a range starting at or past the
        // end (and any range of an empty object); then the attributes tell what is there, and
        // the clamped range is empty.
        let failed = if range.start < range.end {
            let options = GetOptions {
                range: Some(GetRange::Bounded(range.clone())),
                ..GetOptions::default()
            };
            match self.store.get_opts(&path, options).await {
                Ok(result) => return Ok(object(key, result)),
                Err(e @ object_store::Error::NotFound { .. }) => return Err(error(key, e)),
                Err(e) => Some(e),
            }
        } else {
            None
        };
        let attributes = self.head(key, &path).await?;
        let start = range.start.min(attributes.size);
        if range.end.clamp(start, attributes.size) > start {
            // The ranged request failed for another reason than the range.
            if let Some(e) = failed {
                return Err(error(key, e));
            }
        }
        Ok(FileObject {
            attributes,
            body: empty_stream(),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        let path = object_path(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(error(key, e)),
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), FileStoreError> {
        let path = prefix_path(prefix, false)?;
        let locations = self
            .store
            .list(path.as_ref())
            .map_ok(|meta| meta.location)
            .boxed();
        let mut deleted = self.store.delete_stream(locations);
        while let Some(result) = deleted.next().await {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(error(prefix, e)),
            }
        }
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, FileStoreError> {
        let path = prefix_path(prefix, true)?;
        let mut entries: Vec<FileEntry> = self
            .store
            .list(path.as_ref())
            .map_ok(|meta| FileEntry {
                key: meta.location.as_ref().to_owned(),
                size: meta.size,
                modified: SystemTime::from(meta.last_modified),
            })
            .try_collect()
            .await
            .map_err(|e| error(prefix, e))?;
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(entries)
    }
}

fn object(key: &str, result: GetResult) -> FileObject {
    let attributes = attributes(&result);
    let key = key.to_owned();
    let body = result
        .into_stream()
        .map_err(move |e| error(&key, e))
        .boxed();
    FileObject { attributes, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn target(endpoint: &str, force_path_style: bool) -> S3Target {
        S3Target {
            endpoint: endpoint.to_owned(),
            region: "eu-west-1".to_owned(),
            bucket: "files".to_owned(),
            access_key: "AKIA".to_owned(),
            secret: SecretString::from("very-secret"),
            force_path_style,
        }
    }

    #[test]
    fn keys() {
        for ok in ["a", "a/b/c.txt", ".hidden", "x y/z%20.png"] {
            assert_eq!(object_path(ok).unwrap().as_ref(), ok);
        }
        for bad in [
            "", "/a", "a/", "a//b", "a/./b", "../a", "a/../b", "a\\b", "a\0b",
        ] {
            assert!(
                matches!(object_path(bad), Err(FileStoreError::InvalidKey(k)) if k == bad),
                "{bad:?}"
            );
        }
        assert!(prefix_path("", true).unwrap().is_none());
        assert_eq!(prefix_path("a/b/", true).unwrap().unwrap().as_ref(), "a/b");
        assert!(prefix_path("", false).is_err());
        assert!(prefix_path("/", true).is_err());
    }

    #[test]
    fn endpoints() {
        assert!(is_ip_or_localhost("127.0.0.1:9000"));
        assert!(is_ip_or_localhost("localhost"));
        assert!(is_ip_or_localhost("[::1]:9000/s3"));
        assert!(!is_ip_or_localhost("s3.example.com"));
        assert!(!is_ip_or_localhost("minio:9000"));
        for (endpoint, path_style) in [
            ("", false),
            ("", true),
            ("https://s3.example.com", false),
            ("https://s3.example.com/", true),
            ("http://127.0.0.1:9000", false),
        ] {
            S3Store::new(&target(endpoint, path_style)).unwrap();
        }
        for bad in ["s3.example.com", "ftp://s3.example.com", "https://"] {
            assert!(
                matches!(
                    S3Store::new(&target(bad, true)),
                    Err(FileStoreError::Config(_))
                ),
                "{bad}"
            );
        }
        let mut no_bucket = target("", false);
        no_bucket.bucket.clear();
        assert!(matches!(
            S3Store::new(&no_bucket),
            Err(FileStoreError::Config(_))
        ));
    }

    #[test]
    fn debug_shows_no_secret() {
        let store = S3Store::new(&target("https://s3.example.com", false)).unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("files"), "{shown}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("AKIA"),
            "{shown}"
        );
    }
}
