//! The router's building blocks: [`Router`] (the root group, with PocketBase's default
//! middlewares), [`RouterGroup`] (a path prefix with its own middlewares and children) and
//! [`Route`] (a method, a path, an action and route-level middlewares).

use super::RequestEvent;
use super::doc::OperationDoc;
use super::middlewares;
use basalt_ports::hook::{BoxFuture, Handler, HandlerFunc, HookResult};
use std::collections::HashSet;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A route or middleware function over a [`RequestEvent`].
pub trait Action<A>:
    for<'a> Fn(&'a mut RequestEvent<A>) -> BoxFuture<'a, HookResult> + Send + Sync + 'static
{
}

impl<A, F> Action<A> for F where
    F: for<'a> Fn(&'a mut RequestEvent<A>) -> BoxFuture<'a, HookResult> + Send + Sync + 'static
{
}

/// A callback over routes: method, full pattern, route.
pub(crate) type RouteVisitor<'f, A> = dyn FnMut(Option<&str>, &str, &Route<A>) + 'f;

pub(crate) enum Child<A> {
    Group(RouterGroup<A>),
    Route(Route<A>),
}

/// A set of routes and sub-groups sharing a path prefix and middlewares (PocketBase's
/// `RouterGroup`). Prefixes concatenate: `router.group("/api").group("/myapp")` holds
/// routes under `/api/myapp`.
pub struct RouterGroup<A> {
    pub(crate) prefix: String,
    pub(crate) middlewares: Vec<Handler<RequestEvent<A>>>,
    pub(crate) excluded: HashSet<String>,
    pub(crate) children: Vec<Child<A>>,
}

/// One route: an optional method (`None` matches any), a path pattern relative to its
/// groups, the action ending the chain, and route-level middlewares.
pub struct Route<A> {
    pub(crate) method: Option<String>,
    pub(crate) path: String,
    pub(crate) action: HandlerFunc<RequestEvent<A>>,
    pub(crate) middlewares: Vec<Handler<RequestEvent<A>>>,
    pub(crate) excluded: HashSet<String>,
    pub(crate) doc: Option<OperationDoc>,
}

fn add_handlers<E>(
    list: &mut Vec<Handler<E>>,
    excluded: &mut HashSet<String>,
    handler: Handler<E>,
) {
    if !handler.id.is_empty() {
        excluded.remove(&handler.id);
    }
    list.push(handler);
}

