//! CORS as PocketBase's default middleware answers it: `Access-Control-Allow-Origin: *`
//! unless origins are configured (`--origins`: exact origins or `*`/`?` wildcard patterns,
//! the matching origin echoed back); every `OPTIONS` request is a preflight answered 204,
//! with the allowed methods and the requested headers; `Vary` on every response.

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// The methods a preflight allows.
const ALLOW_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE";

/// The allowed origins (`*` when none are configured).
#[derive(Debug, Clone)]
pub(crate) struct Cors {
    origins: Vec<String>,
}

impl Cors {
    /// CORS allowing `origins` (any when empty).
    pub(crate) fn new(origins: &[String]) -> Self {
        let origins = if origins.is_empty() {
            vec!["*".to_owned()]
        } else {
            origins.to_vec()
        };
        Self { origins }
    }

    /// The `Access-Control-Allow-Origin` value for `origin`, if it is allowed.
    fn allow(&self, origin: &str) -> Option<String> {
        for o in &self.origins {
            if o == "*" || o == origin {
                return Some(o.clone());
            }
        }
        // patterns only for plausible origins (as PocketBase bounds its regex cost)
        if origin.len() > 253 + 3 + 5 || !origin.contains("://") {
            return None;
        }
        self.origins
            .iter()
            .any(|p| (p.contains('*') || p.contains('?')) && glob(p.as_bytes(), origin.as_bytes()))
            .then(|| origin.to_owned())
    }
}

impl<E: Endpoint> Middleware<E> for Cors {
    type Output = CorsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CorsEndpoint {
            cors: self.clone(),
            ep,
        }
    }
}

/// An endpoint behind [`Cors`].
pub(crate) struct CorsEndpoint<E> {
    cors: Cors,
    ep: E,
}

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    /// Answers a preflight, or adds the CORS headers to the endpoint's response.
    async fn call(&self, req: Request) -> poem::Result<Response> {
        let (cors, ep) = (&self.cors, &self.ep);
        let preflight = req.method() == Method::OPTIONS;
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .filter(|o| !o.is_empty())
            .map(str::to_owned);
        let allowed = origin.as_deref().and_then(|o| cors.allow(o));
        if preflight {
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            h.append(header::VARY, HeaderValue::from_static("Origin"));
            if let Some(allowed) = allowed.and_then(|a| HeaderValue::from_str(&a).ok()) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
                h.append(
                    header::VARY,
                    HeaderValue::from_static("Access-Control-Request-Method"),
                );
                h.append(
                    header::VARY,
                    HeaderValue::from_static("Access-Control-Request-Headers"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static(ALLOW_METHODS),
                );
                if let Some(requested) = req
                    .headers()
                    .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                    .filter(|v| !v.is_empty())
                {
                    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
                }
            }
            return Ok(res);
        }
        let mut res = ep.call(req).await?.into_response();
        let h = res.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(allowed) = allowed.and_then(|a| HeaderValue::from_str(&a).ok()) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        }
        Ok(res)
    }
}

/// Whether `text` matches the wildcard `pattern` (`*`: any run, `?`: one byte).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let any = Cors::new(&[]);
        assert_eq!(any.allow("http://a.example").as_deref(), Some("*"));
        let some = Cors::new(&["https://app.example".into(), "https://*.example.org".into()]);
        assert_eq!(
            some.allow("https://app.example").as_deref(),
            Some("https://app.example")
        );
        assert_eq!(
            some.allow("https://x.example.org").as_deref(),
            Some("https://x.example.org")
        );
        assert_eq!(some.allow("https://evil.example"), None);
        assert_eq!(some.allow("example.org"), None);
        assert!(glob(b"a?c*", b"abcdef"));
        assert!(!glob(b"a?c", b"abcd"));
    }
}
