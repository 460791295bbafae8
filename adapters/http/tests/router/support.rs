//! A fake app, a stub `Services` (tokens name fixed identities), and request helpers.

use async_trait::async_trait;
use basalt_http::router::{RequestEvent, Router};
use basalt_http::{HttpConfig, SharedServices, router_with};
use basalt_ports::hook::{BoxFuture, Handler, HookResult};
use basalt_ports::service::ServiceResult;
use basalt_ports::{
    Auth, AuthApi, AuthResponse, CollectionsApi, ListQuery, ListResult, RecordsApi, RequestContext,
    ServiceError,
};
use bytes::Bytes;
use poem::http::{HeaderMap, StatusCode};
use poem::test::{TestClient, TestRequestBuilder};
use poem::{Endpoint, EndpointExt};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The application type handlers see as `e.app`.
#[derive(Clone)]
pub struct TestApp {
    pub name: &'static str,
}

pub type Ev = RequestEvent<TestApp>;

/// Services whose `authenticate` maps tokens to identities: `user` (users/u1), `member`
/// (members/m1), `super` (a superuser). Record creation answers a fixed record.
pub struct Stub;

fn record(collection: &str, id: &str, superuser: bool) -> Auth {
    Auth::Record {
        collection_id: format!("id_{collection}"),
        collection_name: collection.into(),
        id: id.into(),
        superuser,
    }
}

#[async_trait]
impl AuthApi for Stub {
    async fn authenticate(&self, token: &str) -> Auth {
        match token {
            "user" => record("users", "u1", false),
            "member" => record("members", "m1", false),
            "super" => record("_superusers", "s1", true),
            _ => Auth::Guest,
        }
    }
    async fn auth_methods(&self, _c: &str) -> ServiceResult<Value> {
        Ok(json!({}))
    }
    async fn auth_with_password(
        &self,
        _r: &RequestContext,
        _c: &str,
        _i: &str,
        _p: &str,
        _f: Option<&str>,
        _m: Option<&str>,
    ) -> ServiceResult<AuthResponse> {
        Err(ServiceError::bad_request("Failed to authenticate."))
    }
    async fn auth_refresh(&self, _r: &RequestContext, _c: &str) -> ServiceResult<AuthResponse> {
        Err(ServiceError::not_found())
    }
    async fn request_otp(&self, _r: &RequestContext, _c: &str, _e: &str) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn auth_with_otp(
        &self,
        _r: &RequestContext,
        _c: &str,
        _o: &str,
        _p: &str,
        _m: Option<&str>,
    ) -> ServiceResult<AuthResponse> {
        Err(ServiceError::not_found())
    }
    async fn impersonate(
        &self,
        _r: &RequestContext,
        _c: &str,
        _i: &str,
        _d: i64,
    ) -> ServiceResult<AuthResponse> {
        Err(ServiceError::not_found())
    }
    async fn auth_with_oauth2(
        &self,
        _r: &basalt_ports::RequestContext,
        _c: &str,
        _f: basalt_ports::OAuth2Form,
    ) -> ServiceResult<AuthResponse> {
        Err(ServiceError::OAuth2Disabled)
    }
    async fn oauth2_redirect(
        &self,
        _r: &basalt_ports::RequestContext,
        d: basalt_ports::OAuth2Redirect,
    ) -> bool {
        d.state == "ok"
    }
    async fn apple_client_secret(
        &self,
        _a: &Auth,
        _b: &serde_json::Map<String, Value>,
    ) -> ServiceResult<String> {
        Err(ServiceError::SuperusersOnly)
    }
}

#[async_trait]
impl basalt_ports::SettingsApi for Stub {
    async fn view_settings(&self, _a: &Auth) -> ServiceResult<Value> {
        Ok(json!({}))
    }
    async fn update_settings(&self, _a: &Auth, _b: Value) -> ServiceResult<Value> {
        Ok(json!({}))
    }
}

#[async_trait]
impl basalt_ports::CronApi for Stub {
    async fn list_crons(&self, _a: &Auth) -> ServiceResult<Vec<basalt_ports::CronJob>> {
        Ok(Vec::new())
    }
    async fn run_cron(&self, _a: &Auth, _id: &str) -> ServiceResult<()> {
        Ok(())
    }
}

