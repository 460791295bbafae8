//! Records CRUD guarded by the collection's API rules, with PocketBase's status semantics:
//! a failing list rule filters, a failing view/update/delete rule is 404, a failing create
//! rule is 400, and a `null` rule is 403 for everyone but superusers.

use super::access::{
    Gate, bad_filter, check_superuser_only_fields, gate, invalid_param, superusers_only,
};
use super::list::{page_bounds, total_pages};
use crate::App;
use crate::error::AppError;
use crate::hooks::{RecordRequestEvent, RecordsListRequestEvent};
use crate::schema::CollectionRef;
use crate::store;
use async_trait::async_trait;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::field::FieldKind;
use basalt_domain::filter::CompiledFilter;
use basalt_domain::record::{AuthInput, Record, Visibility};
use basalt_domain::schema::ident;
use basalt_ports::db::{DbError, SqlValue};
use basalt_ports::hook::Chain;
use basalt_ports::{Auth, ListQuery, ListResult, RecordsApi, RequestContext, ServiceError};
use serde_json::{Map, Value};

fn missing_collection() -> ServiceError {
    ServiceError::NotFound("Missing collection context.".into())
}

fn missing_or_invalid_collection() -> ServiceError {
    ServiceError::NotFound("Missing or invalid collection context.".into())
}

impl App {
    /// The collection `name` for the records endpoints (404 when missing).
    pub(crate) fn record_collection(&self, name: &str) -> Result<CollectionRef, ServiceError> {
        self.find_collection(name).ok_or_else(missing_collection)
    }

    /// Loads one record by id, `None` when absent.
    pub(crate) async fn find_record(
        &self,
        c: &Collection,
        id: &str,
    ) -> Result<Option<Record>, AppError> {
        self.find_guarded(c, id, None).await
    }

    /// What `auth` may see of records of `c`.
    pub(crate) fn visibility(c: &Collection, auth: &Auth, record_id: &str) -> Visibility {
        Self::visibility_managed(c, auth, record_id, false)
    }

    /// [`App::visibility`], where `managed` says the caller passes the collection's
    /// `manageRule` for this record (managers see the email too).
    pub(crate) fn visibility_managed(
        c: &Collection,
        auth: &Auth,
        record_id: &str,
        managed: bool,
    ) -> Visibility {
        let owner = matches!(auth, Auth::Record { collection_id, id, .. } if *collection_id == c.id && id == record_id);
        Visibility {
            hidden: auth.is_superuser(),
            email: auth.is_superuser() || owner || managed,
        }
    }

    /// Hashes a plain password off the async runtime.
    pub(crate) async fn hash_password(&self, plain: String, cost: u32) -> Result<String, AppError> {
        Ok(tokio::task::spawn_blocking(move || bcrypt::hash(plain, cost)).await??)
    }

