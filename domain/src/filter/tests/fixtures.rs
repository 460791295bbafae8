//! A small schema and helpers shared by the filter tests.
//!
//! * `users` (auth): name, roles (select ×3), team → teams, data (json), tokenKey (hidden)
//! * `teams`: name, owner → users
//! * `posts`: title, views (number), published (bool), author → users, tags → tags (×5),
//!   status (select), categories (select ×3), meta (json), location (geoPoint),
//!   files (file ×3), created (autodate)
//! * `tags`: name
//! * `comments`: post → posts (unique index), text, likes → users (×10)
//! * `reviews`: post → posts (no unique index)

use crate::collection::{Collection, CollectionType, Rules};
use crate::field::{
    AutodateOptions, BoolOptions, EmailOptions, Field, FieldKind, FileOptions, GeoPointOptions,
    JsonOptions, NumberOptions, PasswordOptions, RelationOptions, SelectOptions, TextOptions,
};
use crate::filter::{
    AuthInfo, CompileOptions, CompiledFilter, FilterContext, FilterError, RequestInfo,
    compile_filter_with,
};
use crate::sql::SqlValue;
use chrono::{TimeZone, Utc};
use serde_json::{Map, Value, json};

pub fn text(name: &str) -> Field {
    Field::new(name, FieldKind::Text(TextOptions::default()))
}

pub fn hidden(mut f: Field) -> Field {
    f.hidden = true;
    f
}

pub fn relation(name: &str, collection_id: &str, max_select: i64) -> Field {
    Field::new(
        name,
        FieldKind::Relation(RelationOptions {
            collection_id: collection_id.to_owned(),
            max_select,
            ..RelationOptions::default()
        }),
    )
}

pub fn select(name: &str, max_select: i64) -> Field {
    Field::new(
        name,
        FieldKind::Select(SelectOptions {
            values: vec!["a".into(), "b".into(), "c".into()],
            max_select,
            ..SelectOptions::default()
        }),
    )
}

pub fn collection(id: &str, name: &str, kind: CollectionType, fields: Vec<Field>) -> Collection {
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
            list: Some(String::new()),
            ..Rules::default()
        },
        options: Map::new(),
        created: String::new(),
        updated: String::new(),
    }
}

pub fn schema() -> Vec<Collection> {
    let users = collection(
        "_pb_users_auth_",
        "users",
        CollectionType::Auth,
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
        vec![text("name"), relation("owner", "_pb_users_auth_", 1)],
    );
    let posts = collection(
        "pbc_posts",
        "posts",
        CollectionType::Base,
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
            Field::new("created", FieldKind::Autodate(AutodateOptions::default())),
        ],
    );
    let tags = collection("pbc_tags", "tags", CollectionType::Base, vec![text("name")]);
    let mut comments = collection(
        "pbc_comments",
        "comments",
        CollectionType::Base,
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
        vec![relation("post", "pbc_posts", 1), text("body")],
    );
    vec![users, teams, posts, tags, comments, reviews]
}

/// A request with an authenticated user `u1` (name "Ann", roles ["a","b"], team "t1").
pub fn user_request() -> RequestInfo {
    let users = schema().remove(0);
    let record = json!({
        "id": "u1",
        "email": "ann@example.com",
        "emailVisibility": false,
        "verified": true,
        "name": "Ann",
        "roles": ["a", "b"],
        "team": "t1",
        "data": {"level": 3}
    });
    RequestInfo {
        auth: Some(AuthInfo {
            collection: std::sync::Arc::new(users),
            record: record.as_object().cloned().unwrap_or_default(),
        }),
        method: "GET".to_owned(),
        context: "default".to_owned(),
        ..RequestInfo::default()
    }
}

/// The environment of one compilation.
pub struct Env {
    pub collections: Vec<Collection>,
    pub request: RequestInfo,
    pub params: Map<String, Value>,
    pub collection: String,
    pub options: CompileOptions,
}

impl Env {
    /// Filtering `posts` as a guest.
    pub fn posts() -> Env {
        Env::on("posts")
    }

    /// Filtering `name` as a guest.
    pub fn on(name: &str) -> Env {
        Env {
            collections: schema(),
            request: RequestInfo::default(),
            params: Map::new(),
            collection: name.to_owned(),
            options: CompileOptions::default(),
        }
    }

    pub fn request(mut self, r: RequestInfo) -> Env {
        self.request = r;
        self
    }

    pub fn params(mut self, p: Value) -> Env {
        self.params = p.as_object().cloned().unwrap_or_default();
        self
    }

    pub fn untrusted(mut self) -> Env {
        self.options.allow_hidden_fields = false;
        self
    }

    pub fn try_compile(&self, expr: &str) -> Result<CompiledFilter, FilterError> {
        let Some(collection) = self.collections.iter().find(|c| c.name == self.collection) else {
            panic!("no collection {}", self.collection);
        };
        let alias = format!("`{}`", collection.name);
        let ctx = FilterContext {
            collection,
            collections: &self.collections,
            request: &self.request,
            now: Utc.with_ymd_and_hms(2024, 2, 15, 13, 45, 30).unwrap()
                + chrono::Duration::milliseconds(123),
            params: &self.params,
            table_alias: &alias,
        };
        compile_filter_with(expr, &ctx, self.options)
    }

    pub fn compile(&self, expr: &str) -> CompiledFilter {
        match self.try_compile(expr) {
            Ok(c) => c,
            Err(e) => panic!("{expr:?} failed to compile: {e}"),
        }
    }
}

pub fn t(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

pub fn i(n: i64) -> SqlValue {
    SqlValue::Integer(n)
}

/// Asserts the SQL and parameters `expr` compiles to (on `env`).
#[track_caller]
pub fn check(env: &Env, expr: &str, sql: &str, params: &[SqlValue]) {
    let c = env.compile(expr);
    assert_eq!(c.sql, sql, "sql of {expr:?}");
    assert_eq!(c.params, params, "params of {expr:?}");
    assert_eq!(
        c.sql.matches('?').count(),
        c.params.len(),
        "placeholder count of {expr:?}"
    );
}

/// Prints what `expr` compiles to (for writing tests).
#[allow(dead_code)]
pub fn show(env: &Env, expr: &str) {
    let c = env.compile(expr);
    println!("{expr}\n  {}\n  {:?}", c.sql, c.params);
}