#[async_trait]
impl basalt_ports::RealtimeApi for Stub {
    async fn realtime_connect(
        &self,
        _r: &RequestContext,
    ) -> ServiceResult<basalt_ports::RealtimeConnection> {
        Err(ServiceError::not_found())
    }
    async fn realtime_subscribe(
        &self,
        _r: &RequestContext,
        _f: basalt_ports::SubscribeForm,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
}

#[async_trait]
impl CollectionsApi for Stub {
    async fn list_collections(&self, _a: &Auth, _q: ListQuery) -> ServiceResult<ListResult> {
        Err(ServiceError::not_found())
    }
    async fn view_collection(&self, _a: &Auth, _c: &str) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn create_collection(&self, _a: &Auth, _b: Value) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn update_collection(&self, _a: &Auth, _c: &str, _b: Value) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn delete_collection(&self, _a: &Auth, _c: &str) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn import_collections(&self, _a: &Auth, _b: Value) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn collection_scaffolds(&self, _a: &Auth) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn truncate_collection(&self, _a: &Auth, _c: &str) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
}

#[async_trait]
impl RecordsApi for Stub {
    async fn list_records(
        &self,
        _r: &RequestContext,
        _c: &str,
        _q: ListQuery,
    ) -> ServiceResult<ListResult> {
        Err(ServiceError::not_found())
    }
    async fn view_record(&self, _r: &RequestContext, _c: &str, _id: &str) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn create_record_form(
        &self,
        _r: &RequestContext,
        c: &str,
        _f: basalt_ports::RecordForm,
    ) -> ServiceResult<Value> {
        Ok(json!({"id": "r1", "collectionName": c}))
    }
    async fn update_record_form(
        &self,
        _r: &RequestContext,
        _c: &str,
        _id: &str,
        _f: basalt_ports::RecordForm,
    ) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn delete_record(&self, _r: &RequestContext, _c: &str, _id: &str) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
}

#[async_trait]
impl basalt_ports::DocsApi for Stub {
    async fn documented_collections(
        &self,
        _a: &Auth,
    ) -> ServiceResult<Vec<basalt_ports::CollectionDoc>> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl basalt_ports::FilesApi for Stub {
    async fn download(
        &self,
        _r: &RequestContext,
        _f: basalt_ports::files_api::FileRequest,
    ) -> ServiceResult<basalt_ports::files_api::ServedFile> {
        Err(ServiceError::not_found())
    }
    async fn file_token(&self, _r: &RequestContext) -> ServiceResult<String> {
        Err(ServiceError::AuthRequired)
    }
    fn record_body_allowance(&self, _c: &str) -> Option<u64> {
        None
    }
    async fn test_s3(&self, _a: &Auth, _f: &str) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
}

#[async_trait]
impl basalt_ports::LogsApi for Stub {
    fn record_request(&self, _log: basalt_ports::RequestLog) {}
    async fn list_logs(
        &self,
        _a: &Auth,
        _q: basalt_ports::ListQuery,
    ) -> ServiceResult<basalt_ports::ListResult> {
        Err(ServiceError::SuperusersOnly)
    }
    async fn view_log(&self, _a: &Auth, _id: &str) -> ServiceResult<Value> {
        Err(ServiceError::not_found())
    }
    async fn logs_stats(
        &self,
        _a: &Auth,
        _f: Option<&str>,
    ) -> ServiceResult<Vec<basalt_ports::LogsStat>> {
        Ok(Vec::new())
    }
    async fn truncate_logs(&self, _a: &Auth) -> ServiceResult<()> {
        Ok(())
    }
}

#[async_trait]
impl basalt_ports::BackupsApi for Stub {
    async fn list_backups(&self, _a: &Auth) -> ServiceResult<Vec<basalt_ports::BackupFile>> {
        Ok(Vec::new())
    }
    async fn create_backup(&self, _a: &Auth, _n: Option<String>) -> ServiceResult<()> {
        Err(ServiceError::AuthRequired)
    }
    async fn upload_backup(
        &self,
        _a: &Auth,
        _f: Option<basalt_ports::Upload>,
    ) -> ServiceResult<()> {
        Err(ServiceError::AuthRequired)
    }
    async fn download_backup(
        &self,
        _r: &RequestContext,
        _k: &str,
        _t: &str,
    ) -> ServiceResult<basalt_ports::files_api::ServedFile> {
        Err(ServiceError::BackupAccessDenied)
    }
    async fn delete_backup(&self, _a: &Auth, _k: &str) -> ServiceResult<()> {
        Err(ServiceError::AuthRequired)
    }
    async fn restore_backup(&self, _a: &Auth, _k: &str) -> ServiceResult<()> {
        Err(ServiceError::AuthRequired)
    }
    fn can_backup(&self) -> bool {
        true
    }
}

#[async_trait]
impl basalt_ports::BatchApi for Stub {
    fn batch_body_limit(&self) -> ServiceResult<u64> {
        Err(ServiceError::BatchDisabled)
    }
    async fn batch(
        &self,
        _r: &RequestContext,
        _requests: Vec<basalt_ports::BatchRequest>,
    ) -> ServiceResult<Vec<basalt_ports::BatchResult>> {
        Err(ServiceError::BatchDisabled)
    }
}

#[async_trait]
impl basalt_ports::AuthMailApi for Stub {
    async fn request_verification(
        &self,
        _r: &RequestContext,
        _c: &str,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn confirm_verification(
        &self,
        _r: &RequestContext,
        _c: &str,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn request_password_reset(
        &self,
        _r: &RequestContext,
        _c: &str,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn confirm_password_reset(
        &self,
        _r: &RequestContext,
        _c: &str,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn request_email_change(
        &self,
        _r: &RequestContext,
        _c: &str,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn confirm_email_change(
        &self,
        _r: &RequestContext,
        _c: &str,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::not_found())
    }
    async fn test_email(
        &self,
        _a: &Auth,
        _b: &serde_json::Map<String, serde_json::Value>,
    ) -> ServiceResult<()> {
        Err(ServiceError::AuthRequired)
    }
}

pub fn services() -> SharedServices {
    Arc::new(Stub)
}

/// The whole application (global middlewares, custom routes, built-in API).
pub fn app_with(router: Router<TestApp>, config: HttpConfig) -> impl Endpoint + 'static {
    router_with(
        services(),
        config,
        Some(router.into_endpoint(TestApp { name: "test" })),
    )
    .map_to_response()
}

pub fn client(router: Router<TestApp>) -> TestClient<impl Endpoint + 'static> {
    TestClient::new(app_with(router, HttpConfig::default()))
}

/// A response, read whole.
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn send<E: Endpoint>(req: TestRequestBuilder<'_, E>) -> Res {
    let resp = req.send().await.0;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().into_bytes().await.expect("body");
    Res {
        status,
        headers,
        body,
    }
}

/// The PocketBase error body.
pub fn error_body(status: u16, message: &str) -> Value {
    json!({"status": status, "message": message, "data": {}})
}

/// An action answering `{"route": name, "params": {...}}`.
pub fn named(
    name: &'static str,
) -> impl for<'a> Fn(&'a mut Ev) -> BoxFuture<'a, HookResult> + Send + Sync + 'static {
    move |e: &mut Ev| {
        Box::pin(async move {
            let params: Map<String, Value> = e
                .path_params()
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            e.json(200, &json!({"route": name, "params": params}))
        })
    }
}

/// A middleware appending `name` to the `log` kept in the event's store.
pub fn mark(name: &'static str) -> Handler<Ev> {
    Handler::new(move |e: &mut Ev| {
        Box::pin(async move {
            let mut log = e.get::<Vec<String>>("log").cloned().unwrap_or_default();
            log.push(name.to_owned());
            e.set("log", log);
            e.next().await
        })
    })
}

/// An action answering the `log` as JSON.
pub fn log_action()
-> impl for<'a> Fn(&'a mut Ev) -> BoxFuture<'a, HookResult> + Send + Sync + 'static {
    |e: &mut Ev| {
        Box::pin(async move {
            let log = e.get::<Vec<String>>("log").cloned().unwrap_or_default();
            e.json(200, &log)
        })
    }
}
