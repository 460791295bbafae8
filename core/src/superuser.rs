//! `basalt superuser ...`: managing `_superusers` records from the command line, through the
//! same record use cases (validation, hashing) as the API.

use crate::App;
use crate::error::AppError;
use crate::query::RecordQuery;
use crate::store::records as rows;
use basalt_domain::collection::SUPERUSERS;
use basalt_ports::{Auth, RecordsApi, RequestContext, ServiceError};
use serde_json::{Map, Value, json};

/// What to do with the superuser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuperuserMode {
    /// Create, or change the password of an existing one.
    Upsert,
    /// Create; fails if the email exists.
    Create,
    /// Change the password; fails if the email doesn't exist.
    Update,
    /// Delete; succeeds if the email doesn't exist.
    Delete,
    /// Create an OTP (`_superusers` must have `otp.enabled`) and print its id and password.
    Otp,
}

fn system_auth() -> Auth {
    Auth::Record {
        collection_id: String::new(),
        collection_name: SUPERUSERS.into(),
        id: String::new(),
        superuser: true,
    }
}

/// A failed superuser change as the command prints it.
fn describe(e: ServiceError) -> AppError {
    AppError::Config(e.to_string())
}

async fn superuser_id(app: &App, email: &str) -> Result<Option<String>, AppError> {
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(|| AppError::corrupt("_collections", "no _superusers collection"))?;
    let q = RecordQuery::new(app, &c)
        .field_equals("email", email.into())
        .page(Some(1), 0)
        .build();
    Ok(rows::select_ids(app.db().as_ref(), &q).await?.pop())
}

/// Creates, updates, upserts or deletes the superuser with `email`. Returns a line to
/// print on success.
pub(crate) async fn change(
    app: &App,
    mode: SuperuserMode,
    email: &str,
    password: Option<&str>,
) -> Result<String, AppError> {
    if mode == SuperuserMode::Otp {
        return otp(app, email).await;
    }
    let existing = superuser_id(app, email).await?;
    let req = RequestContext::with_auth(system_auth());
    let body = |with_email: bool| -> Result<Map<String, Value>, AppError> {
        let pass = password.ok_or_else(|| AppError::Config("Missing password argument.".into()))?;
        let mut m = Map::new();
        if with_email {
            m.insert("email".into(), json!(email));
            m.insert("verified".into(), json!(true));
        }
        m.insert("password".into(), json!(pass));
        m.insert("passwordConfirm".into(), json!(pass));
        Ok(m)
    };
    match (mode, existing) {
        (SuperuserMode::Delete, None) => Ok(format!(
            "Superuser {email:?} is missing or already deleted."
        )),
        (SuperuserMode::Delete, Some(id)) => {
            app.delete_record(&req, SUPERUSERS, &id)
                .await
                .map_err(describe)?;
            Ok(format!("Successfully deleted superuser {email:?}!"))
        }
        (SuperuserMode::Create, Some(_)) => Err(AppError::Config(format!(
            "Superuser {email:?} already exists."
        ))),
        (SuperuserMode::Update, None) => Err(AppError::Config(format!(
            "Superuser with email {email:?} doesn't exist."
        ))),
        (SuperuserMode::Upsert | SuperuserMode::Update, Some(id)) => {
            app.update_record(&req, SUPERUSERS, &id, body(false)?)
                .await
                .map_err(describe)?;
            Ok(format!(
                "Successfully changed superuser {email:?} password!"
            ))
        }
        (SuperuserMode::Otp, _) => otp(app, email).await,
        (SuperuserMode::Upsert | SuperuserMode::Create, None) => {
            app.create_record(&req, SUPERUSERS, body(true)?)
                .await
                .map_err(describe)?;
            Ok(format!("Successfully saved superuser {email:?}!"))
        }
    }
}

/// `basalt superuser otp EMAIL`, as PocketBase's: a new OTP for the superuser, printed
/// with its password and lifetime.
async fn otp(app: &App, email: &str) -> Result<String, AppError> {
    use crate::auth::otp_request;
    if email.is_empty() || !basalt_domain::field::is_email(email) {
        return Err(AppError::Config("invalid or missing email address".into()));
    }
    let missing = || AppError::Config(format!("superuser with email {email:?} doesn't exist"));
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(|| AppError::corrupt("_collections", "no _superusers collection"))?;
    let id = superuser_id(app, email).await?.ok_or_else(missing)?;
    let record = crate::records::read::find_by_id(app, &c, &id)
        .await?
        .ok_or_else(missing)?;
    let (enabled, duration) = crate::auth::refs::option_on(&c, "otp");
    if !enabled {
        return Err(AppError::Config(
            "OTP auth is not enabled for the _superusers collection".into(),
        ));
    }
    let pass = otp_request::new_password(app, &c).map_err(describe)?;
    let otp_id = otp_request::create(app, &c, &record, &pass)
        .await
        .map_err(|e| AppError::Config(format!("failed to create OTP: {e}")))?;
    Ok(format!(
        "Successfully created OTP for superuser {email:?}:\n├─ Id:    {otp_id}\n├─ Pass:  {pass}\n└─ Valid: {duration}s\n"
    ))
}
