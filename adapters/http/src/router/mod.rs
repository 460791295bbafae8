//! Custom routes: PocketBase's router (`tools/router` + `apis` middlewares) in Rust.
//!
//! A [`Router`] holds routes and groups; route actions and middlewares are hook handlers
//! over a [`RequestEvent`] (`basalt_ports::hook`): a middleware continues with
//! `e.next().await`, and the route's action is the chain's last function. The router is
//! generic over the application type `A` it hands to handlers as `e.app`, so this crate
//! never depends on the app crate.
//!
//! - Paths follow Go 1.22's `ServeMux` patterns: `{id}`, `{path...}`, a trailing `/` (prefix),
//!   `{$}`; the most specific matching route wins; `/a` redirects to `/a/` when only that
//!   exists, and unclean paths (`/a/../b`) redirect to their clean form.
//! - Middleware order: the router's, then each group's outer→inner, then the route's, in
//!   one list sorted by priority (lower first; ties keep that order). A middleware bound
//!   with the id of an outer one replaces it; `unbind(&[id])` on a group or route removes
//!   one inherited from above.
//! - Built-in middlewares: [`require_auth`], [`require_superuser_auth`],
//!   [`require_superuser_or_owner_auth`], [`require_guest_only`], [`body_limit`], [`gzip`],
//!   [`skip_success_activity_log`]; [`static_dir`] serves a directory.
//! - [`Router::into_endpoint`] gives a poem endpoint; [`crate::router_with`] puts it in
//!   front of the built-in `/api` routes under the global middlewares.
//!
//! ```
//! use basalt_http::router::{Router, RequestEvent, require_auth};
//! use basalt_ports::hook::Handler;
//! use serde_json::json;
//!
//! #[derive(Clone)]
//! struct MyApp { greeting: &'static str }
//!
//! let mut router = Router::<MyApp>::new();
//! let api = router.group("/api/myapp");
//! api.bind(Handler::new(|e: &mut RequestEvent<MyApp>| Box::pin(async move {
//!     e.response_headers_mut().insert("x-app", "myapp".parse().unwrap());
//!     e.next().await
//! })).id("tagResponses"));
//! api.post("/posts", |e| Box::pin(async move {
//!     #[derive(serde::Deserialize)]
//!     struct NewPost { title: String }
//!     let body: NewPost = e.bind_body().await?;
//!     let greeting = e.app.greeting;
//!     e.json(200, &json!({ "title": body.title, "greeting": greeting }))
//! }))
//! .bind(require_auth(&["users"]));
//! let endpoint = router.into_endpoint(MyApp { greeting: "hi" });
//! # let _ = endpoint;
//! ```

mod doc;
mod endpoint;
mod event;
mod gzip;
mod middlewares;
mod openapi;
mod pattern;
mod respond;
mod static_dir;
mod tree;

pub use doc::OperationDoc;
pub(crate) use endpoint::{BuiltinRoute, builtin_routes};
pub use endpoint::{RouterEndpoint, RouterError};
pub use event::{RequestEvent, RequestInfo};
pub use middlewares::{
    DEFAULT_BODY_LIMIT_ID, DEFAULT_BODY_LIMIT_PRIORITY, DEFAULT_MAX_BODY_SIZE,
    DEFAULT_RATE_LIMIT_ID, DEFAULT_RATE_LIMIT_PRIORITY, GZIP_ID, REQUIRE_AUTH_ID,
    REQUIRE_GUEST_ONLY_ID, REQUIRE_SUPERUSER_AUTH_ID, REQUIRE_SUPERUSER_OR_OWNER_AUTH_ID,
    SKIP_SUCCESS_ACTIVITY_LOG_ID, body_limit, gzip, require_auth, require_guest_only,
    require_superuser_auth, require_superuser_or_owner_auth, skip_success_activity_log,
};
pub(crate) use openapi::merge as merge_openapi;
pub(crate) use pattern::percent_decode;
pub use static_dir::{STATIC_WILDCARD_PARAM, static_dir};
pub use tree::{Action, Route, Router, RouterGroup};
