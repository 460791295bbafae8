//! The `Mailer` on an SMTP server (PocketBase's `mailer.SMTPClient`), with lettre on tokio
//! and rustls (ring): `tls` on → implicit TLS from the first byte (port 465 style); off →
//! STARTTLS when the server offers it, plain otherwise (Go's `smtp.SendMail`, which
//! PocketBase uses). Authentication only when a user name or password is set: `PLAIN` (the
//! default) or `LOGIN`. The EHLO name is `localName`, `localhost` when empty. Each send
//! opens its own connection, bounded by [`TIMEOUT`].

use async_trait::async_trait;
use basalt_ports::mail::{MailError, Mailer, Message, SmtpAuthMethod, SmtpTarget};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use std::time::Duration;

/// How long a connection, command or reply may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A mailer for one SMTP server configuration.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
    port: u16,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish()
    }
}

impl SmtpMailer {
    /// A mailer for `target` (nothing is connected until a send).
    pub fn new(target: &SmtpTarget) -> Result<Self, MailError> {
        let params = TlsParameters::new(target.host.clone())
            .map_err(|e| MailError::Config(format!("TLS for {}: {e}", target.host)))?;
        let tls = if target.tls {
            Tls::Wrapper(params)
        } else {
            Tls::Opportunistic(params)
        };
        let hello = if target.local_name.is_empty() {
            "localhost".to_owned()
        } else {
            target.local_name.clone()
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&target.host)
            .port(target.port)
            .tls(tls)
            .hello_name(ClientId::Domain(hello))
            .timeout(Some(TIMEOUT));
        let password = target.password.expose_secret();
        if !target.username.is_empty() || !password.is_empty() {
            let mechanism = match target.auth_method {
                SmtpAuthMethod::Plain => Mechanism::Plain,
                SmtpAuthMethod::Login => Mechanism::Login,
            };
            builder = builder
                .credentials(Credentials::new(
                    target.username.clone(),
                    password.to_owned(),
                ))
                .authentication(vec![mechanism]);
        }
        Ok(Self {
            transport: builder.build(),
            host: target.host.clone(),
            port: target.port,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        let built = basalt_mail_message::build(&message)?;
        self.transport.send(built).await.map_err(|e| {
            tracing::warn!(host = %self.host, port = self.port, error = %e, "SMTP send failed");
            MailError::Transport(e.to_string())
        })?;
        Ok(())
    }
}
