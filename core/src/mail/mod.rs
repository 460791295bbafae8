//! Mail (PocketBase's `app.NewMailClient()` and `mails` package): `client.rs` (the
//! [`MailClient`] extensions send with: the mailer for the current settings — SMTP when
//! `smtp.enabled`, sendmail otherwise — behind the `on_mailer_send` hook), `template.rs`
//! (a collection's email template with its placeholders, in PocketBase's HTML layout),
//! `record.rs` (the auth mails: [`AuthMail`] and `send_auth_mail`, through the
//! `on_mailer_record_*_send` hooks) and `throttle.rs` (the resend limits of the request
//! flows).

mod client;
mod layout;
mod record;
mod template;
pub(crate) mod throttle;

pub use client::MailClient;
pub(crate) use record::{AuthMail, send_auth_mail};

use crate::App;
use basalt_ports::mail::Mailers;
use std::sync::{Arc, RwLock};

/// The mail state of an app: the factory that opens a mailer for a target (set by the
/// composition root), and the request flows' resend limits.
#[derive(Default)]
pub(crate) struct MailState {
    mailers: RwLock<Option<Arc<dyn Mailers>>>,
    pub(crate) throttle: throttle::Throttle,
}

impl App {
    /// Sets how mail is sent: `mailers` opens the SMTP or sendmail mailer the settings
    /// name at each send. The composition root calls this when it opens an app.
    pub fn set_mailers(&self, mailers: Arc<dyn Mailers>) {
        if let Ok(mut m) = self.inner.mail.mailers.write() {
            *m = Some(mailers);
        }
    }

    /// A mail client (PocketBase's `app.NewMailClient()`): each send goes through the
    /// `on_mailer_send` hook to the SMTP server of the `smtp` settings when enabled, else
    /// to the local sendmail binary, as the settings are when the message is sent.
    pub fn new_mail_client(&self) -> MailClient {
        MailClient::new(self.clone())
    }

    /// The factory given to [`App::set_mailers`], if any.
    pub(crate) fn mailers(&self) -> Option<Arc<dyn Mailers>> {
        self.inner.mail.mailers.read().ok()?.clone()
    }
}
