//! `POST /api/collections/{c}/auth-with-password`: the identity looked up in each identity
//! field, then `on_record_auth_with_password_request`, whose default action checks the
//! password and answers `{token, record}`.

use super::respond::{collection, respond};
use crate::App;
use crate::hooks::RecordAuthWithPasswordRequestEvent;
use crate::query::RecordQuery;
use crate::store::records as rows;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::hook::Chain;
use basalt_ports::{AuthResponse, Input, RequestContext, ServiceError};

/// What a password sign-in sends.
pub(crate) struct PasswordForm<'a> {
    /// The identity.
    pub(crate) identity: &'a str,
    /// The password.
    pub(crate) password: &'a str,
    /// The identity field asked for.
    pub(crate) identity_field: Option<&'a str>,
    /// The `mfaId` of an MFA started by another method.
    pub(crate) mfa_id: Option<&'a str>,
}

/// Signs in with `identity` (in `identity_field`, or any of the collection's identity
/// fields) and `password`.
pub(crate) async fn sign_in(
    app: &App,
    req: &RequestContext,
    collection: &str,
    form: PasswordForm<'_>,
) -> Result<AuthResponse, ServiceError> {
    let PasswordForm {
        identity,
        password,
        identity_field,
        mfa_id,
    } = form;
    let c = self::collection(app, collection)?;
    let mut errs = ValidationErrors::new();
    if identity.is_empty() {
        errs.add("identity", FieldError::required());
    }
    if password.is_empty() {
        errs.add("password", FieldError::required());
    }
    if !errs.is_empty() {
        return Err(ServiceError::invalid(Input::Form, errs));
    }
    let (enabled, identity_fields) = c.password_auth();
    if !enabled {
        return Err(ServiceError::PasswordAuthDisabled);
    }
    let fields: Vec<String> = match identity_field {
        Some(f) if !f.is_empty() => {
            if !identity_fields.iter().any(|x| x == f) {
                let mut errs = ValidationErrors::new();
                errs.add(
                    "identityField",
                    FieldError::new("validation_in_invalid", "Must be a valid value."),
                );
                return Err(ServiceError::invalid(Input::Form, errs));
            }
            vec![f.to_owned()]
        }
        _ => identity_fields,
    };
    let mut found = None;
    for f in fields.iter().filter(|f| c.field(f).is_some()) {
        let q = RecordQuery::new(app, &c)
            .field_equals(f, identity.into())
            .page(Some(1), 0)
            .build();
        found = rows::select(app.db().as_ref(), &c, &q).await?.pop();
        if found.is_some() {
            break;
        }
    }
    let req = req.clone();
    let mfa_id = mfa_id.map(str::to_owned);
    let mut event = RecordAuthWithPasswordRequestEvent {
        app: app.clone(),
        collection: c,
        identity: identity.to_owned(),
        identity_field: identity_field.unwrap_or_default().to_owned(),
        record: found,
        response: None,
        password: password.to_owned(),
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_auth_with_password_request
        .trigger(&mut event, |e| {
            Box::pin(async move {
                let Some(record) = e.record.clone() else {
                    return Err(ServiceError::AuthFailed);
                };
                let hash = record.text("password").to_owned();
                let plain = e.password.clone();
                let ok = tokio::task::spawn_blocking(move || {
                    bcrypt::verify(plain, &hash).unwrap_or(false)
                })
                .await
                .unwrap_or(false);
                if !ok {
                    return Err(ServiceError::AuthFailed);
                }
                let app = e.app.clone();
                let c = e.collection.clone();
                e.response = Some(
                    respond(&app, &c, record, "password", None, mfa_id.as_deref(), &req).await?,
                );
                Ok(())
            })
        })
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}
