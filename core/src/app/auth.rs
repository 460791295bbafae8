//! The auth part of the library API.

use crate::App;
use crate::auth::tokens;
use crate::error::AppError;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;

impl App {
    /// Signs a new auth token for `record` of auth collection `c`.
    pub fn new_auth_token(&self, c: &Collection, record: &Record) -> Result<String, AppError> {
        tokens::sign(self, c, record)
    }
}
