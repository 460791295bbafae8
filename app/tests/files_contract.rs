//! The `FileStore` contract: one set of cases, run on every adapter as the app opens it
//! (`basalt::files::AdapterFileStores`): a `LocalStore` in a temp dir, and an S3 bucket on a
//! real S3 server — moto (`scripts/moto.sh start` prints the environment this needs).
//!
//! The S3 half runs against `BASALT_TEST_S3_ENDPOINT` (`http://127.0.0.1:PORT`), each test in
//! a fresh bucket. Without it, each S3 test prints "skipped: BASALT_TEST_S3_ENDPOINT unset" and
//! passes — unless `BASALT_REQUIRE_S3=1`, when it fails.

use basalt::files::AdapterFileStores;
use basalt_ports::files::{
    ByteStream, FileObject, FileStore, FileStoreError, FileStores, S3Target, StorageTarget,
    bytes_stream, exists,
};
use bytes::Bytes;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;
/// The S3 adapter's multipart part size: bodies past it are uploaded in parts.
const PART: u64 = 5 * MIB as u64;

/// A store under test, and where a local one keeps its files.
struct Fixture {
    store: Arc<dyn FileStore>,
    local_root: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

async fn local() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    // A root that does not exist yet: the store creates it on the first write.
    let root = dir.path().join("storage");
    let store = AdapterFileStores::new()
        .open(&StorageTarget::Local(root.clone()))
        .expect("open local store");
    Fixture {
        store,
        local_root: Some(root),
        _dir: Some(dir),
    }
}

/// A store on a fresh bucket of the S3 server at `BASALT_TEST_S3_ENDPOINT`; `None` (skipped)
/// when that is unset, unless `BASALT_REQUIRE_S3=1`.
async fn s3() -> Option<Fixture> {
    let endpoint = match std::env::var("BASALT_TEST_S3_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => endpoint.trim_end_matches('/').to_owned(),
        _ => {
            if std::env::var("BASALT_REQUIRE_S3").as_deref() == Ok("1") {
                panic!("BASALT_REQUIRE_S3=1 but BASALT_TEST_S3_ENDPOINT unset");
            }
            eprintln!("skipped: BASALT_TEST_S3_ENDPOINT unset");
            return None;
        }
    };
    static BUCKETS: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    let bucket = format!(
        "basalt-contract-{}-{nanos}-{}",
        std::process::id(),
        BUCKETS.fetch_add(1, Ordering::Relaxed)
    );
    // object_store cannot create buckets; moto takes an unsigned CreateBucket.
    let response = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating bucket {bucket} at {endpoint}: {e}"));
    assert!(
        response.status().is_success(),
        "creating bucket {bucket}: {}",
        response.status()
    );
    let target = StorageTarget::S3(S3Target {
        endpoint,
        region: "us-east-1".to_owned(),
        bucket,
        access_key: "testing".to_owned(),
        secret: "testing".to_owned().into(),
        force_path_style: true,
    });
    let store = AdapterFileStores::new()
        .open(&target)
        .expect("open S3 store");
    Some(Fixture {
        store,
        local_root: None,
        _dir: None,
    })
}

/// Every case, as a test on each backend (`local::case`, `s3::case`).
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test]
                async fn $case() {
                    super::cases::$case(&super::local().await).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some(fixture) = super::s3().await {
                        super::cases::$case(&fixture).await;
                    }
                }
            )*
        }
    };
}

contract!(
    round_trip,
    overwrite,
    missing,
    ranges,
    attributes,
    delete,
    delete_prefix,
    list,
    invalid_keys,
    large_streamed,
    failed_put,
    cancelled_put,
);

// --- helpers ---

/// A small PNG: its magic number is what a store without metadata sniffs.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const TEXT: &str = "text/plain; charset=utf-8";
const BINARY: &str = "application/octet-stream";

/// The byte at `offset` of a generated body: a PNG's magic number (so stores that sniff
/// report `image/png`), then bytes that depend on their position (so misplaced chunks show).
fn byte_at(offset: u64) -> u8 {
    match PNG.get(offset as usize) {
        Some(&b) => b,
        None => (offset % 251) as u8,
    }
}

fn generated(from: u64, to: u64) -> Vec<u8> {
    (from..to).map(byte_at).collect()
}

