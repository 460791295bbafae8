//! The rows of the system collections that point at an auth record (`_mfas`, `_otps`,
//! `_authOrigins`, `_externalAuths`, by `collectionRef` + `recordRef`) follow it, as
//! PocketBase's record-ref hooks do: deleted with the record; a new password deletes its
//! MFA sessions and auth origins, a new token key its OTPs. Run inside the write's
//! transaction.

use crate::App;
use crate::auth::refs::{self, AUTH_ORIGINS, MFAS, OTPS};
use crate::error::AppError;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;

/// PocketBase's `_externalAuths`.
const EXTERNAL_AUTHS: &str = "_externalAuths";

/// Deletes the rows of `tables` pointing at record `id` of `c`.
async fn delete_refs(app: &App, c: &Collection, id: &str, tables: &[&str]) -> Result<(), AppError> {
    for table in tables {
        if app.find_collection(table).is_none() {
            continue;
        }
        for mut row in refs::find_by_record(app, table, &c.id, id).await? {
            app.delete(&mut row).await?;
        }
    }
    Ok(())
}

/// After auth record `id` of `c` was deleted.
pub(crate) async fn on_delete(app: &App, c: &Collection, id: &str) -> Result<(), AppError> {
    if !c.is_auth() {
        return Ok(());
    }
    delete_refs(app, c, id, &[MFAS, OTPS, AUTH_ORIGINS, EXTERNAL_AUTHS]).await
}

/// After auth record `new` of `c` was written over `old`.
pub(crate) async fn on_update(
    app: &App,
    c: &Collection,
    old: &Record,
    new: &Record,
) -> Result<(), AppError> {
    if !c.is_auth() {
        return Ok(());
    }
    if old.text("tokenKey") != new.text("tokenKey") {
        delete_refs(app, c, new.id(), &[OTPS]).await?;
    }
    if old.text("password") != new.text("password") {
        delete_refs(app, c, new.id(), &[MFAS, AUTH_ORIGINS]).await?;
    }
    Ok(())
}
