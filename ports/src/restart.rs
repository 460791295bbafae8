//! The driven port that restarts the running process (PocketBase's `app.Restart()`, which
//! re-executes the binary with its arguments): a restore needs it to reopen the restored
//! data dir. The composition root implements it; the core names no process API.

/// Why a restart did not happen.
#[derive(Debug, thiserror::Error)]
#[error("failed to restart the app process: {0}")]
pub struct RestartError(pub String);

/// Restarts the process. On success it does not return (the process is replaced).
pub trait Restart: Send + Sync {
    /// Replaces the running process with a fresh start of the same program and arguments.
    fn restart(&self) -> Result<(), RestartError>;
}
