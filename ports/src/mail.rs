//! Outgoing mail (PocketBase's `tools/mailer`): a [`Message`], the [`Mailer`] that sends it
//! (the SMTP and sendmail adapters), and [`Mailers`], the factory the composition root gives
//! the core to open a mailer for the current settings' [`MailTarget`].

use async_trait::async_trait;
use secrecy::SecretString;
use std::sync::Arc;

/// A mailbox: an address with an optional display name (Go's `mail.Address`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// The display name (may be empty).
    pub name: String,
    /// The email address.
    pub address: String,
}

impl Address {
    /// A mailbox with only an address.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            name: String::new(),
            address: address.into(),
        }
    }

    /// A mailbox with a display name.
    pub fn named(name: impl Into<String>, address: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            address: address.into(),
        }
    }
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the recipient sees.
    pub name: String,
    /// The content.
    pub data: Vec<u8>,
}

/// One message to send (PocketBase's `mailer.Message`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// `From`.
    pub from: Address,
    /// `To`.
    pub to: Vec<Address>,
    /// `Cc`.
    pub cc: Vec<Address>,
    /// `Bcc`.
    pub bcc: Vec<Address>,
    /// The subject line.
    pub subject: String,
    /// The HTML body.
    pub html: String,
    /// The plain-text body (the SMTP adapter derives one from `html` when empty).
    pub text: String,
    /// Extra headers (name, value), `Message-ID` included when set.
    pub headers: Vec<(String, String)>,
    /// Regular attachments.
    pub attachments: Vec<Attachment>,
    /// Inline attachments (referenced from the HTML by `cid:<name>`).
    pub inline_attachments: Vec<Attachment>,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The message itself is unusable (an invalid address, a bad header).
    #[error("invalid message: {0}")]
    Message(String),
    /// The mailer could not be set up (bad settings, no sendmail binary).
    #[error("mailer configuration: {0}")]
    Config(String),
    /// The transport failed (connection, TLS, authentication, refused by the server, the
    /// sendmail process failed).
    #[error("{0}")]
    Transport(String),
}

/// Sends mail.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one message.
    async fn send(&self, message: Message) -> Result<(), MailError>;
}

/// How the SMTP server is authenticated against (`smtp.authMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpAuthMethod {
    /// `PLAIN` (the default, as PocketBase's).
    #[default]
    Plain,
    /// `LOGIN`.
    Login,
}

/// An SMTP server (the `smtp` settings).
#[derive(Debug, Clone)]
pub struct SmtpTarget {
    /// Host name or IP.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User name (no authentication when both it and `password` are empty).
    pub username: String,
    /// Password.
    pub password: SecretString,
    /// `PLAIN` or `LOGIN`.
    pub auth_method: SmtpAuthMethod,
    /// Implicit TLS from the first byte; otherwise STARTTLS when the server offers it.
    pub tls: bool,
    /// The EHLO name (`localhost` when empty).
    pub local_name: String,
}

/// Where mail goes: the SMTP server of the settings, or the local sendmail binary.
#[derive(Debug, Clone)]
pub enum MailTarget {
    /// `smtp.enabled`.
    Smtp(SmtpTarget),
    /// Otherwise: PocketBase's `sendmail -i -t`.
    Sendmail,
}

/// Opens a [`Mailer`] for a [`MailTarget`] (implemented by the composition root on the mail
/// adapters).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Mailers: Send + Sync {
    /// The mailer for `target`.
    fn open(&self, target: &MailTarget) -> Result<Arc<dyn Mailer>, MailError>;
}
