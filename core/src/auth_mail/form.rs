//! The request bodies of the mail flows, read and checked as PocketBase's forms are: string
//! fields (another JSON type makes the body unreadable), ozzo's rules in order, the first
//! failing rule of a field reported.

use crate::App;
use crate::query::RecordQuery;
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::is_email;
use basalt_domain::record::Record;
use basalt_ports::{CollectionLookup, Input, ServiceError};
use serde_json::{Map, Value};

/// PocketBase's answer to a body it could not bind.
pub(crate) const LOAD_FAILED: &str = "An error occurred while loading the submitted data.";

/// The string `key` of a body (empty when missing or null).
pub(crate) fn text(body: &Map<String, Value>, key: &str) -> Result<String, ServiceError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ServiceError::bad_request(LOAD_FAILED)),
    }
}

/// ozzo's `Length(min, max)` on a non-empty value (runes counted).
pub(crate) fn length(value: &str, min: usize, max: usize) -> Option<FieldError> {
    let n = value.chars().count();
    (!value.is_empty() && (n < min || n > max)).then(|| {
        FieldError::new(
            "validation_length_out_of_range",
            format!("The length must be between {min} and {max}."),
        )
    })
}

/// `Required, Length(1, 255), is.EmailFormat` on an email.
pub(crate) fn check_email(value: &str) -> Option<FieldError> {
    if value.is_empty() {
        return Some(FieldError::required());
    }
    if let Some(e) = length(value, 1, 255) {
        return Some(e);
    }
    (!is_email(value))
        .then(|| FieldError::new("validation_is_email", "Must be a valid email address."))
}

/// The field errors as PocketBase's validation answer (400 "An error occurred while
/// validating the submitted data.").
pub(crate) fn rejected(errs: ValidationErrors) -> ServiceError {
    ServiceError::invalid(Input::Form, errs)
}

/// One field's error as the validation answer.
pub(crate) fn rejected_field(field: &str, e: FieldError) -> ServiceError {
    let mut errs = ValidationErrors::new();
    errs.add(field, e);
    rejected(errs)
}

/// The auth collection `name`: 404 when missing (as the route's rate limiter answers first)
/// or not an auth collection (PocketBase's `findAuthCollection`).
pub(crate) fn auth_collection(app: &App, name: &str) -> Result<CollectionRef, ServiceError> {
    let c = app
        .find_collection(name)
        .ok_or(ServiceError::MissingCollection(
            CollectionLookup::RecordsWrite,
        ))?;
    if c.is_auth() {
        Ok(c)
    } else {
        Err(ServiceError::MissingCollection(CollectionLookup::Auth))
    }
}

/// The record of `c` whose email is `email` (PocketBase's `FindAuthRecordByEmail`).
pub(crate) async fn find_by_email(
    app: &App,
    c: &CollectionRef,
    email: &str,
) -> Result<Option<Record>, ServiceError> {
    if email.is_empty() {
        return Ok(None);
    }
    let q = RecordQuery::new(app, c)
        .field_equals("email", email.into())
        .page(Some(1), 0)
        .build();
    Ok(rows::select(app.db().as_ref(), c, &q).await?.pop())
}

/// A save of the flow's record failing: its field errors (or a hook's answer) kept, under
/// the flow's `message`.
pub(crate) fn save_failed(e: crate::AppError, message: &str) -> ServiceError {
    match ServiceError::from(e) {
        ServiceError::Invalid { errors, .. } => ServiceError::BadRequest {
            message: message.into(),
            data: errors,
        },
        ServiceError::Internal(cause) => {
            tracing::error!(error = %cause.chain(), "{message}");
            ServiceError::bad_request(message)
        }
        other => other,
    }
}
