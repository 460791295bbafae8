//! Outgoing mail (implemented by the SMTP and sendmail adapters in a later change).

use async_trait::async_trait;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `From` address.
    pub from: String,
    /// `To` addresses.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// HTML body.
    pub html: String,
}

/// Errors from a mailer.
#[derive(Debug, thiserror::Error)]
#[error("mailer: {0}")]
pub struct MailError(pub String);

/// Sends mail.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one message.
    async fn send(&self, message: Message) -> Result<(), MailError>;
}
