//! Annotated custom routes are merged into the OpenAPI document.

use crate::support::*;
use basalt_http::router::{OperationDoc, Router};
use serde_json::{Value, json};

#[test]
fn documented_routes_are_merged_into_the_builtin_document() {
    let mut r = Router::<TestApp>::new();
    let g = r.group("/api/myapp");
    g.post("/posts/{id}/comments", named("c"))
        .openapi(OperationDoc {
            operation_id: "createComment".into(),
            summary: "Adds a comment".into(),
            description: "Adds a comment to a post.".into(),
            tags: vec!["MyApp".into()],
            request_schema: Some(
                json!({"type": "object", "properties": {"text": {"type": "string"}}}),
            ),
            response_schema: Some(json!({"type": "object"})),
        });
    g.get("/undocumented", named("u"));
    r.get("/files/{path...}", named("f")).openapi(OperationDoc {
        operation_id: "getFile".into(),
        ..OperationDoc::default()
    });
    r.any("/hook", named("h")).openapi(OperationDoc {
        operation_id: "hook".into(),
        ..OperationDoc::default()
    });

    let doc: Value = serde_json::from_str(&basalt_http::openapi_json_with(&r)).unwrap();
    let builtin: Value = serde_json::from_str(&basalt_http::openapi_json()).unwrap();
    // The built-in operations are all still there, unchanged.
    for (path, item) in builtin["paths"].as_object().unwrap() {
        assert_eq!(&doc["paths"][path], item, "{path}");
    }

    let op = &doc["paths"]["/myapp/posts/{id}/comments"]["post"];
    assert_eq!(op["operationId"], "createComment");
    assert_eq!(op["summary"], "Adds a comment");
    assert_eq!(op["description"], "Adds a comment to a post.");
    assert_eq!(op["tags"], json!(["MyApp"]));
    assert_eq!(
        op["parameters"],
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"]["properties"]["text"]["type"],
        "string"
    );
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "object"})
    );
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "MyApp")
    );
    // Paths outside /api carry their own server.
    let files = &doc["paths"]["/files/{path}"];
    assert_eq!(files["servers"], json!([{"url": "/"}]));
    assert_eq!(files["get"]["operationId"], "getFile");
    // Any-method routes are listed per method.
    assert_eq!(
        doc["paths"]["/hook"]["delete"]["operationId"],
        "hook_delete"
    );
    // Undocumented routes are left out.
    assert!(doc["paths"].get("/myapp/undocumented").is_none());
}
