//! The auth flows that go through mail, and the settings' test email: the
//! [`AuthMailApi`] driving port. `verification.rs`, `password_reset.rs` and
//! `email_change.rs` are PocketBase's request/confirm pairs (tokens from
//! `crate::auth::tokens`, mails from `crate::mail`), `form.rs` reads and checks their
//! bodies, `test_email.rs` is `POST /api/settings/test/email`.

mod email_change;
mod form;
mod password_reset;
mod test_email;
mod verification;

use crate::App;
use async_trait::async_trait;
use basalt_ports::{Auth, AuthMailApi, RequestContext, ServiceError};
use serde_json::{Map, Value};

#[async_trait]
impl AuthMailApi for App {
    async fn request_verification(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        verification::request(self, request, collection, body).await
    }

    async fn confirm_verification(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        verification::confirm(self, request, collection, body).await
    }

    async fn request_password_reset(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        password_reset::request(self, request, collection, body).await
    }

    async fn confirm_password_reset(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        password_reset::confirm(self, request, collection, body).await
    }

    async fn request_email_change(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        email_change::request(self, request, collection, body).await
    }

    async fn confirm_email_change(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        email_change::confirm(self, request, collection, body).await
    }

    async fn test_email(&self, auth: &Auth, body: &Map<String, Value>) -> Result<(), ServiceError> {
        test_email::send(self, auth, body).await
    }
}
