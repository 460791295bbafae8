//! Who may do what: the superuser gate, and the record API rules turned into SQL through the
//! filter language (`null` → superusers only, `""` → anyone, an expression → a `WHERE`
//! condition evaluated with the caller's `@request` data).

use crate::App;
use basalt_domain::collection::Collection;
use basalt_domain::filter::{
    AuthInfo, CompileOptions, CompiledFilter, FilterContext, FilterError, RequestInfo,
    compile_filter_with,
};
use basalt_ports::{Auth, RequestContext, ServiceError};
use serde_json::{Map, Value};

/// What a record API rule asks of a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Nothing (superusers, or an empty rule).
    Allow,
    /// The rule is `null` and the caller is no superuser.
    SuperusersOnly,
    /// The rule expression must hold for the record.
    Expr(String),
}

/// The gate `rule` puts in front of `auth`; superusers pass every rule.
pub(crate) fn gate(rule: &Option<String>, auth: &Auth) -> Gate {
    if auth.is_superuser() {
        return Gate::Allow;
    }
    match rule.as_deref() {
        None => Gate::SuperusersOnly,
        Some(r) if r.trim().is_empty() => Gate::Allow,
        Some(r) => Gate::Expr(r.to_owned()),
    }
}

/// PocketBase's 403 for a `null` rule.
pub(crate) fn superusers_only() -> ServiceError {
    ServiceError::Forbidden("Only superusers can perform this action.".into())
}

/// PocketBase's 400 for a filter or rule that does not compile.
pub(crate) fn bad_filter(e: impl std::fmt::Display) -> ServiceError {
    tracing::debug!(error = %e, "filter rejected");
    ServiceError::bad_request("Something went wrong while processing your request.")
}

/// A 400 for a `filter` or `sort` the client sent that does not compile: PocketBase's body,
/// plus what is wrong (with the position for syntax errors) under `data.<param>` with code
/// `validation_invalid_<param>`.
pub(crate) fn invalid_param(param: &str, e: impl std::fmt::Display) -> ServiceError {
    tracing::debug!(param, error = %e, "query parameter rejected");
    let mut data = basalt_domain::error::ValidationErrors::new();
    data.add(
        param,
        basalt_domain::error::FieldError::new(format!("validation_invalid_{param}"), e.to_string()),
    );
    ServiceError::BadRequest {
        message: "Something went wrong while processing your request.".into(),
        data,
    }
}

/// Requires a superuser: 401 for guests, 403 for other records.
pub(crate) fn require_superuser(auth: &Auth) -> Result<(), ServiceError> {
    match auth {
        Auth::Guest => Err(ServiceError::Unauthorized(
            "The request requires valid record authorization token.".into(),
        )),
        a if a.is_superuser() => Ok(()),
        _ => Err(ServiceError::Forbidden(
            "The authorized record is not allowed to perform this action.".into(),
        )),
    }
}

/// Non-superusers may not use `@collection.*` or `@request.*` in `filter` or `sort`.
pub(crate) fn check_superuser_only_fields(
    auth: &Auth,
    params: &[Option<&str>],
) -> Result<(), ServiceError> {
    if auth.is_superuser() {
        return Ok(());
    }
    for value in params.iter().flatten() {
        for field in ["@collection.", "@request."] {
            if value.contains(field) {
                return Err(ServiceError::Forbidden(format!(
                    "Only superusers can filter by {field}"
                )));
            }
        }
    }
    Ok(())
}

impl App {
    /// The `@request` data of a call: the auth record (loaded), method, query, headers, body.
    pub(crate) async fn request_info(
        &self,
        req: &RequestContext,
        body: Map<String, Value>,
    ) -> Result<RequestInfo, ServiceError> {
        let auth = match &req.auth {
            Auth::Guest => None,
            Auth::Record {
                collection_id, id, ..
            } => match (self.find_collection(collection_id), &req.auth_record) {
                (Some(c), Some(data)) => Some(AuthInfo {
                    collection: c.shared(),
                    record: Map::clone(data),
                }),
                (Some(c), None) => self.find_record(&c, id).await?.map(|r| AuthInfo {
                    collection: c.shared(),
                    record: r.data,
                }),
                (None, _) => None,
            },
        };
        Ok(RequestInfo {
            auth,
            method: req.method.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body,
            context: "default".into(),
        })
    }

    /// Compiles a rule or filter over `c`'s table (referred to as `alias`) for `info`.
    pub(crate) fn compile_where(
        &self,
        c: &Collection,
        expr: &str,
        info: &RequestInfo,
        alias: &str,
        allow_hidden_fields: bool,
    ) -> Result<CompiledFilter, ServiceError> {
        self.compile_with_params(c, expr, info, alias, allow_hidden_fields, &Map::new())
            .map_err(bad_filter)
    }

    /// Like [`App::compile_where`], binding `{:name}` placeholders from `params`.
    pub(crate) fn compile_with_params(
        &self,
        c: &Collection,
        expr: &str,
        info: &RequestInfo,
        alias: &str,
        allow_hidden_fields: bool,
        params: &Map<String, Value>,
    ) -> Result<CompiledFilter, FilterError> {
        let collections = self.collections();
        let ctx = FilterContext {
            collection: c,
            collections: &collections,
            request: info,
            now: self.now_datetime(),
            params,
            table_alias: alias,
        };
        compile_filter_with(
            expr,
            &ctx,
            CompileOptions {
                allow_hidden_fields,
            },
        )
    }
}
