//! The live API document: the built-in operations (poem-openapi's), the documented custom
//! routes, and one typed set of paths per collection — records list/create under
//! `/collections/{name}/records`, view/update/delete under `/collections/{name}/records/{id}`,
//! and for auth collections `auth-with-password`, `auth-refresh` and `auth-methods` — whose
//! bodies and answers follow the collection's fields. OpenAPI 3.1.

use basalt_domain::collection::CollectionType;
use basalt_ports::CollectionDoc;
use serde_json::{Map, Value, json};

/// The OpenAPI version of every document Basalt writes.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The content type of Basalt's JSON answers.
const JSON: &str = "application/json";

/// `base` (the static document, with the custom routes) with `collections` added.
pub fn live_document(base: &Value, collections: &[CollectionDoc]) -> Value {
    let mut doc = base.clone();
    let mut names = Names::default();
    for c in collections {
        let name = names.type_name(&c.name);
        add_collection(&mut doc, c, &name);
    }
    doc
}

/// Marks a poem-openapi document (OpenAPI 3.0) as 3.1 — its constructs (no `nullable`, no
/// boolean `exclusiveMinimum`) read the same in both — and declares the auth token: the
/// `Authorization` header (optional: guests call the API too).
pub(crate) fn as_openapi_31(doc: &mut Value) {
    doc["openapi"] = json!(OPENAPI_VERSION);
    doc["components"]["securitySchemes"]["authToken"] = json!({
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "An auth token, from an auth-with-password or auth-refresh answer."
    });
    doc["security"] = json!([{}, {"authToken": []}]);
}

/// Unique type names for collections: `owned_posts` → `OwnedPosts`, `_superusers` →
/// `Superusers` (a suffix when two collections would share one).
#[derive(Default)]
struct Names(Vec<String>);

impl Names {
    fn type_name(&mut self, collection: &str) -> String {
        let mut base: String = collection
            .split('_')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut cs = w.chars();
                cs.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                    .unwrap_or_default()
            })
            .collect();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base = format!("C{base}");
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.0.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.0.push(name.clone());
        name
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The error answers of every operation, as the built-in ones document them.
fn errors() -> Map<String, Value> {
    let body = json!({ JSON: { "schema": schema_ref("ErrorBody") } });
    [
        ("400", "400: invalid input; `data` says which fields."),
        ("401", "401: a valid auth token is required."),
        ("403", "403: the authenticated record may not do this."),
        ("404", "404: no such resource (or hidden by an API rule)."),
        ("413", "413: the request body is over the limit."),
        ("500", "500: an internal failure."),
    ]
    .into_iter()
    .map(|(status, description)| {
        (
            status.to_owned(),
            json!({ "description": description, "content": body }),
        )
    })
    .collect()
}

fn responses(ok_status: &str, ok: Value) -> Value {
    let mut all = errors();
    all.insert(ok_status.to_owned(), ok);
    Value::Object(all)
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { JSON: { "schema": schema } } })
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": "The record id." })
}

/// A request body of `schema`: JSON, and a multipart form when the collection has files.
/// Optional, as PocketBase reads a missing body as an empty one.
fn request_body(schema: &str, files: bool) -> Value {
    let mut content = Map::new();
    content.insert(
        "application/json".into(),
        json!({ "schema": schema_ref(schema) }),
    );
    if files {
        content.insert(
            "multipart/form-data".into(),
            json!({ "schema": schema_ref(schema) }),
        );
    }
    json!({ "required": false, "content": Value::Object(content) })
}

fn add_collection(doc: &mut Value, c: &CollectionDoc, name: &str) {
    let record = format!("{name}Record");
    let page = format!("{name}ListPage");
    let (create, update) = (format!("{name}Create"), format!("{name}Update"));
    let tag = format!("Collection {}", c.name);
    let schemas = &mut doc["components"]["schemas"];
    schemas[&record] = c.schemas.record.clone();
    schemas[&page] = json!({
        "type": "object",
        "title": page,
        "description": format!("A page of {} records.", c.name),
        "required": ["page", "perPage", "totalItems", "totalPages", "items"],
        "properties": {
            "page": { "type": "integer", "format": "int64" },
            "perPage": { "type": "integer", "format": "int64" },
            "totalItems": { "type": "integer", "format": "int64", "description": "-1 with `skipTotal`." },
            "totalPages": { "type": "integer", "format": "int64", "description": "-1 with `skipTotal`." },
            "items": { "type": "array", "items": schema_ref(&record) }
        }
    });
    if let Some(s) = &c.schemas.create {
        schemas[&create] = s.clone();
    }
    if let Some(s) = &c.schemas.update {
        schemas[&update] = s.clone();
    }
    let base = format!("/collections/{}", c.name);
    let paths = &mut doc["paths"];
    let mut list = Map::new();
    list.insert(
        "get".into(),
        json!({
            "tags": [tag],
            "operationId": format!("list{name}"),
            "summary": format!("Lists {} records (the list rule filters them).", c.name),
            "parameters": [
                query("page", json!({"type": "integer", "format": "int64"}), "1-based page (default 1)."),
                query("perPage", json!({"type": "integer", "format": "int64"}), "Page size (default 30, at most 1000)."),
                query("sort", json!({"type": "string"}), "Comma-separated fields, `-` for descending, `@random`, `@rowid`."),
                query("filter", json!({"type": "string"}), "A filter expression, e.g. `title ~ 'abc' && views > 10`."),
                query("skipTotal", json!({"type": "string"}), "`1` skips counting (totals become -1)."),
            ],
            "responses": responses("200", ok_json("A page of records.", schema_ref(&page)))
        }),
    );
    if c.schemas.create.is_some() {
        list.insert(
            "post".into(),
            json!({
                "tags": [tag],
                "operationId": format!("create{name}"),
                "summary": format!("Creates a {} record (the create rule must pass).", c.name),
                "requestBody": request_body(&create, c.schemas.has_files),
                "responses": responses("200", ok_json("The created record.", schema_ref(&record)))
            }),
        );
    }
    paths[format!("{base}/records")] = Value::Object(list);
    let mut one = Map::new();
    one.insert(
        "get".into(),
        json!({
            "tags": [tag],
            "operationId": format!("view{name}"),
            "summary": format!("One {} record (404 when the view rule hides it).", c.name),
            "parameters": [id_param()],
            "responses": responses("200", ok_json("The record.", schema_ref(&record)))
        }),
    );
    if c.schemas.update.is_some() {
        one.insert(
            "patch".into(),
            json!({
                "tags": [tag],
                "operationId": format!("update{name}"),
                "summary": format!("Updates a {} record (`name+`/`name-` modify numbers and lists).", c.name),
                "parameters": [id_param()],
                "requestBody": request_body(&update, c.schemas.has_files),
                "responses": responses("200", ok_json("The updated record.", schema_ref(&record)))
            }),
        );
        one.insert(
            "delete".into(),
            json!({
                "tags": [tag],
                "operationId": format!("delete{name}"),
                "summary": format!("Deletes a {} record, with the records referencing it as their relations say.", c.name),
                "parameters": [id_param()],
                "responses": responses("204", json!({ "description": "Deleted." }))
            }),
        );
    }
    paths[format!("{base}/records/{{id}}")] = Value::Object(one);
    if c.kind == CollectionType::Auth {
        add_auth(paths, c, name, &tag, &record);
    }
}

