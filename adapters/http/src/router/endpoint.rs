//! Building a [`Router`] into a poem endpoint: each route becomes a [`Hook`] holding its
//! middlewares (router, then groups outer→inner, then route; one list sorted by priority,
//! ties in that order, as PocketBase's `BuildMux` does) whose default action is the route's
//! action.

use super::RequestEvent;
use super::pattern::{self, Pattern, Relation};
use super::tree::{Child, Route, Router, RouterGroup};
use crate::HttpConfig;
use crate::error::ApiError;
use basalt_ports::hook::{BoxFuture, HandlerFunc, Hook, HookResult};
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use std::fmt;
use std::sync::Arc;

/// Why a router could not be built: a bad pattern, or two routes that conflict (some
/// request matches both and neither is more specific).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    /// A route's path is not a valid pattern.
    #[error("invalid route pattern {pattern:?}: {reason}")]
    Pattern {
        /// The full pattern (groups' prefixes included).
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two routes match some of the same requests and neither is more specific.
    #[error(
        "route {route:?} conflicts with route {other:?}: both match some requests and neither is more specific"
    )]
    Conflict {
        /// The later route (`METHOD /path`).
        route: String,
        /// The earlier one.
        other: String,
    },
}

struct Compiled<A> {
    method: Option<String>,
    pattern: Pattern,
    hook: Hook<RequestEvent<A>>,
    action: HandlerFunc<RequestEvent<A>>,
}

struct Routes<A> {
    app: A,
    routes: Vec<Compiled<A>>,
}

/// A built-in route's method and pattern (for [`RouterEndpoint::yields_to`]).
pub(crate) type BuiltinRoute = (String, Pattern);

/// The built-in routes, from an OpenAPI document whose server is `/api`.
pub(crate) fn builtin_routes(spec: &serde_json::Value) -> Vec<BuiltinRoute> {
    let mut out = Vec::new();
    let Some(paths) = spec["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Ok(pattern) = Pattern::parse(&format!("/api{path}")) else {
            continue;
        };
        for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
            out.push((method.to_ascii_uppercase(), pattern.clone()));
        }
    }
    out
}

/// What a request resolved to.
pub(crate) enum Found {
    /// A route and its path parameters.
    Route(usize, Vec<(String, String)>),
    /// A redirect (an unclean path, or a missing trailing slash) to this location.
    Redirect(String),
}

trait Dispatch: Send + Sync {
    fn find(&self, method: &str, path: &str, query: Option<&str>) -> Option<Found>;
    fn route(&self, index: usize) -> (Option<&str>, &Pattern);
    fn serve(
        &self,
        index: usize,
        params: Vec<(String, String)>,
        req: Request,
    ) -> BoxFuture<'_, Response>;
}

/// A built router: a poem endpoint for the custom routes. Unmatched requests get
/// PocketBase's 404; [`router_with`](crate::router_with) sends them to the built-in API
/// instead.
#[derive(Clone)]
pub struct RouterEndpoint {
    inner: Arc<dyn Dispatch>,
}

impl fmt::Debug for RouterEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterEndpoint").finish_non_exhaustive()
    }
}

impl RouterEndpoint {
    pub(crate) fn find(&self, req: &Request) -> Option<Found> {
        let uri = req.uri();
        self.inner
            .find(req.method().as_str(), uri.path(), uri.query())
    }

    /// Whether a custom route (or one of its redirects) answers this request.
    pub fn matches(&self, req: &Request) -> bool {
        self.find(req).is_some()
    }

    /// Whether one of `builtin` (method, pattern) routes should answer instead of what
    /// `found` names, as if both sets were in one mux: a built-in route that matches and
    /// is strictly more specific wins (`GET /api/health` over a custom `/{path...}`); on a
    /// tie the custom route wins, so it can override a built-in one.
    pub(crate) fn yields_to(&self, found: &Found, req: &Request, builtin: &[BuiltinRoute]) -> bool {
        let method = req.method().as_str();
        let path = req.uri().path();
        let mut matching = builtin
            .iter()
            .filter(|(m, p)| pattern::method_matches(Some(m), method) && p.matches(path).is_some());
        match found {
            Found::Redirect(_) => matching.next().is_some(),
            Found::Route(index, _) => {
                let (m, p) = self.inner.route(*index);
                matching
                    .any(|(bm, bp)| pattern::compare(Some(bm), bp, m, p) == Relation::MoreSpecific)
            }
        }
    }

