//! Authentication of auth-collection records: `tokens` (signing and checking auth tokens),
//! `password` (auth with password), `refresh`, `methods` (auth-methods) and `respond` (the
//! `{token, record, meta?}` answer), `oauth2` (auth with OAuth2 and its redirect). The
//! [`AuthApi`] driving port is implemented here.

mod methods;
pub(crate) mod oauth2;
mod password;
mod refresh;
mod respond;
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
        collection: &str,
        identity: &str,
        password: &str,
        identity_field: Option<&str>,
    ) -> Result<AuthResponse, ServiceError> {
        password::sign_in(self, collection, identity, password, identity_field).await
    }

    async fn auth_refresh(
        &self,
        auth: &Auth,
        collection: &str,
    ) -> Result<AuthResponse, ServiceError> {
        refresh::refresh(self, auth, collection).await
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
