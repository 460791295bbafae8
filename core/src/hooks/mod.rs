//! The app's hooks (PocketBase's `app.OnXxx()`): one [`Hook`] per event kind, shared by every
//! clone of the app (transactional ones too). Bind handlers with `bind`/`bind_func`; a
//! handler continues with `e.next().await`.
//!
//! ```no_run
//! # fn run(app: &basalt::App) {
//! use basalt::ports::hook::Event;
//! app.on_record_create(&["posts"]).bind_func(|e| Box::pin(async move {
//!     e.record.set("slug", e.record.text("title").to_lowercase().into());
//!     e.next().await
//! }));
//! # }
//! ```

mod events;

pub use events::*;

use crate::App;
use basalt_ports::hook::{Event, Handler, Hook, TaggedHook};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Counts triggered events by PocketBase hook name (`OnRecordCreate`), for the test
/// harness: [`App::bind_event_counter`] puts one in front of every hook of an app.
#[derive(Clone, Default)]
pub struct EventCounter(Arc<Mutex<BTreeMap<String, usize>>>);

/// The id of the counting handlers.
const COUNTER_ID: &str = "__basalt_event_counter";

impl EventCounter {
    /// A first handler (lowest priority) counting the events of the hook named `field`
    /// (`on_record_create` counts as `OnRecordCreate`).
    pub fn handler<E: Event>(&self, field: &str) -> Handler<E> {
        let name = pb_hook_name(field);
        let counts = self.0.clone();
        Handler::new(move |e: &mut E| {
            if let Ok(mut c) = counts.lock() {
                *c.entry(name.clone()).or_default() += 1;
            }
            e.next()
        })
        .id(COUNTER_ID)
        .priority(i32::MIN)
    }

    /// The counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Forgets the counts.
    pub fn reset(&self) {
        if let Ok(mut c) = self.0.lock() {
            c.clear();
        }
    }
}

