//! `request-verification` and `confirm-verification` (PocketBase's
//! `apis/record_auth_verification_*.go`).

use super::form::{
    auth_collection, check_email, find_by_email, rejected, rejected_field, save_failed, text,
};
use crate::App;
use crate::auth::tokens::{self, TokenKind};
use crate::hooks::RecordTokenFlowRequestEvent;
use crate::mail::throttle::verification_key;
use crate::mail::{AuthMail, send_auth_mail};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::hook::Chain;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::{Map, Value};

/// PocketBase's answer to a verification request on `_superusers`.
const SUPERUSERS_VERIFIED: &str = "All superusers are verified by default.";

/// `POST /api/collections/{c}/request-verification`.
pub(crate) async fn request(
    app: &App,
    request: &RequestContext,
    collection_name: &str,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let c = auth_collection(app, collection_name)?;
    if c.is_superusers() {
        return Err(ServiceError::bad_request(SUPERUSERS_VERIFIED));
    }
    let email = text(body, "email")?;
    if let Some(e) = check_email(&email) {
        return Err(rejected_field("email", e));
    }
    // Unknown emails and throttled records answer 204 too (no enumeration).
    let Some(record) = find_by_email(app, &c, &email).await? else {
        tracing::debug!(collection = %c.name, "verification requested for an unknown email");
        return Ok(());
    };
    let key = verification_key(&c.id, record.id());
    let verified = record.get("verified").as_bool().unwrap_or(false);
    if !verified && app.inner.mail.throttle.has(&key, app.now_secs()) {
        tracing::debug!(collection = %c.name, record = record.id(), "verification mail already sent, try again later");
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
        .on_record_request_verification_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                if e.record.get("verified").as_bool().unwrap_or(false) {
                    return Ok(());
                }
                let (app, c, record) = (e.app.clone(), e.collection.clone(), e.record.clone());
                // In the background: the client is not told how the send went.
                tokio::spawn(async move {
                    let key = verification_key(&c.id, record.id());
                    let sent = match tokens::sign_mail_token(
                        &app,
                        &c,
                        &record,
                        TokenKind::Verification,
                        None,
                    ) {
                        Ok(token) => {
                            send_auth_mail(&app, &c, &record, AuthMail::Verification { token })
                                .await
                        }
                        Err(e) => Err(e.into()),
                    };
                    if let Err(error) = sent {
                        failed(&app, &c.name, record.id(), &error)
                            .error("Failed to send verification email");
                    }
                    app.inner.mail.throttle.set(key, app.now_secs());
                });
                Ok(())
            })
        })
        .await
}

/// `POST /api/collections/{c}/confirm-verification`.
pub(crate) async fn confirm(
    app: &App,
    request: &RequestContext,
    collection_name: &str,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let c = auth_collection(app, collection_name)?;
    if c.is_superusers() {
        return Err(ServiceError::bad_request(SUPERUSERS_VERIFIED));
    }
    let token = text(body, "token")?;
    if token.is_empty() {
        return Err(rejected_field("token", FieldError::required()));
    }
    let claims = tokens::unverified_claims(&token);
    let email = claims
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut errs = ValidationErrors::new();
    let found = if email.is_empty() {
        errs.add(
            "token",
            FieldError::new(
                "validation_invalid_token_claims",
                "Missing email token claim.",
            ),
        );
        None
    } else {
        match tokens::verify_kind(app, &token, TokenKind::Verification).await {
            None => {
                errs.add("token", invalid_token());
                None
            }
            Some((tc, _)) if tc.id != c.id => {
                errs.add("token", collection_mismatch());
                None
            }
            Some((_, r)) if r.text("email") != email => {
                errs.add(
                    "token",
                    FieldError::new(
                        "validation_token_email_mismatch",
                        "The record email doesn't match with the requested token claims.",
                    ),
                );
                None
            }
            Some((_, r)) => Some(r),
        }
    };
    let Some(record) = found else {
        return Err(rejected(errs));
    };
    let was_verified = record.get("verified").as_bool().unwrap_or(false);
    let mut event = RecordTokenFlowRequestEvent {
        app: app.clone(),
        request: request.clone(),
        collection: c,
        record,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_confirm_verification_request
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                if !was_verified {
                    e.record.set("verified", Value::Bool(true));
                    // As PocketBase: a random password when password auth is off, against
                    // pre-hijacking should it be turned on later.
                    if !e.collection.password_auth().0 {
                        let random = e.app.random_from_pattern("[a-zA-Z0-9]{30}")?;
                        e.record.set_password(random);
                    }
                    let app = e.app.clone();
                    app.save(&mut e.record).await.map_err(|err| {
                        save_failed(err, "An error occurred while saving the verified state.")
                    })?;
                }
                let key = verification_key(&e.collection.id, e.record.id());
                e.app.inner.mail.throttle.remove(&key);
                Ok(())
            })
        })
        .await
}

/// The app's logger (PocketBase's `app.Logger()`: the console and `_logs`) with what a
/// failed background send was about.
pub(crate) fn failed(
    app: &App,
    collection: &str,
    record: &str,
    error: &ServiceError,
) -> crate::logs::Logger {
    let error = match error {
        ServiceError::Internal(cause) => cause.chain(),
        other => other.to_string(),
    };
    app.logger()
        .with("error", error)
        .with("collection", collection)
        .with("recordId", record)
}

/// `validation_invalid_token`.
pub(crate) fn invalid_token() -> FieldError {
    FieldError::new("validation_invalid_token", "Invalid or expired token.")
}

/// `validation_token_collection_mismatch`.
pub(crate) fn collection_mismatch() -> FieldError {
    FieldError::new(
        "validation_token_collection_mismatch",
        "The provided token is for different auth collection.",
    )
}
