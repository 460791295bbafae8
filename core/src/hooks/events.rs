//! The events hooks receive. Each carries the app it runs on (`app`: inside a transaction,
//! the transactional app) and the chain state `next()` uses.

use crate::App;
use crate::schema::CollectionRef;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_ports::hook::{Chain, Event, Tagged};
use basalt_ports::{Auth, AuthResponse, ListResult, RequestContext, ServiceError};
use serde_json::{Map, Value};

macro_rules! event {
    ($name:ident) => {
        impl Event for $name {
            fn chain(&mut self) -> &mut Chain<Self> {
                &mut self.chain
            }
        }
    };
    ($name:ident, tagged by $field:ident) => {
        event!($name);
        impl Tagged for $name {
            fn has_tag(&self, tag: &str) -> bool {
                self.$field.id == tag || self.$field.name == tag
            }
        }
    };
}

/// An app lifecycle event (`on_bootstrap`, `on_terminate`, `on_settings_reload`).
pub struct AppEvent {
    /// The app.
    pub app: App,
    pub(crate) chain: Chain<Self>,
}
event!(AppEvent);

impl AppEvent {
    /// The event for `app`.
    pub fn new(app: App) -> Self {
        Self {
            app,
            chain: Chain::default(),
        }
    }
}

/// A record model event: validate, create/update/delete and their `_execute` and
/// `after_*_success` stages. Tagged by the record's collection id and name.
pub struct RecordEvent {
    /// The app the save runs on (transactional inside a transaction).
    pub app: App,
    /// The record's collection.
    pub collection: CollectionRef,
    /// The record being saved or deleted; handlers may change it before `next()`.
    pub record: Record,
    pub(crate) chain: Chain<Self>,
}
event!(RecordEvent, tagged by collection);

impl RecordEvent {
    pub(crate) fn new(app: App, collection: CollectionRef, record: Record) -> Self {
        Self {
            app,
            collection,
            record,
            chain: Chain::default(),
        }
    }
}

/// A failed record save or delete (`on_record_after_*_error`).
pub struct RecordErrorEvent {
    /// The app.
    pub app: App,
    /// The record's collection.
    pub collection: CollectionRef,
    /// The record that failed to save.
    pub record: Record,
    /// Why.
    pub error: ServiceError,
    pub(crate) chain: Chain<Self>,
}
event!(RecordErrorEvent, tagged by collection);

/// A collection model event. Tagged by the collection's id and name.
pub struct CollectionEvent {
    /// The app the save runs on.
    pub app: App,
    /// The collection being saved or deleted.
    pub collection: Collection,
    pub(crate) chain: Chain<Self>,
}
event!(CollectionEvent, tagged by collection);

impl CollectionEvent {
    pub(crate) fn new(app: App, collection: Collection) -> Self {
        Self {
            app,
            collection,
            chain: Chain::default(),
        }
    }
}

/// A failed collection save or delete.
pub struct CollectionErrorEvent {
    /// The app.
    pub app: App,
    /// The collection.
    pub collection: Collection,
    /// Why.
    pub error: ServiceError,
    pub(crate) chain: Chain<Self>,
}
event!(CollectionErrorEvent, tagged by collection);

/// `on_record_enrich`: a record about to be shown (API responses, later realtime). Change
/// what shows with `record.hide`, `record.unhide`, `record.with_custom_data` + `record.set`.
pub struct RecordEnrichEvent {
    /// The app.
    pub app: App,
    /// The record's collection.
    pub collection: CollectionRef,
    /// The record being serialized.
    pub record: Record,
    /// Who the record is shown to.
    pub request: RequestContext,
    pub(crate) chain: Chain<Self>,
}
event!(RecordEnrichEvent, tagged by collection);

/// `on_records_list_request`: `GET /api/collections/{c}/records`. The default action
/// renders `records` into `result`.
pub struct RecordsListRequestEvent {
    /// The app.
    pub app: App,
    /// The request (auth, method, query, headers).
    pub request: RequestContext,
    /// The collection.
    pub collection: CollectionRef,
    /// The page of records, as the rules and filter allowed.
    pub records: Vec<Record>,
    /// The response; set by the default action (set it yourself when not calling `next`).
    pub result: Option<ListResult>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordsListRequestEvent, tagged by collection);

