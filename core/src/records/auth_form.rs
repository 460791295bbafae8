//! The checks PocketBase's record form makes on auth records: only managers (superusers, or
//! callers passing the collection's `manageRule`) may change `verified` or, on update,
//! `email`; anyone else changing a password must give the current one as `oldPassword`.

use super::write::create_rule_passes;
use crate::App;
use crate::query::{Gate, RecordQuery, RequestScope, manage_rule};
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::record::{AuthInput, Record};
use basalt_ports::ServiceError;

/// Whether the caller of `scope` manages the auth record about to be created: a superuser,
/// or one passing the manage rule against the record as it would be stored.
pub(crate) async fn manages_new(
    app: &App,
    c: &Collection,
    record: &Record,
    scope: &mut RequestScope<'_>,
) -> Result<bool, ServiceError> {
    if scope.auth().is_superuser() {
        return Ok(true);
    }
    match manage_rule(c, scope.auth()) {
        Some(rule) => create_rule_passes(app, c, record, &Gate::Expr(rule), scope).await,
        None => Ok(false),
    }
}

/// Whether the caller of `scope` manages the stored auth record `id`.
pub(crate) async fn manages_stored(
    app: &App,
    c: &Collection,
    id: &str,
    scope: &mut RequestScope<'_>,
) -> Result<bool, ServiceError> {
    if scope.auth().is_superuser() {
        return Ok(true);
    }
    let Some(rule) = manage_rule(c, scope.auth()) else {
        return Ok(false);
    };
    let q = RecordQuery::new(app, c)
        .id(id)
        .gated(&Gate::Expr(rule), scope, "default")
        .await?
        .build();
    Ok(rows::exists(app.db().as_ref(), &q).await?)
}

/// The form errors of an auth record create (`original: None`) or update.
pub(crate) async fn auth_form_errors(
    original: Option<&Record>,
    record: &Record,
    input: &AuthInput,
    manager: bool,
) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    if manager {
        return errs;
    }
    let mismatch = || FieldError::new("validation_values_mismatch", "Values don't match.");
    let original_verified = original.is_some_and(|o| o.get("verified").as_bool() == Some(true));
    if (record.get("verified").as_bool() == Some(true)) != original_verified {
        errs.add("verified", mismatch());
    }
    let Some(original) = original else {
        return errs;
    };
    if record.text("email") != original.text("email") {
        errs.add("email", mismatch());
    }
    let changing = input.password.as_deref().is_some_and(|p| !p.is_empty())
        || input
            .password_confirm
            .as_deref()
            .is_some_and(|p| !p.is_empty());
    if changing {
        let old = input.old_password.clone().unwrap_or_default();
        if old.is_empty() {
            errs.add("oldPassword", FieldError::required());
        } else {
            let hash = original.text("password").to_owned();
            let ok =
                tokio::task::spawn_blocking(move || bcrypt::verify(old, &hash).unwrap_or(false))
                    .await
                    .unwrap_or(false);
            if !ok {
                errs.add(
                    "oldPassword",
                    FieldError::new(
                        "validation_invalid_old_password",
                        "Missing or invalid old password.",
                    ),
                );
            }
        }
    }
    errs
}
