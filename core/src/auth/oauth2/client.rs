//! The provider calls of an OAuth2 sign-in, through the [`HttpClient`] port: the token
//! request (Go's `oauth2` package: client credentials in a Basic header, retried in the
//! body when refused), the user info request with the access token, and plain GETs.

use crate::App;
use basalt_domain::datetime::format_datetime;
use basalt_domain::oauth2::{Provider, query_escape};
use basalt_ports::{Cause, HttpClient, IncomingResponse, OutgoingRequest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// The OAuth2 state of an app (kept with [`App::extension`]): the HTTP client provider
/// calls go through, and Apple users' names waiting for their code's sign-in.
#[derive(Default)]
pub struct OAuth2State {
    client: RwLock<Option<Arc<dyn HttpClient>>>,
    /// Apple's first-sign-in names by code, with when they were stored (ms).
    pub(crate) apple_names: Mutex<HashMap<String, (String, i64)>>,
}

impl App {
    /// Sets the client OAuth2 provider calls go through (the composition root sets one).
    pub fn set_http_client(&self, client: Arc<dyn HttpClient>) {
        let state = self.extension::<OAuth2State>();
        let mut c = state.client.write().unwrap_or_else(PoisonError::into_inner);
        *c = Some(client);
    }

    /// The client set by [`App::set_http_client`].
    pub(crate) fn http_client(&self) -> Result<Arc<dyn HttpClient>, Cause> {
        let state = self.extension::<OAuth2State>();
        let c = state.client.read().unwrap_or_else(PoisonError::into_inner);
        c.clone()
            .ok_or_else(|| Cause::message("no HTTP client is configured for OAuth2"))
    }

    /// Keeps Apple's name of the user signing in with `code` for a minute.
    pub(crate) fn keep_apple_name(&self, code: &str, name: String) {
        let state = self.extension::<OAuth2State>();
        let now = self.now_datetime().timestamp_millis();
        let mut names = state
            .apple_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        names.retain(|_, (_, at)| now - *at < 60_000);
        names.insert(code.to_owned(), (name, now));
    }

    /// Takes the Apple name kept for `code`, if still there.
    pub(crate) fn take_apple_name(&self, code: &str) -> Option<String> {
        let state = self.extension::<OAuth2State>();
        let now = self.now_datetime().timestamp_millis();
        let mut names = state
            .apple_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        names
            .remove(code)
            .filter(|(_, at)| now - *at < 60_000)
            .map(|(n, _)| n)
    }
}

/// The token endpoint's answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Token {
    pub(crate) access_token: String,
    pub(crate) token_type: String,
    pub(crate) refresh_token: String,
    /// The expiry as PocketBase shows it, empty when not said.
    pub(crate) expiry: String,
    /// Every value of the answer (`id_token` among them).
    pub(crate) raw: Map<String, Value>,
}

