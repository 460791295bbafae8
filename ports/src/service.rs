//! The driving ports: the service API the HTTP adapter calls. Bodies and results are JSON
//! values because records are dynamic by nature; the HTTP adapter never sees the app crate.

pub use crate::error::ServiceError;
use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Who is making a request, as resolved from its `Authorization` token.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Auth {
    /// No (valid) token.
    #[default]
    Guest,
    /// A record of an auth collection; `superuser` is true for `_superusers` records.
    Record {
        /// The auth collection's id.
        collection_id: String,
        /// The auth collection's name.
        collection_name: String,
        /// The record's id.
        id: String,
        /// True for `_superusers` records.
        superuser: bool,
    },
}

impl Auth {
    /// True for a `_superusers` record.
    pub fn is_superuser(&self) -> bool {
        matches!(
            self,
            Auth::Record {
                superuser: true,
                ..
            }
        )
    }

    /// True when no record is authenticated.
    pub fn is_guest(&self) -> bool {
        matches!(self, Auth::Guest)
    }
}

/// A request as the record rules see it (`@request.*`): who, with which method, query
/// parameters and headers (header names lowercased).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    /// Who is making the request.
    pub auth: Auth,
    /// The HTTP method (`GET`, `POST`, ...).
    pub method: String,
    /// The query parameters (a repeated key keeps its last value).
    pub query: Map<String, Value>,
    /// The headers, names lowercased, values as strings.
    pub headers: Map<String, Value>,
    /// The authenticated record's values as loaded when its token was checked, so the
    /// rules' `@request.auth.*` need not load it again (`None`: load it when needed).
    pub auth_record: Option<Arc<Map<String, Value>>>,
    /// The client's IP address (PocketBase's `RealIP`: the trusted proxy header's, else the
    /// TCP peer's), when the call came over HTTP.
    pub remote_ip: Option<String>,
}

impl RequestContext {
    /// A context with only an identity (for calls that don't come from HTTP).
    pub fn with_auth(auth: Auth) -> Self {
        Self {
            auth,
            ..Self::default()
        }
    }

    /// The value of header `name` (lowercase), `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The `User-Agent` header, `""` when absent.
    pub fn user_agent(&self) -> &str {
        self.header("user-agent")
    }
}

/// Result alias for the service API.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// List parameters shared by collections and records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// Page size (default 30, capped at 1000).
    pub per_page: Option<i64>,
    /// Comma-separated sort keys, `-` for descending.
    pub sort: Option<String>,
    /// Skip counting the total (totals become -1).
    pub skip_total: bool,
    /// A filter expression (the rules issue completes the language).
    pub filter: Option<String>,
}

/// A page of results in PocketBase's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResult {
    /// 1-based page.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
    /// Total matching items, or -1 with `skipTotal`.
    pub total_items: i64,
    /// Total pages, or -1 with `skipTotal`.
    pub total_pages: i64,
    /// The items.
    pub items: Vec<Value>,
}

/// An auth response: `{token, record, meta?}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthResponse {
    /// The signed JWT.
    pub token: String,
    /// The authenticated record, as the API shows it.
    pub record: Value,
    /// Extra data of the auth method (OAuth2: the provider's user and tokens), shown only
    /// when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

/// `POST /api/collections/{c}/auth-with-oauth2`'s body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OAuth2Form {
    /// The provider name, as configured in the collection's `oauth2.providers`.
    pub provider: String,
    /// The authorization code the provider redirected with.
    pub code: String,
    /// The PKCE code verifier of the authorization request.
    pub code_verifier: String,
    /// The redirect URL of the authorization request (`redirectURL`, or the deprecated
    /// `redirectUrl`).
    pub redirect_url: String,
    /// Values for a record created by this sign-in.
    pub create_data: Option<Map<String, Value>>,
    /// The MFA id of a first factor, when this sign-in is the second.
    pub mfa_id: Option<String>,
}

/// What `/api/oauth2-redirect` received from a provider (query or form values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuth2Redirect {
    /// The state: the id of the realtime client waiting for the code.
    pub state: String,
    /// The authorization code.
    pub code: String,
    /// The provider's error, if any.
    pub error: String,
    /// Apple's `user` form value (the user's name, sent only on the first sign-in).
    pub apple_user: String,
}

/// Collections management (superusers only).
#[async_trait]
pub trait CollectionsApi: Send + Sync {
    /// `GET /api/collections`.
    async fn list_collections(&self, auth: &Auth, query: ListQuery) -> ServiceResult<ListResult>;
    /// `GET /api/collections/{idOrName}`.
    async fn view_collection(&self, auth: &Auth, id_or_name: &str) -> ServiceResult<Value>;
    /// `POST /api/collections`.
    async fn create_collection(&self, auth: &Auth, body: Value) -> ServiceResult<Value>;
    /// `PATCH /api/collections/{idOrName}`.
    async fn update_collection(
        &self,
        auth: &Auth,
        id_or_name: &str,
        body: Value,
    ) -> ServiceResult<Value>;
    /// `DELETE /api/collections/{idOrName}`.
    async fn delete_collection(&self, auth: &Auth, id_or_name: &str) -> ServiceResult<()>;
    /// `PUT /api/collections/import`.
    async fn import_collections(&self, auth: &Auth, body: Value) -> ServiceResult<()>;
    /// `GET /api/collections/meta/scaffolds`.
    async fn collection_scaffolds(&self, auth: &Auth) -> ServiceResult<Value>;
    /// `DELETE /api/collections/{idOrName}/truncate`.
    async fn truncate_collection(&self, auth: &Auth, id_or_name: &str) -> ServiceResult<()>;
}

