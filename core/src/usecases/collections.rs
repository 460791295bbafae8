//! Collections management: create, update, delete, import, truncate (superusers only), all
//! through one save path that validates, migrates the table and stores the row atomically.

use super::view_fields::infer_view_fields;
use crate::App;
use crate::error::AppError;
use crate::query::require_superuser;
use crate::records::read::{page_bounds, total_pages};
use crate::store::collections as store;
use async_trait::async_trait;
use basalt_domain::collection::{
    Collection, CollectionType, ValidateContext, default_collection_id, ensure_system_fields,
    merge_json, scaffold_json, scaffolds, validate_collection, validate_rules,
};
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::schema;
use basalt_ports::db::Transaction;
use basalt_ports::{Auth, CollectionsApi, Input, ListQuery, ListResult, ServiceError};
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

const TOKEN_KEYS: [&str; 5] = [
    "authToken",
    "fileToken",
    "passwordResetToken",
    "emailChangeToken",
    "verificationToken",
];

impl App {
    /// Builds a new collection from a request body laid over the scaffold of its type.
    pub(crate) fn collection_from_body(
        &self,
        body: &Value,
    ) -> Result<Collection, ValidationErrors> {
        let type_name = body.get("type").and_then(Value::as_str).unwrap_or("base");
        let kind = CollectionType::parse(type_name).unwrap_or(CollectionType::Base);
        let mut base = scaffold_json(kind);
        merge_json(&mut base, body);
        base["type"] = json!(kind.as_str());
        Collection::from_json(&base)
    }

    /// Lays a request body over a stored collection.
    pub(crate) fn collection_with_patch(
        original: &Collection,
        body: &Value,
    ) -> Result<Collection, ValidationErrors> {
        let mut base = original.to_json(true);
        merge_json(&mut base, body);
        Collection::from_json(&base)
    }

