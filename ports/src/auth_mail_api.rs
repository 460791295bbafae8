//! The auth flows that go through mail (verification, password reset, email change) and the
//! settings' test email: the driving port the HTTP adapter calls for them.

use crate::service::{Auth, RequestContext, ServiceResult};
use async_trait::async_trait;
use serde_json::{Map, Value};

/// `POST /api/collections/{c}/request-*` and `confirm-*` for verification, password reset and
/// email change, and `POST /api/settings/test/email`. Each takes the request's JSON body as
/// sent (PocketBase's form binding: a value of the wrong type is an unreadable body).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuthMailApi: Send + Sync {
    /// `POST /api/collections/{c}/request-verification` (`{email}`): 204, whether or not the
    /// email is known; mails a verification token to an unverified record.
    async fn request_verification(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<()>;
    /// `POST /api/collections/{c}/confirm-verification` (`{token}`): marks the record verified.
    async fn confirm_verification(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<()>;
    /// `POST /api/collections/{c}/request-password-reset` (`{email}`): 204, whether or not the
    /// email is known; mails a password reset token.
    async fn request_password_reset(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<()>;
    /// `POST /api/collections/{c}/confirm-password-reset` (`{token, password,
    /// passwordConfirm}`): sets the new password (revoking older auth tokens).
    async fn confirm_password_reset(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<()>;
    /// `POST /api/collections/{c}/request-email-change` (`{newEmail}`, the record's own auth):
    /// mails an email change token to the new address.
    async fn request_email_change(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<()>;
    /// `POST /api/collections/{c}/confirm-email-change` (`{token, password}`): sets the new
    /// email.
    async fn confirm_email_change(
        &self,
        request: &RequestContext,
        collection: &str,
        body: &Map<String, Value>,
    ) -> ServiceResult<()>;
    /// `POST /api/settings/test/email` (`{email, template, collection?}`, superusers only):
    /// sends one of the auth templates to `email`.
    async fn test_email(&self, auth: &Auth, body: &Map<String, Value>) -> ServiceResult<()>;
}