/// A single-record request event (`on_record_{view,create,update,delete}_request`). The
/// default action checks the rule, saves (or deletes) and renders `response`.
pub struct RecordRequestEvent {
    /// The app.
    pub app: App,
    /// The request (auth, method, query, headers).
    pub request: RequestContext,
    /// The request body (create/update).
    pub body: Map<String, Value>,
    /// The collection.
    pub collection: CollectionRef,
    /// The record: loaded (view/update/delete) or built from the body (create).
    pub record: Record,
    /// The JSON response; set by the default action (set it yourself when not calling `next`).
    pub response: Option<Value>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordRequestEvent, tagged by collection);

impl RecordRequestEvent {
    /// The event of a request on `record`.
    pub(crate) fn new(
        app: App,
        request: RequestContext,
        body: Map<String, Value>,
        collection: CollectionRef,
        record: Record,
    ) -> Self {
        Self {
            app,
            request,
            body,
            collection,
            record,
            response: None,
            chain: Chain::default(),
        }
    }

    /// Who is calling.
    pub fn auth(&self) -> &Auth {
        &self.request.auth
    }
}

/// `on_record_auth_request`: any successful authentication, about to answer
/// `{token, record, meta?}`.
pub struct RecordAuthRequestEvent {
    /// The app.
    pub app: App,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The authenticated record.
    pub record: Record,
    /// The token about to be sent.
    pub token: String,
    /// `password`, `otp`, `oauth2`, ...; `""` (refresh, impersonate) skips MFA and the
    /// auth alert.
    pub auth_method: String,
    /// Extra data sent as the answer's `meta` (OAuth2's provider user).
    pub meta: Option<Value>,
    /// The auth request.
    pub request: RequestContext,
    /// The body's `mfaId` (an MFA's second factor).
    pub mfa_id: Option<String>,
    /// The response; set by the default action.
    pub response: Option<AuthResponse>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordAuthRequestEvent, tagged by collection);

/// `on_record_request_otp_request` (PocketBase's `RecordCreateOTPRequestEvent`):
/// `POST /api/collections/{c}/request-otp`. `record` is `None` when no record has the
/// email (a handler may find or make one); the default action stores an `_otps` row with
/// `password`, mails it, and answers `{otpId}` (a random id, without mail, for `None`).
pub struct RecordCreateOtpRequestEvent {
    /// The app.
    pub app: App,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The record the email names, if any.
    pub record: Option<Record>,
    /// The one-time password about to be stored and sent.
    pub password: String,
    /// The request.
    pub request: RequestContext,
    /// The answer (`{otpId}`); set by the default action.
    pub response: Option<Value>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordCreateOtpRequestEvent, tagged by collection);

/// `on_record_auth_with_otp_request`: `POST /api/collections/{c}/auth-with-otp`, with the
/// OTP checked. The default action deletes the OTP, marks the record verified when the
/// OTP went to its email, and answers as every auth does (MFA included).
pub struct RecordAuthWithOtpRequestEvent {
    /// The app.
    pub app: App,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The authenticating record.
    pub record: Record,
    /// The `_otps` record used.
    pub otp: Record,
    /// The request.
    pub request: RequestContext,
    /// The body's `mfaId`.
    pub mfa_id: Option<String>,
    /// The response; set by the default action.
    pub response: Option<AuthResponse>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordAuthWithOtpRequestEvent, tagged by collection);

/// `on_record_auth_with_password_request`.
pub struct RecordAuthWithPasswordRequestEvent {
    /// The app.
    pub app: App,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The identity sent.
    pub identity: String,
    /// The identity field asked for (empty: any of the collection's identity fields).
    pub identity_field: String,
    /// The record found by the identity (checked against the password by the default
    /// action), `None` when none matched.
    pub record: Option<Record>,
    /// The response; set by the default action.
    pub response: Option<AuthResponse>,
    pub(crate) password: String,
    pub(crate) chain: Chain<Self>,
}
event!(RecordAuthWithPasswordRequestEvent, tagged by collection);

/// `on_record_auth_with_oauth2_request`: the provider's user is fetched and the record it
/// signs in is looked up (by its `_externalAuths` link, the caller's own auth record, or
/// the user's email). The default action creates the record when there is none (through
/// the record create API, with `create_data` and the mapped fields), updates or links it,
/// and answers `{token, record, meta}`.
pub struct RecordAuthWithOAuth2RequestEvent {
    /// The app.
    pub app: App,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The request.
    pub request: RequestContext,
    /// The provider name.
    pub provider_name: String,
    /// The provider's user.
    pub oauth2_user: basalt_domain::oauth2::AuthUser,
    /// The values a new record is created with.
    pub create_data: Map<String, Value>,
    /// The record signing in; `None` when a new one is to be created.
    pub record: Option<Record>,
    /// Whether a new record is created.
    pub is_new_record: bool,
    /// The response; set by the default action.
    pub response: Option<AuthResponse>,
    pub(crate) mfa_id: Option<String>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordAuthWithOAuth2RequestEvent, tagged by collection);

