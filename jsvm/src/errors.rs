//! Errors between JS and Rust: a JS exception becomes the `ServiceError` the client gets
//! (PocketBase's `ApiError` answers; anything else PocketBase's generic 400, its stack logged
//! with file and line), and a Rust error is thrown into JS as an `ApiError`.

use crate::error::JsvmError;
use crate::state::{STATE, call_global};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::ServiceError;
use rquickjs::{Ctx, Object, Value};
use serde_json::json;

/// PocketBase's message for an error that is not an `ApiError`.
const GENERIC: &str = "Something went wrong while processing your request.";

/// The message and stack of the pending exception (`err` when it is not one).
fn describe<'js>(ctx: &Ctx<'js>, err: &rquickjs::Error) -> (Option<Value<'js>>, String, String) {
    if !matches!(err, rquickjs::Error::Exception) {
        return (None, err.to_string(), String::new());
    }
    let value = ctx.catch();
    let (message, stack) = match value.as_object() {
        Some(obj) => (
            obj.get::<_, Option<String>>("message")
                .ok()
                .flatten()
                .unwrap_or_default(),
            obj.get::<_, Option<String>>("stack")
                .ok()
                .flatten()
                .unwrap_or_default(),
        ),
        None => (
            value
                .as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| format!("{value:?}")),
            String::new(),
        ),
    };
    (Some(value), message, stack)
}

/// A load failure (a syntax error, an exception at the top level of a file): its message
/// with the stack.
pub(crate) fn load_error(ctx: &Ctx<'_>, err: rquickjs::Error) -> JsvmError {
    let (value, message, stack) = describe(ctx, &err);
    let name = value
        .as_ref()
        .and_then(Value::as_object)
        .and_then(|o| o.get::<_, Option<String>>("name").ok().flatten());
    let message = match name {
        Some(name) => format!("{name}: {message}"),
        None => message,
    };
    JsvmError::Load(
        format!("{message}\n{}", stack.trim_end())
            .trim_end()
            .to_owned(),
    )
}

/// The error a JS exception stands for.
pub(crate) fn exception_to_error<'js>(ctx: &Ctx<'js>, err: rquickjs::Error) -> ServiceError {
    let (value, message, stack) = describe(ctx, &err);
    let Some(obj) = value.as_ref().and_then(Value::as_object) else {
        tracing::error!(target: "basalt::jsvm", "{message}\n{stack}");
        return ServiceError::bad_request(GENERIC);
    };
    if let Ok(Some(rid)) = obj.get::<_, Option<u64>>("__rid")
        && let Some(original) = STATE.with(|s| s.borrow_mut().errors.remove(&rid))
    {
        return original;
    }
    let status = obj.get::<_, Option<f64>>("status").ok().flatten();
    match status {
        Some(status) if (400.0..600.0).contains(&status) => {
            tracing::debug!(target: "basalt::jsvm", "{message}\n{stack}");
            api_error(status as u16, message, validation_data(ctx, obj))
        }
        _ => {
            tracing::error!(target: "basalt::jsvm", "{message}\n{stack}");
            ServiceError::bad_request(GENERIC)
        }
    }
}

/// An `ApiError(status, message, data)` as the service error that answers it.
fn api_error(status: u16, message: String, data: ValidationErrors) -> ServiceError {
    let message = sentenize(&message);
    match status {
        400 => ServiceError::BadRequest { message, data },
        401 => ServiceError::Unauthorized(message),
        403 => ServiceError::Forbidden(message),
        404 => ServiceError::NotFound(message),
        413 => ServiceError::TooLarge(message),
        429 => ServiceError::TooManyRequests(message),
        _ => ServiceError::internal_message(message),
    }
}

/// An `ApiError`'s `data` as field errors, as PocketBase makes it safe: a
/// `ValidationError(code, message)` is itself, an object is nested, anything else is
/// `validation_invalid_value`.
fn validation_data<'js>(ctx: &Ctx<'js>, obj: &Object<'js>) -> ValidationErrors {
    let Ok(data) = obj.get::<_, Value>("data") else {
        return ValidationErrors::new();
    };
    let json: Option<String> = ctx
        .json_stringify(data)
        .ok()
        .flatten()
        .and_then(|s| s.to_string().ok());
    match json.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok()) {
        Some(serde_json::Value::Object(map)) => safe_data(&map),
        _ => ValidationErrors::new(),
    }
}

fn safe_data(map: &serde_json::Map<String, serde_json::Value>) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    for (key, v) in map {
        match v {
            serde_json::Value::Object(o) if o.get("__ve").is_some() => {
                let code = o.get("code").and_then(|c| c.as_str()).unwrap_or("");
                let message = o.get("message").and_then(|c| c.as_str()).unwrap_or("");
                errors.add(key.clone(), FieldError::new(code, message));
            }
            serde_json::Value::Object(o) => errors.add_nested(key.clone(), safe_data(o)),
            _ => errors.add(
                key.clone(),
                FieldError::new("validation_invalid_value", "Invalid value."),
            ),
        }
    }
    errors
}

/// PocketBase's `inflector.Sentenize`: trimmed, first letter upper case, ending in `.`
/// unless it ends in `.`, `?` or `!`.
fn sentenize(message: &str) -> String {
    let t = message.trim();
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// Throws `error` into JS as an `ApiError` carrying PocketBase's answer; uncaught, it comes
/// back as itself.
pub(crate) fn throw_service(ctx: &Ctx<'_>, error: ServiceError) -> rquickjs::Error {
    let (status, message, data) = basalt_http::answer(&error);
    let rid = STATE.with(|s| s.borrow_mut().add_error(error));
    let payload = json!({"status": status, "message": message, "data": data, "rid": rid});
    match call_global::<Value>(ctx, "__hostError", (payload.to_string(),)) {
        Ok(err) => ctx.throw(err),
        Err(e) => e,
    }
}
