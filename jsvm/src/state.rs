//! The state of the worker on the current thread (its jobs' owners, app handles, errors
//! thrown into JS, what loading registers), and calling into the runtime.

use crate::messages::ToOwner;
use crate::registration::Registration;
use basalt_core::App;
use basalt_ports::ServiceError;
use rquickjs::{Ctx, Function};
use std::cell::RefCell;
use std::collections::HashMap;
use tokio::sync::mpsc::UnboundedSender;

/// What the running worker keeps between the calls of one job.
#[derive(Default)]
pub(crate) struct WorkerState {
    /// The owners of the jobs in progress (innermost last).
    pub links: Vec<UnboundedSender<ToOwner>>,
    /// The apps JS holds handles of (0 is the root app).
    pub apps: HashMap<u64, App>,
    next_app: u64,
    /// Errors of the Rust side thrown into JS, by id, to give them back when uncaught.
    pub errors: HashMap<u64, ServiceError>,
    next_error: u64,
    /// The registrations made while loading (the first worker only).
    pub registrations: Option<Vec<Registration>>,
    /// The migration file being loaded.
    pub migration: Option<String>,
    /// True while the files load.
    pub loading: bool,
    /// The files that failed to load and were skipped.
    pub load_errors: Vec<String>,
}

thread_local! {
    /// The state of the worker on this thread.
    pub(crate) static STATE: RefCell<WorkerState> = RefCell::new(WorkerState::default());
}

impl WorkerState {
    /// A handle for `app`.
    pub fn add_app(&mut self, app: App) -> u64 {
        self.next_app += 1;
        self.apps.insert(self.next_app, app);
        self.next_app
    }

    /// Keeps `error` for [`exception_to_error`]; returns its id.
    pub fn add_error(&mut self, error: ServiceError) -> u64 {
        self.next_error += 1;
        self.errors.insert(self.next_error, error);
        self.next_error
    }
}

/// Calls global function `name`.
pub(crate) fn call_global<'js, R: rquickjs::FromJs<'js>>(
    ctx: &Ctx<'js>,
    name: &str,
    args: impl rquickjs::function::IntoArgs<'js>,
) -> rquickjs::Result<R> {
    let f: Function = ctx.globals().get(name)?;
    f.call(args)
}
