//! `POST /api/settings/test/email` (PocketBase's `forms.TestEmailSend`): one of the auth
//! templates sent to an address, for a made-up record of the collection (`_superusers` by
//! default) whose visible fields read `__pb_test_<field>__`.

use super::form::{LOAD_FAILED, check_email, length, text};
use crate::App;
use crate::auth::tokens::{self, TokenKind};
use crate::mail::{AuthMail, send_auth_mail};
use crate::query::require_superuser;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::FieldKind;
use basalt_domain::record::Record;
use basalt_ports::{Auth, ServiceError};
use serde_json::{Map, Value};

/// PocketBase's message for a rejected test email.
const TEST_FAILED: &str = "Failed to send the test email.";

/// The templates a test email may use.
const TEMPLATES: [&str; 5] = [
    "verification",
    "password-reset",
    "email-change",
    "otp",
    "login-alert",
];

/// Sends the test email the body asks for.
pub(crate) async fn send(
    app: &App,
    auth: &Auth,
    body: &Map<String, Value>,
) -> Result<(), ServiceError> {
    require_superuser(auth)?;
    let (email, template, collection) = match (
        text(body, "email"),
        text(body, "template"),
        text(body, "collection"),
    ) {
        (Ok(e), Ok(t), Ok(c)) => (e, t, c),
        _ => return Err(ServiceError::bad_request(LOAD_FAILED)),
    };
    let mut errs = ValidationErrors::new();
    if let Some(e) = length(&collection, 1, 255) {
        errs.add("collection", e);
    } else if !collection.is_empty()
        && !app
            .find_collection(&collection)
            .is_some_and(|c| c.is_auth())
    {
        errs.add(
            "collection",
            FieldError::new(
                "validation_invalid_auth_collection",
                "Must be a valid auth collection id or name.",
            ),
        );
    }
    if let Some(e) = check_email(&email) {
        errs.add("email", e);
    }
    if template.is_empty() {
        errs.add("template", FieldError::required());
    } else if !TEMPLATES.contains(&template.as_str()) {
        errs.add(
            "template",
            FieldError::new("validation_in_invalid", "Must be a valid value."),
        );
    }
    if !errs.is_empty() {
        return Err(ServiceError::BadRequest {
            message: TEST_FAILED.into(),
            data: errs,
        });
    }
    let name = if collection.is_empty() {
        "_superusers"
    } else {
        collection.as_str()
    };
    let c = app.find_collection(name).ok_or(ServiceError::Missing)?;
    let mut record = Record::new(&c);
    for f in c.fields.iter().filter(|f| !f.hidden) {
        let v = match f.kind {
            FieldKind::Number(_) => Value::from(0),
            FieldKind::Bool(_) => Value::Bool(false),
            _ => Value::String(format!("__pb_test_{}__", f.name)),
        };
        record.set(&f.name, v);
    }
    record.set(
        "tokenKey",
        Value::String(app.random_from_pattern("[a-zA-Z0-9]{50}")?),
    );
    record.set("email", Value::String(email.clone()));
    let mail = match template.as_str() {
        "verification" => AuthMail::Verification {
            token: tokens::sign_mail_token(app, &c, &record, TokenKind::Verification, None)?,
        },
        "password-reset" => AuthMail::PasswordReset {
            token: tokens::sign_mail_token(app, &c, &record, TokenKind::PasswordReset, None)?,
        },
        "email-change" => AuthMail::EmailChange {
            token: tokens::sign_mail_token(app, &c, &record, TokenKind::EmailChange, Some(&email))?,
            new_email: email.clone(),
        },
        "otp" => AuthMail::Otp {
            otp_id: "_PB_TEST_OTP_ID_".into(),
            password: "123456".into(),
        },
        _ => AuthMail::AuthAlert {
            info: format!("{} - TEST_IP TEST_USER_AGENT", app.now()),
        },
    };
    send_auth_mail(app, &c, &record, mail)
        .await
        .map_err(|e| match e {
            ServiceError::Internal(cause) => {
                tracing::warn!(error = %cause.chain(), "the test email failed");
                ServiceError::bad_request(format!("{TEST_FAILED} Raw error: \n{}", cause.chain()))
            }
            other => other,
        })
}
