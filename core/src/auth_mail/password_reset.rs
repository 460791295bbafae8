//! `request-password-reset` and `confirm-password-reset` (PocketBase's
//! `apis/record_auth_password_reset_*.go`). A new password gets a new `tokenKey` (the save
//! path rotates it), so every older auth token stops working.

use super::form::{
    auth_collection, check_email, find_by_email, length, rejected, save_failed, text,
};
use super::verification::{collection_mismatch, failed, invalid_token};
use crate::App;
use crate::auth::tokens::{self, TokenKind};
use crate::hooks::RecordTokenFlowRequestEvent;
use crate::mail::throttle::password_reset_key;
use crate::mail::{AuthMail, send_auth_mail};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::FieldKind;
use basalt_ports::hook::Chain;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::{Map, Value};

/// `POST /api/collections/{c}/request-password-reset`.
pub(crate) async fn request(
    app: &App,
    request: &RequestContext,
    collection_name: &str,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let c = auth_collection(app, collection_name)?;
    if !c.password_auth().0 {
        return Err(ServiceError::bad_request(
            "The collection is not configured to allow password authentication.",
        ));
    }
    let email = text(body, "email")?;
    if let Some(e) = check_email(&email) {
        let mut errs = ValidationErrors::new();
        errs.add("email", e);
        return Err(rejected(errs));
    }
    // Unknown emails and throttled records answer 204 too (no enumeration).
    let Some(record) = find_by_email(app, &c, &email).await? else {
        tracing::debug!(collection = %c.name, "password reset requested for an unknown email");
        return Ok(());
    };
    if app
        .inner
        .mail
        .throttle
        .has(&password_reset_key(&c.id, record.id()), app.now_secs())
    {
        tracing::debug!(collection = %c.name, record = record.id(), "password reset mail already sent, try again later");
        return Ok(());
    }
    let mut event = RecordTokenFlowRequestEvent {
        app: app.clone(),
        request: request.clone(),
        collection: c,
        record,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_request_password_reset_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                let (app, c, record) = (e.app.clone(), e.collection.clone(), e.record.clone());
                // In the background: the client is not told how the send went.
                tokio::spawn(async move {
                    let sent = match tokens::sign_mail_token(
                        &app,
                        &c,
                        &record,
                        TokenKind::PasswordReset,
                        None,
                    ) {
                        Ok(token) => {
                            send_auth_mail(&app, &c, &record, AuthMail::PasswordReset { token })
                                .await
                        }
                        Err(e) => Err(e.into()),
                    };
                    match sent {
                        Ok(()) => app
                            .inner
                            .mail
                            .throttle
                            .set(password_reset_key(&c.id, record.id()), app.now_secs()),
                        Err(error) => failed(&app, &c.name, record.id(), &error)
                            .error("Failed to send password reset email"),
                    }
                });
                Ok(())
            })
        })
        .await
}

/// `POST /api/collections/{c}/confirm-password-reset`.
pub(crate) async fn confirm(
    app: &App,
    request: &RequestContext,
    collection_name: &str,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let c = auth_collection(app, collection_name)?;
    let token = text(body, "token")?;
    let password = text(body, "password")?;
    let confirm = text(body, "passwordConfirm")?;
    let min = c
        .fields
        .iter()
        .find_map(|f| match &f.kind {
            FieldKind::Password(o) if f.name == "password" && o.min > 0 => Some(o.min as usize),
            _ => None,
        })
        .unwrap_or(1);
    let mut errs = ValidationErrors::new();
    let mut found = None;
    if token.is_empty() {
        errs.add("token", FieldError::required());
    } else {
        match tokens::verify_kind(app, &token, TokenKind::PasswordReset).await {
            None => errs.add("token", invalid_token()),
            Some((tc, _)) if tc.id != c.id => errs.add("token", collection_mismatch()),
            Some((_, r)) => found = Some(r),
        }
    }
    if password.is_empty() {
        errs.add("password", FieldError::required());
    } else if let Some(e) = length(&password, min, 255) {
        errs.add("password", e);
    }
    if confirm.is_empty() {
        errs.add("passwordConfirm", FieldError::required());
    } else if confirm != password {
        errs.add(
            "passwordConfirm",
            FieldError::new("validation_values_mismatch", "Values don't match."),
        );
    }
    let (true, Some(record)) = (errs.is_empty(), found) else {
        return Err(rejected(errs));
    };
    let email_claim = tokens::unverified_claims(&token)
        .get("email")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut event = RecordTokenFlowRequestEvent {
        app: app.clone(),
        request: request.clone(),
        collection: c,
        record,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_confirm_password_reset_request
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                e.record.set_password(password);
                let verified = e.record.get("verified").as_bool().unwrap_or(false);
                // Verified too when the email the mail went to is still the record's.
                if !verified && email_claim.as_deref() == Some(e.record.text("email")) {
                    e.record.set("verified", Value::Bool(true));
                }
                let app = e.app.clone();
                app.save(&mut e.record)
                    .await
                    .map_err(|err| save_failed(err, "Failed to set new password."))?;
                let key = password_reset_key(&e.collection.id, e.record.id());
                e.app.inner.mail.throttle.remove(&key);
                Ok(())
            })
        })
        .await
}
