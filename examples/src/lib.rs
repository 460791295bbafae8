//! "myapp": the composite flow of extending Basalt in Rust, as a library the binary
//! (`src/main.rs`) and the tests share.
//!
//! - A migration creates `posts` (with an `internal_note` clients never see) and `audits`.
//! - `POST /api/myapp/posts`, behind `require_auth(&["users"])`: a title-uniqueness check
//!   with a bound filter parameter, then the post saved inside a transaction.
//! - An after-create step in `on_record_create` writes an audit record through `e.app` —
//!   the transactional app — so a failing audit rolls the post back too.
//! - An enrich hook hides `internal_note` and adds a computed `words` count to every post
//!   the API shows.

use basalt::domain::collection::Collection;
use basalt::domain::error::{FieldError, ValidationErrors};
use basalt::ports::hook::Event;
use basalt::ports::{Auth, RequestContext};
use basalt::router::{RequestEvent, require_auth};
use basalt::{App, AppError, OnServe};
use serde::Deserialize;
use serde_json::{Map, json};

/// The migration that creates the example's collections.
pub const MIGRATION: &str = "1700000000_myapp_collections.rs";

/// Installs the example on `app`: the migration, the route and the hooks.
pub fn install(app: &App) {
    app.register_migration(MIGRATION, create_collections, drop_collections);

    app.on_serve().bind_func(|e| {
        Box::pin(async move {
            e.router
                .group("/api/myapp")
                .post("/posts", |e| Box::pin(create_post(e)))
                .bind(require_auth(&["users"]));
            e.next().await
        })
    });

    app.on_record_create(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.next().await?;
            let mut audit = e.app.new_record("audits")?;
            audit.set("post", json!(e.record.id()));
            audit.set("action", json!("create"));
            audit.set("actor", json!(e.record.text("author")));
            e.app.save(&mut audit).await?;
            Ok(())
        })
    });

    app.on_record_enrich(&["posts"]).bind_func(|e| {
        Box::pin(async move {
            e.record.hide(&["internal_note"]);
            e.record.with_custom_data(true);
            let words = e.record.text("body").split_whitespace().count();
            e.record.set("words", json!(words));
            e.next().await
        })
    });
}

async fn create_collections(app: App) -> Result<(), AppError> {
    let users = app
        .find_collection("users")
        .ok_or_else(|| AppError::NotFound("users".into()))?;
    let mut posts = Collection::from_json(&json!({
        "name": "posts", "type": "base", "listRule": "", "viewRule": "",
        "fields": [
            {"name": "title", "type": "text", "required": true, "max": 100},
            {"name": "body", "type": "text"},
            {"name": "internal_note", "type": "text"},
            {"name": "author", "type": "relation", "collectionId": users.id, "maxSelect": 1}
        ]
    }))
    .map_err(AppError::Validation)?;
    app.save_collection(&mut posts).await?;
    let mut audits = Collection::from_json(&json!({
        "name": "audits", "type": "base",
        "fields": [
            {"name": "post", "type": "text", "required": true},
            {"name": "action", "type": "text", "required": true},
            {"name": "actor", "type": "text"}
        ]
    }))
    .map_err(AppError::Validation)?;
    app.save_collection(&mut audits).await
}

async fn drop_collections(app: App) -> Result<(), AppError> {
    for name in ["audits", "posts"] {
        if let Some(c) = app.find_collection(name) {
            app.drop_collection(&c).await?;
        }
    }
    Ok(())
}

/// The body of `POST /api/myapp/posts`.
#[derive(Deserialize)]
struct NewPost {
    title: String,
    #[serde(default)]
    body: String,
}

async fn create_post(e: &mut RequestEvent) -> basalt::ports::hook::HookResult {
    let input: NewPost = e.bind_body().await?;
    let Auth::Record { id: author, .. } = e.auth.clone() else {
        return Err(e.unauthorized_error(""));
    };
    let app = e.app.clone();

    // User input only ever reaches SQL as a bound parameter.
    let mut params = Map::new();
    params.insert("title".into(), json!(input.title));
    if app
        .find_first_record_by_filter("posts", "title = {:title}", &params)
        .await?
        .is_some()
    {
        let mut errs = ValidationErrors::new();
        errs.add(
            "title",
            FieldError::new("validation_not_unique", "A post with this title exists."),
        );
        return Err(e.bad_request_error("Failed to create post.", errs));
    }

    let post = app
        .run_in_transaction(|tx| async move {
            let mut post = tx.new_record("posts")?;
            post.set("title", json!(input.title));
            post.set("body", json!(input.body));
            post.set("author", json!(author));
            post.set("internal_note", json!("created through myapp"));
            tx.save(&mut post).await?;
            Ok(post)
        })
        .await?;

    let ctx = RequestContext::with_auth(e.auth.clone());
    let shown = app.record_response(&ctx, post).await?;
    e.json(200, &shown)
}