/// Records CRUD, guarded by the collection's API rules.
#[async_trait]
pub trait RecordsApi: Send + Sync {
    /// `GET /api/collections/{c}/records`.
    async fn list_records(
        &self,
        req: &RequestContext,
        collection: &str,
        query: ListQuery,
    ) -> ServiceResult<ListResult>;
    /// `GET /api/collections/{c}/records/{id}`.
    async fn view_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
    ) -> ServiceResult<Value>;
    /// `POST /api/collections/{c}/records`; body keys may carry `+`/`-` modifiers.
    async fn create_record(
        &self,
        req: &RequestContext,
        collection: &str,
        body: Map<String, Value>,
    ) -> ServiceResult<Value> {
        self.create_record_form(req, collection, body.into()).await
    }
    /// `PATCH /api/collections/{c}/records/{id}`.
    async fn update_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
        body: Map<String, Value>,
    ) -> ServiceResult<Value> {
        self.update_record_form(req, collection, id, body.into())
            .await
    }
    /// `POST /api/collections/{c}/records` with uploaded files.
    async fn create_record_form(
        &self,
        req: &RequestContext,
        collection: &str,
        form: crate::RecordForm,
    ) -> ServiceResult<Value>;
    /// `PATCH /api/collections/{c}/records/{id}` with uploaded files.
    async fn update_record_form(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
        form: crate::RecordForm,
    ) -> ServiceResult<Value>;
    /// `DELETE /api/collections/{c}/records/{id}`.
    async fn delete_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
    ) -> ServiceResult<()>;
}

/// Authentication of auth-collection records.
#[async_trait]
pub trait AuthApi: Send + Sync {
    /// Resolves an `Authorization` header value to who it names; invalid tokens are guests.
    async fn authenticate(&self, token: &str) -> Auth;
    /// [`AuthApi::authenticate`], also returning the record's values when it loaded them.
    async fn authenticate_with_record(
        &self,
        token: &str,
    ) -> (Auth, Option<Arc<Map<String, Value>>>) {
        (self.authenticate(token).await, None)
    }
    /// `GET /api/collections/{c}/auth-methods`.
    async fn auth_methods(&self, collection: &str) -> ServiceResult<Value>;
    /// `POST /api/collections/{c}/auth-with-password`: `identity` in `identity_field` (or
    /// any identity field) with `password`; `mfa_id` (the body's `mfaId`) completes an
    /// MFA started by another method.
    async fn auth_with_password(
        &self,
        req: &RequestContext,
        collection: &str,
        identity: &str,
        password: &str,
        identity_field: Option<&str>,
        mfa_id: Option<&str>,
    ) -> ServiceResult<AuthResponse>;
    /// `POST /api/collections/{c}/auth-refresh`: a new token for `req.auth` (the same one
    /// when the current token is not refreshable, as impersonation tokens are).
    async fn auth_refresh(
        &self,
        req: &RequestContext,
        collection: &str,
    ) -> ServiceResult<AuthResponse>;
    /// `POST /api/collections/{c}/request-otp` with the body's `email`: `{otpId}` (a random
    /// one, and no mail, when no record has that email).
    async fn request_otp(
        &self,
        req: &RequestContext,
        collection: &str,
        email: &str,
    ) -> ServiceResult<Value>;
    /// `POST /api/collections/{c}/auth-with-otp`: `{otpId, password, mfaId?}`.
    async fn auth_with_otp(
        &self,
        req: &RequestContext,
        collection: &str,
        otp_id: &str,
        password: &str,
        mfa_id: Option<&str>,
    ) -> ServiceResult<AuthResponse>;
    /// `POST /api/collections/{c}/impersonate/{id}` (superusers only): a non-refreshable
    /// token of `duration` seconds for record `id` (0: the collection's auth token
    /// duration).
    async fn impersonate(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
        duration: i64,
    ) -> ServiceResult<AuthResponse>;
    /// `POST /api/collections/{c}/auth-with-oauth2`.
    async fn auth_with_oauth2(
        &self,
        req: &RequestContext,
        collection: &str,
        form: OAuth2Form,
    ) -> ServiceResult<AuthResponse>;
    /// `GET`/`POST /api/oauth2-redirect`: forwards `data` to the realtime client named by its
    /// state (subscribed to `@oauth2`, from the caller's IP). True when the sign-in may go
    /// on (the client got a code), false for the failure page.
    async fn oauth2_redirect(&self, req: &RequestContext, data: OAuth2Redirect) -> bool;
    /// `POST /api/settings/apple/generate-client-secret` (superusers only): Apple's client
    /// secret (an ES256 JWT) from `clientId`, `teamId`, `keyId`, `privateKey`, `duration`.
    async fn apple_client_secret(
        &self,
        auth: &Auth,
        body: &Map<String, Value>,
    ) -> ServiceResult<String>;
}

/// Everything the HTTP adapter needs, as one object.
pub trait Services:
    CollectionsApi
    + RecordsApi
    + AuthApi
    + crate::SettingsApi
    + crate::CronApi
    + crate::RealtimeApi
    + crate::DocsApi
    + crate::FilesApi
    + crate::LogsApi
    + crate::BackupsApi
    + crate::BatchApi
    + crate::AuthMailApi
{
}

impl<
    T: CollectionsApi
        + RecordsApi
        + AuthApi
        + crate::SettingsApi
        + crate::CronApi
        + crate::RealtimeApi
        + crate::DocsApi
        + crate::FilesApi
        + crate::LogsApi
        + crate::BackupsApi
        + crate::BatchApi
        + crate::AuthMailApi,
> Services for T
{
}
