//! `GET /api/health`.

use super::ApiTags;
use crate::SharedServices;
use crate::error::ErrorBody;
use crate::{HttpConfig, client_ip};
use basalt_ports::Auth;
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::{Value, json};

/// Liveness routes.
pub(crate) struct HealthRoutes;

/// The health response.
#[derive(Object)]
pub(crate) struct Health {
    /// Always 200.
    code: u16,
    /// `API is healthy.`
    message: String,
    /// Empty for everyone but superusers, who also get `realIP`, `possibleProxyHeader`, `canBackup`.
    data: Value,
}

/// The health answer: always 200 from the route; the rate limiter in front of it may
/// answer 429 (`settings.rateLimits`).
#[derive(ApiResponse)]
pub(crate) enum HealthResponse {
    /// The server is up.
    #[oai(status = 200)]
    Ok(Json<Health>),
    /// 429: rate limited (`settings.rateLimits`; superusers are exempt).
    #[oai(status = 429)]
    #[allow(dead_code)]
    TooManyRequests(Json<ErrorBody>),
}

fn health_for(auth: &Auth, req: &Request, can_backup: bool) -> HealthResponse {
    let data = if auth.is_superuser() {
        let ip = client_ip::of(req)
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        let network = req
            .data::<HttpConfig>()
            .and_then(|c| c.network.clone())
            .map(|p| p())
            .unwrap_or_default();
        let proxy = client_ip::possible_proxy_header(req, &network);
        json!({"realIP": ip, "possibleProxyHeader": proxy, "canBackup": can_backup})
    } else {
        json!({})
    };
    HealthResponse::Ok(Json(Health {
        code: 200,
        message: "API is healthy.".into(),
        data,
    }))
}

#[OpenApi]
impl HealthRoutes {
    /// Reports that the server is up.
    #[oai(
        path = "/health",
        method = "get",
        operation_id = "health",
        tag = "ApiTags::Health"
    )]
    async fn health(
        &self,
        s: Data<&SharedServices>,
        auth: Data<&Auth>,
        req: &Request,
    ) -> HealthResponse {
        health_for(&auth, req, s.can_backup())
    }

    /// The same check for `HEAD` requests.
    #[oai(
        path = "/health",
        method = "head",
        operation_id = "healthHead",
        tag = "ApiTags::Health"
    )]
    async fn health_head(
        &self,
        s: Data<&SharedServices>,
        auth: Data<&Auth>,
        req: &Request,
    ) -> HealthResponse {
        health_for(&auth, req, s.can_backup())
    }
}