/// `on_record_auth_refresh_request`.
pub struct RecordAuthRefreshRequestEvent {
    /// The app.
    pub app: App,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The record whose token is refreshed.
    pub record: Record,
    /// The response; set by the default action.
    pub response: Option<AuthResponse>,
    pub(crate) chain: Chain<Self>,
}
event!(RecordAuthRefreshRequestEvent, tagged by collection);

/// `GET /api/realtime` (`on_realtime_connect_request`): a client is connecting. The default
/// action registers `client` with the broker; its stream then starts with `PB_CONNECT`. A
/// handler may change `idle_timeout` (5 minutes by default) before `next()`.
pub struct RealtimeConnectRequestEvent {
    /// The app.
    pub app: App,
    /// The connecting request.
    pub request: RequestContext,
    /// The new client.
    pub client: std::sync::Arc<crate::realtime::RealtimeClient>,
    /// How long the connection may stay without a message before it is closed.
    pub idle_timeout: std::time::Duration,
    pub(crate) chain: Chain<Self>,
}
event!(RealtimeConnectRequestEvent);

/// `POST /api/realtime` (`on_realtime_subscribe_request`): a client sets its subscriptions.
/// The default action stores `subscriptions` (replacing the old ones) and the request's
/// auth as the client's.
pub struct RealtimeSubscribeRequestEvent {
    /// The app.
    pub app: App,
    /// The subscribe request.
    pub request: RequestContext,
    /// The client being updated.
    pub client: std::sync::Arc<crate::realtime::RealtimeClient>,
    /// The new subscriptions; handlers may change them before `next()`.
    pub subscriptions: Vec<String>,
    pub(crate) chain: Chain<Self>,
}
event!(RealtimeSubscribeRequestEvent);

/// A message about to be written to a client's stream, `PB_CONNECT` included
/// (`on_realtime_message_send`). Handlers may change `message`; one that does not call
/// `next()` drops it, and one that returns an error closes the connection.
pub struct RealtimeMessageEvent {
    /// The app.
    pub app: App,
    /// The receiving client.
    pub client: std::sync::Arc<crate::realtime::RealtimeClient>,
    /// The message.
    pub message: basalt_ports::RealtimeMessage,
    pub(crate) chain: Chain<Self>,
}
event!(RealtimeMessageEvent);

/// `GET /api/files/{collection}/{record}/{filename}` (`on_file_download_request`): the file
/// (or its thumb) about to be served. Handlers may change `served_path` and `served_name`,
/// or add response `headers`, before `next()`; not calling `next()` serves nothing (a 404).
pub struct FileDownloadRequestEvent {
    /// The app.
    pub app: App,
    /// The request.
    pub request: RequestContext,
    /// The record's collection.
    pub collection: CollectionRef,
    /// The record holding the file.
    pub record: Record,
    /// The name of the file field holding it.
    pub file_field: String,
    /// The storage key served (the original's, or its thumb's).
    pub served_path: String,
    /// The name the client sees.
    pub served_name: String,
    /// Why a requested thumb is not served (the original is served instead), if so.
    pub thumb_error: Option<String>,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// The file to send, set by the default action.
    pub(crate) served: Option<basalt_ports::files_api::ServedFile>,
    pub(crate) chain: Chain<Self>,
}
event!(FileDownloadRequestEvent, tagged by collection);

/// `POST /api/files/token` (`on_file_token_request`): a file token for the signed-in
/// `record`. Handlers may change `token` before `next()`, which answers `{"token": …}`.
pub struct FileTokenRequestEvent {
    /// The app.
    pub app: App,
    /// The request.
    pub request: RequestContext,
    /// The auth record's collection.
    pub collection: CollectionRef,
    /// The auth record the token is for.
    pub record: Record,
    /// The token.
    pub token: String,
    pub(crate) chain: Chain<Self>,
}
event!(FileTokenRequestEvent, tagged by collection);

