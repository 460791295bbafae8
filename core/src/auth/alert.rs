//! Auth alerts, as PocketBase's `authAlert`: with the collection's `authAlert.enabled`, each
//! sign-in records its origin (an `_authOrigins` row per record and fingerprint, the MD5 of
//! the client IP + User-Agent) and a sign-in from a new origin of a record that had signed
//! in before sends it the login alert mail. At most 5 origins are kept per record.

use super::mail::{AuthMail, send_auth_mail};
use super::refs::{self, AUTH_ORIGINS};
use crate::App;
use crate::schema::CollectionRef;
use basalt_domain::record::Record;
use basalt_ports::{RequestContext, ServiceError};
use md5::{Digest, Md5};
use serde_json::Value;
use std::time::Duration;

/// How many origins PocketBase keeps per record.
const MAX_AUTH_ORIGINS: usize = 5;

/// How long a sign-in waits for the alert mail (PocketBase's 15 s).
const MAIL_WAIT: Duration = Duration::from_secs(15);

/// Whether the collection's auth alerts are on.
pub(crate) fn enabled(c: &CollectionRef) -> bool {
    c.auth_option("authAlert")
        .and_then(|a| a.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The origin fingerprint of a request: MD5 (hex) of the IP and the User-Agent (cut to
/// 200 bytes plus `...`), and the alert's text.
fn fingerprint(app: &App, req: &RequestContext) -> (String, String) {
    let ip = req.remote_ip.as_deref().unwrap_or_default();
    let mut agent = req.user_agent().to_owned();
    if agent.len() > 200 {
        let mut cut = 200;
        while !agent.is_char_boundary(cut) {
            cut -= 1;
        }
        agent.truncate(cut);
        agent.push_str("...");
    }
    let digest = Md5::digest(format!("{ip}{agent}").as_bytes());
    let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
    let info = format!("{} - {ip} {agent}", app.now());
    (hex, info)
}

/// Records the origin of `record`'s sign-in and sends the alert mail for a new one
/// (not the first). A failure is returned for the caller to log; it never fails the auth.
pub(crate) async fn record_origin(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    req: &RequestContext,
) -> Result<(), ServiceError> {
    let (fingerprint, info) = fingerprint(app, req);
    let origins = refs::find_by_record(app, AUTH_ORIGINS, &c.id, record.id()).await?;
    let first_login = origins.is_empty();
    let current = origins
        .iter()
        .find(|o| o.text("fingerprint") == fingerprint)
        .cloned();
    let is_new = current.is_none();
    let mut current = match current {
        Some(o) => o,
        None => {
            let mut o = refs::new_ref(app, AUTH_ORIGINS, &c.id, record.id())?;
            o.set("fingerprint", Value::from(fingerprint));
            o
        }
    };
    if !first_login && is_new && !record.text("email").is_empty() {
        // Sent in its own task: after the wait it goes on in the background, as
        // PocketBase's fire-and-forget send does.
        let (mail_app, mail_c, mail_record) = (app.clone(), c.clone(), record.clone());
        let mail = tokio::spawn(async move {
            let alert = AuthMail::AuthAlert { info };
            send_auth_mail(&mail_app, &mail_c, &mail_record, alert).await
        });
        match tokio::time::timeout(MAIL_WAIT, mail).await {
            Ok(Ok(sent)) => sent?,
            Ok(Err(joined)) => return Err(ServiceError::internal_message(joined.to_string())),
            Err(_) => {
                return Err(ServiceError::internal_message(
                    "auth alert mail send wait timeout reached",
                ));
            }
        }
    }
    if is_new && origins.len() >= MAX_AUTH_ORIGINS {
        for old in origins.into_iter().skip(MAX_AUTH_ORIGINS - 1) {
            refs::delete_logged(app, old, "old auth origin").await;
        }
    }
    app.save(&mut current).await?;
    Ok(())
}
