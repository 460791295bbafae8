//! The auth mails (PocketBase's `mails/record.go`): a collection's template resolved for the
//! record, from the settings' sender, sent through the matching `on_mailer_record_*_send`
//! hook (whose default action sends with the app's [`super::MailClient`], so through
//! `on_mailer_send` too).

use super::client::mail_failed;
use super::template::{ALERT_INFO, OTP, OTP_ID, TOKEN, escape_html, resolve_template, template_of};
use crate::App;
use crate::hooks::MailerRecordEvent;
use crate::schema::CollectionRef;
use basalt_domain::record::Record;
use basalt_ports::ServiceError;
use basalt_ports::hook::{Chain, Hook};
use basalt_ports::mail::{Address, Mailer, Message};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Which auth mail to send; each variant carries what its template needs.
#[derive(Debug, Clone)]
pub(crate) enum AuthMail {
    /// `verificationTemplate` with `{TOKEN}`.
    Verification {
        /// A verification token.
        token: String,
    },
    /// `resetPasswordTemplate` with `{TOKEN}`.
    PasswordReset {
        /// A password reset token.
        token: String,
    },
    /// `confirmEmailChangeTemplate` with `{TOKEN}`, sent to `new_email`.
    EmailChange {
        /// An email change token.
        token: String,
        /// The address asked for.
        new_email: String,
    },
    /// `otp.emailTemplate` with `{OTP_ID}` and `{OTP}`.
    Otp {
        /// The `_otps` record's id.
        otp_id: String,
        /// The one-time password.
        password: String,
    },
    /// `authAlert.emailTemplate` with `{ALERT_INFO}` (HTML-escaped here).
    AuthAlert {
        /// What the alert says (date, IP, user agent).
        info: String,
    },
}

impl AuthMail {
    /// Where the template is in the collection's options.
    fn template_path(&self) -> &'static [&'static str] {
        match self {
            AuthMail::Verification { .. } => &["verificationTemplate"],
            AuthMail::PasswordReset { .. } => &["resetPasswordTemplate"],
            AuthMail::EmailChange { .. } => &["confirmEmailChangeTemplate"],
            AuthMail::Otp { .. } => &["otp", "emailTemplate"],
            AuthMail::AuthAlert { .. } => &["authAlert", "emailTemplate"],
        }
    }

    /// The template's own placeholders and the hook event's `meta`.
    fn placeholders(&self) -> (Vec<(&'static str, String)>, Map<String, Value>) {
        let meta = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        match self {
            AuthMail::Verification { token } | AuthMail::PasswordReset { token } => {
                (vec![(TOKEN, token.clone())], meta(json!({"token": token})))
            }
            AuthMail::EmailChange { token, new_email } => (
                vec![(TOKEN, token.clone())],
                meta(json!({"token": token, "newEmail": new_email})),
            ),
            AuthMail::Otp { otp_id, password } => (
                vec![(OTP_ID, otp_id.clone()), (OTP, password.clone())],
                meta(json!({"otpId": otp_id, "password": password})),
            ),
            AuthMail::AuthAlert { info } => {
                let info = escape_html(info);
                (
                    vec![(ALERT_INFO, info.clone())],
                    meta(json!({"info": info})),
                )
            }
        }
    }

    /// The hook this mail goes through.
    fn hook<'a>(&self, app: &'a App) -> &'a Hook<MailerRecordEvent> {
        let hooks = app.hooks();
        match self {
            AuthMail::Verification { .. } => &hooks.on_mailer_record_verification_send,
            AuthMail::PasswordReset { .. } => &hooks.on_mailer_record_password_reset_send,
            AuthMail::EmailChange { .. } => &hooks.on_mailer_record_email_change_send,
            AuthMail::Otp { .. } => &hooks.on_mailer_record_otp_send,
            AuthMail::AuthAlert { .. } => &hooks.on_mailer_record_auth_alert_send,
        }
    }

    /// What the mail is, for the logs.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            AuthMail::Verification { .. } => "verification",
            AuthMail::PasswordReset { .. } => "password reset",
            AuthMail::EmailChange { .. } => "email change",
            AuthMail::Otp { .. } => "OTP",
            AuthMail::AuthAlert { .. } => "auth alert",
        }
    }
}

/// Renders the collection's template for `mail` with `record` and sends it (through the
/// `on_mailer_send` and the matching `on_mailer_record_*_send` hooks), to record's email
/// (EmailChange: to `new_email`).
pub(crate) async fn send_auth_mail(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    mail: AuthMail,
) -> Result<(), ServiceError> {
    tracing::debug!(mail = mail.label(), collection = %c.name, record = record.id(), "sending an auth mail");
    let template = template_of(c, mail.template_path());
    let (placeholders, meta) = mail.placeholders();
    let (subject, html) = resolve_template(app, c, record, &template, &placeholders);
    let settings = app.settings();
    let to = match &mail {
        AuthMail::EmailChange { new_email, .. } => new_email.clone(),
        _ => record.text("email").to_owned(),
    };
    let message = Message {
        from: Address::named(
            settings.meta.sender_name.clone(),
            settings.meta.sender_address.clone(),
        ),
        to: vec![Address::new(to)],
        subject,
        html,
        ..Message::default()
    };
    let mailer: Arc<dyn Mailer> = Arc::new(app.new_mail_client());
    let mut event = MailerRecordEvent {
        app: app.clone(),
        mailer,
        message,
        collection: c.clone(),
        record: record.clone(),
        meta,
        chain: Chain::default(),
    };
    let otp_id = match &mail {
        AuthMail::Otp { otp_id, .. } => Some(otp_id.clone()),
        _ => None,
    };
    mail.hook(app)
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                let mailer = e.mailer.clone();
                mailer.send(e.message.clone()).await.map_err(mail_failed)?;
                if let Some(otp_id) = otp_id {
                    mark_otp_sent(&e.app, &otp_id, &e.message).await;
                }
                Ok(())
            })
        })
        .await
}

/// Sets the OTP's `sentTo` to the address the mail went to, unless it has one already, as
/// PocketBase does after an OTP mail; a failure is only logged.
async fn mark_otp_sent(app: &App, otp_id: &str, message: &Message) {
    let Some(to) = message.to.first().map(|a| a.address.clone()) else {
        return;
    };
    if to.is_empty() {
        return;
    }
    let mut otp = match app.find_record_by_id("_otps", otp_id).await {
        Ok(otp) => otp,
        Err(error) => {
            app.logger()
                .with("error", error.to_string())
                .with("otpId", otp_id)
                .warn("Unable to find OTP to update its sentTo field (either it was already deleted or the id is nonexisting)");
            return;
        }
    };
    if !otp.text("sentTo").is_empty() {
        return;
    }
    let to_address = to.clone();
    otp.set("sentTo", Value::String(to));
    if let Err(error) = app.save(&mut otp).await {
        app.logger()
            .with("error", error.to_string())
            .with("otpId", otp_id)
            .with("to", to_address)
            .error("Failed to update OTP sentTo field");
    }
}