/// A generated body of `len` bytes in 64 KiB chunks, made as it is read; with `fail`, an
/// error after them.
fn generated_stream(len: u64, fail: bool) -> ByteStream {
    const CHUNK: u64 = 64 * KIB as u64;
    let chunks = len.div_ceil(CHUNK);
    let body = futures_util::stream::iter(0..chunks).map(move |i| {
        let start = i * CHUNK;
        Ok(Bytes::from(generated(start, (start + CHUNK).min(len))))
    });
    if fail {
        Box::pin(body.chain(futures_util::stream::once(async {
            Err(FileStoreError::Backend("the client went away".to_owned()))
        })))
    } else {
        Box::pin(body)
    }
}

async fn put(store: &dyn FileStore, key: &str, body: &[u8], content_type: &str) {
    let written = store
        .put(key, bytes_stream(body.to_vec()), content_type)
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e}"));
    assert_eq!(written, body.len() as u64, "size written to {key}");
}

async fn read(object: FileObject) -> Vec<u8> {
    let mut body = object.body;
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk.expect("body chunk"));
    }
    out
}

async fn get(store: &dyn FileStore, key: &str, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let object = store
        .get(key, range.clone())
        .await
        .unwrap_or_else(|e| panic!("get {key} {range:?}: {e}"));
    read(object).await
}

async fn keys(store: &dyn FileStore, prefix: &str) -> Vec<String> {
    let entries = store
        .list(prefix)
        .await
        .unwrap_or_else(|e| panic!("list {prefix:?}: {e}"));
    entries.into_iter().map(|e| e.key).collect()
}

/// Every file under `dir` on disk, temp files included.
fn files_on_disk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

mod cases {
    use super::*;

    pub async fn round_trip(fx: &Fixture) {
        let store = &*fx.store;
        put(store, "col/rec/photo.png", PNG, "image/png").await;
        let object = store.get("col/rec/photo.png", None).await.unwrap();
        assert_eq!(object.attributes.size, PNG.len() as u64);
        assert_eq!(object.attributes.content_type, "image/png");
        assert_eq!(read(object).await, PNG);

        put(
            store,
            "col/rec/notes.txt",
            "héllo, world\n".as_bytes(),
            TEXT,
        )
        .await;
        let object = store.get("col/rec/notes.txt", None).await.unwrap();
        assert_eq!(object.attributes.content_type, TEXT);
        assert_eq!(read(object).await, "héllo, world\n".as_bytes());

        put(store, "col/rec/empty", b"", TEXT).await;
        let object = store.get("col/rec/empty", None).await.unwrap();
        assert_eq!(object.attributes.size, 0);
        assert!(read(object).await.is_empty());

        assert!(exists(store, "col/rec/photo.png").await.unwrap());
        assert!(!exists(store, "col/rec/other.png").await.unwrap());
    }

