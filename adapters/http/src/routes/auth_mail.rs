//! The auth flows that go through mail — `request-verification`, `confirm-verification`,
//! `request-password-reset`, `confirm-password-reset`, `request-email-change`,
//! `confirm-email-change` — and `POST /api/settings/test/email`. Each answers 204; the
//! request-* of verification and password reset answer 204 for unknown emails too.

use super::{ApiTags, NoContent, api};
use crate::auth::request_context;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::{Auth, ServiceError};
use poem::Request;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;

/// Mail flow routes.
pub(crate) struct AuthMailRoutes;

type Out<T> = Result<T, ApiError>;

// The bodies below only document the routes: each route reads its body leniently, so that
// a malformed one gets PocketBase's answer.

/// `{email}`: the address of the record to mail.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
pub(crate) struct EmailForm {
    /// The record's email address.
    email: String,
}

/// `{token}`: a verification token from the mail.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
pub(crate) struct TokenForm {
    /// The token the mail carried.
    token: String,
}

/// `{token, password, passwordConfirm}`: a password reset.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct PasswordResetForm {
    /// The token the password reset mail carried.
    token: String,
    /// The new password.
    password: String,
    /// The new password again.
    password_confirm: String,
}

/// `{newEmail}`: the address to move to.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct EmailChangeForm {
    /// The new email address (a confirmation mail goes there).
    new_email: String,
}

/// `{token, password}`: an email change confirmation.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
pub(crate) struct EmailChangeConfirmForm {
    /// The token the email change mail carried.
    token: String,
    /// The record's current password.
    password: String,
}

/// `{email, template, collection?}`: a test email.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
pub(crate) struct TestEmailForm {
    /// Where to send it.
    email: String,
    /// `verification`, `password-reset`, `email-change`, `otp` or `login-alert`.
    template: String,
    /// The auth collection whose template to use (`_superusers` when missing).
    collection: Option<String>,
}

crate::body::body_schema!(
    EmailForm,
    TokenForm,
    PasswordResetForm,
    EmailChangeForm,
    EmailChangeConfirmForm,
    TestEmailForm
);

#[OpenApi]
impl AuthMailRoutes {
    /// Mails a verification token to an unverified record (204 for unknown emails too).
    #[oai(
        path = "/collections/:collection/request-verification",
        method = "post",
        operation_id = "requestVerification",
        tag = "ApiTags::Auth"
    )]
    async fn request_verification(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<EmailForm>,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let r = s
            .request_verification(&request_context(req), &collection, &body)
            .await;
        api(r, &cfg).map(|()| NoContent::Done)
    }

    /// Marks the record a verification token names as verified.
    #[oai(
        path = "/collections/:collection/confirm-verification",
        method = "post",
        operation_id = "confirmVerification",
        tag = "ApiTags::Auth"
    )]
    async fn confirm_verification(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<TokenForm>,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let r = s
            .confirm_verification(&request_context(req), &collection, &body)
            .await;
        api(r, &cfg).map(|()| NoContent::Done)
    }

    /// Mails a password reset token (204 for unknown emails too).
    #[oai(
        path = "/collections/:collection/request-password-reset",
        method = "post",
        operation_id = "requestPasswordReset",
        tag = "ApiTags::Auth"
    )]
    async fn request_password_reset(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<EmailForm>,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let r = s
            .request_password_reset(&request_context(req), &collection, &body)
            .await;
        api(r, &cfg).map(|()| NoContent::Done)
    }

    /// Sets a new password with a password reset token; older auth tokens stop working.
    #[oai(
        path = "/collections/:collection/confirm-password-reset",
        method = "post",
        operation_id = "confirmPasswordReset",
        tag = "ApiTags::Auth"
    )]
    async fn confirm_password_reset(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<PasswordResetForm>,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let r = s
            .confirm_password_reset(&request_context(req), &collection, &body)
            .await;
        api(r, &cfg).map(|()| NoContent::Done)
    }

    /// Mails an email change token to the new address (the caller's own record).
    #[oai(
        path = "/collections/:collection/request-email-change",
        method = "post",
        operation_id = "requestEmailChange",
        tag = "ApiTags::Auth"
    )]
    async fn request_email_change(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<EmailChangeForm>,
    ) -> Out<NoContent> {
        let ctx = request_context(req);
        // The auth check comes first, as PocketBase's route middleware.
        if matches!(ctx.auth, Auth::Guest) {
            return api(Err(ServiceError::AuthRequired), &cfg);
        }
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let r = s.request_email_change(&ctx, &collection, &body).await;
        api(r, &cfg).map(|()| NoContent::Done)
    }

    /// Sets the new email an email change token names (needs the record's password).
    #[oai(
        path = "/collections/:collection/confirm-email-change",
        method = "post",
        operation_id = "confirmEmailChange",
        tag = "ApiTags::Auth"
    )]
    async fn confirm_email_change(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: JsonBody<EmailChangeConfirmForm>,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let r = s
            .confirm_email_change(&request_context(req), &collection, &body)
            .await;
        api(r, &cfg).map(|()| NoContent::Done)
    }

    /// Sends one of the auth templates to an address (superusers only).
    #[oai(
        path = "/settings/test/email",
        method = "post",
        operation_id = "testEmail",
        tag = "ApiTags::Settings"
    )]
    async fn test_email(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody<TestEmailForm>,
    ) -> Out<NoContent> {
        // Only a superuser's malformed body is answered as such (the auth check is first).
        let body = match body.0 {
            Some(body) => body,
            None if auth.is_superuser() => return api(Err(ServiceError::UnreadableBody), &cfg),
            None => Default::default(),
        };
        api(s.test_email(&auth, &body).await, &cfg).map(|()| NoContent::Done)
    }
}