    async fn validate_context(
        &self,
        tx: &mut dyn Transaction,
        except_id: &str,
    ) -> Result<ValidateContext, AppError> {
        let collections = self.collections();
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
    pub(crate) async fn save_collection_in(
        &self,
        tx: &mut dyn Transaction,
        mut c: Collection,
        original: Option<&Collection>,
    ) -> Result<Collection, SaveError> {
        if c.id.is_empty() && original.is_none() {
            c.id = default_collection_id(c.kind, &c.name);
            // A generated id that is taken gets a random one, so the clash is reported on
            // what the user chose (the name), as PocketBase does.
            if self.find_collection(&c.id).is_some_and(|o| o.id == c.id) {
                c.id = format!("pbc_{}", self.random_from_pattern("[0-9]{10}")?);
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
                    let secret = self.random_from_pattern("[a-zA-Z0-9]{50}")?;
                    if let Value::Object(o) = entry {
                        o.insert("secret".into(), json!(secret));
                    }
                }
            }
        }
        let now = self.now();
        c.created = original.map_or_else(|| now.clone(), |o| o.created.clone());
        c.updated = now;

        let ctx = self.validate_context(tx, &c.id).await?;
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
        for (key, err) in validate_rules(&c, &self.collections()).0 {
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
    pub(crate) async fn store_collection(
        &self,
        c: Collection,
        original: Option<&Collection>,
    ) -> Result<Collection, SaveError> {
        let mut tx = self.db().begin().await.map_err(AppError::from)?;
        let saved = self.save_collection_in(tx.as_mut(), c, original).await?;
        tx.commit().await.map_err(AppError::from)?;
        self.reload_collections().await?;
        Ok(saved)
    }

    pub(crate) async fn delete_collection_in(
        &self,
        tx: &mut dyn Transaction,
        c: &Collection,
    ) -> Result<(), ServiceError> {
        if c.system {
            return Err(ServiceError::invalid(
                Input::CollectionDelete,
                ValidationErrors::new(),
            ));
        }
        let referencing: Vec<String> = self
            .collections()
            .iter()
            .filter(|other| other.id != c.id && other.relates_to(&c.id))
            .map(|other| other.name.clone())
            .collect();
        if !referencing.is_empty() {
            return Err(ServiceError::CollectionReferenced(referencing));
        }
        store::run_statements(tx, &schema::drop_statements(c)).await?;
        store::delete(tx, &c.id).await?;
        Ok(())
    }

    fn found(&self, id_or_name: &str) -> Result<Collection, ServiceError> {
        self.find_collection(id_or_name)
            .map(|c| c.to_collection())
            .ok_or_else(ServiceError::not_found)
    }
}

fn is_select(query: &str) -> bool {
    let q = query.trim().trim_end_matches(';');
    q.len() > 6 && q[..6].eq_ignore_ascii_case("select") && !q.contains(';')
}

impl App {
    /// Imports collection definitions (PocketBase's `ImportCollections`), in one transaction:
    /// each item (PocketBase's collection JSON) creates a collection, or replaces the
    /// definition of the stored one with its id (or, without an id, its name). With
    /// `delete_missing`, non-system collections not in `collections` are dropped. This is
    /// what `POST /api/collections/import` and `basalt migrate collections` snapshots run.
    /// (The service API's version is `CollectionsApi::import_collections(&app, &auth, body)`.)
    ///
    /// A rejected item fails the whole import with PocketBase's 400
    /// (`data.collections.code = "validation_collections_import_failure"`).
    pub async fn import_collections(
        &self,
        collections: &[Value],
        delete_missing: bool,
    ) -> Result<(), AppError> {
        Ok(self
            .import_collection_items(collections, delete_missing)
            .await?)
    }

    /// [`App::import_collections`] from a JSON array of collections (PocketBase's
    /// `ImportCollectionsByMarshaledJSON`).
    pub async fn import_collections_by_marshaled_json(
        &self,
        json: &str,
        delete_missing: bool,
    ) -> Result<(), AppError> {
        let items: Vec<Value> = serde_json::from_str(json)
            .map_err(|e| AppError::Config(format!("collections import: invalid JSON: {e}")))?;
        self.import_collections(&items, delete_missing).await
    }

    async fn import_collection_items(
        &self,
        items: &[Value],
        delete_missing: bool,
    ) -> Result<(), ServiceError> {
        if items.is_empty() {
            let mut data = ValidationErrors::new();
            data.add("collections", FieldError::required());
            return Err(ServiceError::invalid(Input::Form, data));
        }
        self.run_in_transaction(|tx| async move {
            tx.import_in_transaction(items, delete_missing)
                .await
                .map_err(AppError::from)
        })
        .await
        .map_err(ServiceError::from)
    }

    /// The import on a transactional app. The cache is reloaded after each item, so a later
    /// item may relate to (or name in its rules) an earlier one.
    async fn import_in_transaction(
        &self,
        items: &[Value],
        delete_missing: bool,
    ) -> Result<(), ServiceError> {
        let import_failed = |msg: String| {
            let mut data = ValidationErrors::new();
            data.add(
                "collections",
                FieldError::new("validation_collections_import_failure", msg),
            );
            ServiceError::invalid(Input::CollectionsImport, data)
        };
        let mut tx = self.db().begin().await?;
        let mut kept: Vec<String> = Vec::new();
        for item in items {
            let id = item.get("id").and_then(Value::as_str).unwrap_or("");
            let name = item.get("name").and_then(Value::as_str).unwrap_or("");
            let existing = self
                .collections()
                .iter()
                .find(|c| {
                    (!id.is_empty() && c.id == id)
                        || (id.is_empty() && c.name.eq_ignore_ascii_case(name))
                })
                .cloned();
            // An imported definition replaces the stored one whole (keeping its id).
            let mut c = self
                .collection_from_body(item)
                .map_err(|e| import_failed(format!("Invalid collection \"{name}\": {e}.")))?;
            if let Some(o) = &existing {
                c.id = o.id.clone();
            }
            let saved = match self
                .save_collection_in(tx.as_mut(), c, existing.as_ref())
                .await
            {
                Ok(saved) => saved,
                Err(SaveError::App(e)) => return Err(e.into()),
                Err(SaveError::Invalid(errs)) => {
                    return Err(import_failed(format!(
                        "Collections import failed for \"{name}\": {errs}."
                    )));
                }
                Err(SaveError::Rejected(raw)) => {
                    return Err(import_failed(format!(
                        "Collections import failed for \"{name}\": {raw}."
                    )));
                }
            };
            kept.push(saved.id);
            self.reload_collections_in(tx.as_mut()).await?;
        }
        if delete_missing {
            let missing: Vec<Collection> = self
                .collections()
                .iter()
                .filter(|c| !c.system && !kept.contains(&c.id))
                .cloned()
                .collect();
            for c in missing {
                store::run_statements(tx.as_mut(), &schema::drop_statements(&c)).await?;
                store::delete(tx.as_mut(), &c.id).await?;
            }
        }
        self.reload_collections_in(tx.as_mut()).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl CollectionsApi for App {
    async fn list_collections(
        &self,
        auth: &Auth,
        query: ListQuery,
    ) -> Result<ListResult, ServiceError> {
        require_superuser(auth)?;
        let mut all: Vec<Value> = self
            .collections()
            .iter()
            .map(|c| c.to_json(false))
            .collect();
        if let Some(sort) = query.sort.as_deref().filter(|s| !s.trim().is_empty()) {
            sort_json(&mut all, sort)?;
        }
        let (page, per_page) = page_bounds(&query);
        Ok(paginate(all, page, per_page, query.skip_total))
    }

    async fn view_collection(&self, auth: &Auth, id_or_name: &str) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        Ok(self.found(id_or_name)?.to_json(false))
    }

    async fn create_collection(&self, auth: &Auth, body: Value) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        if !body.is_object() {
            return Err(ServiceError::InvalidFormat);
        }
        let type_name = body.get("type").and_then(Value::as_str).unwrap_or("");
        if !type_name.is_empty() && CollectionType::parse(type_name).is_none() {
            let mut data = ValidationErrors::new();
            data.add(
                "type",
                FieldError::new("validation_in_invalid", "Must be a valid value."),
            );
            return Err(ServiceError::invalid(Input::CollectionCreate, data));
        }
        let c = self
            .collection_from_body(&body)
            .map_err(|_| ServiceError::InvalidFormat)?;
        let mut c = c;
        self.save_collection(&mut c).await?;
        Ok(c.to_json(false))
    }

    async fn update_collection(
        &self,
        auth: &Auth,
        id_or_name: &str,
        body: Value,
    ) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        let original = self.found(id_or_name)?;
        if !body.is_object() {
            return Err(ServiceError::InvalidFormat);
        }
        let c = Self::collection_with_patch(&original, &body)
            .map_err(|_| ServiceError::InvalidFormat)?;
        let mut c = c;
        self.save_collection(&mut c).await?;
        Ok(c.to_json(false))
    }

    async fn delete_collection(&self, auth: &Auth, id_or_name: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let c = self.found(id_or_name)?;
        self.drop_collection(&c).await?;
        Ok(())
    }

    async fn import_collections(&self, auth: &Auth, body: Value) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let items = match body.get("collections") {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let delete_missing = body
            .get("deleteMissing")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        self.import_collection_items(items, delete_missing).await
    }

    async fn collection_scaffolds(&self, auth: &Auth) -> Result<Value, ServiceError> {
        require_superuser(auth)?;
        Ok(scaffolds().clone())
    }

    async fn truncate_collection(&self, auth: &Auth, id_or_name: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let c = self.found(id_or_name)?;
        if c.is_view() {
            return Err(ServiceError::TruncateView);
        }
        // PocketBase answers any failed truncate with this 400 (the cause is logged)
        self.truncate_records(&c)
            .await
            .map_err(|e| ServiceError::TruncateBlocked(basalt_ports::Cause::new(e)))?;
        Ok(())
    }
}

/// Sorts collection JSON by `name`, `created`, ... (`-` for descending).
fn sort_json(items: &mut [Value], sort: &str) -> Result<(), ServiceError> {
    let keys: Vec<(String, bool)> = sort
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| match k.strip_prefix('-') {
            Some(rest) => (rest.to_owned(), true),
            None => (k.trim_start_matches('+').to_owned(), false),
        })
        .collect();
    const SORTABLE: [&str; 6] = ["id", "name", "type", "system", "created", "updated"];
    if keys.iter().any(|(k, _)| !SORTABLE.contains(&k.as_str())) {
        return Err(ServiceError::InvalidCollectionSort);
    }
    items.sort_by(|a, b| {
        for (k, desc) in &keys {
            let ord = a[k].to_string().cmp(&b[k].to_string());
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(())
}

/// One page of an in-memory list.
fn paginate(items: Vec<Value>, page: i64, per_page: i64, skip_total: bool) -> ListResult {
    let total = items.len() as i64;
    let start = ((page - 1) * per_page).max(0) as usize;
    let items: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    let (total_items, total_pages) = if skip_total {
        (-1, -1)
    } else {
        (total, total_pages(total, per_page))
    };
    ListResult {
        page,
        per_page,
        total_items,
        total_pages,
        items,
    }
}