    pub async fn overwrite(fx: &Fixture) {
        let store = &*fx.store;
        put(store, "o/file", b"the first version", TEXT).await;
        put(store, "o/file", PNG, "image/png").await;
        let object = store.get("o/file", None).await.unwrap();
        assert_eq!(object.attributes.size, PNG.len() as u64);
        assert_eq!(object.attributes.content_type, "image/png");
        assert_eq!(read(object).await, PNG);
        let listed = store.list("o").await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].size, PNG.len() as u64);
    }

    pub async fn missing(fx: &Fixture) {
        let store = &*fx.store;
        put(store, "m/there", b"x", TEXT).await;
        for key in ["m/not-there", "nowhere/at/all", "m/there/below", "m"] {
            assert!(
                matches!(store.get(key, None).await, Err(FileStoreError::NotFound(k)) if k == key),
                "get {key}"
            );
            assert!(
                matches!(
                    store.get(key, Some(0..1)).await,
                    Err(FileStoreError::NotFound(_))
                ),
                "ranged get {key}"
            );
            assert!(
                matches!(
                    store.attributes(key).await,
                    Err(FileStoreError::NotFound(_))
                ),
                "attributes {key}"
            );
            assert!(!exists(store, key).await.unwrap(), "exists {key}");
        }
    }

    pub async fn ranges(fx: &Fixture) {
        let store = &*fx.store;
        put(store, "r/digits", b"0123456789", TEXT).await;
        for (range, expected) in [
            (2..5, &b"234"[..]),
            (0..10, b"0123456789"),
            (0..1, b"0"),
            (9..10, b"9"),
            (7..100, b"789"),
            (7..u64::MAX, b"789"),
            (5..5, b""),
            // Reversed: empty too.
            (std::ops::Range { start: 6, end: 3 }, b""),
            (10..20, b""),
            (20..30, b""),
        ] {
            let object = store.get("r/digits", Some(range.clone())).await.unwrap();
            assert_eq!(
                object.attributes.size, 10,
                "{range:?}: the whole file's size"
            );
            assert_eq!(object.attributes.content_type, TEXT, "{range:?}");
            assert_eq!(read(object).await, expected, "{range:?}");
        }
        put(store, "r/empty", b"", TEXT).await;
        assert!(get(store, "r/empty", Some(0..10)).await.is_empty());
    }

    pub async fn attributes(fx: &Fixture) {
        let store = &*fx.store;
        let before = SystemTime::now() - Duration::from_secs(60);
        put(store, "a/photo.png", PNG, "image/png").await;
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        put(store, "a/data.bin", &data, BINARY).await;
        let after = SystemTime::now() + Duration::from_secs(60);

        let png = store.attributes("a/photo.png").await.unwrap();
        assert_eq!(png.size, PNG.len() as u64);
        assert_eq!(png.content_type, "image/png");
        assert!(png.modified > before && png.modified < after, "{png:?}");

        let bin = store.attributes("a/data.bin").await.unwrap();
        assert_eq!(bin.size, 1000);
        assert_eq!(bin.content_type, BINARY);
        assert!(bin.modified > before && bin.modified < after, "{bin:?}");
    }

    pub async fn delete(fx: &Fixture) {
        let store = &*fx.store;
        put(store, "d/a", b"a", TEXT).await;
        put(store, "d/b", b"b", TEXT).await;
        store.delete("d/a").await.unwrap();
        assert!(matches!(
            store.get("d/a", None).await,
            Err(FileStoreError::NotFound(_))
        ));
        assert_eq!(get(store, "d/b", None).await, b"b");
        // Deleting what is not there is fine.
        store.delete("d/a").await.unwrap();
        store.delete("never/was/there").await.unwrap();
        // `d` names no file (only a directory on disk).
        store.delete("d").await.unwrap();
        assert_eq!(keys(store, "").await, ["d/b"]);
    }

    pub async fn delete_prefix(fx: &Fixture) {
        let store = &*fx.store;
        for key in ["p/a/b/1", "p/a/b/c/2", "p/a/bc/3", "p/a/b.txt", "p/x"] {
            put(store, key, key.as_bytes(), TEXT).await;
        }
        store.delete_prefix("p/a/b").await.unwrap();
        assert_eq!(keys(store, "").await, ["p/a/b.txt", "p/a/bc/3", "p/x"]);
        // A trailing slash names the same directory.
        store.delete_prefix("p/a/bc/").await.unwrap();
        assert_eq!(keys(store, "").await, ["p/a/b.txt", "p/x"]);
        // Nothing under it, or a file rather than a directory: nothing deleted, no error.
        store.delete_prefix("p/nothing/here").await.unwrap();
        store.delete_prefix("p/x").await.unwrap();
        assert_eq!(keys(store, "").await, ["p/a/b.txt", "p/x"]);
        store.delete_prefix("p").await.unwrap();
        assert!(keys(store, "").await.is_empty());
    }

    pub async fn list(fx: &Fixture) {
        let store = &*fx.store;
        assert!(
            store.list("").await.unwrap().is_empty(),
            "a new store lists nothing"
        );
        let files: [(&str, usize); 6] = [
            ("l/c", 3),
            ("l/a/z.bin", 5),
            ("l/b.txt", 2),
            ("l/a/y", 1),
            ("l/ab.txt", 4),
            ("top", 6),
        ];
        for (key, size) in files {
            put(store, key, &generated(0, size as u64), BINARY).await;
        }
        let all = store.list("").await.unwrap();
        let listed: Vec<(&str, u64)> = all.iter().map(|e| (e.key.as_str(), e.size)).collect();
        assert_eq!(
            listed,
            [
                ("l/a/y", 1),
                ("l/a/z.bin", 5),
                ("l/ab.txt", 4),
                ("l/b.txt", 2),
                ("l/c", 3),
                ("top", 6),
            ]
        );
        let now = SystemTime::now();
        assert!(
            all.iter()
                .all(|e| e.modified > now - Duration::from_secs(120)),
            "{all:?}"
        );
        assert_eq!(keys(store, "l/a").await, ["l/a/y", "l/a/z.bin"]);
        assert_eq!(keys(store, "l/a/").await, ["l/a/y", "l/a/z.bin"]);
        assert_eq!(keys(store, "l").await.len(), 5);
        assert!(keys(store, "l/missing").await.is_empty());
        assert!(
            keys(store, "l/b.txt").await.is_empty(),
            "a file is not a directory"
        );
    }

    pub async fn invalid_keys(fx: &Fixture) {
        let store = &*fx.store;
        put(store, "x", b"x", TEXT).await;
        put(store, "a/b", b"b", TEXT).await;
        let bad = [
            "", "../x", "/abs", "/x", "a/../b", "a/./b", "./x", "..", "a//b", "a/", "a\\b", "a\0b",
        ];
        for key in bad {
            let invalid = |r: Result<(), FileStoreError>| matches!(r, Err(FileStoreError::InvalidKey(k)) if k == key);
            assert!(
                invalid(store.put(key, bytes_stream("y"), TEXT).await.map(drop)),
                "put {key:?}"
            );
            assert!(invalid(store.get(key, None).await.map(drop)), "get {key:?}");
            assert!(
                invalid(store.attributes(key).await.map(drop)),
                "attributes {key:?}"
            );
            assert!(invalid(store.delete(key).await), "delete {key:?}");
        }
        for prefix in ["", "/", "../x", "/abs", "a/../b", "a//"] {
            assert!(
                matches!(
                    store.delete_prefix(prefix).await,
                    Err(FileStoreError::InvalidKey(_))
                ),
                "delete_prefix {prefix:?}"
            );
        }
        for prefix in ["/", "../x", "/abs", "a/..", "a//b"] {
            assert!(
                matches!(store.list(prefix).await, Err(FileStoreError::InvalidKey(_))),
                "list {prefix:?}"
            );
        }
        // Nothing was written or removed.
        assert_eq!(keys(store, "").await, ["a/b", "x"]);
        assert_eq!(get(store, "x", None).await, b"x");
        if let Some(root) = &fx.local_root {
            let outside = root.parent().unwrap();
            let mut stray = files_on_disk(outside);
            stray.retain(|p| !p.starts_with(root));
            assert!(stray.is_empty(), "written outside the root: {stray:?}");
        }
    }

    pub async fn large_streamed(fx: &Fixture) {
        let store = &*fx.store;
        let len = 20 * MIB as u64;
        let written = store
            .put("big/image.png", generated_stream(len, false), "image/png")
            .await
            .unwrap();
        assert_eq!(written, len);
        let attributes = store.attributes("big/image.png").await.unwrap();
        assert_eq!(attributes.size, len);
        assert_eq!(attributes.content_type, "image/png");

        // Read back as a stream, compared chunk by chunk.
        let object = store.get("big/image.png", None).await.unwrap();
        assert_eq!(object.attributes.size, len);
        assert_eq!(object.attributes.content_type, "image/png");
        let mut body = object.body;
        let mut offset = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.expect("body chunk");
            let end = offset + chunk.len() as u64;
            assert!(
                chunk[..] == generated(offset, end)[..],
                "bytes {offset}..{end} differ"
            );
            offset = end;
        }
        assert_eq!(offset, len);

        // Ranges across the first part boundary and at the end.
        for range in [
            PART - 10..PART + 10,
            3 * PART + 1..3 * PART + 2,
            len - 7..len + 7,
        ] {
            let expected = generated(range.start, range.end.min(len));
            assert_eq!(
                get(store, "big/image.png", Some(range.clone())).await,
                expected,
                "{range:?}"
            );
        }
    }

    /// A put dropped while its body is still coming (a client that stalls, a request
    /// timeout) leaves nothing: no file, no temp file, no multipart upload (aborted).
    pub async fn cancelled_put(fx: &Fixture) {
        let store = &*fx.store;
        for (key, len) in [
            ("c/small.bin", 100 * KIB as u64),
            ("c/large.bin", 6 * MIB as u64),
        ] {
            let stalled: ByteStream =
                Box::pin(generated_stream(len, false).chain(futures_util::stream::pending()));
            let put = store.put(key, stalled, "image/png");
            let timed_out = tokio::time::timeout(Duration::from_secs(2), put).await;
            assert!(timed_out.is_err(), "put {key} finished: {timed_out:?}");
            assert!(
                matches!(
                    store.attributes(key).await,
                    Err(FileStoreError::NotFound(_))
                ),
                "{key} after a cancelled put"
            );
            assert!(keys(store, "").await.is_empty(), "after cancelling {key}");
        }
        if let Some(root) = &fx.local_root {
            let left = files_on_disk(root);
            assert!(left.is_empty(), "temp files left: {left:?}");
        }
    }

    pub async fn failed_put(fx: &Fixture) {
        let store = &*fx.store;
        // Failing early (a single-request upload on S3) and after more than one part (a
        // multipart upload, aborted).
        for (key, len) in [
            ("f/early.bin", 100 * KIB as u64),
            ("f/late.bin", 6 * MIB as u64),
        ] {
            let result = store
                .put(key, generated_stream(len, true), "image/png")
                .await;
            assert!(result.is_err(), "put {key} with a failing body: {result:?}");
            assert!(
                matches!(
                    store.attributes(key).await,
                    Err(FileStoreError::NotFound(_))
                ),
                "{key} after a failed put"
            );
            assert!(
                keys(store, "").await.is_empty(),
                "after the failed put of {key}"
            );
        }
        if let Some(root) = &fx.local_root {
            let left = files_on_disk(root);
            assert!(left.is_empty(), "temp files left: {left:?}");
        }

        // A failed overwrite leaves the old file.
        put(store, "f/kept.png", PNG, "image/png").await;
        let result = store
            .put(
                "f/kept.png",
                generated_stream(200 * KIB as u64, true),
                BINARY,
            )
            .await;
        assert!(result.is_err());
        let object = store.get("f/kept.png", None).await.unwrap();
        assert_eq!(object.attributes.content_type, "image/png");
        assert_eq!(read(object).await, PNG);
        assert_eq!(keys(store, "").await, ["f/kept.png"]);
        if let Some(root) = &fx.local_root {
            assert_eq!(files_on_disk(root), [root.join("f/kept.png")]);
        }
    }
}

