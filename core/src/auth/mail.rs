//! SHIM (temporary, until the `mail2` branch with `core/src/mail` is merged): the auth
//! mails this module's flows send, with exactly `crate::mail`'s API. Without a mailer every
//! send fails (the callers log it, as PocketBase logs a failed send). After the merge this
//! file becomes `pub(crate) use crate::mail::{AuthMail, send_auth_mail};`.

use crate::App;
use crate::schema::CollectionRef;
use basalt_domain::record::Record;
use basalt_ports::ServiceError;

/// Which auth mail to send (the variants this branch uses).
#[derive(Debug, Clone)]
pub(crate) enum AuthMail {
    /// `otp.emailTemplate` with `{OTP_ID}` and `{OTP}`.
    Otp {
        /// The `_otps` record's id.
        otp_id: String,
        /// The one-time password.
        password: String,
    },
    /// `authAlert.emailTemplate` with `{ALERT_INFO}`.
    AuthAlert {
        /// What the alert says (date, IP, user agent).
        info: String,
    },
}

/// Sends `mail` to `record` (SHIM: no mailer on this branch yet, so it always fails).
pub(crate) async fn send_auth_mail(
    _app: &App,
    c: &CollectionRef,
    record: &Record,
    mail: AuthMail,
) -> Result<(), ServiceError> {
    let what = match &mail {
        AuthMail::Otp { otp_id, password } => format!("OTP {otp_id} ({} digits)", password.len()),
        AuthMail::AuthAlert { info } => format!("auth alert ({} chars)", info.len()),
    };
    Err(ServiceError::internal_message(format!(
        "no mailer configured: {what} for {}/{} not sent",
        c.name,
        record.id()
    )))
}
