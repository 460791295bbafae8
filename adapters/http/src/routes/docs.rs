//! `GET /api/openapi.json`: the live API document (the built-in operations, the documented
//! custom routes, and typed paths for each collection the caller may see documented).

use super::{ApiTags, api};
use crate::docs::live_document;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::Auth;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;
use serde_json::Value;
use std::sync::LazyLock;

/// Document routes.
pub(crate) struct DocsRoutes;

/// The built-in document, when the server was given none (no custom routes).
static BUILT_IN: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(&crate::openapi_json()).unwrap_or_default());

#[OpenApi]
impl DocsRoutes {
    /// The OpenAPI 3.1 document of this server: every operation, with one typed set of
    /// paths per collection. Superusers see every collection; others only when the
    /// `openapi.public` setting is on, and then the collections a rule opens to them.
    #[oai(
        path = "/openapi.json",
        method = "get",
        operation_id = "openapiDocument",
        tag = "ApiTags::Docs"
    )]
    async fn document(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
    ) -> Result<Json<Value>, ApiError> {
        let collections = api(s.documented_collections(&auth).await, &cfg)?;
        let base = cfg.document.as_deref().unwrap_or(&BUILT_IN);
        Ok(Json(live_document(base, &collections)))
    }
}