fn add_auth(paths: &mut Value, c: &CollectionDoc, name: &str, tag: &str, record: &str) {
    let base = format!("/collections/{}", c.name);
    let auth_result = json!({
        "type": "object",
        "required": ["token", "record"],
        "properties": {
            "token": { "type": "string", "description": "The auth token (send it as `Authorization`)." },
            "record": schema_ref(record),
            "meta": { "type": "object", "additionalProperties": true }
        }
    });
    paths[format!("{base}/auth-with-password")] = json!({
        "post": {
            "tags": [tag],
            "operationId": format!("auth{name}WithPassword"),
            "summary": format!("Signs a {} record in with an identity and its password.", c.name),
            "requestBody": {
                "required": true,
                "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["identity", "password"],
                    "properties": {
                        "identity": { "type": "string", "description": "The email, or another identity field's value." },
                        "password": { "type": "string" },
                        "identityField": { "type": "string", "description": "Which identity field to look in (default: each)." }
                    }
                } } }
            },
            "responses": responses("200", ok_json("The token and the record.", auth_result.clone()))
        }
    });
    paths[format!("{base}/auth-refresh")] = json!({
        "post": {
            "tags": [tag],
            "operationId": format!("refresh{name}Auth"),
            "summary": format!("A new token for the signed-in {} record.", c.name),
            "responses": responses("200", ok_json("The token and the record.", auth_result))
        }
    });
    paths[format!("{base}/auth-methods")] = json!({
        "get": {
            "tags": [tag],
            "operationId": format!("list{name}AuthMethods"),
            "summary": format!("How {} records can sign in.", c.name),
            "responses": responses("200", ok_json("The auth methods.", json!({"type": "object", "additionalProperties": true})))
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_domain::collection::{Collection, ensure_system_fields, record_schemas};

    fn doc_of(json: Value) -> CollectionDoc {
        let mut c = Collection::from_json(&json).expect("collection");
        ensure_system_fields(&mut c);
        CollectionDoc {
            name: c.name.clone(),
            kind: c.kind,
            schemas: record_schemas(&c),
        }
    }

    #[test]
    fn each_collection_gets_typed_paths() {
        let base = json!({"openapi": OPENAPI_VERSION, "paths": {}, "components": {"schemas": {}}});
        let posts = doc_of(json!({"name": "owned_posts", "type": "base",
            "fields": [{"name": "title", "type": "text", "required": true}]}));
        let users = doc_of(json!({"name": "users", "type": "auth", "fields": []}));
        let doc = live_document(&base, &[posts, users]);
        let list = &doc["paths"]["/collections/owned_posts/records"];
        assert_eq!(list["get"]["operationId"], "listOwnedPosts");
        assert_eq!(
            list["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/OwnedPostsCreate"
        );
        assert_eq!(
            doc["components"]["schemas"]["OwnedPostsCreate"]["required"],
            json!(["title"])
        );
        assert_eq!(
            doc["components"]["schemas"]["OwnedPostsListPage"]["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/OwnedPostsRecord"
        );
        let one = &doc["paths"]["/collections/owned_posts/records/{id}"];
        assert!(one["get"].is_object() && one["patch"].is_object() && one["delete"].is_object());
        assert!(doc["paths"]["/collections/users/auth-with-password"]["post"].is_object());
        assert!(
            doc["paths"]
                .get("/collections/owned_posts/auth-refresh")
                .is_none()
        );
    }

    #[test]
    fn type_names_are_unique() {
        let mut names = Names::default();
        assert_eq!(names.type_name("_superusers"), "Superusers");
        assert_eq!(names.type_name("superusers"), "Superusers2");
        assert_eq!(names.type_name("2fa"), "C2fa");
    }
}
