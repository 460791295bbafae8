//! Creating and updating records through the API: the body applied to the record
//! (`+`/`-` modifiers, the password), `on_record_create_request` / `_update_request`, whose
//! default action checks the rule (create: a failing rule is a 400, run against the record
//! as it would be stored; update: the lookup's 404), the auth-record form checks, the
//! password confirmation, then saves through the model hooks and renders the response.

use super::access::{create_rule_passes, manages_new, manages_stored};
use super::auth_form::auth_form_errors;
use super::model::{self, Checks};
use super::read::{collection, find_guarded, respond_with_record};
use crate::App;
use crate::error::AppError;
use crate::hooks::RecordRequestEvent;
use crate::query::{RequestScope, gate};
use basalt_domain::collection::Collection;
use basalt_domain::error::ValidationErrors;
use basalt_domain::record::{AuthInput, Record};
use basalt_ports::{CollectionLookup, Input, RecordForm, RequestContext, ServiceError, Upload};
use serde_json::{Map, Value};

/// A failed model save as the API reports it: the record's field errors under `input`
/// (create or update), anything else unchanged.
pub(crate) fn save_failed(input: Input, err: AppError) -> ServiceError {
    match err {
        AppError::Validation(errors) => ServiceError::invalid(input, errors),
        other => other.into(),
    }
}

/// `POST /api/collections/{c}/records`.
pub(crate) async fn create(
    app: &App,
    req: &RequestContext,
    collection: &str,
    form: RecordForm,
) -> Result<Value, ServiceError> {
    create_in(app, req, collection, form, "default").await
}

/// [`create`] with the rules seeing `@request.context` as `context` (PocketBase's internal
/// create request of an OAuth2 sign-up runs in the `oauth2` context).
pub(crate) async fn create_in(
    app: &App,
    req: &RequestContext,
    collection: &str,
    form: RecordForm,
    context: &'static str,
) -> Result<Value, ServiceError> {
    let c = self::collection(app, collection, CollectionLookup::RecordsWrite)?;
    if c.is_view() {
        return Err(ServiceError::UnsupportedCollectionType);
    }
    gate(&c.rules.create, &req.auth).or_forbidden()?;
    let RecordForm { body, files } = form;
    let mut record = Record::new(&c);
    let input = record.apply_input(&c, &body, true, req.auth.is_superuser());
    apply_uploads(app, &c, &mut record, &body, files)?;
    if let Some(plain) = &input.password {
        record.set_password(plain.clone());
    }
    let mut event = RecordRequestEvent::new(app.clone(), req.clone(), body, c, record);
    app.hooks()
        .on_record_create_request
        .trigger(&mut event, move |e| Box::pin(api_create(e, input, context)))
        .await?;
    Ok(event.response.unwrap_or(Value::Null))
}

/// `PATCH /api/collections/{c}/records/{id}`.
pub(crate) async fn update(
    app: &App,
    req: &RequestContext,
    collection: &str,
    id: &str,
    form: RecordForm,
) -> Result<Value, ServiceError> {
    let RecordForm { body, files } = form;
    let c = self::collection(app, collection, CollectionLookup::RecordsWrite)?;
    if c.is_view() {
        return Err(ServiceError::UnsupportedCollectionType);
    }
    let gate = gate(&c.rules.update, &req.auth).or_forbidden()?;
    let mut scope = RequestScope::with_body(req, body.clone());
    let original = find_guarded(app, &c, id, &gate, &mut scope).await?;
    let mut record = original.clone();
    let input = record.apply_input(&c, &body, false, req.auth.is_superuser());
    apply_uploads(app, &c, &mut record, &body, files)?;
    if let Some(plain) = &input.password {
        record.set_password(plain.clone());
    }
    let mut event = RecordRequestEvent::new(app.clone(), req.clone(), body, c, record);
    app.hooks()
        .on_record_update_request
        .trigger(&mut event, move |e| {
            Box::pin(api_update(e, original, input))
        })
        .await?;
    Ok(event.response.unwrap_or(Value::Null))
}

/// The form's uploaded files applied to `record` (named as PocketBase names stored files).
fn apply_uploads(
    app: &App,
    c: &Collection,
    record: &mut Record,
    body: &Map<String, Value>,
    files: Vec<Upload>,
) -> Result<(), ServiceError> {
    if files.is_empty() {
        return Ok(());
    }
    let uploads = files
        .into_iter()
        .map(|up| crate::files::uploads::from_upload(app, up))
        .collect::<Result<Vec<_>, AppError>>()?;
    record.apply_uploads(c, body, uploads);
    Ok(())
}

/// The default action of `on_record_create_request`: the create rule (against the record
/// as it would be stored), the auth form checks, the form's validation, then the save.
async fn api_create(
    e: &mut RecordRequestEvent,
    input: AuthInput,
    context: &'static str,
) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let c = e.collection.clone();
    let mut scope = RequestScope::with_body(&e.request, e.body.clone());
    let gate = gate(&c.rules.create, scope.auth()).or_forbidden()?;
    if !create_rule_passes(&app, &c, &e.record, &gate, &mut scope, context).await? {
        return Err(ServiceError::invalid(
            Input::RecordCreate,
            ValidationErrors::new(),
        ));
    }
    if c.is_auth() {
        let manager = manages_new(&app, &c, &e.record, &mut scope, context).await?;
        let errs = auth_form_errors(None, &e.record, &input, manager).await;
        if !errs.is_empty() {
            return Err(ServiceError::invalid(Input::RecordCreate, errs));
        }
    }
    form_errors(&app, &c, &e.record, &input, true)
        .await
        .map_err(|err| save_failed(Input::RecordCreate, err))?;
    model::save(&app, &mut e.record, Checks::Validate)
        .await
        .map_err(|err| save_failed(Input::RecordCreate, err))?;
    respond_with_record(e).await
}

/// The default action of `on_record_update_request`.
async fn api_update(
    e: &mut RecordRequestEvent,
    original: Record,
    input: AuthInput,
) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let c = e.collection.clone();
    if c.is_auth() {
        let mut scope = RequestScope::with_body(&e.request, e.body.clone());
        let manager = manages_stored(&app, &c, original.id(), &mut scope).await?;
        let errs = auth_form_errors(Some(&original), &e.record, &input, manager).await;
        if !errs.is_empty() {
            return Err(ServiceError::invalid(Input::RecordUpdate, errs));
        }
    }
    form_errors(&app, &c, &e.record, &input, false)
        .await
        .map_err(|err| save_failed(Input::RecordUpdate, err))?;
    model::save(&app, &mut e.record, Checks::Validate)
        .await
        .map_err(|err| save_failed(Input::RecordUpdate, err))?;
    respond_with_record(e).await
}

/// The record form's own check, the password confirmation. When it fails, the field and
/// relation errors come with it (of the record with its generated values, as the save
/// would see it), so the response lists everything at once, as from PocketBase; otherwise
/// the save's validation reports those (they are not run twice).
async fn form_errors(
    app: &App,
    c: &Collection,
    record: &Record,
    input: &AuthInput,
    is_create: bool,
) -> Result<(), AppError> {
    if Record::password_confirm_error(c, input, is_create).is_none() {
        return Ok(());
    }
    // checked as the save would check it: with the values the server generates
    let mut record = record.clone();
    super::prepare::fill_generated(app, c, &mut record, is_create)?;
    let mut errs = record.validate(c, input, is_create);
    super::prepare::check_relations(app, c, &record, &mut errs).await?;
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errs))
    }
}
