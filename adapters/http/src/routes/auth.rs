//! Auth-collection routes: auth methods, password and OAuth2 sign-in, token refresh, OTP
//! request and login, impersonation.

use super::{ApiTags, api};
use crate::auth::request_context;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::OAuth2Form;
use basalt_ports::ServiceError;
use poem::Request;
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
    /// The auth method's extra data (OAuth2: the provider's user, its tokens and `isNew`).
    #[oai(skip_serializing_if_is_none)]
    meta: Option<Value>,
}

impl From<basalt_ports::AuthResponse> for AuthResult {
    fn from(r: basalt_ports::AuthResponse) -> Self {
        Self {
            token: r.token,
            record: r.record,
            meta: r.meta,
        }
    }
}

/// The auth-with-oauth2 body.
// Only documents the body: the route reads it leniently.
#[allow(dead_code)]
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct OAuth2FormDoc {
    /// The provider name (one of the collection's `oauth2.providers`).
    provider: String,
    /// The authorization code the provider redirected with.
    code: String,
    /// The PKCE code verifier `auth-methods` handed out with the provider's URL.
    code_verifier: Option<String>,
    /// The redirect URL the authorization request used.
    #[oai(rename = "redirectURL")]
    redirect_url: Option<String>,
    /// Values for the record created when none signs in yet (validated as a record create).
    create_data: Option<std::collections::BTreeMap<String, Value>>,
    /// The MFA id a first factor answered with, when this is the second.
    mfa_id: Option<String>,
}

crate::body::body_schema!(OAuth2FormDoc);

/// The request-otp answer.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct OtpRequested {
    /// The id of the OTP sent (a random id when no record has the email).
    otp_id: String,
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
    /// The `mfaId` of a 401 answered to another auth method (the MFA's second factor).
    mfa_id: Option<String>,
}

crate::body::body_schema!(PasswordForm);

/// The request-otp body.
#[allow(dead_code)]
#[derive(Object)]
pub(crate) struct OtpRequestForm {
    /// The email of the record to send the OTP to.
    email: String,
}

crate::body::body_schema!(OtpRequestForm);

/// The auth-with-otp body.
#[allow(dead_code)]
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct OtpForm {
    /// The `otpId` request-otp answered.
    otp_id: String,
    /// The one-time password mailed.
    password: String,
    /// The `mfaId` of a 401 answered to another auth method (the MFA's second factor).
    mfa_id: Option<String>,
}

crate::body::body_schema!(OtpForm);

/// The impersonate body.
#[allow(dead_code)]
#[derive(Object)]
pub(crate) struct ImpersonateForm {
    /// The token's lifetime in seconds (0 or absent: the collection's auth token duration).
    duration: Option<i64>,
}

crate::body::body_schema!(ImpersonateForm);

type Out<T> = Result<T, ApiError>;

fn text(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The body's `mfaId`, when not empty.
fn mfa_id(body: &Map<String, Value>) -> Option<String> {
    Some(text(body, "mfaId")).filter(|s| !s.is_empty())
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
        req: &Request,
        collection: Path<String>,
        body: JsonBody<PasswordForm>,
    ) -> Out<Json<AuthResult>> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let identity = text(&body, "identity");
        let password = text(&body, "password");
        let field = text(&body, "identityField");
        let field = (!field.is_empty()).then_some(field.as_str());
        let mfa_id = mfa_id(&body);
        let ctx = request_context(req);
        let r = s
            .auth_with_password(
                &ctx,
                &collection,
                &identity,
                &password,
                field,
                mfa_id.as_deref(),
            )
            .await;
        api(r, &cfg).map(|r| Json(r.into()))
    }

    /// Signs in with an OAuth2 provider: exchanges the code, then finds the record linked to
    /// the provider's user (or with its email), or creates one when the create rule allows.
    #[oai(
        path = "/collections/:collection/auth-with-oauth2",
        method = "post",
        operation_id = "authWithOAuth2",
        tag = "ApiTags::Auth"
    )]
    async fn with_oauth2(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<OAuth2FormDoc>,
    ) -> Out<Json<AuthResult>> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let mut redirect_url = text(&body, "redirectURL");
        if redirect_url.is_empty() {
            redirect_url = text(&body, "redirectUrl");
        }
        let create_data = match body.get("createData") {
            Some(Value::Object(o)) => Some(o.clone()),
            None | Some(Value::Null) => None,
            Some(_) => {
                return Err(ApiError::from_service(
                    ServiceError::UnreadableBody,
                    cfg.dev,
                ));
            }
        };
        let mfa_id = Some(text(&body, "mfaId")).filter(|m| !m.is_empty());
        let form = OAuth2Form {
            provider: text(&body, "provider"),
            code: text(&body, "code"),
            code_verifier: text(&body, "codeVerifier"),
            redirect_url,
            create_data,
            mfa_id,
        };
        api(
            s.auth_with_oauth2(&request_context(req), &collection, form)
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
        req: &Request,
        collection: Path<String>,
    ) -> Out<Json<AuthResult>> {
        let ctx = request_context(req);
        api(s.auth_refresh(&ctx, &collection).await, &cfg).map(|r| Json(r.into()))
    }

    /// Sends a one-time password to the record with `{email}` (`otp.enabled`); answers its
    /// `otpId` (the same shape for an unknown email, with no mail).
    #[oai(
        path = "/collections/:collection/request-otp",
        method = "post",
        operation_id = "requestOTP",
        tag = "ApiTags::Auth"
    )]
    async fn request_otp(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<OtpRequestForm>,
    ) -> Out<Json<OtpRequested>> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let email = text(&body, "email");
        let ctx = request_context(req);
        let r = api(s.request_otp(&ctx, &collection, &email).await, &cfg)?;
        let otp_id = r
            .get("otpId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(Json(OtpRequested { otp_id }))
    }

    /// Logs in with a one-time password: `{otpId, password, mfaId?}`.
    #[oai(
        path = "/collections/:collection/auth-with-otp",
        method = "post",
        operation_id = "authWithOTP",
        tag = "ApiTags::Auth"
    )]
    async fn with_otp(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<OtpForm>,
    ) -> Out<Json<AuthResult>> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let otp_id = text(&body, "otpId");
        let password = text(&body, "password");
        let mfa_id = mfa_id(&body);
        let ctx = request_context(req);
        let r = s
            .auth_with_otp(&ctx, &collection, &otp_id, &password, mfa_id.as_deref())
            .await;
        api(r, &cfg).map(|r| Json(r.into()))
    }

    /// Superusers only: a non-refreshable auth token for record `id` of the collection,
    /// valid `{duration}` seconds (0: the collection's auth token duration).
    #[oai(
        path = "/collections/:collection/impersonate/:id",
        method = "post",
        operation_id = "impersonate",
        tag = "ApiTags::Auth"
    )]
    async fn impersonate(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        id: Path<String>,
        body: JsonBody<ImpersonateForm>,
    ) -> Out<Json<AuthResult>> {
        let ctx = request_context(req);
        if ctx.auth.is_guest() {
            return api(Err(ServiceError::AuthRequired), &cfg);
        }
        if !ctx.auth.is_superuser() {
            return api(Err(ServiceError::NotAllowed), &cfg);
        }
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let duration = match body.get("duration") {
            None | Some(Value::Null) => 0,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(d) => d,
                None => return api(Err(ServiceError::UnreadableBody), &cfg),
            },
            Some(_) => return api(Err(ServiceError::UnreadableBody), &cfg),
        };
        let r = s.impersonate(&ctx, &collection, &id, duration).await;
        api(r, &cfg).map(|r| Json(r.into()))
    }
}
