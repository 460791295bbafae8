//! The [`Mailers`] factory on the two mail adapters: an [`SmtpMailer`] for the `smtp`
//! settings when enabled, a [`SendmailMailer`] otherwise. The core asks for one at each
//! send, with the settings as they are then.
//!
//! The sendmail binary is the one given to [`AdapterMailers::with_sendmail`], else the
//! `BASALT_SENDMAIL` environment variable's path (read by [`AdapterMailers::from_env`],
//! which `new_app` uses), else PocketBase's lookup (`/usr/sbin/sendmail`,
//! `/usr/bin/sendmail`, `sendmail` on `PATH`).
//!
//! What a program sends with: `app.new_mail_client()` (a [`MailClient`]) and the port's
//! [`Message`], both re-exported here.

pub use basalt_core::mail::MailClient;
pub use basalt_ports::mail::{Address, Attachment, MailError, Mailer, Message};

use basalt_mail_sendmail::SendmailMailer;
use basalt_mail_smtp::SmtpMailer;
use basalt_ports::mail::{MailTarget, Mailers};
use std::path::PathBuf;
use std::sync::Arc;

/// The environment variable naming the sendmail binary.
pub const SENDMAIL_ENV: &str = "BASALT_SENDMAIL";

/// Opens the SMTP or sendmail mailer for a [`MailTarget`].
#[derive(Debug, Default, Clone)]
pub struct AdapterMailers {
    sendmail: Option<PathBuf>,
}

impl AdapterMailers {
    /// Mailers with PocketBase's sendmail lookup.
    pub fn new() -> Self {
        Self::default()
    }

    /// Mailers sending through the sendmail binary at `path` when SMTP is off.
    pub fn with_sendmail(path: impl Into<PathBuf>) -> Self {
        Self {
            sendmail: Some(path.into()),
        }
    }

    /// Mailers with the sendmail binary of `BASALT_SENDMAIL`, when set and not empty.
    pub fn from_env() -> Self {
        match std::env::var_os(SENDMAIL_ENV) {
            Some(path) if !path.is_empty() => Self::with_sendmail(path),
            _ => Self::new(),
        }
    }
}

impl Mailers for AdapterMailers {
    fn open(&self, target: &MailTarget) -> Result<Arc<dyn Mailer>, MailError> {
        Ok(match target {
            MailTarget::Smtp(smtp) => Arc::new(SmtpMailer::new(smtp)?),
            MailTarget::Sendmail => Arc::new(SendmailMailer::new(self.sendmail.as_deref())),
        })
    }
}
