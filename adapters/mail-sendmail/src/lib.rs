//! The `Mailer` on a local sendmail binary (PocketBase's `mailer.Sendmail`), with lettre's
//! sendmail transport on tokio: the message is piped to `<binary> -i -f <from> -- <to…>`.
//! The binary is the configured path, or — as PocketBase looks for one — the first of
//! `/usr/sbin/sendmail`, `/usr/bin/sendmail` that exists, else `sendmail` on `PATH`.

use async_trait::async_trait;
use basalt_ports::mail::{MailError, Mailer, Message};
use lettre::{AsyncSendmailTransport, AsyncTransport, Tokio1Executor};
use std::path::{Path, PathBuf};

/// Where PocketBase looks for sendmail before `PATH`.
const KNOWN_PATHS: [&str; 2] = ["/usr/sbin/sendmail", "/usr/bin/sendmail"];

/// A mailer on one sendmail binary.
pub struct SendmailMailer {
    transport: AsyncSendmailTransport<Tokio1Executor>,
    binary: PathBuf,
}

impl std::fmt::Debug for SendmailMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendmailMailer")
            .field("binary", &self.binary)
            .finish()
    }
}

/// The sendmail binary used when none is configured.
pub fn default_binary() -> PathBuf {
    KNOWN_PATHS
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map_or_else(|| PathBuf::from("sendmail"), Path::to_path_buf)
}

impl SendmailMailer {
    /// A mailer on `binary` (the default one when `None`).
    pub fn new(binary: Option<&Path>) -> Self {
        let binary = binary.map_or_else(default_binary, Path::to_path_buf);
        Self {
            transport: AsyncSendmailTransport::new_with_command(binary.as_os_str()),
            binary,
        }
    }
}

#[async_trait]
impl Mailer for SendmailMailer {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        let built = basalt_mail_message::build(&message)?;
        self.transport.send(built).await.map_err(|e| {
            tracing::warn!(binary = %self.binary.display(), error = %e, "sendmail failed");
            MailError::Transport(e.to_string())
        })
    }
}
