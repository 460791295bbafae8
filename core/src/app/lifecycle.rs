//! Starting an app and the `basalt superuser` command, in the library API.

use crate::App;
use crate::error::AppError;
use crate::superuser::{self, SuperuserMode};

impl App {
    /// Runs `on_bootstrap`, whose default action creates the system tables and, on a new
    /// database, the default collections (`_mfas`, `_otps`, `_externalAuths`,
    /// `_authOrigins`, `_superusers`, `users`) in one transaction, then loads the
    /// collections cache and the settings (written with the defaults on a new data dir).
    /// Safe to call on every start.
    pub async fn bootstrap(&self) -> Result<(), AppError> {
        crate::bootstrap::run(self).await
    }

    /// Creates, updates, upserts or deletes the superuser with `email` (what `basalt
    /// superuser …` does). Returns a line to print on success.
    pub async fn superuser(
        &self,
        mode: SuperuserMode,
        email: &str,
        password: Option<&str>,
    ) -> Result<String, AppError> {
        superuser::change(self, mode, email, password).await
    }
}
