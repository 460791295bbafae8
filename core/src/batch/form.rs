//! The batch form's checks, as PocketBase's `batchRequestsForm` validates it: at least one
//! request and at most `settings.batch.maxRequests`, then each request's method (one of
//! `GET POST PUT PATCH DELETE`, as written) and url (required, at most 2000 characters).

use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::{BatchRequest, Input, ServiceError};

/// The longest url a batch request may name.
const MAX_URL_LEN: usize = 2000;

/// The methods a batch request may name (an unknown action fails later, when it runs).
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Checks `requests` against `max`; the errors as PocketBase words them, under `requests`.
pub(crate) fn validate(requests: &[BatchRequest], max: usize) -> Result<(), ServiceError> {
    let mut errors = ValidationErrors::new();
    if requests.is_empty() {
        errors.add("requests", FieldError::required());
    } else if requests.len() > max {
        errors.add("requests", too_long(max));
    } else {
        let mut items = ValidationErrors::new();
        for (i, r) in requests.iter().enumerate() {
            let item = request_errors(r);
            if !item.is_empty() {
                items.add_nested(i.to_string(), item);
            }
        }
        if !items.is_empty() {
            errors.add_nested("requests", items);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid(Input::Batch, errors))
    }
}

/// One request's field errors.
fn request_errors(r: &BatchRequest) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    if r.method.is_empty() {
        errors.add("method", FieldError::required());
    } else if !METHODS.contains(&r.method.as_str()) {
        errors.add(
            "method",
            FieldError::new("validation_in_invalid", "Must be a valid value."),
        );
    }
    if r.url.is_empty() {
        errors.add("url", FieldError::required());
    } else if r.url.chars().count() > MAX_URL_LEN {
        errors.add("url", too_long(MAX_URL_LEN));
    }
    errors
}

/// ozzo-validation's `Length(0, max)` error.
fn too_long(max: usize) -> FieldError {
    FieldError::new(
        "validation_length_too_long",
        format!("The length must be no more than {max}."),
    )
    .with_param("max", max)
    .with_param("min", 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(method: &str, url: &str) -> BatchRequest {
        BatchRequest {
            method: method.into(),
            url: url.into(),
            ..BatchRequest::default()
        }
    }

    fn data(r: Result<(), ServiceError>) -> serde_json::Value {
        match r {
            Err(ServiceError::Invalid { errors, .. }) => {
                serde_json::to_value(errors).unwrap_or_default()
            }
            other => panic!("expected an invalid batch, got {other:?}"),
        }
    }

    #[test]
    fn empty_batch_is_required() {
        assert_eq!(
            data(validate(&[], 3)),
            json!({"requests": {"code": "validation_required", "message": "Cannot be blank."}})
        );
    }

    #[test]
    fn too_many_requests_name_the_maximum() {
        let reqs = vec![request("POST", "/a"); 4];
        assert_eq!(
            data(validate(&reqs, 3)),
            json!({"requests": {"code": "validation_length_too_long",
                "message": "The length must be no more than 3.",
                "params": {"max": 3, "min": 0}}})
        );
    }

    #[test]
    fn each_request_is_checked() {
        let reqs = vec![
            request("", ""),
            request("GET", "/valid"),
            request("get", "/x"),
            request("POST", &"a".repeat(2001)),
        ];
        let d = data(validate(&reqs, 10));
        assert_eq!(d["requests"]["0"]["method"]["code"], "validation_required");
        assert_eq!(d["requests"]["0"]["url"]["code"], "validation_required");
        assert!(d["requests"].get("1").is_none());
        assert_eq!(
            d["requests"]["2"]["method"]["code"],
            "validation_in_invalid"
        );
        assert_eq!(
            d["requests"]["3"]["url"]["code"],
            "validation_length_too_long"
        );
        assert!(validate(&[request("DELETE", "/x")], 1).is_ok());
    }
}
