//! The checks every successful auth passes before its answer, as PocketBase's
//! `recordAuthResponse`: a superuser signs in only from `superuserIPs`, and the record must
//! satisfy its collection's `authRule` (`null`: nobody but a superuser caller; `""`:
//! anyone; an expression: evaluated against the record with the request's `@request`
//! data).

use crate::App;
use crate::query::{Gate, RecordQuery, RequestScope, gate};
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::record::Record;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::Value;

/// [`ServiceError::SuperuserIpDenied`] for a superuser outside `superuserIPs`,
/// [`ServiceError::AuthRuleFailed`] for a record failing `authRule`.
pub(crate) async fn check(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    req: &RequestContext,
) -> Result<(), ServiceError> {
    if c.is_superusers() {
        let allowed = &app.settings().superuser_ips;
        let ip = req.remote_ip.as_deref().and_then(|ip| ip.parse().ok());
        let ok =
            allowed.is_empty() || ip.is_some_and(|ip| basalt_domain::net::ip_in_list(allowed, ip));
        if !ok {
            return Err(ServiceError::SuperuserIpDenied);
        }
    }
    let rule = c
        .auth_option("authRule")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if passes(app, c, record, &rule, req).await? {
        Ok(())
    } else {
        Err(ServiceError::AuthRuleFailed)
    }
}

/// Whether `record` of `c` passes `rule` for the caller of `req` (PocketBase's
/// `CanAccessRecord`: superuser callers pass, `null` fails, `""` passes).
async fn passes(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    rule: &Option<String>,
    req: &RequestContext,
) -> Result<bool, ServiceError> {
    match gate(rule, &req.auth) {
        Gate::Allow => Ok(true),
        Gate::SuperusersOnly => Ok(false),
        Gate::Expr(expr) => matches(app, c, record, &expr, req).await,
    }
}

/// Whether the filter `expr` holds for `record` of `c` with the `@request` data of `req`
/// (no superuser bypass).
pub(crate) async fn matches(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    expr: &str,
    req: &RequestContext,
) -> Result<bool, ServiceError> {
    let mut scope = RequestScope::new(req);
    let q = RecordQuery::new(app, c)
        .id(record.id())
        .gated(&Gate::Expr(expr.to_owned()), &mut scope, "default")
        .await?
        .build();
    Ok(rows::exists(app.db().as_ref(), &q).await?)
}
