//! The response side of [`RequestEvent`]: helpers that set the response and return
//! `Ok(())` (PocketBase's `e.JSON`, `e.String`, ...), and the `*_error` helpers that build
//! [`ServiceError`]s in PocketBase's shape and with its default messages.

use super::RequestEvent;
use basalt_domain::error::ValidationErrors;
use basalt_domain::query::fields::FieldsPicker;
use basalt_ports::ServiceError;
use basalt_ports::hook::HookResult;
use bytes::Bytes;
use futures_util::FutureExt;
use poem::http::{HeaderMap, HeaderValue, StatusCode, header};
use poem::web::StaticFileRequest;
use poem::{Body, FromRequest, IntoResponse, Response};
use serde::Serialize;
use std::path::Path;

/// PocketBase's `inflector.Sentenize`: trimmed, first letter uppercased, ending in `.`
/// unless it already ends in `.`, `!` or `?`.
pub(crate) fn sentenize(message: &str) -> String {
    let m = message.trim();
    let mut chars = m.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn message_or(message: &str, default: &str) -> String {
    if message.trim().is_empty() {
        default.to_owned()
    } else {
        sentenize(message)
    }
}

fn status_of(status: u16) -> Result<StatusCode, ServiceError> {
    StatusCode::from_u16(status).map_err(|_| {
        ServiceError::internal_message(format!("invalid response status code {status}"))
    })
}

impl<A: Send + 'static> RequestEvent<A> {
    /// Sets the response (replacing one set before); headers from
    /// [`Self::response_headers_mut`] are added to it when it is sent.
    pub fn set_response(&mut self, response: Response) {
        self.response = Some(response);
    }

    /// The response set so far.
    pub fn response(&self) -> Option<&Response> {
        self.response.as_ref()
    }

    /// The response set so far, mutably (a middleware can change it after `e.next()`).
    pub fn response_mut(&mut self) -> Option<&mut Response> {
        self.response.as_mut()
    }

    /// Takes the response set so far out of the event.
    pub fn take_response(&mut self) -> Option<Response> {
        self.response.take()
    }

    /// Whether a response was set (PocketBase's `e.Written()`).
    pub fn written(&self) -> bool {
        self.response.is_some()
    }

    /// The status of the response set so far (0 when none).
    pub fn status(&self) -> u16 {
        self.response.as_ref().map_or(0, |r| r.status().as_u16())
    }

    /// Headers sent with whatever response ends the request, errors included; they
    /// override the response's own (so a `Content-Type` set here wins).
    pub fn response_headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    fn respond(&mut self, status: u16, content_type: Option<&str>, body: Body) -> HookResult {
        let mut builder = Response::builder().status(status_of(status)?);
        if let Some(ct) = content_type {
            builder = builder.content_type(ct);
        }
        self.response = Some(builder.body(body));
        Ok(())
    }

    /// A JSON response. For a 2xx, a `fields` query parameter picks keys as in PocketBase
    /// (`?fields=a,b.c`).
    pub fn json(&mut self, status: u16, data: &impl Serialize) -> HookResult {
        let mut value = serde_json::to_value(data).map_err(ServiceError::internal)?;
        if (200..300).contains(&status)
            && let Some(raw) = self.query_param("fields").filter(|f| !f.is_empty())
        {
            let picker = FieldsPicker::parse(&raw)
                .map_err(|_| ServiceError::bad_request(crate::error::GENERIC_BAD_REQUEST))?;
            picker.pick(&mut value);
        }
        let bytes = serde_json::to_vec(&value).map_err(ServiceError::internal)?;
        self.respond(status, Some("application/json"), Body::from_vec(bytes))
    }

    /// A `text/plain; charset=utf-8` response.
    pub fn string(&mut self, status: u16, text: impl Into<String>) -> HookResult {
        self.respond(
            status,
            Some("text/plain; charset=utf-8"),
            Body::from_string(text.into()),
        )
    }

    /// A `text/html; charset=utf-8` response.
    pub fn html(&mut self, status: u16, html: impl Into<String>) -> HookResult {
        self.respond(
            status,
            Some("text/html; charset=utf-8"),
            Body::from_string(html.into()),
        )
    }

    /// A redirect to `url`; `status` must be 3xx (otherwise a 500, as in PocketBase).
    pub fn redirect(&mut self, status: u16, url: &str) -> HookResult {
        if !(300..=399).contains(&status) {
            return Err(ServiceError::internal_message(
                "Invalid redirect status code.",
            ));
        }
        let location = HeaderValue::from_str(url)
            .map_err(|_| ServiceError::internal_message(format!("invalid redirect URL {url:?}")))?;
        self.respond(status, None, Body::empty())?;
        if let Some(r) = self.response.as_mut() {
            r.headers_mut().insert(header::LOCATION, location);
        }
        Ok(())
    }

    /// A response without a body (e.g. 204).
    pub fn no_content(&mut self, status: u16) -> HookResult {
        self.respond(status, None, Body::empty())
    }

    /// A streamed response: the body is sent as `stream` yields it.
    pub fn stream<S, O, E>(&mut self, status: u16, content_type: &str, stream: S) -> HookResult
    where
        S: futures_util::Stream<Item = Result<O, E>> + Send + 'static,
        O: Into<Bytes> + 'static,
        E: Into<std::io::Error> + 'static,
    {
        self.respond(status, Some(content_type), Body::from_bytes_stream(stream))
    }

    /// A response of raw bytes.
    pub fn blob(&mut self, status: u16, content_type: &str, data: impl Into<Bytes>) -> HookResult {
        self.respond(status, Some(content_type), Body::from_bytes(data.into()))
    }

    /// Sends a file, its content type guessed from the extension; conditional requests
    /// (`If-None-Match`, `If-Modified-Since`) and ranges are honoured. A directory sends
    /// its `index.html`. A missing file is PocketBase's 404 "File not found.".
    pub fn file(&mut self, path: impl AsRef<Path>) -> HookResult {
        let mut path = path.as_ref().to_path_buf();
        if path.is_dir() {
            path.push("index.html");
        }
        if !path.is_file() {
            return Err(file_not_found());
        }
        // Reading the conditional headers does not touch the body: ready at once.
        let req = StaticFileRequest::from_request_without_body(&self.request)
            .now_or_never()
            .and_then(Result::ok)
            .ok_or_else(|| ServiceError::internal_message("reading the request headers"))?;
        match req.create_response(&path, true, false) {
            Ok(r) => {
                self.response = Some(r.into_response());
                Ok(())
            }
            Err(poem::error::StaticFileError::NotFound) => Err(file_not_found()),
            Err(poem::error::StaticFileError::Io(e)) => Err(ServiceError::internal_message(
                format!("{}: {e}", path.display()),
            )),
            Err(e) => {
                // 412 and 416: poem's own responses.
                self.response = Some(poem::Error::from(e).into_response());
                Ok(())
            }
        }
    }

    // ----- errors in PocketBase's shape -----

    /// A 400; `data` holds per-field errors. Default message: "Something went wrong while
    /// processing your request.".
    pub fn bad_request_error(&self, message: &str, data: ValidationErrors) -> ServiceError {
        ServiceError::BadRequest {
            message: message_or(message, crate::error::GENERIC_BAD_REQUEST),
            data,
        }
    }

    /// A 404. Default message: "The requested resource wasn't found.".
    pub fn not_found_error(&self, message: &str) -> ServiceError {
        ServiceError::NotFound(message_or(message, crate::error::NOT_FOUND))
    }

    /// A 403. Default message: "You are not allowed to perform this request.".
    pub fn forbidden_error(&self, message: &str) -> ServiceError {
        ServiceError::Forbidden(message_or(
            message,
            "You are not allowed to perform this request.",
        ))
    }

    /// A 401. Default message: "Missing or invalid authentication.".
    pub fn unauthorized_error(&self, message: &str) -> ServiceError {
        ServiceError::Unauthorized(message_or(message, "Missing or invalid authentication."))
    }

    /// A 429. Default message: "Too Many Requests.".
    pub fn too_many_requests_error(&self, message: &str) -> ServiceError {
        ServiceError::TooManyRequests(message_or(message, "Too Many Requests."))
    }

    /// A 500. Like every internal error, the message is logged and shown to clients only
    /// with `--dev`; otherwise they get "Something went wrong while processing your
    /// request.".
    pub fn internal_server_error(&self, message: &str) -> ServiceError {
        ServiceError::internal_message(message_or(message, crate::error::GENERIC_INTERNAL))
    }
}

pub(crate) fn file_not_found() -> ServiceError {
    ServiceError::NotFound("File not found.".into())
}