    /// Fills the values the server generates: autodates, and on create the
    /// `autogeneratePattern` text fields (the id among them) left empty.
    pub(crate) fn fill_generated(
        &self,
        c: &Collection,
        record: &mut Record,
        is_create: bool,
    ) -> Result<(), AppError> {
        let now = self.now();
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
                    let v = self.random_from_pattern(&opts.autogenerate_pattern)?;
                    record.set(&f.name, Value::String(v));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Adds `validation_missing_rel_records` for relation ids that don't exist.
    pub(crate) async fn check_relations(
        &self,
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
            let ids: Vec<String> = match record.get(&f.name) {
                Value::String(s) if !s.is_empty() => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            if ids.is_empty() {
                continue;
            }
            let Some(target) = self.find_collection(&opts.collection_id) else {
                errs.add(f.name.clone(), missing_rel());
                continue;
            };
            let marks = vec!["?"; ids.len()].join(", ");
            let sql = format!(
                "SELECT COUNT(DISTINCT `id`) AS n FROM {} WHERE `id` IN ({marks})",
                ident(&target.name)
            );
            let params: Vec<SqlValue> = ids.iter().map(|i| SqlValue::from(i.as_str())).collect();
            let rows = self.db().query(&sql, &params).await?;
            let found = rows
                .first()
                .and_then(|r| r.get("n"))
                .and_then(SqlValue::as_i64)
                .unwrap_or(0);
            if found != ids.len() as i64 {
                errs.add(f.name.clone(), missing_rel());
            }
        }
        Ok(())
    }
}

impl App {
    /// The `COUNT(*)` of a list query, from the count cache while nothing was written
    /// (never inside a transaction, whose uncommitted rows others don't see).
    async fn count_rows(&self, sql: &str, params: &[SqlValue]) -> Result<i64, ServiceError> {
        let cache = (!self.is_transactional()).then_some(&self.inner.counts);
        let key = crate::count_cache::CountCache::query_key(sql, params);
        if let Some(total) = cache.and_then(|c| c.get(&key)) {
            return Ok(total);
        }
        let version = self.inner.counts.version();
        let rows = self.db().query(sql, params).await.map_err(query_error)?;
        let total = rows
            .first()
            .and_then(|r| r.get("n"))
            .and_then(SqlValue::as_i64)
            .unwrap_or(0);
        if let Some(cache) = cache {
            cache.put(key, version, total);
        }
        Ok(total)
    }
}

/// A list query SQLite rejected: a bad filter or sort (400); anything else stays a 500.
fn query_error(e: DbError) -> ServiceError {
    match e {
        DbError::Query(msg) => bad_filter(msg),
        other => other.into(),
    }
}

fn missing_rel() -> FieldError {
    FieldError::new(
        "validation_missing_rel_records",
        "Failed to find all relation records with the provided ids.",
    )
}

fn failed(action: &str, data: ValidationErrors) -> ServiceError {
    ServiceError::BadRequest {
        message: format!("Failed to {action} record."),
        data,
    }
}

impl App {
    /// Finds record `id` of `c`, also requiring `rule` (if any) to hold for it.
    pub(crate) async fn find_guarded(
        &self,
        c: &Collection,
        id: &str,
        rule: Option<&CompiledFilter>,
    ) -> Result<Option<Record>, AppError> {
        let alias = ident(&c.name);
        let mut sql = format!("SELECT {alias}.* FROM {alias} WHERE {alias}.`id` = ?");
        let mut params = vec![SqlValue::from(id)];
        if let Some(rule) = rule {
            sql.push_str(&format!(" AND ({})", rule.sql));
            params.extend(rule.params.iter().cloned());
        }
        sql.push_str(" LIMIT 1");
        let rows = self.db().query(&sql, &params).await?;
        Ok(rows.first().map(|r| store::record_from_row(c, r)))
    }

    /// The record `id` as `req` may act on it under `rule` (404 when missing or hidden).
    async fn record_for(
        &self,
        c: &Collection,
        req: &RequestContext,
        id: &str,
        rule: &Gate,
        body: &Map<String, Value>,
    ) -> Result<Record, ServiceError> {
        let compiled = match rule {
            Gate::Expr(expr) => {
                let info = self.request_info(req, body.clone()).await?;
                Some(self.compile_where(c, expr, &info, &ident(&c.name), true)?)
            }
            _ => None,
        };
        self.find_guarded(c, id, compiled.as_ref())
            .await?
            .ok_or_else(ServiceError::not_found)
    }

