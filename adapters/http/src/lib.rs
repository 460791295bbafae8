//! Basalt's HTTP adapter: PocketBase-compatible routes on poem + poem-openapi, its
//! middlewares (CORS, security headers, body limit, auth-token loader, error shaping), and
//! the OpenAPI document. It drives the service ports only; it never sees the app crate.

mod auth;
mod body;
mod config;
mod error;
mod middleware;
mod routes;

pub use config::HttpConfig;
pub use error::{ApiError, ErrorBody};

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
    routes::settings::SettingsRoutes,
    routes::crons::CronRoutes,
);

/// The OpenAPI service describing every route (served under `/api`).
pub(crate) fn api_service() -> OpenApiService<ApiSet, ()> {
    OpenApiService::new(
        (
            routes::health::HealthRoutes,
            routes::collections::CollectionRoutes,
            routes::records::RecordRoutes,
            routes::auth::AuthRoutes,
            routes::settings::SettingsRoutes,
            routes::crons::CronRoutes,
        ),
        "Basalt",
        env!("CARGO_PKG_VERSION"),
    )
    .description("A PocketBase-compatible backend. Records are dynamic JSON objects shaped by their collection's fields.")
    .server("/api")
}

/// The OpenAPI document as pretty JSON (what `openapi/openapi.json` holds).
pub fn openapi_json() -> String {
    api_service().spec()
}

/// The whole HTTP application: `/api/*` plus the global middlewares.
pub fn router(services: SharedServices, config: HttpConfig) -> impl Endpoint + use<> {
    let api = Route::new().nest("/api", api_service());
    middleware::wrap(api, services, config).boxed()
}
