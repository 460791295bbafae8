//! Auth-collection routes: auth methods, password login and token refresh.

use super::{ApiTags, api};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::Auth;
use basalt_ports::ServiceError;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde_json::{Map, Value};

/// Auth routes.
pub(crate) struct AuthRoutes;

/// A successful authentication.
#[derive(Object)]
pub(crate) struct AuthResult {
    /// The auth token (send it as the `Authorization` header).
    token: String,
    /// The authenticated record.
    record: Value,
}

impl From<basalt_ports::AuthResponse> for AuthResult {
    fn from(r: basalt_ports::AuthResponse) -> Self {
        Self {
            token: r.token,
            record: r.record,
        }
    }
}

/// The auth-with-password body.
// Only documents the body: the route reads it leniently, so that a malformed one gets
// PocketBase's answer.
#[allow(dead_code)]
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct PasswordForm {
    /// The identity: the value of `identityField`, or of any of the collection's identity
    /// fields (`email` by default).
    identity: String,
    /// The password.
    password: String,
    /// The identity field to look `identity` up by (one of the collection's
    /// `passwordAuth.identityFields`).
    identity_field: Option<String>,
}

crate::body::body_schema!(PasswordForm);

type Out<T> = Result<T, ApiError>;

fn text(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[OpenApi]
impl AuthRoutes {
    /// The auth methods an auth collection allows.
    #[oai(
        path = "/collections/:collection/auth-methods",
        method = "get",
        operation_id = "authMethods",
        tag = "ApiTags::Auth"
    )]
    async fn methods(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        collection: Path<String>,
    ) -> Out<Json<Value>> {
        api(s.auth_methods(&collection).await, &cfg).map(Json)
    }

    /// Logs in with an identity (e.g. email) and password: `{identity, password, identityField?}`.
    #[oai(
        path = "/collections/:collection/auth-with-password",
        method = "post",
        operation_id = "authWithPassword",
        tag = "ApiTags::Auth"
    )]
    async fn with_password(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        collection: Path<String>,
        body: JsonBody<PasswordForm>,
    ) -> Out<Json<AuthResult>> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let identity = text(&body, "identity");
        let password = text(&body, "password");
        let field = text(&body, "identityField");
        let field = (!field.is_empty()).then_some(field.as_str());
        api(
            s.auth_with_password(&collection, &identity, &password, field)
                .await,
            &cfg,
        )
        .map(|r| Json(r.into()))
    }

    /// Issues a fresh token for the authenticated record.
    #[oai(
        path = "/collections/:collection/auth-refresh",
        method = "post",
        operation_id = "authRefresh",
        tag = "ApiTags::Auth"
    )]
    async fn refresh(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        collection: Path<String>,
    ) -> Out<Json<AuthResult>> {
        api(s.auth_refresh(&auth, &collection).await, &cfg).map(|r| Json(r.into()))
    }
}
