//! `ApiScenario`: one request through the real HTTP stack (router, middlewares, hooks) in
//! process, with its expectations (PocketBase's `tests.ApiScenario`).

use super::TestApp;
use basalt_ports::hook::BoxFuture;
use poem::Endpoint;
use poem::http::Method;
use std::collections::BTreeMap;

/// Set-up run before the request, given the app.
pub type BeforeTest = Box<dyn for<'a> Fn(&'a TestApp) -> BoxFuture<'a, ()> + Send + Sync>;

/// A check run after the request, given the app and the response.
pub type AfterTest =
    Box<dyn for<'a> Fn(&'a TestApp, &'a ScenarioResponse) -> BoxFuture<'a, ()> + Send + Sync>;

/// One API request and what must come back. Fields left at their defaults are not checked
/// (except `expected_status`, which defaults to 200).
///
/// ```no_run
/// # async fn run() -> Result<(), basalt::AppError> {
/// use basalt::testing::{ApiScenario, TestApp};
/// let t = TestApp::new().await?;
/// ApiScenario {
///     name: "health".into(),
///     method: "GET".into(),
///     url: "/api/health".into(),
///     expected_status: 200,
///     expected_content: vec![r#""code":200"#.into()],
///     ..ApiScenario::default()
/// }
/// .test(&t)
/// .await;
/// # Ok(()) }
/// ```
pub struct ApiScenario {
    /// Shown in failure messages.
    pub name: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query (`/api/collections/posts/records?filter=...`).
    pub url: String,
    /// The request body (sent as is; set a `content-type` header).
    pub body: Option<Vec<u8>>,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// The status the response must have.
    pub expected_status: u16,
    /// Substrings the body must contain (`"*"`: any non-empty body).
    pub expected_content: Vec<String>,
    /// Substrings the body must not contain.
    pub not_expected_content: Vec<String>,
    /// When set, exactly these hooks must have fired this many times (PocketBase names,
    /// `OnRecordCreate`); a `"*"` key allows other hooks to fire too.
    pub expected_events: Option<BTreeMap<String, usize>>,
    /// Set-up before the request (bind hooks, seed records), PocketBase's `BeforeTestFunc`.
    pub before_test: Option<BeforeTest>,
    /// Extra checks after the request.
    pub after_test: Option<AfterTest>,
}

impl Default for ApiScenario {
    fn default() -> Self {
        Self {
            name: String::new(),
            method: "GET".into(),
            url: "/".into(),
            body: None,
            headers: Vec::new(),
            expected_status: 200,
            expected_content: Vec::new(),
            not_expected_content: Vec::new(),
            expected_events: None,
            before_test: None,
            after_test: None,
        }
    }
}

/// What a scenario's request got back.
#[derive(Debug, Clone)]
pub struct ScenarioResponse {
    /// The status code.
    pub status: u16,
    /// The headers (names lowercased).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl ScenarioResponse {
    /// The body parsed as JSON (`null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl ApiScenario {
    /// Sends the request to `t`'s HTTP stack and checks every expectation, panicking with
    /// the scenario's name and the response on the first mismatch (it is for tests).
    pub async fn test(&self, t: &TestApp) -> ScenarioResponse {
        if let Some(before) = &self.before_test {
            before(t).await;
        }
        let res = self.send(t).await;
        let fail = |what: String| -> ! {
            panic!(
                "[{}] {what}\nstatus: {}\nbody: {}",
                self.name, res.status, res.body
            )
        };
        if res.status != self.expected_status {
            fail(format!("expected status {}", self.expected_status));
        }
        for want in &self.expected_content {
            let ok = if want == "*" {
                !res.body.is_empty()
            } else {
                res.body.contains(want.as_str())
            };
            if !ok {
                fail(format!("expected the body to contain {want:?}"));
            }
        }
        for unwanted in &self.not_expected_content {
            if res.body.contains(unwanted.as_str()) {
                fail(format!("expected the body not to contain {unwanted:?}"));
            }
        }
        if let Some(expected) = &self.expected_events {
            let fired = t.events();
            let wildcard = expected.contains_key("*");
            for (name, n) in expected.iter().filter(|(k, _)| k.as_str() != "*") {
                let got = fired.get(name).copied().unwrap_or(0);
                if got != *n {
                    fail(format!(
                        "expected {name} to fire {n} times, it fired {got} (all: {fired:?})"
                    ));
                }
            }
            if !wildcard
                && let Some((name, n)) = fired.iter().find(|(k, _)| !expected.contains_key(*k))
            {
                fail(format!(
                    "{name} fired {n} times but was not expected (all: {fired:?})"
                ));
            }
        }
        if let Some(after) = &self.after_test {
            after(t, &res).await;
        }
        res
    }

    /// Sends the request without checking anything (and without `before_test`).
    pub async fn send(&self, t: &TestApp) -> ScenarioResponse {
        let endpoint = match t.endpoint().await {
            Ok(e) => e,
            Err(e) => panic!("[{}] cannot build the router: {e}", self.name),
        };
        // Building the router fires `OnServe`; only the request's events count.
        t.reset_events();
        let method = Method::from_bytes(self.method.as_bytes()).unwrap_or(Method::GET);
        let uri: poem::http::Uri = match self.url.parse() {
            Ok(u) => u,
            Err(e) => panic!(
                "[{}] invalid url {:?} (percent-encode it): {e}",
                self.name, self.url
            ),
        };
        let mut req = poem::Request::builder().method(method).uri(uri);
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = match &self.body {
            Some(body) => req.body(body.clone()),
            None => req.finish(),
        };
        let res = endpoint.get_response(req).await;
        let status = res.status();
        let headers = res
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let body = res.into_body().into_string().await.unwrap_or_default();
        ScenarioResponse {
            status: status.as_u16(),
            headers,
            body,
        }
    }
}
