//! Authentication of auth-collection records: `tokens` (signing and checking auth tokens),
//! `password` (auth with password), `otp_request`/`otp_auth` (one-time passwords),
//! `impersonate`, `refresh`, `methods` (auth-methods), `oauth2` (auth with OAuth2 and its
//! redirect) and `respond` (the common finish: `rule` (superuser IPs, `authRule`), `mfa`,
//! `alert` (auth origins and the login alert), the `{token, record, meta?}` answer). `refs`
//! reads and writes the `_mfas`, `_otps` and `_authOrigins` rows, `attempts` limits OTP
//! guesses, `form` words the forms' errors, `mail` sends the auth mails. The [`AuthApi`]
//! driving port is implemented here.

mod alert;
mod attempts;
mod form;
mod impersonate;
mod mail;
mod methods;
mod mfa;
pub(crate) mod oauth2;
mod otp_auth;
pub(crate) mod otp_request;
mod password;
mod refresh;
pub(crate) mod refs;
mod respond;
mod rule;
pub(crate) mod tokens;

use crate::App;
use async_trait::async_trait;
use basalt_ports::{
    Auth, AuthApi, AuthResponse, OAuth2Form, OAuth2Redirect, RequestContext, ServiceError,
};
use serde_json::{Map, Value};
use std::sync::Arc;

#[async_trait]
impl AuthApi for App {
    async fn authenticate(&self, token: &str) -> Auth {
        tokens::authenticate(self, token).await.0
    }

    async fn authenticate_with_record(
        &self,
        token: &str,
    ) -> (Auth, Option<Arc<Map<String, Value>>>) {
        tokens::authenticate(self, token).await
    }

    async fn auth_methods(&self, collection: &str) -> Result<Value, ServiceError> {
        methods::list(self, collection).await
    }

    async fn auth_with_password(
        &self,
        req: &RequestContext,
        collection: &str,
        identity: &str,
        password: &str,
        identity_field: Option<&str>,
        mfa_id: Option<&str>,
    ) -> Result<AuthResponse, ServiceError> {
        let form = password::PasswordForm {
            identity,
            password,
            identity_field,
            mfa_id,
        };
        password::sign_in(self, req, collection, form).await
    }

    async fn auth_refresh(
        &self,
        req: &RequestContext,
        collection: &str,
    ) -> Result<AuthResponse, ServiceError> {
        refresh::refresh(self, req, collection).await
    }

    async fn request_otp(
        &self,
        req: &RequestContext,
        collection: &str,
        email: &str,
    ) -> Result<Value, ServiceError> {
        otp_request::request(self, req, collection, email).await
    }

    async fn auth_with_otp(
        &self,
        req: &RequestContext,
        collection: &str,
        otp_id: &str,
        password: &str,
        mfa_id: Option<&str>,
    ) -> Result<AuthResponse, ServiceError> {
        otp_auth::sign_in(self, req, collection, otp_id, password, mfa_id).await
    }

    async fn impersonate(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
        duration: i64,
    ) -> Result<AuthResponse, ServiceError> {
        impersonate::impersonate(self, req, collection, id, duration).await
    }

    async fn auth_with_oauth2(
        &self,
        req: &RequestContext,
        collection: &str,
        form: OAuth2Form,
    ) -> Result<AuthResponse, ServiceError> {
        oauth2::sign_in::sign_in(self, req, collection, form).await
    }

    async fn oauth2_redirect(&self, req: &RequestContext, data: OAuth2Redirect) -> bool {
        oauth2::redirect::forward(self, req, data)
    }

    async fn apple_client_secret(
        &self,
        auth: &Auth,
        body: &Map<String, Value>,
    ) -> Result<String, ServiceError> {
        oauth2::apple_secret::generate(self, auth, body)
    }
}
