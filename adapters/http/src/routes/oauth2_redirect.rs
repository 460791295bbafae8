//! `GET` and `POST /api/oauth2-redirect`: where OAuth2 providers send the browser back
//! (query values, or a form post for `response_mode=form_post`). The state and code go to
//! the realtime client waiting on `@oauth2`; the browser is redirected to the admin UI's
//! success or failure page, as PocketBase does (`307` after a GET, `303` after a POST).

use super::ApiTags;
use crate::SharedServices;
use crate::auth::request_context;
use basalt_ports::OAuth2Redirect;
use poem::web::Data;
use poem::{Body, Request};
use poem_openapi::param::Query;
use poem_openapi::{ApiResponse, OpenApi};
use serde_json::{Map, Value};

/// PocketBase's redirect targets (relative to `/api/oauth2-redirect`).
const SUCCESS: &str = "../_/#/auth/oauth2-redirect-success";
const FAILURE: &str = "../_/#/auth/oauth2-redirect-failure";

/// The OAuth2 redirect routes.
pub(crate) struct OAuth2RedirectRoutes;

/// Where the browser goes next.
#[derive(ApiResponse)]
pub(crate) enum RedirectResponse {
    /// After a GET: the success or failure page.
    #[oai(status = 307)]
    Temporary(#[oai(header = "Location")] String),
    /// After a POST: the success or failure page.
    #[oai(status = 303)]
    SeeOther(#[oai(header = "Location")] String),
}

fn target(ok: bool) -> String {
    (if ok { SUCCESS } else { FAILURE }).to_owned()
}

/// The posted values: a urlencoded form, or a JSON object (`None`: unreadable).
fn posted(content_type: &str, bytes: &[u8]) -> Option<OAuth2Redirect> {
    let map: Map<String, Value> = if content_type.starts_with("application/json") {
        serde_json::from_slice(bytes).ok()?
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
            .ok()?
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    };
    let text = |k: &str| match map.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => Some(String::new()),
        Some(_) => None,
    };
    Some(OAuth2Redirect {
        state: text("state")?,
        code: text("code")?,
        error: text("error")?,
        apple_user: text("user")?,
    })
}

#[OpenApi]
impl OAuth2RedirectRoutes {
    /// The provider's redirect (query `state`, `code`, `error`): forwards them to the
    /// realtime client `state` names and redirects to the success or failure page.
    #[oai(
        path = "/oauth2-redirect",
        method = "get",
        operation_id = "oauth2Redirect",
        tag = "ApiTags::Auth"
    )]
    async fn redirect_get(
        &self,
        s: Data<&SharedServices>,
        req: &Request,
        state: Query<Option<String>>,
        code: Query<Option<String>>,
        error: Query<Option<String>>,
    ) -> RedirectResponse {
        let data = OAuth2Redirect {
            state: state.0.unwrap_or_default(),
            code: code.0.unwrap_or_default(),
            error: error.0.unwrap_or_default(),
            apple_user: String::new(),
        };
        let ok = s.oauth2_redirect(&request_context(req), data).await;
        RedirectResponse::Temporary(target(ok))
    }

    /// The provider's redirect as a form post (`response_mode=form_post`, Apple's): the
    /// same as the GET, with a `303`.
    #[oai(
        path = "/oauth2-redirect",
        method = "post",
        operation_id = "oauth2RedirectPost",
        tag = "ApiTags::Auth"
    )]
    async fn redirect_post(
        &self,
        s: Data<&SharedServices>,
        req: &Request,
        body: Body,
    ) -> RedirectResponse {
        let content_type = req.content_type().unwrap_or("").to_ascii_lowercase();
        let data = match body.into_bytes_limit(1 << 20).await {
            Ok(bytes) => posted(&content_type, &bytes),
            Err(_) => None,
        };
        let ok = match data {
            Some(data) => s.oauth2_redirect(&request_context(req), data).await,
            None => {
                tracing::debug!("Failed to read OAuth2 redirect data");
                false
            }
        };
        RedirectResponse::SeeOther(target(ok))
    }
}

#[cfg(test)]
mod tests {
    use super::posted;

    #[test]
    fn form_posts_and_json() {
        let d = posted(
            "application/x-www-form-urlencoded",
            b"state=s&code=c&user=%7B%7D",
        )
        .unwrap();
        assert_eq!(
            (d.state.as_str(), d.code.as_str(), d.apple_user.as_str()),
            ("s", "c", "{}")
        );
        let d = posted("application/json", br#"{"state":"s","error":"denied"}"#).unwrap();
        assert_eq!((d.code.as_str(), d.error.as_str()), ("", "denied"));
        assert!(posted("application/json", b"[1]").is_none());
    }
}
