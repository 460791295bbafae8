//! Shared harness for the black-box HTTP tests.
//!
//! Every test starts the real server binary (Basalt's, or PocketBase's when
//! `BASALT_TEST_BIN` points at it) on a fresh temp data dir and a free port,
//! and drives it over TCP with reqwest. The child is killed on drop.
#![allow(dead_code)]

pub mod sse;

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use reqwest::{Method, StatusCode};
pub use serde_json::{Value, json};

pub const SUPERUSER_EMAIL: &str = "admin@example.com";
pub const SUPERUSER_PASSWORD: &str = "Passw0rd!1234";

/// The exact PocketBase error bodies that many tests compare against.
pub const MSG_NOT_FOUND: &str = "The requested resource wasn't found.";
pub const MSG_REQUIRES_AUTH: &str = "The request requires valid record authorization token.";
pub const MSG_NOT_ALLOWED: &str = "The authorized record is not allowed to perform this action.";
pub const MSG_ONLY_SUPERUSERS: &str = "Only superusers can perform this action.";
pub const MSG_SOMETHING_WRONG: &str = "Something went wrong while processing your request.";

/// `{"status": status, "message": message, "data": {}}`
pub fn err_body(status: u16, message: &str) -> Value {
    json!({"status": status, "message": message, "data": {}})
}

