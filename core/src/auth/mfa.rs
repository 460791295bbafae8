//! Multi-factor auth, as PocketBase's `checkMFA`: with the collection's `mfa.enabled` (and
//! `mfa.rule` matching the record; empty = everyone), a first factor stores an `_mfas` row
//! and is answered 401 `{"mfaId"}`; a second factor by another method with that id (the
//! `mfaId` query parameter, else the body's) deletes the row and lets the auth finish.
//! Auth methods named `""` (refresh, impersonate) skip MFA.

use super::refs::{self, MFAS};
use super::rule;
use crate::App;
use crate::schema::CollectionRef;
use basalt_domain::record::Record;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::Value;

/// `Ok(())` when the auth may finish now; [`ServiceError::MfaRequired`] with the new
/// session's id for a first factor; PocketBase's 400s for a bad second one.
pub(crate) async fn check(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    method: &str,
    body_mfa_id: Option<&str>,
    req: &RequestContext,
) -> Result<(), ServiceError> {
    let (enabled, duration) = refs::option_on(c, "mfa");
    if !enabled || method.is_empty() {
        return Ok(());
    }
    if !wants_mfa(app, c, record, req).await? {
        return Ok(());
    }
    let mfa_id = req
        .query
        .get("mfaId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or(body_mfa_id)
        .unwrap_or_default();
    if mfa_id.is_empty() {
        let mut mfa = refs::new_ref(app, MFAS, &c.id, record.id())?;
        mfa.set("method", Value::from(method));
        app.save(&mut mfa).await?;
        return Err(ServiceError::MfaRequired(mfa.id().to_owned()));
    }
    let found = refs::find(app, MFAS, mfa_id).await?;
    let mfa = match found {
        Some(mfa) if !refs::has_expired(app, &mfa, duration) => mfa,
        Some(expired) => {
            refs::delete_logged(app, expired, "expired MFA").await;
            return Err(ServiceError::InvalidMfa);
        }
        None => return Err(ServiceError::InvalidMfa),
    };
    if mfa.text("recordRef") != record.id() || mfa.text("collectionRef") != c.id {
        return Err(ServiceError::MfaOtherRecord);
    }
    if mfa.text("method") == method {
        return Err(ServiceError::MfaSameMethod);
    }
    refs::delete_logged(app, mfa, "used MFA").await;
    Ok(())
}

/// Whether `record` needs MFA: always with an empty `mfa.rule`, else when the rule matches
/// it for the request's caller. A rule that cannot be checked fails the auth, as
/// PocketBase's "safer default" does (400 `Failed to authenticate.`).
async fn wants_mfa(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    req: &RequestContext,
) -> Result<bool, ServiceError> {
    let rule = c
        .auth_option("mfa")
        .and_then(|m| m.get("rule"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if rule.trim().is_empty() {
        return Ok(true);
    }
    // PocketBase evaluates the rule as a filter: a superuser caller does not bypass it.
    rule::matches(app, c, record, rule, req).await.map_err(|e| {
        tracing::debug!(error = %e, "MFA rule failure");
        ServiceError::AuthFailed
    })
}