    pub(crate) async fn serve(&self, found: Found, req: Request) -> Response {
        match found {
            Found::Redirect(location) => Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, location)
                .finish(),
            Found::Route(index, params) => self.inner.serve(index, params, req).await,
        }
    }
}

impl Endpoint for RouterEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        match self.find(&req) {
            Some(found) => Ok(self.serve(found, req).await),
            None => Ok(ApiError::with_status(
                404,
                "The requested resource wasn't found.",
            )),
        }
    }
}

impl<A: Clone + Send + Sync + 'static> Routes<A> {
    fn best(&self, method: &str, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        let mut best: Option<(usize, Vec<(String, String)>)> = None;
        for (i, r) in self.routes.iter().enumerate() {
            if !pattern::method_matches(r.method.as_deref(), method) {
                continue;
            }
            let Some(params) = r.pattern.matches(path) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((b, _)) => {
                    let other = &self.routes[*b];
                    pattern::compare(
                        r.method.as_deref(),
                        &r.pattern,
                        other.method.as_deref(),
                        &other.pattern,
                    ) == Relation::MoreSpecific
                }
            };
            if better {
                best = Some((i, params));
            }
        }
        best
    }
}

impl<A: Clone + Send + Sync + 'static> Dispatch for Routes<A> {
    fn find(&self, method: &str, path: &str, query: Option<&str>) -> Option<Found> {
        let with_query = |p: String| match query {
            Some(q) => format!("{p}?{q}"),
            None => p,
        };
        let clean = pattern::clean_path(path);
        let found = self.best(method, &clean);
        let exact = found
            .as_ref()
            .is_some_and(|(i, _)| self.routes[*i].pattern.matches_exactly(&clean));
        if !exact && !clean.ends_with('/') {
            // Go's mux: `/tree` redirects to `/tree/` when only the latter matches exactly.
            let slashed = format!("{clean}/");
            if let Some((i, _)) = self.best(method, &slashed)
                && self.routes[i].pattern.matches_exactly(&slashed)
            {
                return Some(Found::Redirect(with_query(slashed)));
            }
        }
        let (index, params) = found?;
        if clean != path {
            return Some(Found::Redirect(with_query(clean)));
        }
        Some(Found::Route(index, params))
    }

    fn route(&self, index: usize) -> (Option<&str>, &Pattern) {
        let r = &self.routes[index];
        (r.method.as_deref(), &r.pattern)
    }

    fn serve(
        &self,
        index: usize,
        params: Vec<(String, String)>,
        req: Request,
    ) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let route = &self.routes[index];
            let dev = req.data::<HttpConfig>().is_some_and(|c| c.dev);
            let mut e = RequestEvent::new(self.app.clone(), req, params);
            let action = route.action.clone();
            let result = route
                .hook
                .trigger(&mut e, move |e: &mut RequestEvent<A>| action(e))
                .await;
            finish(e, result, dev).await
        })
    }
}

/// The response of a finished chain: the one set (even when an error followed, as in
/// PocketBase), else the error in PocketBase's shape, else an empty 200; plus the headers
/// the handlers added.
async fn finish<A: Send + 'static>(
    mut e: RequestEvent<A>,
    result: HookResult,
    dev: bool,
) -> Response {
    if e.skip_success_activity_log
        && let Some(activity) = crate::activity::Activity::of(&e.request)
    {
        activity.skip_success();
    }
    let mut res = match (e.response.take(), result) {
        (Some(res), Err(err)) => {
            tracing::debug!(error = %err, "route error after its response was set");
            res
        }
        (Some(res), Ok(())) => res,
        (None, Err(err)) => ApiError::from_service(err, dev).into_response(),
        (None, Ok(())) => Response::builder().status(StatusCode::OK).finish(),
    };
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // Let the client finish sending so it reads the 413, then close.
        if let super::event::BodyState::Unread(body) =
            std::mem::replace(&mut e.body, super::event::BodyState::Taken)
        {
            crate::middleware::drain(body, e.body_limit.unwrap_or(1 << 20)).await;
        }
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let mut last = None;
    for (name, value) in std::mem::take(&mut e.headers) {
        // `HeaderMap`'s iterator names only the first of repeated values.
        let name = match name {
            Some(n) => {
                res.headers_mut().remove(&n);
                last = Some(n.clone());
                n
            }
            None => match &last {
                Some(n) => n.clone(),
                None => continue,
            },
        };
        res.headers_mut().append(name, value);
    }
    res
}