impl Token {
    /// The `id_token` of the answer, empty when none.
    pub(crate) fn id_token(&self) -> &str {
        self.raw
            .get("id_token")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The `Authorization` header value (Go's `Token.Type()` normalization).
    fn authorization(&self) -> String {
        let kind = match self.token_type.to_ascii_lowercase().as_str() {
            "" | "bearer" => "Bearer".to_owned(),
            "mac" => "MAC".to_owned(),
            "basic" => "Basic".to_owned(),
            _ => self.token_type.clone(),
        };
        format!("{kind} {}", self.access_token)
    }
}

fn status_error(what: &str, url: &str, r: &IncomingResponse) -> Cause {
    Cause::message(format!(
        "{what} via {url} failed ({}): {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    ))
}

/// Exchanges `code` for a token at the provider's token endpoint.
pub(crate) async fn fetch_token(
    app: &App,
    p: &Provider,
    code: &str,
    redirect_url: &str,
    code_verifier: Option<&str>,
) -> Result<Token, Cause> {
    let client = app.http_client()?;
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.to_owned()),
    ];
    if !redirect_url.is_empty() {
        form.push(("redirect_uri", redirect_url.to_owned()));
    }
    if let Some(v) = code_verifier {
        form.push(("code_verifier", v.to_owned()));
    }
    let secret = p.client_secret.expose_secret();
    // Go's auto-detection: the credentials in a Basic header first, then in the body.
    let basic = STANDARD.encode(format!(
        "{}:{}",
        query_escape(&p.client_id),
        query_escape(secret)
    ));
    let first = token_request(
        client.as_ref(),
        &p.token_url,
        &form,
        Some(format!("Basic {basic}")),
    )
    .await;
    let mut token = match first {
        Ok(t) => t,
        Err(err) => {
            tracing::debug!(error = %err, "OAuth2 token request with a Basic header failed, retrying with the credentials in the body");
            let mut form = form;
            form.push(("client_id", p.client_id.clone()));
            form.push(("client_secret", secret.to_owned()));
            token_request(client.as_ref(), &p.token_url, &form, None).await?
        }
    };
    token.expiry = expiry_text(app, &token.raw);
    Ok(token)
}

/// The expiry of a token answer's `expires_in` (seconds from now).
fn expiry_text(app: &App, raw: &Map<String, Value>) -> String {
    let secs = match raw.get("expires_in") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    };
    if secs <= 0 {
        return String::new();
    }
    chrono::DateTime::from_timestamp_millis(app.now_datetime().timestamp_millis() + secs * 1000)
        .map(|d| format_datetime(&d))
        .unwrap_or_default()
}

async fn token_request(
    client: &dyn HttpClient,
    url: &str,
    form: &[(&str, String)],
    authorization: Option<String>,
) -> Result<Token, Cause> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = vec![(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    if let Some(a) = authorization {
        headers.push(("Authorization".to_owned(), a));
    }
    let r = client
        .send(OutgoingRequest {
            method: "POST".into(),
            url: url.to_owned(),
            headers,
            body: body.into_bytes(),
            public_only: false,
        })
        .await
        .map_err(Cause::new)?;
    if !(200..300).contains(&r.status) {
        return Err(status_error("OAuth2 token request", url, &r));
    }
    let content_type = r.header("content-type").unwrap_or("").to_ascii_lowercase();
    let raw: Map<String, Value> = if content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("text/plain")
    {
        form_urlencoded::parse(&r.body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    } else {
        serde_json::from_slice(&r.body).map_err(Cause::new)?
    };
    let text = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let token = Token {
        access_token: text("access_token"),
        token_type: text("token_type"),
        refresh_token: text("refresh_token"),
        expiry: String::new(),
        raw: raw.clone(),
    };
    if token.access_token.is_empty() {
        return Err(Cause::message("server response missing access_token"));
    }
    Ok(token)
}

/// GETs `url` with the token's `Authorization`; an answer of 400 or more is an error.
pub(crate) async fn get_with_token(
    app: &App,
    url: &str,
    token: &Token,
) -> Result<IncomingResponse, Cause> {
    let client = app.http_client()?;
    client
        .send(OutgoingRequest {
            method: "GET".into(),
            url: url.to_owned(),
            headers: vec![("Authorization".to_owned(), token.authorization())],
            body: Vec::new(),
            public_only: false,
        })
        .await
        .map_err(Cause::new)
}

/// The user info JSON object at `url`.
pub(crate) async fn fetch_user_info(
    app: &App,
    url: &str,
    token: &Token,
) -> Result<Map<String, Value>, Cause> {
    let r = get_with_token(app, url, token).await?;
    if r.status >= 400 {
        return Err(status_error("fetching the OAuth2 user profile", url, &r));
    }
    serde_json::from_slice(&r.body).map_err(Cause::new)
}

/// A plain GET (key sets; `public_only` for avatars).
pub(crate) async fn get(
    app: &App,
    url: &str,
    public_only: bool,
) -> Result<IncomingResponse, Cause> {
    let client = app.http_client()?;
    client
        .send(OutgoingRequest {
            method: "GET".into(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            public_only,
        })
        .await
        .map_err(Cause::new)
}
