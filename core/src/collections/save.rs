//! Saving a collection: a request body laid over its scaffold (or the stored definition),
//! completed (default id, system fields, token secrets, a view's fields), validated, then
//! its table migrated and its `_collections` row stored, all in one transaction.

use super::view_fields::infer_view_fields;
use crate::App;
use crate::error::AppError;
use crate::store::collections as store;
use basalt_domain::collection::{
    Collection, CollectionType, TOKEN_KEYS, ValidateContext, default_collection_id,
    ensure_system_fields, merge_json, scaffold_json, validate_collection, validate_rules,
};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::schema;
use basalt_ports::db::Transaction;
use basalt_ports::{Input, ServiceError};
use serde_json::{Value, json};

/// Why a collection could not be saved.
#[derive(Debug)]
pub(crate) enum SaveError {
    /// The definition is invalid (400 with these errors).
    Invalid(ValidationErrors),
    /// SQLite rejected the migration (400 with the raw error, as PocketBase does).
    Rejected(String),
    /// Something else failed.
    App(AppError),
}

impl From<AppError> for SaveError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Db(basalt_ports::DbError::Query(msg)) => SaveError::Rejected(msg),
            AppError::Db(basalt_ports::DbError::Unique(msg)) => SaveError::Rejected(msg),
            other => SaveError::App(other),
        }
    }
}

impl SaveError {
    /// The service error of a failed save that was `input` (a create or an update).
    pub(crate) fn into_service(self, input: Input) -> ServiceError {
        match self {
            SaveError::Invalid(errors) => ServiceError::invalid(input, errors),
            SaveError::Rejected(raw) => ServiceError::CollectionRejected { input, raw },
            SaveError::App(e) => e.into(),
        }
    }
}

/// Builds a new collection from a request body laid over the scaffold of its type.
pub(crate) fn from_body(body: &Value) -> Result<Collection, ValidationErrors> {
    let type_name = body.get("type").and_then(Value::as_str).unwrap_or("base");
    let kind = CollectionType::parse(type_name).unwrap_or(CollectionType::Base);
    let mut base = scaffold_json(kind);
    merge_json(&mut base, body);
    base["type"] = json!(kind.as_str());
    Collection::from_json(&base)
}

/// Lays a request body over a stored collection.
pub(crate) fn with_patch(
    original: &Collection,
    body: &Value,
) -> Result<Collection, ValidationErrors> {
    let mut base = original.to_json(true);
    let mut body = body.clone();
    if let Some(submitted) = body.get("oauth2").and_then(|o| o.get("providers")) {
        let stored = base.get("oauth2").and_then(|o| o.get("providers"));
        let merged = basalt_domain::oauth2::merge_providers(stored, submitted);
        body["oauth2"]["providers"] = merged;
    }
    merge_json(&mut base, &body);
    Collection::from_json(&base)
}

async fn validate_context(
    app: &App,
    tx: &mut dyn Transaction,
    except_id: &str,
) -> Result<ValidateContext, AppError> {
    let collections = app.collections();
    let internal_tables = store::table_names(tx)
        .await?
        .into_iter()
        .filter(|n| !collections.iter().any(|c| c.name.eq_ignore_ascii_case(n)))
        .collect();
    Ok(ValidateContext {
        others: collections
            .iter()
            .filter(|c| c.id != except_id)
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect(),
        internal_tables,
    })
}

/// Completes, validates and stores `c` (new when `original` is `None`) inside `tx`:
/// default id, system fields, token secrets, view fields, the table migration and the
/// `_collections` row. The cache is not reloaded; the caller does that after commit.
pub(crate) async fn save_in(
    app: &App,
    tx: &mut dyn Transaction,
    mut c: Collection,
    original: Option<&Collection>,
) -> Result<Collection, SaveError> {
    if c.id.is_empty() && original.is_none() {
        c.id = default_collection_id(c.kind, &c.name);
        // A generated id that is taken gets a random one, so the clash is reported on
        // what the user chose (the name), as PocketBase does.
        if app.find_collection(&c.id).is_some_and(|o| o.id == c.id) {
            c.id = format!("pbc_{}", app.random_from_pattern("[0-9]{10}")?);
        }
    }
    ensure_system_fields(&mut c);
    c.normalize_indexes();
    if c.is_auth() {
        for key in TOKEN_KEYS {
            let entry = c.options.entry(key).or_insert_with(|| json!({}));
            if entry
                .get("secret")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                let secret = app.random_from_pattern("[a-zA-Z0-9]{50}")?;
                if let Value::Object(o) = entry {
                    o.insert("secret".into(), json!(secret));
                }
            }
        }
    }
    super::auth_options::apply(app, &mut c, original)?;
    let now = app.now();
    c.created = original.map_or_else(|| now.clone(), |o| o.created.clone());
    c.updated = now;

    let ctx = validate_context(app, tx, &c.id).await?;
    if c.is_view() && is_select(c.view_query()) {
        match infer_view_fields(tx, &c).await {
            Ok(fields) => c.fields = fields,
            Err(raw) => {
                let mut errs = ValidationErrors::new();
                errs.add(
                    "viewQuery",
                    FieldError::new(
                        "validation_invalid_view_query",
                        format!("Invalid query - {raw}"),
                    ),
                );
                return Err(SaveError::Invalid(errs));
            }
        }
    } else if c.is_view() && !c.view_query().trim().is_empty() {
        let mut errs = ValidationErrors::new();
        errs.add(
            "viewQuery",
            FieldError::new(
                "validation_invalid_view_query",
                "Invalid query - only a single SELECT statement is allowed.",
            ),
        );
        return Err(SaveError::Invalid(errs));
    }
    let mut errs = validate_collection(&c, original, &ctx);
    for (key, err) in validate_rules(&c, &app.collections()).0 {
        errs.0.entry(key).or_insert(err);
    }
    if !errs.is_empty() {
        return Err(SaveError::Invalid(errs));
    }
    let (table, indexes) = match original {
        None => (
            schema::create_table_statements(&c),
            schema::create_index_statements(&c),
        ),
        Some(o) => (
            schema::alter_table_statements(o, &c),
            schema::create_index_statements(&c),
        ),
    };
    store::run_statements(tx, &table).await?;
    let mut index_errs = ValidationErrors::new();
    for (i, sql) in indexes.iter().enumerate() {
        if let Err(e) = tx.execute(sql, &[]).await {
            tracing::debug!(error = %e, %sql, "index rejected");
            index_errs.add(
                i.to_string(),
                FieldError::new(
                    "validation_invalid_index_expression",
                    "Invalid CREATE INDEX expression.",
                ),
            );
        }
    }
    if !index_errs.is_empty() {
        let mut errs = ValidationErrors::new();
        errs.add_nested("indexes", index_errs);
        return Err(SaveError::Invalid(errs));
    }
    match original {
        None => store::insert(tx, &c).await?,
        Some(_) => store::update(tx, &c).await?,
    }
    Ok(c)
}

/// Saves one collection in its own transaction and reloads the cache.
pub(crate) async fn store(
    app: &App,
    c: Collection,
    original: Option<&Collection>,
) -> Result<Collection, SaveError> {
    let mut tx = app.db().begin().await.map_err(AppError::from)?;
    let saved = save_in(app, tx.as_mut(), c, original).await?;
    tx.commit().await.map_err(AppError::from)?;
    app.reload_collections().await?;
    Ok(saved)
}

fn is_select(query: &str) -> bool {
    let q = query.trim().trim_end_matches(';');
    q.len() > 6 && q[..6].eq_ignore_ascii_case("select") && !q.contains(';')
}
