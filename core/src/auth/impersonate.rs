//! `POST /api/collections/{c}/impersonate/{id}`, as PocketBase's `recordAuthImpersonate`:
//! superusers only (401 for guests, 403 for other records), a non-refreshable token for the
//! record valid for `duration` seconds (0: the collection's `authToken.duration`),
//! answered as every auth is but without MFA and auth alert (method `""`).

use super::respond::{Finish, finish};
use super::{form, tokens};
use crate::App;
use crate::query::require_superuser;
use basalt_domain::error::ValidationErrors;
use basalt_ports::{AuthResponse, CollectionLookup, RequestContext, ServiceError};

/// A token of record `id` of `collection` for the superuser calling.
pub(crate) async fn impersonate(
    app: &App,
    req: &RequestContext,
    collection: &str,
    id: &str,
    duration: i64,
) -> Result<AuthResponse, ServiceError> {
    require_superuser(&req.auth)?;
    // No collection rate limit runs first here, so a missing collection gets the auth
    // lookup's message too (as PocketBase's `findAuthCollection`).
    let c = app
        .find_collection(collection)
        .filter(|c| c.is_auth())
        .ok_or(ServiceError::MissingCollection(CollectionLookup::Auth))?;
    let record = crate::records::read::find_by_id(app, &c, id)
        .await?
        .ok_or(ServiceError::Missing)?;
    let mut errs = ValidationErrors::new();
    form::min(&mut errs, "duration", duration, 0);
    form::result(errs)?;
    let token = tokens::sign_static(app, &c, &record, duration)?;
    let auth = Finish {
        token,
        method: "",
        meta: None,
        mfa_id: None,
    };
    finish(app, &c, record, auth, req).await
}
