//! Files over HTTP on the real binary: a 200 MB upload streamed through with bounded memory,
//! and the whole file pipeline (upload, thumbs, protected tokens, replace, delete, the S3
//! test endpoint) on a real S3-compatible server (`moto`, started by `scripts/test.sh`; its
//! URL in `BASALT_TEST_S3_ENDPOINT`).

mod common;

use common::TestServer;
use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};

const MIB: u64 = 1 << 20;

/// The peak resident memory of a process (`VmHWM`), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// A deterministic, incompressible-looking byte pattern.
fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// A small PNG (`w`×`h`, one colour), written by hand.
fn png(w: u32, h: u32) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn adler(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &d in data {
            a = (a + u32::from(d)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    // each row: filter byte 0, then w red-ish pixels
    let row: Vec<u8> = std::iter::once(0u8)
        .chain((0..w).flat_map(|_| [200u8, 40, 40]))
        .collect();
    let raw: Vec<u8> = (0..h).flat_map(|_| row.iter().copied()).collect();
    // zlib with stored (uncompressed) blocks
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The width and height of a PNG.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

async fn upload(
    srv: &TestServer,
    path: &str,
    method: Method,
    token: Option<&str>,
    fields: &[(&str, &str)],
    files: Vec<(&str, &str, Vec<u8>)>,
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (k, name, bytes) in files {
        form = form.part(
            k.to_string(),
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let res = srv
        .request(method, path, token)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let status = res.status();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

async fn get_bytes(
    srv: &TestServer,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let res = srv.client().get(srv.url(path)).send().await.expect("get");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

#[tokio::test]
async fn a_200_mb_upload_is_streamed_with_bounded_memory() {
    let srv = TestServer::start().await;
    let pid = srv.pid().expect("server pid");
    srv.create_collection(json!({
        "name": "big", "type": "base", "createRule": "", "viewRule": "", "listRule": "",
        "fields": [{"name": "blob", "type": "file", "maxSelect": 1, "maxSize": 250 * MIB}],
    }))
    .await;
    let before = peak_rss(pid);
    let data = pattern(200 * MIB as usize);
    let (status, rec) = upload(
        &srv,
        "/api/collections/big/records",
        Method::POST,
        None,
        &[],
        vec![("blob", "huge.bin", data.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    let after = peak_rss(pid);
    let name = rec["blob"].as_str().expect("stored name").to_owned();
    assert!(
        name.starts_with("huge_") && name.ends_with(".bin"),
        "{name}"
    );
    let res = srv
        .client()
        .get(srv.url(&format!(
            "/api/files/big/{}/{name}",
            rec["id"].as_str().unwrap_or("")
        )))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-length"].to_str().ok(),
        Some((200 * MIB).to_string().as_str())
    );
    let back = res.bytes().await.expect("bytes");
    assert!(back[..] == data[..], "the downloaded bytes differ");
    let after_download = peak_rss(pid);
    eprintln!(
        "server peak RSS: {} MiB before, {} MiB after the 200 MiB upload, {} MiB after its download",
        before / MIB,
        after / MIB,
        after_download / MIB
    );
    assert!(
        after_download < before + 64 * MIB,
        "peak RSS grew from {} MiB to {} MiB",
        before / MIB,
        after_download / MIB
    );
}

#[tokio::test]
async fn an_upload_over_the_collection_limit_is_a_413_and_stores_nothing() {
    let srv = TestServer::start().await;
    srv.create_collection(json!({
        "name": "small", "type": "base", "createRule": "", "listRule": "",
        "fields": [{"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 1024}],
    }))
    .await;
    // the limit is the 32 MiB default plus maxSize × maxSelect
    let (status, body) = upload(
        &srv,
        "/api/collections/small/records",
        Method::POST,
        None,
        &[],
        vec![("doc", "x.bin", pattern(33 * MIB as usize))],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(srv.count("small").await, 0);
    // within the body limit but over maxSize: the field's error
    let (status, body) = upload(
        &srv,
        "/api/collections/small/records",
        Method::POST,
        None,
        &[],
        vec![("doc", "x.bin", pattern(2048))],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["data"]["doc"]["code"], "validation_file_size_limit");
    assert_eq!(srv.count("small").await, 0);
}

/// The S3 endpoint of the moto server the test script started, if any.
fn s3_endpoint() -> Option<String> {
    match std::env::var("BASALT_TEST_S3_ENDPOINT") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("BASALT_REQUIRE_S3").is_err(),
                "BASALT_REQUIRE_S3 is set but BASALT_TEST_S3_ENDPOINT is not"
            );
            eprintln!("skipped: BASALT_TEST_S3_ENDPOINT unset");
            None
        }
    }
}

/// The keys of `bucket` with their sizes, listed through Basalt's S3 adapter (contract-tested
/// on its own against the same server; the objects are private, so they cannot be read
/// anonymously).
async fn bucket_keys(
    _client: &reqwest::Client,
    endpoint: &str,
    bucket: &str,
) -> Vec<(String, u64)> {
    use basalt_ports::files::{FileStore, S3Target};
    let store = basalt_storage_s3::S3Store::new(&S3Target {
        endpoint: endpoint.to_owned(),
        region: "us-east-1".into(),
        bucket: bucket.to_owned(),
        access_key: "test".into(),
        secret: "test-secret".to_owned().into(),
        force_path_style: true,
    })
    .expect("s3 store");
    store
        .list("")
        .await
        .expect("list the bucket")
        .into_iter()
        .map(|e| (e.key, e.size))
        .collect()
}

/// Creates `bucket` on the S3 server (moto accepts any credentials).
async fn create_bucket(client: &reqwest::Client, endpoint: &str, bucket: &str) {
    let res = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("create bucket");
    assert!(res.status().is_success(), "create bucket: {}", res.status());
}

#[tokio::test]
async fn files_on_s3_through_the_api() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let srv = TestServer::start().await;
    let bucket = format!("basalt-files-{}", srv.port());
    create_bucket(srv.client(), &endpoint, &bucket).await;

    // the test endpoint refuses while S3 is off
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/s3",
            Some(json!({"filesystem": "storage"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/s3",
            Some(json!({"filesystem": "nope"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["data"]["filesystem"]["code"], "validation_in_invalid");

    let s3 = json!({"enabled": true, "bucket": bucket, "region": "us-east-1",
        "endpoint": endpoint, "accessKey": "test", "secret": "test-secret", "forcePathStyle": true});
    let (status, body) = srv
        .su(Method::PATCH, "/api/settings", Some(json!({"s3": s3})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = srv
        .su(
            Method::POST,
            "/api/settings/test/s3",
            Some(json!({"filesystem": "storage"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let (_, user) = srv.create_user("reader@example.com", "Passw0rd!1234").await;
    let user_token = srv
        .login("users", "reader@example.com", "Passw0rd!1234")
        .await
        .0;
    let _ = user;
    srv.create_collection(json!({
        "name": "docs", "type": "base", "createRule": "", "updateRule": "", "deleteRule": "",
        "listRule": "", "viewRule": "@request.auth.id != ''",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "image", "type": "file", "maxSelect": 1, "thumbs": ["40x0", "30x30"]},
            {"name": "secret", "type": "file", "maxSelect": 1, "protected": true},
        ],
    }))
    .await;
    let (status, rec) = upload(
        &srv,
        "/api/collections/docs/records",
        Method::POST,
        None,
        &[("title", "hello")],
        vec![
            ("image", "Photo One.png", png(200, 100)),
            ("secret", "secret.txt", b"top secret".to_vec()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    let id = rec["id"].as_str().expect("id").to_owned();
    let image = rec["image"].as_str().expect("image").to_owned();
    let secret = rec["secret"].as_str().expect("secret").to_owned();
    assert!(
        image.starts_with("photo_one_") && image.ends_with(".png"),
        "{image}"
    );

    // the objects are in the bucket under PocketBase's keys
    let cid = srv.su(Method::GET, "/api/collections/docs", None).await.1["id"]
        .as_str()
        .expect("collection id")
        .to_owned();
    let keys = bucket_keys(srv.client(), &endpoint, &bucket).await;
    let image_key = format!("{cid}/{id}/{image}");
    let secret_key = format!("{cid}/{id}/{secret}");
    assert!(
        keys.contains(&(image_key.clone(), png(200, 100).len() as u64)),
        "{keys:?}"
    );
    assert!(keys.contains(&(secret_key.clone(), 10)), "{keys:?}");

    // served back, with a thumb made and cached in the bucket
    let (status, headers, bytes) = get_bytes(&srv, &format!("/api/files/docs/{id}/{image}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(bytes, png(200, 100));
    let (status, _, thumb) =
        get_bytes(&srv, &format!("/api/files/docs/{id}/{image}?thumb=40x0")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(png_size(&thumb), (40, 20));
    let thumb_key = format!("{cid}/{id}/thumbs_{image}/40x0_{image}");
    let keys = bucket_keys(srv.client(), &endpoint, &bucket).await;
    assert!(keys.iter().any(|(k, _)| *k == thumb_key), "{keys:?}");
    let (_, _, range) = {
        let res = srv
            .client()
            .get(srv.url(&format!("/api/files/docs/{id}/{image}")))
            .header("Range", "bytes=1-3")
            .send()
            .await
            .expect("range");
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        let h = res.headers().clone();
        (res.status(), h, res.bytes().await.expect("bytes").to_vec())
    };
    assert_eq!(range, b"PNG");

    // the protected file: 404 without a token, served with the user's file token
    let (status, _, _) = get_bytes(&srv, &format!("/api/files/docs/{id}/{secret}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = srv
        .req(Method::POST, "/api/files/token", Some(&user_token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().expect("token").to_owned();
    let (status, _, bytes) = get_bytes(
        &srv,
        &format!("/api/files/docs/{id}/{secret}?token={token}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"top secret");

    // replacing the image removes the old one and its thumbs from the bucket
    let (status, rec) = upload(
        &srv,
        &format!("/api/collections/docs/records/{id}"),
        Method::PATCH,
        None,
        &[],
        vec![("image", "two.png", png(10, 10))],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    let (status, _, _) = get_bytes(&srv, &format!("/api/files/docs/{id}/{image}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let keys = bucket_keys(srv.client(), &endpoint, &bucket).await;
    for gone in [&image_key, &thumb_key] {
        assert!(
            !keys.iter().any(|(k, _)| k == gone),
            "{gone} still in {keys:?}"
        );
    }
    let new_image = rec["image"].as_str().expect("new image").to_owned();
    let new_key = format!("{cid}/{id}/{new_image}");
    assert!(keys.iter().any(|(k, _)| *k == new_key), "{keys:?}");

    // deleting the record empties its directory in the bucket
    let (status, _) = srv
        .req(
            Method::DELETE,
            &format!("/api/collections/docs/records/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let keys = bucket_keys(srv.client(), &endpoint, &bucket).await;
    let dir = format!("{cid}/{id}/");
    assert!(
        !keys.iter().any(|(k, _)| k.starts_with(&dir)),
        "left behind: {keys:?}"
    );
}
