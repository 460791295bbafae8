//! `request-email-change` and `confirm-email-change` (PocketBase's
//! `apis/record_auth_email_change_*.go`). The confirmation needs the record's password; the
//! save gives the record a new `tokenKey` (any email change does), revoking older tokens.

use super::form::{
    auth_collection, check_email, find_by_email, length, rejected, save_failed, text,
};
use super::verification::{collection_mismatch, invalid_token};
use crate::App;
use crate::auth::tokens::{self, TokenKind};
use crate::hooks::RecordEmailChangeRequestEvent;
use crate::mail::{AuthMail, send_auth_mail};
use crate::schema::CollectionRef;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::record::Record;
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, RequestContext, ServiceError};
use serde_json::{Map, Value};

/// PocketBase's answer to an email change on `_superusers`.
const SUPERUSERS_DIRECTLY: &str = "All superusers can change their emails directly.";

/// `POST /api/collections/{c}/request-email-change`: for the record the request is
/// authenticated as, which must belong to the collection.
pub(crate) async fn request(
    app: &App,
    request: &RequestContext,
    collection_name: &str,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let Auth::Record {
        collection_id,
        collection_name: auth_name,
        id,
        ..
    } = &request.auth
    else {
        return Err(ServiceError::AuthRequired);
    };
    match app.find_collection(collection_name) {
        Some(c) if c.id == *collection_id => {}
        _ => return Err(ServiceError::WrongAuthCollection(auth_name.clone())),
    }
    let c = auth_collection(app, collection_name)?;
    if c.is_superusers() {
        return Err(ServiceError::bad_request(SUPERUSERS_DIRECTLY));
    }
    let record = crate::records::read::find_by_id(app, &c, id)
        .await?
        .ok_or(ServiceError::AuthRequired)?;
    let new_email = text(body, "newEmail")?;
    let error = match check_email(&new_email) {
        Some(e) => Some(e),
        None if new_email == record.text("email") => Some(FieldError::new(
            "validation_not_in_invalid",
            "Must not be in list.",
        )),
        None => match find_by_email(app, &c, &new_email).await? {
            Some(other) if other.id() != record.id() => Some(FieldError::new(
                "validation_invalid_new_email",
                "Invalid new email address.",
            )),
            _ => None,
        },
    };
    if let Some(e) = error {
        let mut errs = ValidationErrors::new();
        errs.add("newEmail", e);
        return Err(rejected(errs));
    }
    let mut event = RecordEmailChangeRequestEvent {
        app: app.clone(),
        request: request.clone(),
        collection: c,
        record,
        new_email,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_request_email_change_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                let (app, c) = (e.app.clone(), e.collection.clone());
                let sent = match tokens::sign_mail_token(
                    &app,
                    &c,
                    &e.record,
                    TokenKind::EmailChange,
                    Some(&e.new_email),
                ) {
                    Ok(token) => {
                        let mail = AuthMail::EmailChange {
                            token,
                            new_email: e.new_email.clone(),
                        };
                        send_auth_mail(&app, &c, &e.record, mail).await
                    }
                    Err(err) => Err(err.into()),
                };
                sent.map_err(|error| {
                    tracing::error!(collection = %c.name, record = e.record.id(), %error, "failed to send the email change email");
                    match error {
                        ServiceError::Internal(_) => {
                            ServiceError::bad_request("Failed to request email change.")
                        }
                        other => other,
                    }
                })
            })
        })
        .await
}

/// The record and new email a confirm token names, or the token's field error.
async fn parse_token(
    app: &App,
    c: &CollectionRef,
    token: &str,
) -> Result<(Record, String), FieldError> {
    let claims = tokens::unverified_claims(token);
    let new_email = claims
        .get("newEmail")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if new_email.is_empty() {
        return Err(FieldError::new(
            "validation_invalid_token_payload",
            "Invalid token payload - newEmail must be set.",
        ));
    }
    let Some((tc, record)) = tokens::verify_kind(app, token, TokenKind::EmailChange).await else {
        return Err(invalid_token());
    };
    if tc.id != c.id {
        return Err(collection_mismatch());
    }
    if matches!(
        find_by_email(app, c, &new_email).await,
        Ok(Some(_)) | Err(_)
    ) {
        return Err(FieldError::new(
            "validation_invalid_token_email",
            "The new email address is invalid.",
        ));
    }
    Ok((record, new_email))
}

/// Whether `plain` is `record`'s password.
async fn password_matches(record: &Record, plain: &str) -> bool {
    let hash = record.text("password").to_owned();
    let plain = plain.to_owned();
    tokio::task::spawn_blocking(move || bcrypt::verify(plain, &hash).unwrap_or(false))
        .await
        .unwrap_or(false)
}

/// `POST /api/collections/{c}/confirm-email-change`.
pub(crate) async fn confirm(
    app: &App,
    request: &RequestContext,
    collection_name: &str,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let c = auth_collection(app, collection_name)?;
    if c.is_superusers() {
        return Err(ServiceError::bad_request(SUPERUSERS_DIRECTLY));
    }
    let token = text(body, "token")?;
    let password = text(body, "password")?;
    let mut errs = ValidationErrors::new();
    let parsed = if token.is_empty() {
        errs.add("token", FieldError::required());
        None
    } else {
        match parse_token(app, &c, &token).await {
            Ok(p) => Some(p),
            Err(e) => {
                errs.add("token", e);
                None
            }
        }
    };
    if password.is_empty() {
        errs.add("password", FieldError::required());
    } else if let Some(e) = length(&password, 1, 100) {
        errs.add("password", e);
    } else {
        let ok = match &parsed {
            Some((record, _)) => password_matches(record, &password).await,
            None => false,
        };
        if !ok {
            errs.add(
                "password",
                FieldError::new(
                    "validation_invalid_password",
                    "Missing or invalid auth record password.",
                ),
            );
        }
    }
    let (true, Some((record, new_email))) = (errs.is_empty(), parsed) else {
        return Err(rejected(errs));
    };
    let mut event = RecordEmailChangeRequestEvent {
        app: app.clone(),
        request: request.clone(),
        collection: c,
        record,
        new_email,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_confirm_email_change_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                e.record.set("email", Value::String(e.new_email.clone()));
                e.record.set("verified", Value::Bool(true));
                let app = e.app.clone();
                app.save(&mut e.record)
                    .await
                    .map_err(|err| save_failed(err, "Failed to confirm email change."))
            })
        })
        .await
}