impl<A: Clone + Send + Sync + 'static> Route<A> {
    /// Adds a route-level middleware. A handler with the id of a global or group
    /// middleware replaces it for this route (e.g. [`body_limit`](super::body_limit)).
    pub fn bind(&mut self, handler: Handler<RequestEvent<A>>) -> &mut Self {
        add_handlers(&mut self.middlewares, &mut self.excluded, handler);
        self
    }

    /// Adds an anonymous route-level middleware (priority 0).
    pub fn bind_func(&mut self, func: impl Action<A>) -> &mut Self {
        self.bind(Handler::new(func))
    }

    /// Removes middlewares by id from this route, including ones inherited from its groups
    /// and the router (anonymous middlewares cannot be removed).
    pub fn unbind(&mut self, ids: &[&str]) -> &mut Self {
        for id in ids.iter().filter(|id| !id.is_empty()) {
            self.middlewares.retain(|h| h.id != *id);
            self.excluded.insert((*id).to_owned());
        }
        self
    }

    /// Documents this route in the OpenAPI document built by
    /// [`openapi_json_with`](crate::openapi_json_with); undocumented routes are left out.
    pub fn openapi(&mut self, doc: OperationDoc) -> &mut Self {
        self.doc = Some(doc);
        self
    }

    /// The route's method (`None` for [`RouterGroup::any`]).
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// The route's path, relative to its groups.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl<A: Clone + Send + Sync + 'static> RouterGroup<A> {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            middlewares: Vec::new(),
            excluded: HashSet::new(),
            children: Vec::new(),
        }
    }

    /// The group's own prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Adds a nested group under `prefix` and returns it.
    pub fn group(&mut self, prefix: &str) -> &mut RouterGroup<A> {
        self.children.push(Child::Group(RouterGroup::new(prefix)));
        match self.children.last_mut() {
            Some(Child::Group(g)) => g,
            _ => unreachable!("a group was just pushed"),
        }
    }

    /// Adds a middleware for every route of this group and its sub-groups.
    pub fn bind(&mut self, handler: Handler<RequestEvent<A>>) -> &mut Self {
        add_handlers(&mut self.middlewares, &mut self.excluded, handler);
        self
    }

    /// Adds an anonymous middleware (priority 0).
    pub fn bind_func(&mut self, func: impl Action<A>) -> &mut Self {
        self.bind(Handler::new(func))
    }

    /// Removes middlewares by id from this group and everything under it, including ones
    /// inherited from parent groups and the router.
    pub fn unbind(&mut self, ids: &[&str]) -> &mut Self {
        for id in ids.iter().filter(|id| !id.is_empty()) {
            self.middlewares.retain(|h| h.id != *id);
            for child in &mut self.children {
                match child {
                    Child::Group(g) => {
                        g.unbind(&[id]);
                    }
                    Child::Route(r) => {
                        r.unbind(&[id]);
                    }
                }
            }
            self.excluded.insert((*id).to_owned());
        }
        self
    }

    /// Adds a route for `method` (`""` matches any method) and returns it.
    pub fn route(&mut self, method: &str, path: &str, action: impl Action<A>) -> &mut Route<A> {
        let method = (!method.is_empty()).then(|| method.to_ascii_uppercase());
        self.children.push(Child::Route(Route {
            method,
            path: path.to_owned(),
            action: Arc::new(action),
            middlewares: Vec::new(),
            excluded: HashSet::new(),
            doc: None,
        }));
        match self.children.last_mut() {
            Some(Child::Route(r)) => r,
            _ => unreachable!("a route was just pushed"),
        }
    }

    /// A route matching any method.
    pub fn any(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("", path, action)
    }

    /// A `GET` route (it also answers `HEAD`).
    pub fn get(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("GET", path, action)
    }

    /// A `POST` route.
    pub fn post(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("POST", path, action)
    }

    /// A `PUT` route.
    pub fn put(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("PUT", path, action)
    }

    /// A `PATCH` route.
    pub fn patch(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("PATCH", path, action)
    }

    /// A `DELETE` route.
    pub fn delete(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("DELETE", path, action)
    }

    /// A `HEAD` route.
    pub fn head(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("HEAD", path, action)
    }

    /// An `OPTIONS` route (note that CORS preflight requests are answered before routing).
    pub fn options(&mut self, path: &str, action: impl Action<A>) -> &mut Route<A> {
        self.route("OPTIONS", path, action)
    }

    /// Whether a route with this method and full path is registered here or below
    /// (`/a/{rest...}` and `/a/` count as the same path, as in PocketBase).
    pub fn has_route(&self, method: &str, path: &str) -> bool {
        let want = (method.to_ascii_uppercase(), strip_wildcard(path));
        let mut found = false;
        self.walk("", &mut |m, full, _| {
            found |= (m.unwrap_or(""), strip_wildcard(full).as_str())
                == (want.0.as_str(), want.1.as_str());
        });
        found
    }

    /// Visits every route with its full pattern (parent prefix + own prefix + path).
    pub(crate) fn walk(&self, parent: &str, f: &mut RouteVisitor<'_, A>) {
        let prefix = format!("{parent}{}", self.prefix);
        for child in &self.children {
            match child {
                Child::Group(g) => g.walk(&prefix, f),
                Child::Route(r) => f(r.method(), &format!("{prefix}{}", r.path), r),
            }
        }
    }
}

fn strip_wildcard(path: &str) -> String {
    match path.rfind("/{") {
        Some(i) if path.ends_with("...}") => path[..=i].to_owned(),
        _ => path.to_owned(),
    }
}

/// The router custom routes are registered on (PocketBase's `Router`): the root
/// [`RouterGroup`] (its methods are available through `Deref`), created with PocketBase's
/// default global middlewares that apply per route: the rate limiter (`pbRateLimit`, priority
/// -1000; rules from [`HttpConfig::rate_limits`](crate::HttpConfig)) and the body limit
/// (`pbBodyLimit`, -990; [`HttpConfig::body_limit`](crate::HttpConfig), 32 MiB by default).
/// CORS, the security headers, the auth-token loader and panic recovery wrap every request
/// (custom and built-in) in [`router_with`](crate::router_with) and cannot be unbound.
///
/// ```
/// use basalt_http::router::{Router, require_auth};
/// use serde_json::json;
///
/// #[derive(Clone)]
/// struct MyApp;
///
/// let mut router = Router::<MyApp>::new();
/// router
///     .get("/api/myapp/hello/{name}", |e| Box::pin(async move {
///         let name = e.path_param("name").unwrap_or("").to_owned();
///         e.json(200, &json!({ "message": format!("Hello {name}") }))
///     }))
///     .bind(require_auth(&[]));
/// let endpoint = router.into_endpoint(MyApp);
/// # let _ = endpoint;
/// ```
pub struct Router<A> {
    pub(crate) root: RouterGroup<A>,
}

impl<A: Clone + Send + Sync + 'static> Default for Router<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: Clone + Send + Sync + 'static> Router<A> {
    /// A router with the default global middlewares (see the type's docs).
    pub fn new() -> Self {
        let mut root = RouterGroup::new("");
        root.bind(middlewares::rate_limit());
        root.bind(middlewares::default_body_limit());
        Self { root }
    }
}

impl<A> Deref for Router<A> {
    type Target = RouterGroup<A>;
    fn deref(&self) -> &RouterGroup<A> {
        &self.root
    }
}

impl<A> DerefMut for Router<A> {
    fn deref_mut(&mut self) -> &mut RouterGroup<A> {
        &mut self.root
    }
}
