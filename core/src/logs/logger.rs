//! [`Logger`], PocketBase's `app.Logger()`: records go to `tracing` (the console) and,
//! at or above `logs.minLevel` while `logs.maxDays` is over 0, to `_logs`.

use super::entry::{DEBUG, ERROR, INFO, LogEntry, WARN};
use crate::App;
use crate::WeakApp;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The app's logger, from [`App::logger`]: each record is emitted as a `tracing` event
/// (target `basalt::logger`) and, when its level is at or above `logs.minLevel` and
/// `logs.maxDays` is over 0, queued for `_logs` with PocketBase's shape — `level` (`slog`'s
/// numbers: [`DEBUG`] -4, [`INFO`] 0, [`WARN`] 4, [`ERROR`] 8), `message`, and `data`
/// holding the attributes given with [`Logger::with`]. Writing never waits (see
/// [`crate::logs`]). A logger holds its app weakly: once the app is gone, records only
/// reach `tracing`.
///
/// ```no_run
/// # async fn run(app: basalt::App) {
/// app.logger()
///     .with("userId", "u123")
///     .with("attempts", 3)
///     .warn("too many sign-in attempts");
/// app.flush_logs().await; // written in the background; flush to read it back at once
/// # }
/// ```
#[derive(Clone)]
pub struct Logger {
    app: WeakApp,
    attrs: Map<String, Value>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("attrs", &self.attrs)
            .finish_non_exhaustive()
    }
}

impl Logger {
    pub(crate) fn new(app: &App) -> Self {
        Self {
            app: Arc::downgrade(&app.inner),
            attrs: Map::new(),
        }
    }

    /// A logger whose records also carry `key` = `value` in their `data` (slog's `With`).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attrs.insert(key.into(), value.into());
        self
    }

    /// Logs `message` at the debug level (-4).
    pub fn debug(&self, message: impl Into<String>) {
        self.log(DEBUG, message);
    }

    /// Logs `message` at the info level (0).
    pub fn info(&self, message: impl Into<String>) {
        self.log(INFO, message);
    }

    /// Logs `message` at the warn level (4).
    pub fn warn(&self, message: impl Into<String>) {
        self.log(WARN, message);
    }

    /// Logs `message` at the error level (8).
    pub fn error(&self, message: impl Into<String>) {
        self.log(ERROR, message);
    }

    /// Logs `message` at `level` (any `slog` level number).
    pub fn log(&self, level: i64, message: impl Into<String>) {
        let message = message.into();
        let data = Value::Object(self.attrs.clone());
        match level {
            l if l < INFO => tracing::debug!(target: "basalt::logger", level, %data, "{message}"),
            l if l < WARN => tracing::info!(target: "basalt::logger", level, %data, "{message}"),
            l if l < ERROR => tracing::warn!(target: "basalt::logger", level, %data, "{message}"),
            _ => tracing::error!(target: "basalt::logger", level, %data, "{message}"),
        }
        let Some(app) = App::from_weak(&self.app) else {
            return;
        };
        let settings = app.settings();
        if settings.logs.max_days <= 0 || level < settings.logs.min_level {
            return;
        }
        app.enqueue_log(LogEntry {
            created: app.now(),
            level,
            message,
            data: self.attrs.clone(),
        });
    }
}
