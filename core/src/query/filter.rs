//! A client's `filter` query parameter, parsed once per request.

use basalt_domain::filter::Expr;
use basalt_ports::{QueryParam, ServiceError};

/// A parsed `filter` (never empty: an empty parameter is no filter).
#[derive(Debug, Clone)]
pub(crate) struct ClientFilter {
    /// The text as sent, for the superuser-only check.
    pub(crate) text: String,
    /// The syntax tree.
    pub(crate) expr: Expr,
}

impl ClientFilter {
    /// Parses `raw`: `None` when absent or empty (only an empty `filter=` means no filter:
    /// whitespace or comments alone are a 400, as PocketBase answers them), otherwise the
    /// tree or [`ServiceError::InvalidParam`] with the syntax error.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Option<Self>, ServiceError> {
        let Some(text) = raw.filter(|f| !f.is_empty()) else {
            return Ok(None);
        };
        match basalt_domain::filter::parse(text) {
            Ok(expr) => Ok(Some(Self {
                text: text.to_owned(),
                expr,
            })),
            Err(e) => Err(ServiceError::InvalidParam {
                param: QueryParam::Filter,
                reason: e.to_string(),
            }),
        }
    }
}
