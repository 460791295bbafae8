//! [`MailClient`]: what `App::new_mail_client()` returns. It opens the mailer the current
//! settings name (SMTP when `smtp.enabled`, else sendmail) and sends through the
//! `on_mailer_send` hook, whose handlers may change the message or the mailer, or not call
//! `next()` to send nothing.

use crate::App;
use crate::hooks::MailerEvent;
use basalt_domain::settings::Settings;
use basalt_ports::hook::Chain;
use basalt_ports::mail::{MailError, MailTarget, Mailer, Message, SmtpAuthMethod, SmtpTarget};
use basalt_ports::{Cause, ServiceError};
use std::sync::Arc;

/// The app's mail client; cheap to make, one per send is fine.
#[derive(Clone)]
pub struct MailClient {
    app: App,
}

impl MailClient {
    pub(crate) fn new(app: App) -> Self {
        Self { app }
    }

    /// The mailer for the current settings.
    fn transport(&self) -> Result<Arc<dyn Mailer>, MailError> {
        let mailers = self
            .app
            .mailers()
            .ok_or_else(|| MailError::Config("no mailer is configured".into()))?;
        mailers.open(&target(&self.app.settings()))
    }
}

/// Where the settings send mail.
pub(crate) fn target(settings: &Settings) -> MailTarget {
    let smtp = &settings.smtp;
    if !smtp.enabled {
        return MailTarget::Sendmail;
    }
    MailTarget::Smtp(SmtpTarget {
        host: smtp.host.clone(),
        port: u16::try_from(smtp.port).unwrap_or(0),
        username: smtp.username.clone(),
        password: smtp.password.clone(),
        auth_method: if smtp.auth_method == "LOGIN" {
            SmtpAuthMethod::Login
        } else {
            SmtpAuthMethod::Plain
        },
        tls: smtp.tls,
        local_name: smtp.local_name.clone(),
    })
}

/// A mail failure as a hook chain's error (the message stays readable for the logs and
/// the test email's answer).
pub(crate) fn mail_failed(e: MailError) -> ServiceError {
    ServiceError::Internal(Cause::new(e))
}

#[async_trait::async_trait]
impl Mailer for MailClient {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        let mailer = self.transport()?;
        let mut event = MailerEvent {
            app: self.app.clone(),
            mailer,
            message,
            chain: Chain::default(),
        };
        self.app
            .hooks()
            .on_mailer_send
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    let mailer = e.mailer.clone();
                    mailer.send(e.message.clone()).await.map_err(mail_failed)
                })
            })
            .await
            .map_err(|e| match e {
                ServiceError::Internal(cause) => MailError::Transport(cause.chain()),
                other => MailError::Transport(other.to_string()),
            })
    }
}
