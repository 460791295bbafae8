//! Rule checks on single records beyond the lookups' `WHERE`: the create rule against a
//! record that is not stored yet, and the manage rule of auth collections (who may change
//! `verified` and `email`, and see emails).

use crate::App;
use crate::query::{Gate, RecordQuery, RequestScope, manage_rule};
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_ports::ServiceError;
use std::collections::HashSet;

/// Whether the record about to be created passes the create rule `gate`: the rule runs
/// against a one-row CTE of its values, as PocketBase does. `context` is the request's
/// `@request.context` (`default`; `oauth2` for an OAuth2 sign-up).
pub(crate) async fn create_rule_passes(
    app: &App,
    c: &Collection,
    record: &Record,
    gate: &Gate,
    scope: &mut RequestScope<'_>,
    context: &'static str,
) -> Result<bool, ServiceError> {
    if *gate == Gate::Allow {
        return Ok(true);
    }
    let q = RecordQuery::of_values(app, c, record)
        .gated(gate, scope, context)
        .await?
        .build();
    Ok(rows::exists(app.db().as_ref(), &q).await?)
}

/// Whether the caller of `scope` manages the auth record about to be created: a superuser,
/// or one passing the manage rule against the record as it would be stored.
pub(crate) async fn manages_new(
    app: &App,
    c: &Collection,
    record: &Record,
    scope: &mut RequestScope<'_>,
    context: &'static str,
) -> Result<bool, ServiceError> {
    if scope.auth().is_superuser() {
        return Ok(true);
    }
    match manage_rule(c, scope.auth()) {
        Some(rule) => create_rule_passes(app, c, record, &Gate::Expr(rule), scope, context).await,
        None => Ok(false),
    }
}

/// Whether the caller of `scope` manages the stored auth record `id`.
pub(crate) async fn manages_stored(
    app: &App,
    c: &Collection,
    id: &str,
    scope: &mut RequestScope<'_>,
) -> Result<bool, ServiceError> {
    if scope.auth().is_superuser() {
        return Ok(true);
    }
    let Some(rule) = manage_rule(c, scope.auth()) else {
        return Ok(false);
    };
    let q = RecordQuery::new(app, c)
        .id(id)
        .gated(&Gate::Expr(rule), scope, "default")
        .await?
        .build();
    Ok(rows::exists(app.db().as_ref(), &q).await?)
}

/// Which of `ids` (records of auth collection `c`) the caller of `scope` manages through
/// `manageRule` (none for superusers, guests, other collections, or no rule).
pub(crate) async fn managed_ids(
    app: &App,
    c: &Collection,
    scope: &mut RequestScope<'_>,
    ids: &[&str],
) -> Result<HashSet<String>, ServiceError> {
    let Some(rule) = manage_rule(c, scope.auth()) else {
        return Ok(HashSet::new());
    };
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let q = RecordQuery::new(app, c)
        .ids(ids)
        .gated(&Gate::Expr(rule), scope, "default")
        .await?
        .build();
    Ok(rows::select_ids(app.db().as_ref(), &q)
        .await?
        .into_iter()
        .collect())
}
