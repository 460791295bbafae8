//! The operations that are not `$app`'s: logging, `sleep`, `$security`, `$os` (no process
//! execution), `$http.send` and `require`'s module resolution.

use crate::ops::common::{HostError, HostResult, app_of, park_on};
use crate::pool::Shared;
use basalt_ports::ServiceError;
use serde_json::{Value, json};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

fn text<'a>(args: &'a Value, key: &str) -> &'a str {
    args.get(key).and_then(Value::as_str).unwrap_or("")
}

fn fail(message: impl Into<String>) -> HostError {
    HostError::Service(ServiceError::bad_request(message))
}

/// Runs operation `op`.
pub(crate) fn run(shared: &Arc<Shared>, op: &str, args: Value) -> HostResult {
    match op {
        "log" => {
            let msg = text(&args, "msg");
            let attrs = args.get("attrs").cloned().unwrap_or(Value::Null);
            let attrs = if attrs.as_array().is_some_and(Vec::is_empty) {
                String::new()
            } else {
                attrs.to_string()
            };
            match text(&args, "level") {
                "debug" => tracing::debug!(target: "basalt::jsvm", "{msg} {attrs}"),
                "warn" => tracing::warn!(target: "basalt::jsvm", "{msg} {attrs}"),
                "error" => tracing::error!(target: "basalt::jsvm", "{msg} {attrs}"),
                _ => tracing::info!(target: "basalt::jsvm", "{msg} {attrs}"),
            }
            Ok(Value::Null)
        }
        "sleep" => {
            let ms = args.get("ms").and_then(Value::as_u64).unwrap_or(0);
            shared.waiting(|| std::thread::sleep(std::time::Duration::from_millis(ms)));
            Ok(Value::Null)
        }
        "security.randomString" => {
            let n = args.get("n").and_then(Value::as_u64).unwrap_or(0);
            let alphabet = text(&args, "alphabet");
            let class = if alphabet.is_empty() {
                "A-Za-z0-9".to_owned()
            } else {
                alphabet
                    .replace('\\', "\\\\")
                    .replace(']', "\\]")
                    .replace('-', "\\-")
            };
            let app = app_of(shared, &args)?;
            Ok(json!(
                app.random_from_pattern(&format!("[{class}]{{{n}}}"))?
            ))
        }
        "security.randomStringByRegex" => {
            let app = app_of(shared, &args)?;
            Ok(json!(app.random_from_pattern(text(&args, "pattern"))?))
        }
        "os.getenv" => Ok(json!(std::env::var(text(&args, "key")).unwrap_or_default())),
        "os.readFile" => std::fs::read_to_string(text(&args, "path"))
            .map(|s| json!(s))
            .map_err(|e| fail(e.to_string())),
        "os.writeFile" => std::fs::write(text(&args, "path"), text(&args, "data"))
            .map(|()| Value::Null)
            .map_err(|e| fail(e.to_string())),
        "os.mkdirAll" => std::fs::create_dir_all(text(&args, "path"))
            .map(|()| Value::Null)
            .map_err(|e| fail(e.to_string())),
        "os.remove" => {
            let p = Path::new(text(&args, "path"));
            let r = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
            r.map(|()| Value::Null).map_err(|e| fail(e.to_string()))
        }
        "os.readDir" => {
            let mut names = Vec::new();
            for entry in std::fs::read_dir(text(&args, "path")).map_err(|e| fail(e.to_string()))? {
                let entry = entry.map_err(|e| fail(e.to_string()))?;
                names.push(json!({
                    "name": entry.file_name().to_string_lossy(),
                    "isDir": entry.file_type().map(|t| t.is_dir()).unwrap_or(false),
                }));
            }
            Ok(Value::Array(names))
        }
        "http.send" => http_send(shared, &args),
        _ => Err(ServiceError::internal_message(format!("unknown operation {op}")).into()),
    }
}

/// `$http.send({url, method, headers, body, timeout})`.
fn http_send(shared: &Arc<Shared>, args: &Value) -> HostResult {
    let method = reqwest::Method::from_bytes(text(args, "method").to_ascii_uppercase().as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    let timeout = args.get("timeout").and_then(Value::as_u64).unwrap_or(120);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(timeout))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let mut req = client.request(method, text(args, "url"));
    if let Some(headers) = args.get("headers").and_then(Value::as_object) {
        for (k, v) in headers {
            req = req.header(
                k,
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string()),
            );
        }
    }
    let body = text(args, "body").to_owned();
    if !body.is_empty() {
        req = req.body(body);
    }
    park_on(shared, async move {
        let res = req.send().await.map_err(|e| fail(e.to_string()))?;
        let status = res.status().as_u16();
        let headers: serde_json::Map<String, Value> = res
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), json!([v.to_str().unwrap_or("")])))
            .collect();
        let bytes = res.bytes().await.map_err(|e| fail(e.to_string()))?;
        Ok(json!({"status": status, "headers": headers, "body": String::from_utf8_lossy(&bytes)}))
    })
}

/// `require(name)`: a path relative to `pb_hooks` (`./utils.js`, `utils`), which must stay
/// inside it.
pub(crate) fn resolve_module(shared: &Arc<Shared>, args: &Value) -> HostResult {
    let name = text(args, "name");
    let rel = Path::new(name);
    if rel.components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    }) {
        return Err(fail(format!(
            "require({name:?}): only modules inside pb_hooks can be required"
        )));
    }
    let base: PathBuf = shared.hooks_dir.join(rel);
    let candidates = [
        base.clone(),
        base.with_extension("js"),
        base.join("index.js"),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .map(|p| json!(p.display().to_string()))
        .ok_or_else(|| fail(format!("require({name:?}): cannot find module")))
}
