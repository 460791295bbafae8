//! What a record API rule asks of a caller: `null` → superusers only, `""` → anyone, an
//! expression → a condition on the record, evaluated with the caller's `@request` data.
//! Superusers pass every rule.

use basalt_domain::collection::Collection;
use basalt_ports::{Auth, ServiceError};
use serde_json::Value;

/// What a rule asks of a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Nothing (superusers, or an empty rule).
    Allow,
    /// The rule is `null` and the caller is no superuser.
    SuperusersOnly,
    /// The rule expression must hold for the record.
    Expr(String),
}

impl Gate {
    /// [`ServiceError::SuperusersOnly`] for a `null` rule, as the record endpoints answer
    /// it; the gate itself otherwise.
    pub(crate) fn or_forbidden(self) -> Result<Gate, ServiceError> {
        match self {
            Gate::SuperusersOnly => Err(ServiceError::SuperusersOnly),
            other => Ok(other),
        }
    }
}

/// The gate `rule` puts in front of `auth`.
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

/// The manage rule of an auth collection when it can grant anything to `auth`: a non-empty
/// expression and a signed-in caller who is no superuser (superusers manage everything; an
/// empty or `null` rule grants nothing).
pub(crate) fn manage_rule(c: &Collection, auth: &Auth) -> Option<String> {
    if !c.is_auth() || auth.is_guest() || auth.is_superuser() {
        return None;
    }
    c.auth_option("manageRule")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .map(str::to_owned)
}

/// Requires a superuser: 401 for guests, 403 for other records.
pub(crate) fn require_superuser(auth: &Auth) -> Result<(), ServiceError> {
    match auth {
        Auth::Guest => Err(ServiceError::AuthRequired),
        a if a.is_superuser() => Ok(()),
        _ => Err(ServiceError::NotAllowed),
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
                return Err(ServiceError::SuperuserOnlyFilter(field));
            }
        }
    }
    Ok(())
}
