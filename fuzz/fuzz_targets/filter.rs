//! Fuzzes the filter / API-rule language end to end.
//!
//! Every input (UTF-8 only) goes through `basalt_domain::filter::parse` and
//! `compile_filter_with` on a small fixed schema (the one of the domain's filter tests), as a
//! guest and as an authenticated user, trusted (rule / superuser filter) and untrusted (a
//! client `?filter=`). Besides "never panics", it checks:
//!
//! * `parse` and `compile` agree: an input that compiles to anything but the empty filter
//!   (`1=1`) parses;
//! * every compiled filter is valid SQL for the tables `basalt_domain::schema` creates: it
//!   prepares in SQLite, has exactly as many `?` placeholders as bound parameters, and runs
//!   (over one default row per table).
#![no_main]

use basalt_domain::collection::{Collection, CollectionType, Rules};
use basalt_domain::field::{
    AutodateOptions, BoolOptions, DateOptions, EmailOptions, Field, FieldKind, FileOptions,
    GeoPointOptions, JsonOptions, NumberOptions, PasswordOptions, RelationOptions, SelectOptions,
    TextOptions,
};
use basalt_domain::filter::{
    AuthInfo, CompileOptions, FilterContext, RequestInfo, compile_filter_with, parse,
};
use basalt_domain::schema;
use basalt_domain::sql::SqlValue;
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use rusqlite::Connection;
use rusqlite::types::Value as DbValue;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

fn text(name: &str) -> Field {
    Field::new(name, FieldKind::Text(TextOptions::default()))
}

fn hidden(mut f: Field) -> Field {
    f.hidden = true;
    f
}

fn relation(name: &str, collection_id: &str, max_select: i64) -> Field {
    Field::new(
        name,
        FieldKind::Relation(RelationOptions {
            collection_id: collection_id.to_owned(),
            max_select,
            ..RelationOptions::default()
        }),
    )
}

fn select(name: &str, max_select: i64) -> Field {
    Field::new(
        name,
        FieldKind::Select(SelectOptions {
            values: vec!["a".into(), "b".into(), "c".into()],
            max_select,
            ..SelectOptions::default()
        }),
    )
}

fn collection(
    id: &str,
    name: &str,
    kind: CollectionType,
    list_rule: Option<&str>,
    fields: Vec<Field>,
) -> Collection {
    let mut all = vec![text("id")];
    all.extend(fields);
    Collection {
        id: id.to_owned(),
        name: name.to_owned(),
        kind,
        system: false,
        fields: all,
        indexes: Vec::new(),
        rules: Rules {
            list: list_rule.map(str::to_owned),
            ..Rules::default()
        },
        options: Map::new(),
        created: String::new(),
        updated: String::new(),
    }
}

/// users (auth), teams, posts, tags, comments (unique `post`), reviews (no list rule).
fn build_schema() -> Vec<Collection> {
    let users = collection(
        "_pb_users_auth_",
        "users",
        CollectionType::Auth,
        Some("id = @request.auth.id || verified = true"),
        vec![
            Field::new("email", FieldKind::Email(EmailOptions::default())),
            Field::new("emailVisibility", FieldKind::Bool(BoolOptions::default())),
            Field::new("verified", FieldKind::Bool(BoolOptions::default())),
            hidden(Field::new(
                "password",
                FieldKind::Password(PasswordOptions::default()),
            )),
            hidden(text("tokenKey")),
            text("name"),
            select("roles", 3),
            relation("team", "pbc_teams", 1),
            Field::new("data", FieldKind::Json(JsonOptions::default())),
        ],
    );
    let teams = collection(
        "pbc_teams",
        "teams",
        CollectionType::Base,
        Some("owner = @request.auth.id"),
        vec![text("name"), relation("owner", "_pb_users_auth_", 1)],
    );
    let posts = collection(
        "pbc_posts",
        "posts",
        CollectionType::Base,
        Some(""),
        vec![
            text("title"),
            Field::new("views", FieldKind::Number(NumberOptions::default())),
            Field::new("published", FieldKind::Bool(BoolOptions::default())),
            relation("author", "_pb_users_auth_", 1),
            relation("tags", "pbc_tags", 5),
            select("status", 1),
            select("categories", 3),
            Field::new("meta", FieldKind::Json(JsonOptions::default())),
            Field::new("location", FieldKind::GeoPoint(GeoPointOptions::default())),
            Field::new(
                "files",
                FieldKind::File(FileOptions {
                    max_select: 3,
                    ..FileOptions::default()
                }),
            ),
            Field::new("published_at", FieldKind::Date(DateOptions::default())),
            Field::new("created", FieldKind::Autodate(AutodateOptions::default())),
        ],
    );
    let tags = collection(
        "pbc_tags",
        "tags",
        CollectionType::Base,
        Some(""),
        vec![text("name")],
    );
    let mut comments = collection(
        "pbc_comments",
        "comments",
        CollectionType::Base,
        Some("post.published = true"),
        vec![
            relation("post", "pbc_posts", 1),
            text("text"),
            relation("likes", "_pb_users_auth_", 10),
        ],
    );
    comments.indexes = vec!["CREATE UNIQUE INDEX `idx_post` ON `comments` (`post`)".to_owned()];
    let reviews = collection(
        "pbc_reviews",
        "reviews",
        CollectionType::Base,
        None,
        vec![relation("post", "pbc_posts", 1), text("body")],
    );
    vec![users, teams, posts, tags, comments, reviews]
}