/// A backup being created (`on_backup_create`) or restored (`on_backup_restore`).
/// Handlers may change `name` (an empty one is generated by the create's default action)
/// and `exclude` before `next()`, which does the work.
pub struct BackupEvent {
    /// The app.
    pub app: App,
    /// The backup's name (its key in the backups store).
    pub name: String,
    /// The data dir's root entries left out of the backup, or left in place by a restore.
    pub exclude: Vec<String>,
    pub(crate) chain: Chain<Self>,
}
event!(BackupEvent);

impl BackupEvent {
    /// The event for the backup `name` of `app`.
    pub fn new(app: App, name: String, exclude: Vec<String>) -> Self {
        Self {
            app,
            name,
            exclude,
            chain: Chain::default(),
        }
    }
}

/// `POST /api/batch` (`on_batch_request`): the batch's requests, validated, before they run.
/// Handlers may change `requests` before `next()`, whose default action runs them in one
/// transaction and sets `results`; a handler answering on its own sets `results` itself.
pub struct BatchRequestEvent {
    /// The app (not transactional: the transaction is opened by the default action).
    pub app: App,
    /// The batch request itself (who is calling, its headers).
    pub request: RequestContext,
    /// The requests to run, in order.
    pub requests: Vec<basalt_ports::BatchRequest>,
    /// Each request's answer; set by the default action.
    pub results: Option<Vec<basalt_ports::BatchResult>>,
    pub(crate) chain: Chain<Self>,
}
event!(BatchRequestEvent);

impl BatchRequestEvent {
    /// The event of `requests` submitted by the caller of `request`.
    pub(crate) fn new(
        app: App,
        request: RequestContext,
        requests: Vec<basalt_ports::BatchRequest>,
    ) -> Self {
        Self {
            app,
            request,
            requests,
            results: None,
            chain: Chain::default(),
        }
    }
}

/// A message about to be sent by the app's mail client (`on_mailer_send`). Handlers may
/// change `message` or replace `mailer` before `next()`, which sends `message` with
/// `mailer`; one that does not call `next()` sends nothing.
pub struct MailerEvent {
    /// The app.
    pub app: App,
    /// The mailer the message goes out with (SMTP or sendmail, as the settings are).
    pub mailer: std::sync::Arc<dyn basalt_ports::mail::Mailer>,
    /// The message.
    pub message: basalt_ports::mail::Message,
    pub(crate) chain: Chain<Self>,
}
event!(MailerEvent);

/// An auth mail about to be sent for `record` (`on_mailer_record_verification_send`,
/// `…_password_reset_send`, `…_email_change_send`, `…_otp_send`, `…_auth_alert_send`).
/// Handlers may change `message` or `mailer` before `next()`, which sends it (through
/// `on_mailer_send`); one that does not call `next()` sends nothing. Tagged by the
/// record's collection.
pub struct MailerRecordEvent {
    /// The app.
    pub app: App,
    /// The mail client (`App::new_mail_client()`).
    pub mailer: std::sync::Arc<dyn basalt_ports::mail::Mailer>,
    /// The rendered message.
    pub message: basalt_ports::mail::Message,
    /// The auth record's collection.
    pub collection: CollectionRef,
    /// The auth record the mail is about.
    pub record: Record,
    /// What the template was given: `token` (and `newEmail`), `otpId` and `password`, or
    /// `info`.
    pub meta: Map<String, Value>,
    pub(crate) chain: Chain<Self>,
}
event!(MailerRecordEvent, tagged by collection);

/// A verification or password reset request or confirmation
/// (`on_record_request_verification_request`, `on_record_confirm_verification_request`,
/// `on_record_request_password_reset_request`, `on_record_confirm_password_reset_request`).
/// The default action does the work (sends the mail, or saves the record) and answers 204.
pub struct RecordTokenFlowRequestEvent {
    /// The app.
    pub app: App,
    /// The request.
    pub request: RequestContext,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The auth record the request is about.
    pub record: Record,
    pub(crate) chain: Chain<Self>,
}
event!(RecordTokenFlowRequestEvent, tagged by collection);

/// An email change request or confirmation (`on_record_request_email_change_request`,
/// `on_record_confirm_email_change_request`). The default action mails the token to
/// `new_email`, or saves it as the record's email, and answers 204.
pub struct RecordEmailChangeRequestEvent {
    /// The app.
    pub app: App,
    /// The request.
    pub request: RequestContext,
    /// The auth collection.
    pub collection: CollectionRef,
    /// The auth record whose email changes.
    pub record: Record,
    /// The new email address.
    pub new_email: String,
    pub(crate) chain: Chain<Self>,
}
event!(RecordEmailChangeRequestEvent, tagged by collection);