    /// Whether the record about to be created satisfies the create rule: the rule runs
    /// against a one-row CTE of its values, as PocketBase does.
    pub(crate) async fn create_rule_passes(
        &self,
        c: &Collection,
        req: &RequestContext,
        expr: &str,
        record: &Record,
        body: &Map<String, Value>,
    ) -> Result<bool, ServiceError> {
        let info = self.request_info(req, body.clone()).await?;
        let alias = ident("__basalt_new");
        let compiled = self.compile_where(c, expr, &info, &alias, true)?;
        let mut dummy = record.clone();
        if c.is_auth() {
            dummy.set("verified", Value::Bool(false));
        }
        let pairs = dummy.to_sql(c);
        let selects: Vec<String> = pairs
            .iter()
            .map(|(n, _)| format!("? AS {}", ident(n)))
            .collect();
        let mut params: Vec<SqlValue> = pairs.into_iter().map(|(_, v)| v).collect();
        params.extend(compiled.params);
        let sql = format!(
            "WITH {alias} AS (SELECT {}) SELECT 1 AS ok FROM {alias} WHERE ({}) LIMIT 1",
            selects.join(", "),
            compiled.sql
        );
        Ok(!self.db().query(&sql, &params).await?.is_empty())
    }
}

#[async_trait]
impl RecordsApi for App {
    async fn list_records(
        &self,
        req: &RequestContext,
        collection: &str,
        query: ListQuery,
    ) -> Result<ListResult, ServiceError> {
        let auth = &req.auth;
        let c = self.record_collection(collection)?;
        let (page, per_page) = page_bounds(&query);
        let rule = gate(&c.rules.list, auth);
        if rule == Gate::SuperusersOnly {
            return Err(superusers_only());
        }
        // Only an empty `filter=` means no filter: whitespace or comments alone are a 400.
        let filter = query.filter.as_deref().filter(|f| !f.is_empty());
        if let Some(f) = filter {
            basalt_domain::filter::parse(f).map_err(|e| invalid_param("filter", e))?;
        }
        check_superuser_only_fields(auth, &[filter, query.sort.as_deref()])?;
        let alias = ident(&c.name);
        let mut wheres = Vec::new();
        let mut params = Vec::new();
        if matches!(rule, Gate::Expr(_)) || filter.is_some() {
            let info = self.request_info(req, Map::new()).await?;
            if let Gate::Expr(expr) = &rule {
                let compiled = self.compile_where(&c, expr, &info, &alias, true)?;
                wheres.push(format!("({})", compiled.sql));
                params.extend(compiled.params);
            }
            if let Some(filter) = filter {
                let compiled = self
                    .compile_with_params(
                        &c,
                        filter,
                        &info,
                        &alias,
                        auth.is_superuser(),
                        &Map::new(),
                    )
                    .map_err(|e| invalid_param("filter", e))?;
                wheres.push(format!("({})", compiled.sql));
                params.extend(compiled.params);
            }
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let mut page_params = params.clone();
        let order = self.order_by(
            &c,
            query.sort.as_deref(),
            auth.is_superuser(),
            &mut page_params,
        )?;
        let mut sql = format!("SELECT {alias}.* FROM {alias}{where_sql}");
        if !order.is_empty() {
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        sql.push_str(" LIMIT ? OFFSET ?");
        page_params.push(SqlValue::Integer(per_page));
        page_params.push(SqlValue::Integer((page - 1) * per_page));
        // SQLite rejecting a compiled filter or sort (say, a JSON path it can't read) is the
        // client's 400, as in PocketBase, not a 500.
        let rows = self
            .db()
            .query(&sql, &page_params)
            .await
            .map_err(query_error)?;
        let records = rows.iter().map(|r| store::record_from_row(&c, r)).collect();
        let (total_items, total_pages) = if query.skip_total {
            (-1, -1)
        } else {
            let count_sql = format!("SELECT COUNT(*) AS n FROM {alias}{where_sql}");
            let total = self.count_rows(&count_sql, &params).await?;
            (total, total_pages(total, per_page))
        };
        let mut event = RecordsListRequestEvent {
            app: self.clone(),
            request: req.clone(),
            collection: c,
            records,
            result: None,
            chain: Chain::default(),
        };
        self.inner
            .hooks
            .on_records_list_request
            .trigger(&mut event, move |e| {
                Box::pin(async move {
                    let app = e.app.clone();
                    let records = std::mem::take(&mut e.records);
                    let items = app
                        .render_records(&e.collection, &e.request, &Map::new(), records)
                        .await?;
                    e.result = Some(ListResult {
                        page,
                        per_page,
                        total_items,
                        total_pages,
                        items,
                    });
                    Ok(())
                })
            })
            .await?;
        Ok(event.result.unwrap_or(ListResult {
            page,
            per_page,
            total_items,
            total_pages,
            items: Vec::new(),
        }))
    }

    async fn view_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
    ) -> Result<Value, ServiceError> {
        let auth = &req.auth;
        let c = self.record_collection(collection)?;
        let rule = gate(&c.rules.view, auth);
        if rule == Gate::SuperusersOnly {
            return Err(superusers_only());
        }
        let rec = self.record_for(&c, req, id, &rule, &Map::new()).await?;
        let mut event = self.request_event(req, Map::new(), c, rec);
        self.inner
            .hooks
            .on_record_view_request
            .trigger(&mut event, |e| Box::pin(respond_with_record(e)))
            .await?;
        Ok(event.response.unwrap_or(Value::Null))
    }

    async fn create_record(
        &self,
        req: &RequestContext,
        collection: &str,
        body: Map<String, Value>,
    ) -> Result<Value, ServiceError> {
        let auth = &req.auth;
        let c = self
            .find_collection(collection)
            .ok_or_else(missing_or_invalid_collection)?;
        if c.is_view() {
            return Err(ServiceError::bad_request("Unsupported collection type."));
        }
        if gate(&c.rules.create, auth) == Gate::SuperusersOnly {
            return Err(superusers_only());
        }
        let mut record = Record::new(&c);
        let input = record.apply_input(&c, &body, true, auth.is_superuser());
        if let Some(plain) = &input.password {
            record.set_password(plain.clone());
        }
        self.fill_generated(&c, &mut record, true)?;
        let mut event = self.request_event(req, body, c, record);
        self.inner
            .hooks
            .on_record_create_request
            .trigger(&mut event, move |e| Box::pin(api_create(e, input)))
            .await?;
        Ok(event.response.unwrap_or(Value::Null))
    }

    async fn update_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
        body: Map<String, Value>,
    ) -> Result<Value, ServiceError> {
        let auth = &req.auth;
        let c = self
            .find_collection(collection)
            .ok_or_else(missing_or_invalid_collection)?;
        if c.is_view() {
            return Err(ServiceError::bad_request("Unsupported collection type."));
        }
        let rule = gate(&c.rules.update, auth);
        if rule == Gate::SuperusersOnly {
            return Err(superusers_only());
        }
        let original = self.record_for(&c, req, id, &rule, &body).await?;
        let mut record = original.clone();
        let input = record.apply_input(&c, &body, false, auth.is_superuser());
        if let Some(plain) = &input.password {
            record.set_password(plain.clone());
        }
        let mut event = self.request_event(req, body, c, record);
        self.inner
            .hooks
            .on_record_update_request
            .trigger(&mut event, move |e| {
                Box::pin(api_update(e, original, input))
            })
            .await?;
        Ok(event.response.unwrap_or(Value::Null))
    }

