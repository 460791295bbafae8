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
        (SuperuserMode::Upsert | SuperuserMode::Create, None) => {
            app.create_record(&req, SUPERUSERS, body(true)?)
                .await
                .map_err(describe)?;
            Ok(format!("Successfully saved superuser {email:?}!"))
        }
    }
}
