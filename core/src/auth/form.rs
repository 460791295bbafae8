//! The checks of the auth forms' fields, worded as PocketBase's (ozzo-validation) are.

use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::is_email;
use basalt_ports::{Input, ServiceError};

/// `validation_length_out_of_range` with its `min`/`max` params (lengths in characters).
fn length(value: &str, min: usize, max: usize) -> Option<FieldError> {
    let n = value.chars().count();
    (n < min || n > max).then(|| {
        FieldError::new(
            "validation_length_out_of_range",
            format!("The length must be between {min} and {max}."),
        )
        .with_param("max", max)
        .with_param("min", min)
    })
}

/// A required text of `min..=max` characters.
pub(crate) fn required_text(
    errs: &mut ValidationErrors,
    key: &str,
    value: &str,
    min: usize,
    max: usize,
) {
    if value.is_empty() {
        errs.add(key, FieldError::required());
    } else if let Some(e) = length(value, min, max) {
        errs.add(key, e);
    }
}

/// A required email of at most 255 characters.
pub(crate) fn required_email(errs: &mut ValidationErrors, key: &str, value: &str) {
    if value.is_empty() {
        errs.add(key, FieldError::required());
    } else if let Some(e) = length(value, 1, 255) {
        errs.add(key, e);
    } else if !is_email(value) {
        errs.add(
            key,
            FieldError::new("validation_is_email", "Must be a valid email address."),
        );
    }
}

/// `validation_min_greater_equal_than_required` with its `threshold` param.
pub(crate) fn min(errs: &mut ValidationErrors, key: &str, value: i64, threshold: i64) {
    if value < threshold {
        errs.add(
            key,
            FieldError::new(
                "validation_min_greater_equal_than_required",
                format!("Must be no less than {threshold}."),
            )
            .with_param("threshold", threshold),
        );
    }
}

/// The form's errors as PocketBase's 400, or `Ok`.
pub(crate) fn result(errs: ValidationErrors) -> Result<(), ServiceError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid(Input::Form, errs))
    }
}