/// `on_record_after_create_success` → `OnRecordAfterCreateSuccess`.
fn pb_hook_name(field: &str) -> String {
    field
        .split('_')
        .map(|w| {
            match w {
                "oauth2" => return "OAuth2".to_owned(),
                "otp" => return "OTP".to_owned(),
                "mfa" => return "MFA".to_owned(),
                _ => {}
            }
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

macro_rules! hooks {
    (
        app { $($afield:ident : $aevent:ty => $adoc:literal),* $(,)? }
        tagged { $($tfield:ident : $tevent:ty => $tdoc:literal),* $(,)? }
    ) => {
        /// Every hook of an app.
        #[derive(Default)]
        pub(crate) struct Hooks {
            $(pub(crate) $afield: Hook<$aevent>,)*
            $(pub(crate) $tfield: Hook<$tevent>,)*
        }

        impl Hooks {
            /// Binds, on every hook, a first handler that counts the events by PocketBase's
            /// hook name (`on_record_create` counts as `OnRecordCreate`), for the test harness.
            pub(crate) fn bind_counter(&self, counter: &EventCounter) {
                $(self.$afield.bind(counter.handler::<$aevent>(stringify!($afield)));)*
                $(self.$tfield.bind(counter.handler::<$tevent>(stringify!($tfield)));)*
            }
        }

        impl App {
            /// Counts every event of every hook of this app with `counter` (the test
            /// harness's `TestApp` does this before bootstrapping).
            pub fn bind_event_counter(&self, counter: &EventCounter) {
                self.inner.hooks.bind_counter(counter);
            }
            $(
                #[doc = $adoc]
                pub fn $afield(&self) -> &Hook<$aevent> {
                    &self.inner.hooks.$afield
                }
            )*
            $(
                #[doc = $tdoc]
                #[doc = ""]
                #[doc = "Tagged by collection: handlers run only for the named collections (ids or names; all when empty)."]
                pub fn $tfield(&self, collections: &[&str]) -> TaggedHook<'_, $tevent> {
                    self.inner.hooks.$tfield.tagged(collections)
                }
            )*
        }
    };
}

hooks! {
    app {
        on_bootstrap: AppEvent => "After the data dir is opened and bootstrapped (the default action loads nothing more; `open` triggers it).",
        on_terminate: AppEvent => "When the server stops.",
        on_settings_reload: AppEvent => "After the settings are saved and reloaded.",
        on_realtime_connect_request: RealtimeConnectRequestEvent => "`GET /api/realtime`: a realtime client connects; `next()` registers it.",
        on_realtime_subscribe_request: RealtimeSubscribeRequestEvent => "`POST /api/realtime`: a client sets its subscriptions; `next()` stores them.",
        on_backup_create: BackupEvent => "`app.create_backup` (`POST /api/backups`, the backup cron job): `next()` zips the data dir and stores the backup as `name`.",
        on_backup_restore: BackupEvent => "`app.restore_backup` (`POST /api/backups/{key}/restore`): `next()` replaces the data dir with the backup's content and restarts the process.",
        on_realtime_message_send: RealtimeMessageEvent => "Each message written to a realtime client (`PB_CONNECT` and record events); not calling `next()` drops it.",
        on_batch_request: BatchRequestEvent => "`POST /api/batch`: the validated requests of a batch; `next()` runs them in one transaction.",
        on_mailer_send: MailerEvent => "Every message the app's mail client sends (`App::new_mail_client()`, the auth mails); handlers may change the message or the mailer; not calling `next()` sends nothing.",
    }
    tagged {
        on_file_download_request: FileDownloadRequestEvent => "`GET /api/files/{collection}/{record}/{filename}`: a file is about to be served; handlers may change `served_path`/`served_name` or add `headers` before `next()`, which serves it.",
        on_file_token_request: FileTokenRequestEvent => "`POST /api/files/token`: a file token was made for `record`; handlers may change `token` before `next()`, which answers it.",
        on_record_validate: RecordEvent => "Validating a record before a create or update; the default action runs the field checks.",
        on_record_create: RecordEvent => "Creating a record (any path: API, hooks, cron, migrations); `next()` validates and inserts it.",
        on_record_create_execute: RecordEvent => "The insert itself, after validation; `next()` writes the row.",
        on_record_after_create_success: RecordEvent => "After a record was created and committed (delayed to the commit inside a transaction).",
        on_record_after_create_error: RecordErrorEvent => "After a record create failed.",
        on_record_update: RecordEvent => "Updating a record; `next()` validates and writes it.",
        on_record_update_execute: RecordEvent => "The update itself, after validation.",
        on_record_after_update_success: RecordEvent => "After a record was updated and committed.",
        on_record_after_update_error: RecordErrorEvent => "After a record update failed.",
        on_record_delete: RecordEvent => "Deleting a record; `next()` deletes it.",
        on_record_delete_execute: RecordEvent => "The delete itself.",
        on_record_after_delete_success: RecordEvent => "After a record was deleted and committed.",
        on_record_after_delete_error: RecordErrorEvent => "After a record delete failed.",
        on_collection_validate: CollectionEvent => "Validating a collection before a create or update.",
        on_collection_create: CollectionEvent => "Creating a collection; `next()` validates it and creates its table.",
        on_collection_create_execute: CollectionEvent => "The collection create itself.",
        on_collection_after_create_success: CollectionEvent => "After a collection was created and committed.",
        on_collection_after_create_error: CollectionErrorEvent => "After a collection create failed.",
        on_collection_update: CollectionEvent => "Updating a collection; `next()` validates it and alters its table.",
        on_collection_update_execute: CollectionEvent => "The collection update itself.",
        on_collection_after_update_success: CollectionEvent => "After a collection was updated and committed.",
        on_collection_after_update_error: CollectionErrorEvent => "After a collection update failed.",
        on_collection_delete: CollectionEvent => "Deleting a collection; `next()` drops it.",
        on_collection_delete_execute: CollectionEvent => "The collection delete itself.",
        on_collection_after_delete_success: CollectionEvent => "After a collection was deleted and committed.",
        on_collection_after_delete_error: CollectionErrorEvent => "After a collection delete failed.",
        on_record_enrich: RecordEnrichEvent => "Every time a record is serialized for a client (view, list, create/update responses, expand, auth responses).",
        on_records_list_request: RecordsListRequestEvent => "`GET /api/collections/{c}/records`.",
        on_record_view_request: RecordRequestEvent => "`GET /api/collections/{c}/records/{id}`.",
        on_record_create_request: RecordRequestEvent => "`POST /api/collections/{c}/records`.",
        on_record_update_request: RecordRequestEvent => "`PATCH /api/collections/{c}/records/{id}`.",
        on_record_delete_request: RecordRequestEvent => "`DELETE /api/collections/{c}/records/{id}`.",
        on_record_auth_request: RecordAuthRequestEvent => "Any successful auth request, before `{token, record}` is sent.",
        on_record_auth_with_password_request: RecordAuthWithPasswordRequestEvent => "`POST /api/collections/{c}/auth-with-password`.",
        on_record_auth_refresh_request: RecordAuthRefreshRequestEvent => "`POST /api/collections/{c}/auth-refresh`.",
        on_record_request_otp_request: RecordCreateOtpRequestEvent => "`POST /api/collections/{c}/request-otp`: `record` is `None` for an unknown email; `next()` stores and mails the OTP and answers `{otpId}`.",
        on_record_auth_with_otp_request: RecordAuthWithOtpRequestEvent => "`POST /api/collections/{c}/auth-with-otp`, the OTP checked; `next()` deletes it, marks the record verified when the OTP went to its email, and answers.",
        on_mailer_record_verification_send: MailerRecordEvent => "A verification mail for an auth record; `next()` sends it (through `on_mailer_send`), not calling it sends nothing.",
        on_mailer_record_password_reset_send: MailerRecordEvent => "A password reset mail for an auth record; `next()` sends it.",
        on_mailer_record_email_change_send: MailerRecordEvent => "An email change confirmation mail (to the new address); `next()` sends it.",
        on_mailer_record_otp_send: MailerRecordEvent => "An OTP mail for an auth record; `next()` sends it and sets the OTP's `sentTo`.",
        on_mailer_record_auth_alert_send: MailerRecordEvent => "A new-location login alert mail for an auth record; `next()` sends it.",
        on_record_request_verification_request: RecordTokenFlowRequestEvent => "`POST /api/collections/{c}/request-verification` for a known, not throttled record; `next()` mails a verification token (unless verified) and answers 204.",
        on_record_confirm_verification_request: RecordTokenFlowRequestEvent => "`POST /api/collections/{c}/confirm-verification` with a valid token; `next()` marks the record verified.",
        on_record_request_password_reset_request: RecordTokenFlowRequestEvent => "`POST /api/collections/{c}/request-password-reset` for a known, not throttled record; `next()` mails a password reset token.",
        on_record_confirm_password_reset_request: RecordTokenFlowRequestEvent => "`POST /api/collections/{c}/confirm-password-reset` with a valid token; `next()` sets the new password (a new `tokenKey`).",
        on_record_request_email_change_request: RecordEmailChangeRequestEvent => "`POST /api/collections/{c}/request-email-change`; `next()` mails an email change token to `new_email`.",
        on_record_confirm_email_change_request: RecordEmailChangeRequestEvent => "`POST /api/collections/{c}/confirm-email-change` with a valid token and password; `next()` saves `new_email` as the record's email.",
        on_record_auth_with_oauth2_request: RecordAuthWithOAuth2RequestEvent => "`POST /api/collections/{c}/auth-with-oauth2`.",
    }
}
