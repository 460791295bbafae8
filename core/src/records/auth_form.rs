//! The checks PocketBase's record form makes on auth records: only managers (superusers, or
//! callers passing the collection's `manageRule`, see `access`) may change `verified` or,
//! on update, `email`; anyone else changing a password must give the current one as
//! `oldPassword`.

use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::record::{AuthInput, Record};

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
