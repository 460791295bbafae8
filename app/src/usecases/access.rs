//! Who may do what: the superuser gate and the API rule checks of this stage (a `null` rule
//! is superusers only, `""` is anyone; other expressions are evaluated by the filter
//! language, which until then denies: it never grants access it cannot check).

use basalt_ports::{Auth, ServiceError};

/// Outcome of checking a record API rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleCheck {
    /// Allowed.
    Allow,
    /// The rule is `null` and the caller is no superuser.
    SuperusersOnly,
    /// The rule expression did not pass for this caller.
    Deny,
}

/// Checks `rule` for `auth`; superusers pass every rule.
pub(crate) fn check_rule(rule: &Option<String>, auth: &Auth) -> RuleCheck {
    if auth.is_superuser() {
        return RuleCheck::Allow;
    }
    match rule.as_deref() {
        None => RuleCheck::SuperusersOnly,
        Some(r) if r.trim().is_empty() => RuleCheck::Allow,
        Some(_) => RuleCheck::Deny,
    }
}

/// PocketBase's 403 for a `null` rule.
pub(crate) fn superusers_only() -> ServiceError {
    ServiceError::Forbidden("Only superusers can perform this action.".into())
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
