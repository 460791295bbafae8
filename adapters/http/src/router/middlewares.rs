//! PocketBase's built-in route middlewares (`apis.RequireAuth()`, `apis.BodyLimit()`, ...),
//! each a [`Handler`] with PocketBase's id and priority, so binding another handler with the
//! same id replaces it and `unbind(&[id])` removes it.

use super::RequestEvent;
use super::event::too_large;
use crate::HttpConfig;
use crate::ratelimit::RateLimiter;
use basalt_ports::Auth;
use basalt_ports::ServiceError;
use basalt_ports::hook::Handler;
use poem::http::header;
use std::sync::Arc;

/// PocketBase's rate-limit middleware priority; the other defaults are relative to it.
pub const DEFAULT_RATE_LIMIT_PRIORITY: i32 = -1000;
/// `pbRateLimit`.
pub const DEFAULT_RATE_LIMIT_ID: &str = "pbRateLimit";
/// `pbBodyLimit`.
pub const DEFAULT_BODY_LIMIT_ID: &str = "pbBodyLimit";
/// The body limit's priority (-990: right after the rate limiter).
pub const DEFAULT_BODY_LIMIT_PRIORITY: i32 = DEFAULT_RATE_LIMIT_PRIORITY + 10;
/// PocketBase's default body limit, 32 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 32 << 20;
/// `pbRequireGuestOnly`.
pub const REQUIRE_GUEST_ONLY_ID: &str = "pbRequireGuestOnly";
/// `pbRequireAuth`.
pub const REQUIRE_AUTH_ID: &str = "pbRequireAuth";
/// `pbRequireSuperuserAuth`.
pub const REQUIRE_SUPERUSER_AUTH_ID: &str = "pbRequireSuperuserAuth";
/// `pbRequireSuperuserOrOwnerAuth`.
pub const REQUIRE_SUPERUSER_OR_OWNER_AUTH_ID: &str = "pbRequireSuperuserOrOwnerAuth";
/// `pbSkipSuccessActivityLog`.
pub const SKIP_SUCCESS_ACTIVITY_LOG_ID: &str = "pbSkipSuccessActivityLog";
/// `pbGzip`.
pub const GZIP_ID: &str = "pbGzip";

type H<A> = Handler<RequestEvent<A>>;

/// Only guests: an authenticated request is PocketBase's 400 "The request can be accessed
/// only by guests.".
pub fn require_guest_only<A: Send + 'static>() -> H<A> {
    Handler::new(|e: &mut RequestEvent<A>| {
        Box::pin(async move {
            if !e.auth.is_guest() {
                return Err(ServiceError::bad_request(
                    "The request can be accessed only by guests.",
                ));
            }
            e.next().await
        })
    })
    .id(REQUIRE_GUEST_ONLY_ID)
}

fn check_auth(auth: &Auth, collections: &[String]) -> Result<(), ServiceError> {
    match auth {
        Auth::Guest => Err(ServiceError::AuthRequired),
        Auth::Record {
            collection_name, ..
        } if !collections.is_empty() && !collections.contains(collection_name) => {
            Err(ServiceError::NotAllowed)
        }
        Auth::Record { .. } => Ok(()),
    }
}

fn require_auth_of<A: Send + 'static>(collections: Vec<String>) -> H<A> {
    let collections: Arc<[String]> = collections.into();
    Handler::new(move |e: &mut RequestEvent<A>| {
        let collections = collections.clone();
        Box::pin(async move {
            check_auth(&e.auth, &collections)?;
            e.next().await
        })
    })
}

/// An authenticated record: of any auth collection when `collections` is empty, otherwise
/// of one of them. Guests get 401, records of other collections 403 (PocketBase's messages).
pub fn require_auth<A: Send + 'static>(collections: &[&str]) -> H<A> {
    require_auth_of(collections.iter().map(|c| (*c).to_owned()).collect()).id(REQUIRE_AUTH_ID)
}

/// A `_superusers` record (401 for guests, 403 for other records).
pub fn require_superuser_auth<A: Send + 'static>() -> H<A> {
    require_auth_of(vec!["_superusers".to_owned()]).id(REQUIRE_SUPERUSER_AUTH_ID)
}

