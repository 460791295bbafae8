//! Basalt's HTTP adapter: PocketBase-compatible routes on poem + poem-openapi, its
//! middlewares (CORS, the activity logger, security headers, panic recovery, rate limit, body limit, auth-token
//! loader, error shaping), user-defined routes ([`router`] module: PocketBase's router, with
//! its middlewares as hook handlers), and the OpenAPI document. It drives the service ports
//! only; it never sees the app crate (custom routes are generic over the app type).

mod activity;
mod auth;
mod body;
mod client_ip;
mod config;
mod cors;
mod docs;
mod error;
mod form;
mod middleware;
mod ratelimit;
pub mod router;
mod routes;
mod upload;

pub use basalt_ports::{RateLimitRule, default_rate_limit_rules};
pub use client_ip::{NetworkConfig, NetworkProvider};
pub use config::HttpConfig;
pub use docs::{OPENAPI_VERSION, live_document};
pub use error::{ApiError, ErrorBody, answer};
pub use ratelimit::{RateLimitConfig, RateLimitProvider};
pub use router::{RequestEvent, Router, RouterEndpoint};

use basalt_ports::Services;
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;
use std::sync::Arc;

/// The shared services handle every route receives.
pub type SharedServices = Arc<dyn Services>;

type ApiSet = (
    routes::health::HealthRoutes,
    routes::collections::CollectionRoutes,
    routes::records::RecordRoutes,
    routes::auth::AuthRoutes,
    routes::auth_mail::AuthMailRoutes,
    routes::settings::SettingsRoutes,
    routes::crons::CronRoutes,
    routes::realtime::RealtimeRoutes,
    routes::docs::DocsRoutes,
    routes::files::FileRoutes,
    routes::logs::LogRoutes,
    routes::backups::BackupRoutes,
    routes::batch::BatchRoutes,
    routes::oauth2_redirect::OAuth2RedirectRoutes,
);

/// The OpenAPI service describing every route (served under `/api`).
pub(crate) fn api_service() -> OpenApiService<ApiSet, ()> {
    OpenApiService::new(
        (
            routes::health::HealthRoutes,
            routes::collections::CollectionRoutes,
            routes::records::RecordRoutes,
            routes::auth::AuthRoutes,
            routes::auth_mail::AuthMailRoutes,
            routes::settings::SettingsRoutes,
            routes::crons::CronRoutes,
            routes::realtime::RealtimeRoutes,
            routes::docs::DocsRoutes,
            routes::files::FileRoutes,
            routes::logs::LogRoutes,
            routes::backups::BackupRoutes,
            routes::batch::BatchRoutes,
            routes::oauth2_redirect::OAuth2RedirectRoutes,
        ),
        "Basalt",
        env!("CARGO_PKG_VERSION"),
    )
    .description("A PocketBase-compatible backend. Records are dynamic JSON objects shaped by their collection's fields.")
    .server("/api")
}

/// The OpenAPI document of the built-in operations as pretty JSON (what
/// `openapi/openapi.json` holds), as OpenAPI 3.1.
pub fn openapi_json() -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&api_service().spec()).unwrap_or_else(|_| serde_json::json!({}));
    docs::as_openapi_31(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The OpenAPI document with the documented custom routes of `custom` merged into its
/// `paths` (see [`router::OperationDoc`]); undocumented routes are left out.
pub fn openapi_json_with<A: Clone + Send + Sync + 'static>(custom: &router::Router<A>) -> String {
    serde_json::to_string_pretty(&openapi_value_with(custom)).unwrap_or_default()
}

/// [`openapi_json_with`] as a JSON value (what [`HttpConfig::document`] takes, and
/// [`live_document`] starts from).
pub fn openapi_value_with<A: Clone + Send + Sync + 'static>(
    custom: &router::Router<A>,
) -> serde_json::Value {
    let mut doc: serde_json::Value =
        serde_json::from_str(&openapi_json()).unwrap_or_else(|_| serde_json::json!({}));
    router::merge_openapi(&mut doc, custom);
    doc
}

/// The whole HTTP application: `/api/*` plus the global middlewares.
pub fn router(services: SharedServices, config: HttpConfig) -> impl Endpoint + use<> {
    router_with(services, config, None)
}

/// The whole HTTP application with custom routes: a request matching one of `custom`'s
/// routes is served by it, unless a built-in route matches it more specifically (as if both
/// were in one mux: `GET /api/health` beats a custom `/{path...}`, while a custom
/// `GET /api/health` overrides the built-in one); anything else goes to the built-in `/api`
/// routes. Both run under the global middlewares (CORS, security headers, error shaping,
/// panic recovery, auth-token loader); the rate limiter and the body limit apply to both
/// (on custom routes as the unbindable `pbRateLimit` and `pbBodyLimit` handlers). Build
/// `custom` with [`Router::into_endpoint`].
pub fn router_with(
    services: SharedServices,
    config: HttpConfig,
    custom: Option<RouterEndpoint>,
) -> impl Endpoint + use<> {
    let api = Route::new().nest("/api", api_service());
    middleware::wrap(api, custom, services, config).boxed()
}
