//! `GET /api/health`.

use super::ApiTags;
use basalt_ports::Auth;
use poem::web::{Data, RemoteAddr};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
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

fn health_for(auth: &Auth, remote: &RemoteAddr) -> Json<Health> {
    let data = if auth.is_superuser() {
        let ip = remote
            .as_socket_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default();
        json!({"realIP": ip, "possibleProxyHeader": "", "canBackup": true})
    } else {
        json!({})
    };
    Json(Health {
        code: 200,
        message: "API is healthy.".into(),
        data,
    })
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
    async fn health(&self, auth: Data<&Auth>, remote: &RemoteAddr) -> Json<Health> {
        health_for(&auth, remote)
    }

    /// The same check for `HEAD` requests.
    #[oai(
        path = "/health",
        method = "head",
        operation_id = "healthHead",
        tag = "ApiTags::Health"
    )]
    async fn health_head(&self, auth: Data<&Auth>, remote: &RemoteAddr) -> Json<Health> {
        health_for(&auth, remote)
    }
}