    async fn delete_record(
        &self,
        req: &RequestContext,
        collection: &str,
        id: &str,
    ) -> Result<(), ServiceError> {
        let auth = &req.auth;
        let c = self.record_collection(collection)?;
        if c.is_view() {
            return Err(ServiceError::bad_request("Unsupported collection type."));
        }
        let rule = gate(&c.rules.delete, auth);
        if rule == Gate::SuperusersOnly {
            return Err(superusers_only());
        }
        let rec = self.record_for(&c, req, id, &rule, &Map::new()).await?;
        let mut event = self.request_event(req, Map::new(), c, rec);
        self.inner
            .hooks
            .on_record_delete_request
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    let app = e.app.clone();
                    app.delete(&mut e.record)
                        .await
                        .map_err(|err| save_failed("delete", err))
                })
            })
            .await
    }
}

impl App {
    fn request_event(
        &self,
        req: &RequestContext,
        body: Map<String, Value>,
        collection: CollectionRef,
        record: Record,
    ) -> RecordRequestEvent {
        RecordRequestEvent {
            app: self.clone(),
            request: req.clone(),
            body,
            collection,
            record,
            response: None,
            chain: Chain::default(),
        }
    }
}

/// The default action of the view request (and the last step of create/update): the
/// record's response JSON.
async fn respond_with_record(e: &mut RecordRequestEvent) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let json = app
        .render_record(&e.collection, &e.request, &e.body, e.record.clone())
        .await?;
    e.response = Some(json);
    Ok(())
}

/// A failed model save as the API reports it: field errors under "Failed to {action}
/// record.", anything else unchanged.
fn save_failed(action: &str, err: AppError) -> ServiceError {
    match err {
        AppError::Validation(data) => failed(action, data),
        other => other.into(),
    }
}

/// The default action of `on_record_create_request`: the create rule (against the record
/// as it would be stored), the auth form checks, the form's validation, then the save.
async fn api_create(e: &mut RecordRequestEvent, input: AuthInput) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let (c, req, body) = (&e.collection, &e.request, &e.body);
    if let Gate::Expr(expr) = gate(&c.rules.create, &req.auth)
        && !app
            .create_rule_passes(c, req, &expr, &e.record, body)
            .await?
    {
        return Err(failed("create", ValidationErrors::new()));
    }
    if c.is_auth() {
        let manager = match (req.auth.is_superuser(), manage_rule(c, &req.auth)) {
            (true, _) => true,
            (false, Some(expr)) => {
                app.create_rule_passes(c, req, &expr, &e.record, body)
                    .await?
            }
            (false, None) => false,
        };
        let errs = app.auth_form_errors(None, &e.record, &input, manager).await;
        if !errs.is_empty() {
            return Err(failed("create", errs));
        }
    }
    app.form_errors(c, &e.record, &input, true)
        .await
        .map_err(|err| save_failed("create", err))?;
    app.save(&mut e.record)
        .await
        .map_err(|err| save_failed("create", err))?;
    respond_with_record(e).await
}

