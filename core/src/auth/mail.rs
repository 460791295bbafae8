//! The auth mails this module's flows send (OTP, login alert): `crate::mail`'s.

pub(crate) use crate::mail::{AuthMail, send_auth_mail};
