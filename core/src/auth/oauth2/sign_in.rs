//! `POST /api/collections/{c}/auth-with-oauth2`: the form checked, the code exchanged, the
//! provider's user fetched, the record looked up (its `_externalAuths` link, the caller's
//! own auth record, or the user's email), then `on_record_auth_with_oauth2_request`, whose
//! default action creates or links the record (`submit.rs`) and answers
//! `{token, record, meta}`.

use super::client::fetch_token;
use super::external_auths;
use super::submit::{submit, unique_index_nocase};
use super::user::fetch_auth_user;
use crate::App;
use crate::auth::respond::{collection, respond};
use crate::error::AppError;
use crate::hooks::RecordAuthWithOAuth2RequestEvent;
use crate::query::RecordQuery;
use crate::records::read::find_by_id;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::oauth2::{OAuth2Config, Provider};
use basalt_domain::record::Record;
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, AuthResponse, Cause, Input, OAuth2Form, RequestContext, ServiceError};
use serde_json::json;

/// PocketBase's checks of the form: a provider (at most 100 characters, one the collection
/// configures) and a code.
fn form_errors(config: &OAuth2Config, form: &OAuth2Form) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    if form.provider.is_empty() {
        errs.add("provider", FieldError::required());
    } else if form.provider.chars().count() > 100 {
        errs.add(
            "provider",
            FieldError::new(
                "validation_length_too_long",
                "The length must be no more than 100.",
            )
            .with_param("max", 100)
            .with_param("min", 0),
        );
    } else if config.provider(&form.provider).is_none() {
        errs.add(
            "provider",
            FieldError::new(
                "validation_invalid_provider",
                format!(
                    "Provider with name {} is missing or is not enabled.",
                    form.provider
                ),
            )
            .with_param("name", form.provider.clone()),
        );
    }
    if form.code.is_empty() {
        errs.add("code", FieldError::required());
    }
    errs
}

/// The auth record of `c` with `email` (case-insensitive when its unique index is).
async fn find_by_email(app: &App, c: &Collection, email: &str) -> Result<Option<Record>, AppError> {
    if c.field("email").is_none() {
        return Ok(None);
    }
    let q = if unique_index_nocase(c, "email") == Some(true) {
        RecordQuery::new(app, c).field_equals_nocase("email", email.into())
    } else {
        RecordQuery::new(app, c).field_equals("email", email.into())
    };
    let q = q.page(Some(1), 0).build();
    Ok(rows::select(app.db().as_ref(), c, &q).await?.pop())
}

/// Signs in with OAuth2.
pub(crate) async fn sign_in(
    app: &App,
    req: &RequestContext,
    collection: &str,
    form: OAuth2Form,
) -> Result<AuthResponse, ServiceError> {
    let c = self::collection(app, collection)?;
    let config = OAuth2Config::from_options(&c.options);
    if !config.enabled {
        return Err(ServiceError::OAuth2Disabled);
    }
    let fallback = match &req.auth {
        Auth::Record {
            collection_id, id, ..
        } if *collection_id == c.id => find_by_id(app, &c, id).await?,
        _ => None,
    };
    let errs = form_errors(&config, &form);
    if !errs.is_empty() {
        return Err(ServiceError::invalid(Input::Submitted, errs));
    }
    let provider = config
        .provider(&form.provider)
        .and_then(Provider::from_config)
        .ok_or_else(|| ServiceError::internal_message("Missing or invalid provider config."))?;
    let verifier = provider.pkce.then_some(form.code_verifier.as_str());
    let token = fetch_token(app, &provider, &form.code, &form.redirect_url, verifier)
        .await
        .map_err(ServiceError::OAuth2TokenFailed)?;
    let mut user = fetch_auth_user(app, &provider, &token)
        .await
        .map_err(ServiceError::OAuth2UserFailed)?;
    if form.provider == "apple" && user.name.is_empty() {
        match app.take_apple_name(&form.code) {
            Some(name) => user.name = name,
            None => tracing::debug!("Missing or already removed Apple user's name"),
        }
    }
    let link = external_auths::find(app, &c.id, &form.provider, &user.id)
        .await
        .map_err(|e| {
            ServiceError::internal_message(format!("Failed OAuth2 relation check: {e}"))
        })?;
    let record = match (&link, fallback) {
        (Some(link), _) => Some(
            find_by_id(app, &c, link.text("recordRef"))
                .await?
                .ok_or(ServiceError::Missing)?,
        ),
        (None, Some(own)) => Some(own),
        (None, None) if !user.email.is_empty() => {
            find_by_email(app, &c, &user.email).await.map_err(|e| {
                ServiceError::internal_message(format!("Failed OAuth2 auth record check: {e}"))
            })?
        }
        _ => None,
    };
    let mut event = RecordAuthWithOAuth2RequestEvent {
        app: app.clone(),
        collection: c,
        request: req.clone(),
        provider_name: form.provider.clone(),
        oauth2_user: user,
        create_data: form.create_data.unwrap_or_default(),
        is_new_record: record.is_none(),
        record,
        response: None,
        mfa_id: form.mfa_id,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_auth_with_oauth2_request
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                submit(e, link).await.map_err(submit_failed)?;
                let record = e
                    .record
                    .clone()
                    .ok_or_else(|| ServiceError::internal_message("no OAuth2 record"))?;
                let mut meta = e.oauth2_user.to_json();
                meta["isNew"] = json!(e.is_new_record);
                let app = e.app.clone();
                let mfa_id = e.mfa_id.clone();
                let req = e.request.clone();
                e.response = Some(
                    respond(
                        &app,
                        &e.collection,
                        record,
                        "oauth2",
                        Some(meta),
                        mfa_id.as_deref(),
                        &req,
                    )
                    .await?,
                );
                Ok(())
            })
        })
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}

/// A failed submit as PocketBase answers it (`firstApiError`): an API error from the record
/// create (its rule, its validation) as it is, field errors of a save under "Failed to
/// authenticate.", anything else "Failed to authenticate." alone.
fn submit_failed(err: AppError) -> ServiceError {
    match err {
        AppError::Service(e) => e,
        AppError::Validation(errors) => ServiceError::BadRequest {
            message: "Failed to authenticate.".into(),
            data: errors,
        },
        other => ServiceError::OAuth2Failed(Cause::new(other)),
    }
}
