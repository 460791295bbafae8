//! What a save does to a record before writing it: the values the server generates, the
//! relation ids checked against the database, the password hashed, and UNIQUE violations
//! read back as field errors.

use crate::App;
use crate::error::AppError;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::FieldKind;
use basalt_domain::query::relation_ids;
use basalt_domain::record::Record;
use basalt_ports::db::DbError;
use serde_json::Value;

/// The bcrypt cost PocketBase uses when a password field's `cost` is 0.
const DEFAULT_BCRYPT_COST: u32 = 10;

/// Fills the values the server generates: autodates, and on create the
/// `autogeneratePattern` text fields (the id among them) left empty.
pub(crate) fn fill_generated(
    app: &App,
    c: &Collection,
    record: &mut Record,
    is_create: bool,
) -> Result<(), AppError> {
    let now = app.now();
    for f in &c.fields {
        match &f.kind {
            FieldKind::Autodate(_) => {
                if let Some(v) = f.autodate_value(&now, is_create) {
                    record.set(&f.name, v);
                }
            }
            FieldKind::Text(opts)
                if is_create
                    && !opts.autogenerate_pattern.is_empty()
                    && record.text(&f.name).is_empty() =>
            {
                let v = app.random_from_pattern(&opts.autogenerate_pattern)?;
                record.set(&f.name, Value::String(v));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Adds `validation_missing_rel_records` for relation ids that don't exist.
pub(crate) async fn check_relations(
    app: &App,
    c: &Collection,
    record: &Record,
    errs: &mut ValidationErrors,
) -> Result<(), AppError> {
    for f in &c.fields {
        let FieldKind::Relation(opts) = &f.kind else {
            continue;
        };
        if errs.get(&f.name).is_some() {
            continue;
        }
        let ids = relation_ids(record.get(&f.name));
        if ids.is_empty() {
            continue;
        }
        let found = match app.find_collection(&opts.collection_id) {
            Some(target) => rows::count_existing(app.db().as_ref(), &target, &ids).await?,
            None => 0,
        };
        if found != ids.len() as i64 {
            errs.add(
                f.name.clone(),
                FieldError::new(
                    "validation_missing_rel_records",
                    "Failed to find all relation records with the provided ids.",
                ),
            );
        }
    }
    Ok(())
}

/// Hashes a plain password off the async runtime.
pub(crate) async fn hash_password(plain: String, cost: u32) -> Result<String, AppError> {
    Ok(tokio::task::spawn_blocking(move || bcrypt::hash(plain, cost)).await??)
}

/// Hashes a password set with [`Record::set_password`] into the password field (and, on an
/// update of an auth record, rotates its token key so older tokens stop working).
pub(crate) async fn hash_pending_password(
    app: &App,
    c: &Collection,
    record: &mut Record,
    is_create: bool,
) -> Result<(), AppError> {
    let Some(plain) = record.pending_password().map(str::to_owned) else {
        return Ok(());
    };
    let Some(field) = c
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::Password(_)))
    else {
        record.clear_pending_password();
        return Ok(());
    };
    let cost = match &field.kind {
        FieldKind::Password(o) if o.cost > 0 => o.cost as u32,
        _ => DEFAULT_BCRYPT_COST,
    };
    let hash = hash_password(plain, cost).await?;
    record.set(&field.name, Value::String(hash));
    record.clear_pending_password();
    if c.is_auth() && !is_create {
        let key = app.random_from_pattern("[a-zA-Z0-9]{50}")?;
        record.set("tokenKey", Value::String(key));
    }
    Ok(())
}

/// On an update of an auth record whose email changed while its token key did not, a new
/// token key, so older tokens stop working (PocketBase's save does the same).
pub(crate) async fn rotate_token_key_on_email_change(
    app: &App,
    c: &Collection,
    record: &mut Record,
    is_create: bool,
) -> Result<(), AppError> {
    if is_create || !c.is_auth() {
        return Ok(());
    }
    let Some(id) = record.stored_id().map(str::to_owned) else {
        return Ok(());
    };
    let Some(stored) = crate::records::read::find_by_id(app, c, &id).await? else {
        return Ok(());
    };
    if stored.text("tokenKey") == record.text("tokenKey")
        && stored.text("email") != record.text("email")
    {
        let key = app.random_from_pattern("[a-zA-Z0-9]{50}")?;
        record.set("tokenKey", Value::String(key));
    }
    Ok(())
}

/// A UNIQUE violation as `validation_not_unique` on each field it names (`id` when none).
pub(crate) fn unique_errors(c: &Collection, error: &DbError) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    for name in error.unique_columns() {
        if c.field(name).is_some() {
            errs.add(
                name,
                FieldError::new("validation_not_unique", "Value must be unique."),
            );
        }
    }
    if errs.is_empty() {
        errs.add(
            "id",
            FieldError::new("validation_not_unique", "Value must be unique."),
        );
    }
    errs
}