/// The default action of `on_record_update_request`.
async fn api_update(
    e: &mut RecordRequestEvent,
    original: Record,
    input: AuthInput,
) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let (c, req) = (&e.collection, &e.request);
    if c.is_auth() {
        let manager = match (req.auth.is_superuser(), manage_rule(c, &req.auth)) {
            (true, _) => true,
            (false, Some(expr)) => {
                let info = app.request_info(req, e.body.clone()).await?;
                let compiled = app.compile_where(c, &expr, &info, &ident(&c.name), true)?;
                app.find_guarded(c, original.id(), Some(&compiled))
                    .await?
                    .is_some()
            }
            (false, None) => false,
        };
        let errs = app
            .auth_form_errors(Some(&original), &e.record, &input, manager)
            .await;
        if !errs.is_empty() {
            return Err(failed("update", errs));
        }
    }
    app.form_errors(c, &e.record, &input, false)
        .await
        .map_err(|err| save_failed("update", err))?;
    app.save(&mut e.record)
        .await
        .map_err(|err| save_failed("update", err))?;
    respond_with_record(e).await
}

impl App {
    /// The record form's own check, the password confirmation. When it fails, the field and
    /// relation errors come with it, so the response lists everything at once, as from
    /// PocketBase; otherwise the save's validation reports those (they are not run twice).
    async fn form_errors(
        &self,
        c: &Collection,
        record: &Record,
        input: &AuthInput,
        is_create: bool,
    ) -> Result<(), AppError> {
        if Record::password_confirm_error(c, input, is_create).is_none() {
            return Ok(());
        }
        let mut errs = record.validate(c, input, is_create);
        self.check_relations(c, record, &mut errs).await?;
        if errs.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errs))
        }
    }
}

impl App {
    /// Which of `ids` (records of auth collection `c`) the caller manages through
    /// `manageRule` (empty for superusers, guests, other collections, or no rule).
    pub(crate) async fn managed_ids(
        &self,
        c: &Collection,
        req: &RequestContext,
        ids: &[String],
    ) -> Result<std::collections::HashSet<String>, ServiceError> {
        let mut out = std::collections::HashSet::new();
        let Some(expr) = (c.is_auth() && !req.auth.is_superuser())
            .then(|| manage_rule(c, &req.auth))
            .flatten()
        else {
            return Ok(out);
        };
        if ids.is_empty() {
            return Ok(out);
        }
        let info = self.request_info(req, Map::new()).await?;
        let alias = ident(&c.name);
        let compiled = self.compile_where(c, &expr, &info, &alias, true)?;
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = format!(
            "SELECT {alias}.`id` AS id FROM {alias} WHERE {alias}.`id` IN ({marks}) AND ({})",
            compiled.sql
        );
        let mut params: Vec<SqlValue> = ids.iter().map(|i| SqlValue::from(i.as_str())).collect();
        params.extend(compiled.params);
        for row in self.db().query(&sql, &params).await? {
            out.insert(row.text("id").to_owned());
        }
        Ok(out)
    }
}

/// The manage rule of an auth collection when it can grant anything to `auth`: a non-empty
/// expression and a signed-in caller (an empty or `null` rule means superusers only).
fn manage_rule(c: &Collection, auth: &Auth) -> Option<String> {
    if auth.is_guest() {
        return None;
    }
    c.auth_option("manageRule")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .map(str::to_owned)
}

impl App {
    /// The checks PocketBase's record form makes on auth records: only managers (superusers,
    /// or callers passing `manageRule`) may change `verified` or, on update, `email`; anyone
    /// else changing a password must give the current one as `oldPassword`.
    pub(crate) async fn auth_form_errors(
        &self,
        original: Option<&Record>,
        record: &Record,
        input: &AuthInput,
        manager: bool,
    ) -> ValidationErrors {
        let mut errs = ValidationErrors::new();
        if manager {
            return errs;
        }
        let mismatch = || FieldError::new("validation_values_mismatch", "Values don't match.");
        let original_verified = original.is_some_and(|o| o.get("verified").as_bool() == Some(true));
        if (record.get("verified").as_bool() == Some(true)) != original_verified {
            errs.add("verified", mismatch());
        }
        let Some(original) = original else {
            return errs;
        };
        if record.text("email") != original.text("email") {
            errs.add("email", mismatch());
        }
        let changing = input.password.as_deref().is_some_and(|p| !p.is_empty())
            || input
                .password_confirm
                .as_deref()
                .is_some_and(|p| !p.is_empty());
        if changing {
            let old = input.old_password.clone().unwrap_or_default();
            if old.is_empty() {
                errs.add("oldPassword", FieldError::required());
            } else {
                let hash = original.text("password").to_owned();
                let ok = tokio::task::spawn_blocking(move || {
                    bcrypt::verify(old, &hash).unwrap_or(false)
                })
                .await
                .unwrap_or(false);
                if !ok {
                    errs.add(
                        "oldPassword",
                        FieldError::new(
                            "validation_invalid_old_password",
                            "Missing or invalid old password.",
                        ),
                    );
                }
            }
        }
        errs
    }
}