/// Compiles the tree: one hook per route, with the middlewares that reach it.
fn compile<A: Clone + Send + Sync + 'static>(
    router: Router<A>,
) -> Result<Vec<Compiled<A>>, RouterError> {
    let mut out = Vec::new();
    let mut parents: Vec<&RouterGroup<A>> = Vec::new();
    walk(&router.root, &mut parents, &mut out)?;
    for (i, a) in out.iter().enumerate() {
        for b in &out[i + 1..] {
            let rel = pattern::compare(
                a.method.as_deref(),
                &a.pattern,
                b.method.as_deref(),
                &b.pattern,
            );
            if matches!(rel, Relation::Equivalent | Relation::Overlaps) {
                let show = |c: &Compiled<A>| match &c.method {
                    Some(m) => format!("{m} {}", c.pattern.text),
                    None => c.pattern.text.clone(),
                };
                return Err(RouterError::Conflict {
                    route: show(b),
                    other: show(a),
                });
            }
        }
    }
    Ok(out)
}

fn walk<'g, A: Clone + Send + Sync + 'static>(
    group: &'g RouterGroup<A>,
    parents: &mut Vec<&'g RouterGroup<A>>,
    out: &mut Vec<Compiled<A>>,
) -> Result<(), RouterError> {
    parents.push(group);
    for child in &group.children {
        match child {
            Child::Group(g) => walk(g, parents, out)?,
            Child::Route(r) => out.push(compile_route(parents, r)?),
        }
    }
    parents.pop();
    Ok(())
}

fn compile_route<A: Clone + Send + Sync + 'static>(
    levels: &[&RouterGroup<A>],
    route: &Route<A>,
) -> Result<Compiled<A>, RouterError> {
    let full: String = levels.iter().map(|g| g.prefix.as_str()).collect::<String>() + &route.path;
    let pattern = Pattern::parse(&full).map_err(|e| RouterError::Pattern {
        pattern: full.clone(),
        reason: e.0,
    })?;
    let hook = Hook::new();
    for (depth, level) in levels.iter().enumerate() {
        for h in &level.middlewares {
            // Unbound at this level, a level below, or on the route: skipped here.
            let excluded = !h.id.is_empty()
                && (levels[depth..].iter().any(|l| l.excluded.contains(&h.id))
                    || route.excluded.contains(&h.id));
            if !excluded {
                hook.bind(h.clone());
            }
        }
    }
    for h in &route.middlewares {
        hook.bind(h.clone());
    }
    Ok(Compiled {
        method: route.method.clone(),
        pattern,
        hook,
        action: route.action.clone(),
    })
}

impl<A: Clone + Send + Sync + 'static> Router<A> {
    /// Builds the endpoint serving these routes with `app` as every event's `e.app`.
    /// Fails on a bad pattern or on conflicting routes (as Go's mux panics on them).
    pub fn try_into_endpoint(self, app: A) -> Result<RouterEndpoint, RouterError> {
        let routes = compile(self)?;
        Ok(RouterEndpoint {
            inner: Arc::new(Routes { app, routes }),
        })
    }

    /// [`Self::try_into_endpoint`], panicking on an invalid router (a programming error,
    /// found at start-up).
    pub fn into_endpoint(self, app: A) -> RouterEndpoint {
        match self.try_into_endpoint(app) {
            Ok(e) => e,
            Err(e) => panic!("invalid router: {e}"),
        }
    }
}
