//! OpenAPI documentation of custom routes: [`OperationDoc`] on a route
//! ([`Route::openapi`](super::Route::openapi)), merged into the built-in document by
//! [`openapi_json_with`](crate::openapi_json_with).

use super::doc::OperationDoc;
use super::pattern::{Pattern, Segment};
use super::tree::Router;
use serde_json::{Map, Value, json};

const ANY_METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The OpenAPI path of a pattern (`/posts/{id}`, `/files/{path...}` → `/files/{path}`) and
/// its path parameters.
fn openapi_path(pattern: &Pattern) -> (String, Vec<String>) {
    let mut path = String::new();
    let mut params = Vec::new();
    for seg in &pattern.segments {
        path.push('/');
        match seg {
            Segment::Literal(l) => path.push_str(l),
            Segment::Wild(n) => {
                path.push_str(&format!("{{{n}}}"));
                params.push(n.clone());
            }
            Segment::Multi(n) if !n.is_empty() => {
                path.push_str(&format!("{{{n}}}"));
                params.push(n.clone());
            }
            Segment::Multi(_) | Segment::End => {}
        }
    }
    (path, params)
}

fn operation(doc: &OperationDoc, operation_id: String, params: &[String]) -> Value {
    let mut op = Map::new();
    if !doc.tags.is_empty() {
        op.insert("tags".into(), json!(doc.tags));
    }
    if !doc.summary.is_empty() {
        op.insert("summary".into(), json!(doc.summary));
    }
    if !doc.description.is_empty() {
        op.insert("description".into(), json!(doc.description));
    }
    if !params.is_empty() {
        let list: Vec<Value> = params
            .iter()
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        op.insert("parameters".into(), Value::Array(list));
    }
    if let Some(schema) = &doc.request_schema {
        op.insert(
            "requestBody".into(),
            json!({"content": {"application/json": {"schema": schema}}, "required": true}),
        );
    }
    let mut ok = json!({"description": "Success."});
    if let Some(schema) = &doc.response_schema {
        ok["content"] = json!({"application/json": {"schema": schema}});
    }
    op.insert("responses".into(), json!({ "200": ok }));
    if !operation_id.is_empty() {
        op.insert("operationId".into(), json!(operation_id));
    }
    Value::Object(op)
}

/// Adds the documented routes of `router` to `doc` (a parsed OpenAPI document whose server
/// is `/api`): paths under `/api` are written relative to it, others get their own
/// `servers: [{url: "/"}]`. A custom operation replaces a built-in one on the same path and
/// method, as the custom route is matched first.
pub(crate) fn merge<A: Clone + Send + Sync + 'static>(doc: &mut Value, router: &Router<A>) {
    let mut ops: Vec<(String, bool, String, Value)> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    router.walk("", &mut |method, full, route| {
        let Some(d) = &route.doc else { return };
        let Ok(pattern) = Pattern::parse(full) else {
            return;
        };
        let (path, params) = openapi_path(&pattern);
        let (path, under_api) = match path.strip_prefix("/api/") {
            Some(rest) => (format!("/{rest}"), true),
            None => (path, false),
        };
        let methods: Vec<String> = match method {
            Some(m) => vec![m.to_ascii_lowercase()],
            None => ANY_METHODS.iter().map(|m| (*m).to_owned()).collect(),
        };
        for m in methods {
            let id = if method.is_none() && !d.operation_id.is_empty() {
                format!("{}_{m}", d.operation_id)
            } else {
                d.operation_id.clone()
            };
            ops.push((path.clone(), under_api, m, operation(d, id, &params)));
        }
        for t in &d.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
    });
    if !doc["paths"].is_object() {
        doc["paths"] = json!({});
    }
    for (path, under_api, method, op) in ops {
        let item = &mut doc["paths"][&path];
        let root_server = json!([{"url": "/"}]);
        if !under_api && item.is_object() && item["servers"] != root_server {
            // The key is taken by a built-in `/api` path; OpenAPI has one item per key.
            tracing::warn!(
                path,
                "custom route left out of the OpenAPI document: its path clashes with a built-in one"
            );
            continue;
        }
        if !item.is_object() {
            *item = json!({});
            if !under_api {
                item["servers"] = root_server;
            }
        }
        item[&method] = op;
    }
    if !tags.is_empty() {
        if !doc["tags"].is_array() {
            doc["tags"] = json!([]);
        }
        if let Some(list) = doc["tags"].as_array_mut() {
            for t in tags {
                if !list.iter().any(|x| x["name"] == t.as_str()) {
                    list.push(json!({ "name": t }));
                }
            }
        }
    }
}