/// The factory opens a store once per configuration: the same target gives the same store,
/// any other field (the S3 secret included) another.
#[test]
fn factory_reuses_stores_per_configuration() {
    fn same(a: &Arc<dyn FileStore>, b: &Arc<dyn FileStore>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
    }
    let stores = AdapterFileStores::new();
    let local = |p: &str| StorageTarget::Local(PathBuf::from(p));
    let a = stores.open(&local("/tmp/basalt-a")).unwrap();
    assert!(same(&a, &stores.open(&local("/tmp/basalt-a")).unwrap()));
    assert!(!same(&a, &stores.open(&local("/tmp/basalt-b")).unwrap()));

    let s3 = |secret: &str| {
        StorageTarget::S3(S3Target {
            endpoint: "http://127.0.0.1:9".to_owned(),
            region: "us-east-1".to_owned(),
            bucket: "files".to_owned(),
            access_key: "key".to_owned(),
            secret: secret.to_owned().into(),
            force_path_style: true,
        })
    };
    let one = stores.open(&s3("one")).unwrap();
    assert!(same(&one, &stores.open(&s3("one")).unwrap()));
    assert!(!same(&one, &stores.open(&s3("two")).unwrap()));
    assert!(!same(&one, &a));

    let bad = StorageTarget::S3(S3Target {
        bucket: String::new(),
        ..match s3("one") {
            StorageTarget::S3(t) => t,
            StorageTarget::Local(_) => unreachable!(),
        }
    });
    assert!(matches!(stores.open(&bad), Err(FileStoreError::Config(_))));
}
