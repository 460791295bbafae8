//! The [`Restart`] port of the `basalt` binary: after a backup is restored, the process
//! re-executes itself with the same arguments and environment, as PocketBase's
//! `app.Restart()` does with `execve`. The listening socket and database files close on
//! exec (Rust opens them close-on-exec), so the new process binds the same address and
//! opens the restored data dir.

use basalt_ports::{Restart, RestartError};

/// Re-executes the running binary (`std::env::current_exe()`) with its arguments.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExecRestart;

impl Restart for ExecRestart {
    fn restart(&self) -> Result<(), RestartError> {
        exec_self()
    }
}

#[cfg(unix)]
fn exec_self() -> Result<(), RestartError> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().map_err(|e| RestartError(e.to_string()))?;
    tracing::info!(exe = %exe.display(), "restarting");
    // `exec` only returns on failure.
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .exec();
    Err(RestartError(error.to_string()))
}

#[cfg(not(unix))]
fn exec_self() -> Result<(), RestartError> {
    Err(RestartError(
        "restart is not supported on this platform".into(),
    ))
}
