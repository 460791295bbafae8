//! The committed OpenAPI document must match what the route definitions generate.

#[test]
fn committed_openapi_document_matches_the_routes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).expect("openapi/openapi.json is missing");
    let generated = basalt_http::openapi_json();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run --bin basalt -- openapi --static --out openapi/openapi.json`"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).expect("valid JSON");
    assert_eq!(doc["openapi"], basalt_http::OPENAPI_VERSION);
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/health",
        "/collections",
        "/collections/import",
        "/collections/meta/scaffolds",
        "/collections/{collection}",
        "/collections/{collection}/truncate",
        "/collections/{collection}/records",
        "/collections/{collection}/records/{id}",
        "/collections/{collection}/auth-with-password",
        "/collections/{collection}/auth-refresh",
        "/collections/{collection}/auth-methods",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(p), "missing path {p}");
    }
    let create =
        &doc["paths"]["/collections/{collection}/records"]["post"]["requestBody"]["content"];
    assert!(create.get("application/json").is_some());
    assert!(create.get("multipart/form-data").is_some());
}