struct Fixture {
    collections: Vec<Collection>,
    /// Guest, then an authenticated user with query, headers and body.
    requests: [RequestInfo; 2],
    params: Map<String, Value>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let collections = build_schema();
        let user = json!({
            "id": "u1", "email": "ann@example.com", "emailVisibility": false, "verified": true,
            "name": "Ann", "roles": ["a", "b"], "team": "t1", "data": {"level": 3, "x": [1, 2]}
        });
        let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
        let authed = RequestInfo {
            auth: Some(AuthInfo {
                collection: std::sync::Arc::new(collections[0].clone()),
                record: obj(user),
            }),
            method: "PATCH".to_owned(),
            query: obj(json!({"q": "x", "page": "2"})),
            headers: obj(json!({"x_token": "abc", "user_agent": "fuzz"})),
            body: obj(json!({"title": "t", "views": 5, "tags": ["a", "b"], "meta": {"k": null}})),
            context: "default".to_owned(),
        };
        let guest = RequestInfo {
            method: "GET".to_owned(),
            context: "default".to_owned(),
            ..RequestInfo::default()
        };
        Fixture {
            collections,
            requests: [guest, authed],
            params: obj(json!({
                "tag": "t1", "n": 5, "f": 1.5, "b": true, "nul": null, "arr": [1, "x"],
                "obj": {"a": 1}
            })),
        }
    })
}

thread_local! {
    /// An in-memory database with every fixture table and one default row in each.
    static DB: Connection = {
        let conn = Connection::open_in_memory().expect("open sqlite");
        for c in &fixture().collections {
            for stmt in schema::create_statements(c) {
                conn.execute_batch(&stmt)
                    .unwrap_or_else(|e| panic!("fixture DDL {stmt:?}: {e}"));
            }
            let table = schema::ident(&c.name);
            conn.execute_batch(&format!("INSERT INTO {table} DEFAULT VALUES"))
                .unwrap_or_else(|e| panic!("fixture row in {table}: {e}"));
        }
        conn
    };
}

fn db_value(v: &SqlValue) -> DbValue {
    match v {
        SqlValue::Null => DbValue::Null,
        SqlValue::Integer(i) => DbValue::Integer(*i),
        SqlValue::Real(f) => DbValue::Real(*f),
        SqlValue::Text(s) => DbValue::Text(s.clone()),
        SqlValue::Blob(b) => DbValue::Blob(b.clone()),
    }
}

/// The compiled filter must be a valid `WHERE` clause over `table`.
fn check_sql(input: &str, table: &str, sql: &str, params: &[SqlValue]) {
    let query = format!("SELECT count(*) FROM {table} WHERE {sql}");
    DB.with(|conn| {
        let mut stmt = conn.prepare(&query).unwrap_or_else(|e| {
            panic!("filter {input:?} compiled to SQL SQLite rejects: {e}\n{query}\n{params:?}")
        });
        assert_eq!(
            stmt.parameter_count(),
            params.len(),
            "filter {input:?}: placeholders vs bound parameters\n{query}\n{params:?}"
        );
        let bound: Vec<DbValue> = params.iter().map(db_value).collect();
        let run = stmt.query_row(rusqlite::params_from_iter(bound), |row| {
            row.get::<_, i64>(0)
        });
        if let Err(e) = run {
            panic!("filter {input:?} failed in SQLite: {e}\n{query}\n{params:?}");
        }
    });
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse(input);
    let f = fixture();
    let now = Utc.with_ymd_and_hms(2024, 2, 15, 13, 45, 30).unwrap();
    // posts has every field type; comments reaches back-relations through a unique index
    for name in ["posts", "comments"] {
        let collection = f
            .collections
            .iter()
            .find(|c| c.name == name)
            .expect("fixture collection");
        let alias = schema::ident(name);
        for request in &f.requests {
            for allow_hidden_fields in [true, false] {
                let ctx = FilterContext {
                    collection,
                    collections: &f.collections,
                    request,
                    now,
                    params: &f.params,
                    table_alias: &alias,
                };
                let opts = CompileOptions {
                    allow_hidden_fields,
                };
                let Ok(compiled) = compile_filter_with(input, &ctx, opts) else {
                    continue;
                };
                let empty = compiled.sql == "1=1" && compiled.params.is_empty();
                assert!(
                    empty || parsed.is_ok(),
                    "{input:?} compiles ({}) but does not parse: {:?}",
                    compiled.sql,
                    parsed
                );
                check_sql(input, &alias, &compiled.sql, &compiled.params);
            }
        }
    }
});