/// `{"code": code, "message": message}` — one entry of an error's `data`.
pub fn field_err(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

/// Resolves the server binary: `BASALT_TEST_BIN`, else `<target>/debug/basalt`
/// next to this test executable (`<target>/debug/deps/<test>-<hash>`).
pub fn server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("BASALT_TEST_BIN") {
        let bin = PathBuf::from(bin);
        assert!(
            bin.is_file(),
            "BASALT_TEST_BIN={} does not exist or is not a file",
            bin.display()
        );
        return bin;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable is expected at <target>/<profile>/deps/<name>");
    let bin = profile_dir.join(format!("basalt{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "server binary not found at {}: run `cargo build --workspace` first \
         (with the same CARGO_TARGET_DIR), or set BASALT_TEST_BIN to a server binary",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

pub struct TestServer {
    child: Option<Child>,
    dir: tempfile::TempDir,
    port: u16,
    base: String,
    logs: [PathBuf; 2],
    client: reqwest::Client,
    su_token: tokio::sync::OnceCell<String>,
}

impl TestServer {
    /// Starts a fresh server (new data dir, superuser created) and waits until
    /// `/api/health` answers 200.
    pub async fn start() -> TestServer {
        Self::start_with_env(&[]).await
    }

    /// [`TestServer::start`] with extra environment variables for the `serve` process.
    pub async fn start_with_env(env: &[(&str, &str)]) -> TestServer {
        let bin = server_bin();
        let dir = tempfile::Builder::new()
            .prefix("basalt-test-")
            .tempdir()
            .expect("tempdir");
        let data_dir = dir.path().join("pb_data");

        let out = Command::new(&bin)
            .arg("superuser")
            .arg("upsert")
            .arg(SUPERUSER_EMAIL)
            .arg(SUPERUSER_PASSWORD)
            .arg("--dir")
            .arg(&data_dir)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("failed to run {}: {e}", bin.display()));
        assert!(
            out.status.success(),
            "`{} superuser upsert` failed ({}):\nstdout:\n{}\nstderr:\n{}",
            bin.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("reqwest client");

        // A free port can be grabbed by someone else between probing and
        // binding: retry a few times when the server exits early.
        let mut last_failure = String::new();
        for attempt in 0..5 {
            let port = free_port();
            let base = format!("http://127.0.0.1:{port}");
            let stdout_path = dir.path().join(format!("server-{attempt}.stdout"));
            let stderr_path = dir.path().join(format!("server-{attempt}.stderr"));
            let mut child = Command::new(&bin)
                .arg("serve")
                .arg(format!("--http=127.0.0.1:{port}"))
                .arg("--dir")
                .arg(&data_dir)
                .current_dir(dir.path())
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(File::create(&stdout_path).expect("stdout file"))
                .stderr(File::create(&stderr_path).expect("stderr file"))
                .spawn()
                .unwrap_or_else(|e| panic!("failed to spawn {}: {e}", bin.display()));
            match wait_healthy(&mut child, &client, &base, Duration::from_secs(30)).await {
                Ok(()) => {
                    return TestServer {
                        child: Some(child),
                        dir,
                        port,
                        base,
                        logs: [stdout_path, stderr_path],
                        client,
                        su_token: tokio::sync::OnceCell::new(),
                    };
                }
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_failure = format!(
                        "{why}\n--- server stdout ---\n{}\n--- server stderr ---\n{}",
                        read_lossy(&stdout_path),
                        read_lossy(&stderr_path)
                    );
                    if !why.starts_with("server exited") {
                        break;
                    }
                }
            }
        }
        panic!(
            "server {} did not become healthy: {last_failure}",
            bin.display()
        );
    }

    /// Kills the server at once (SIGKILL on Unix), as a crash would.
    pub fn kill(&mut self) {
        self.stop();
    }

    /// Starts the server again on the same data dir and port (after [`TestServer::kill`]),
    /// and waits until `/api/health` answers 200.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        let bin = server_bin();
        let n = self.dir.path().read_dir().map_or(0, Iterator::count);
        let stdout_path = self.dir.path().join(format!("server-again-{n}.stdout"));
        let stderr_path = self.dir.path().join(format!("server-again-{n}.stderr"));
        let mut child = Command::new(&bin)
            .arg("serve")
            .arg(format!("--http=127.0.0.1:{}", self.port))
            .arg("--dir")
            .arg(self.dir.path().join("pb_data"))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(File::create(&stdout_path).expect("stdout file"))
            .stderr(File::create(&stderr_path).expect("stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("failed to spawn {}: {e}", bin.display()));
        if let Err(why) = wait_healthy(
            &mut child,
            &self.client,
            &self.base,
            Duration::from_secs(30),
        )
        .await
        {
            let _ = child.kill();
            panic!(
                "server did not start again: {why}\n{}",
                read_lossy(&stderr_path)
            );
        }
        self.child = Some(child);
        self.logs = [stdout_path, stderr_path];
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server process's id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's stdout and stderr so far (handy in assertion messages).
    pub fn logs(&self) -> String {
        format!(
            "--- server stdout ---\n{}\n--- server stderr ---\n{}",
            read_lossy(&self.logs[0]),
            read_lossy(&self.logs[1])
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// A request builder with the optional `Authorization` token set.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut rb = self.client.request(method, self.url(path));
        if let Some(token) = token {
            rb = rb.header(reqwest::header::AUTHORIZATION, token);
        }
        rb
    }

    /// Sends a request with an optional JSON body; returns the status and the
    /// parsed JSON body (`Value::Null` when the body is empty).
    pub async fn req(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.request(method, path, token);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        send(rb).await
    }

    /// Like [`TestServer::req`], authenticated as the superuser.
    pub async fn su(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let token = self.superuser_token().await;
        self.req(method, path, Some(&token), body).await
    }

    /// Sends raw bytes with the given content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let rb = self
            .request(method, path, token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        send(rb).await
    }

    /// Sends a multipart/form-data body made of text parts (repeated keys allowed).
    pub async fn multipart(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        parts: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in parts {
            form = form.text(k.to_string(), v.to_string());
        }
        send(self.request(method, path, token).multipart(form)).await
    }

    /// The superuser's auth token (logged in once, then cached).
    pub async fn superuser_token(&self) -> String {
        self.su_token
            .get_or_init(|| async {
                self.login("_superusers", SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
                    .await
                    .0
            })
            .await
            .clone()
    }

    /// auth-with-password; panics unless 200. Returns (token, record).
    pub async fn login(&self, collection: &str, identity: &str, password: &str) -> (String, Value) {
        let (status, body) = self
            .req(
                Method::POST,
                &format!("/api/collections/{collection}/auth-with-password"),
                None,
                Some(json!({"identity": identity, "password": password})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "login {identity} into {collection}: {body}"
        );
        let token = body["token"].as_str().expect("token").to_string();
        (token, body["record"].clone())
    }

    /// Creates a collection from JSON as the superuser; panics unless 200.
    pub async fn create_collection(&self, def: Value) -> Value {
        let (status, body) = self
            .su(Method::POST, "/api/collections", Some(def.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "create collection {def}: {body}");
        body
    }

    /// Creates a record as the superuser; panics unless 200.
    pub async fn create_record(&self, collection: &str, data: Value) -> Value {
        let (status, body) = self
            .su(
                Method::POST,
                &format!("/api/collections/{collection}/records"),
                Some(data.clone()),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "create record in {collection} {data}: {body}"
        );
        body
    }

    /// Creates a user in `users` (as guest: its createRule is "") and logs in.
    /// Returns (token, record).
    pub async fn create_user(&self, email: &str, password: &str) -> (String, Value) {
        let (status, body) = self
            .req(
                Method::POST,
                "/api/collections/users/records",
                None,
                Some(json!({"email": email, "password": password, "passwordConfirm": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "create user {email}: {body}");
        self.login("users", email, password).await
    }

    /// `totalItems` of a collection's record list, seen by the superuser.
    pub async fn count(&self, collection: &str) -> i64 {
        let (status, body) = self
            .su(
                Method::GET,
                &format!("/api/collections/{collection}/records?perPage=1"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "count {collection}: {body}");
        body["totalItems"].as_i64().expect("totalItems")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        // On a failing test, show what the server said (the tail of it).
        if std::thread::panicking() {
            let logs = self.logs();
            let tail: String = {
                let chars: Vec<char> = logs.chars().collect();
                chars[chars.len().saturating_sub(8000)..].iter().collect()
            };
            eprintln!("server on port {} (test failed):\n{tail}", self.port);
        }
    }
}

async fn wait_healthy(
    child: &mut Child,
    client: &reqwest::Client,
    base: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let url = format!("{base}/api/health");
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("server exited before becoming healthy: {status}"));
        }
        if let Ok(resp) = client
            .get(&url)
            .timeout(Duration::from_secs(2))
            .send()
            .await
            && resp.status() == StatusCode::OK
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("/api/health not 200 within {timeout:?}"));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn send(rb: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = rb.send().await.expect("send request");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("read response body");
    if bytes.is_empty() {
        return (status, Value::Null);
    }
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "response ({status}) is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, body)
}

/// The names of a JSON array of objects, in order.
pub fn names(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_string())
        .collect()
}

/// `k1=v1&k2=v2` with every byte outside `[A-Za-z0-9-._~]` percent-encoded,
/// for list queries (`filter`, `sort`, ...) appended to a path after `?`.
pub fn encode_query(params: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}