/// A superuser, or the record whose id is the path parameter `owner_id_param` (`"id"` when
/// empty). Guests get 401, other records 403.
pub fn require_superuser_or_owner_auth<A: Send + 'static>(owner_id_param: &str) -> H<A> {
    let param: Arc<str> = if owner_id_param.is_empty() {
        "id".into()
    } else {
        owner_id_param.into()
    };
    Handler::new(move |e: &mut RequestEvent<A>| {
        let param = param.clone();
        Box::pin(async move {
            match &e.auth {
                Auth::Guest => {
                    return Err(ServiceError::Unauthorized(
                        "The request requires superuser or record authorization token.".into(),
                    ));
                }
                Auth::Record {
                    superuser: true, ..
                } => {}
                Auth::Record { id, .. } => {
                    if e.path_param(&param) != Some(id.as_str()) {
                        return Err(ServiceError::Forbidden(
                            "You are not allowed to perform this request.".into(),
                        ));
                    }
                }
            }
            e.next().await
        })
    })
    .id(REQUIRE_SUPERUSER_OR_OWNER_AUTH_ID)
}

fn apply_body_limit<A: Send + 'static>(
    e: &mut RequestEvent<A>,
    limit: usize,
) -> Result<(), ServiceError> {
    if limit == 0 {
        e.body_limit = None;
        return Ok(());
    }
    let declared = e
        .header(header::CONTENT_LENGTH.as_str())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    e.body_limit = Some(limit);
    Ok(())
}

/// Limits the request body to `bytes` (0: no limit): a larger declared `Content-Length`
/// is a 413 at once, and reading past the limit is a 413 too. It has the id and priority of
/// the global default (`pbBodyLimit`, -990), so on a route or group it replaces it.
pub fn body_limit<A: Send + 'static>(bytes: usize) -> H<A> {
    Handler::new(move |e: &mut RequestEvent<A>| {
        Box::pin(async move {
            apply_body_limit(e, bytes)?;
            e.next().await
        })
    })
    .id(DEFAULT_BODY_LIMIT_ID)
    .priority(DEFAULT_BODY_LIMIT_PRIORITY)
}

/// The global default: [`HttpConfig::body_limit`] (32 MiB unless configured).
pub(crate) fn default_body_limit<A: Send + 'static>() -> H<A> {
    Handler::new(|e: &mut RequestEvent<A>| {
        Box::pin(async move {
            let limit = e
                .request
                .data::<HttpConfig>()
                .map_or(DEFAULT_MAX_BODY_SIZE, |c| c.body_limit);
            apply_body_limit(e, limit)?;
            e.next().await
        })
    })
    .id(DEFAULT_BODY_LIMIT_ID)
    .priority(DEFAULT_BODY_LIMIT_PRIORITY)
}

/// The global rate limiter (`pbRateLimit`, -1000), with the rules of
/// [`HttpConfig::rate_limits`]; does nothing outside [`router_with`](crate::router_with).
pub(crate) fn rate_limit<A: Send + 'static>() -> H<A> {
    Handler::new(|e: &mut RequestEvent<A>| {
        Box::pin(async move {
            if let Some(limiter) = e.request.data::<Arc<RateLimiter>>().cloned() {
                let path = e.uri().path().to_owned();
                let method = e.method().as_str().to_owned();
                if let Err(limited) = limiter.check(&method, &path, &e.auth, e.real_ip()) {
                    tracing::debug!(reason = %limited.0, "rate limited");
                    return Err(e.too_many_requests_error(""));
                }
            }
            e.next().await
        })
    })
    .id(DEFAULT_RATE_LIMIT_ID)
    .priority(DEFAULT_RATE_LIMIT_PRIORITY)
}

/// Marks successful requests as not to be written to the activity log (readable with
/// [`RequestEvent::skip_success_activity_log`]): only the route's failures are logged.
pub fn skip_success_activity_log<A: Send + 'static>() -> H<A> {
    Handler::new(|e: &mut RequestEvent<A>| {
        Box::pin(async move {
            e.skip_success_activity_log = true;
            e.next().await
        })
    })
    .id(SKIP_SUCCESS_ACTIVITY_LOG_ID)
}

/// Compresses the response with gzip when the client accepts it (`Accept-Encoding: gzip`);
/// adds `Vary: Accept-Encoding` either way. Responses without a body, or already encoded,
/// are left alone.
pub fn gzip<A: Send + 'static>() -> H<A> {
    Handler::new(|e: &mut RequestEvent<A>| {
        Box::pin(async move {
            e.headers.append(
                header::VARY,
                header::HeaderValue::from_static("Accept-Encoding"),
            );
            let accepts = e
                .header(header::ACCEPT_ENCODING.as_str())
                .is_some_and(|v| v.contains("gzip"));
            let result = e.next().await;
            if accepts
                && e.method() != poem::http::Method::HEAD
                && let Some(res) = e.response.as_mut()
            {
                super::gzip::compress(res);
            }
            result
        })
    })
    .id(GZIP_ID)
}
