//! One JS worker thread: its QuickJS runtime, the files loaded into it, the jobs it runs.

use crate::JsvmError;
use crate::errors::{exception_to_error, load_error};
use crate::messages::{Job, Target, ToOwner};
use crate::pool::{Shared, worker_failed};
use crate::registry::Registration;
use basalt_core::App;
use basalt_ports::ServiceError;
use rquickjs::context::EvalOptions;
use rquickjs::{Context, Ctx, Function, Runtime};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// The prelude: the JS API over `__host`.
const PRELUDE: &str = include_str!("prelude.js");

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

/// The worker thread's body.
pub(crate) fn run(shared: Arc<Shared>, ready: Option<crate::pool::Ready>) {
    let first = ready.is_some();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.registrations = first.then(Vec::new);
        s.loading = true;
    });
    let loaded = Runtime::new()
        .and_then(|rt| Context::full(&rt).map(|ctx| (rt, ctx)))
        .map_err(|e| JsvmError::Load(format!("cannot start a JS runtime: {e}")))
        .and_then(|(rt, ctx)| {
            ctx.with(|ctx| load(&ctx, &shared))?;
            Ok((rt, ctx))
        });
    let loaded_state = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.loading = false;
        (
            s.registrations.take().unwrap_or_default(),
            std::mem::take(&mut s.load_errors),
        )
    });
    let (_rt, ctx) = match loaded {
        Ok(pair) => {
            if let Some(ready) = ready {
                let _ = ready.send(Ok(loaded_state));
            }
            pair
        }
        Err(e) => {
            match ready {
                Some(ready) => {
                    let _ = ready.send(Err(e));
                }
                None => tracing::error!(error = %e, "a JS worker could not load the hooks"),
            }
            worker_failed(&shared);
            return;
        }
    };
    loop {
        let job = shared.next_job();
        ctx.with(|ctx| run_job(&ctx, job));
    }
}

/// Installs the natives and the prelude, then evaluates every source file.
fn load(ctx: &Ctx<'_>, shared: &Arc<Shared>) -> Result<(), JsvmError> {
    crate::host::install(ctx, shared).map_err(|e| JsvmError::Load(e.to_string()))?;
    eval(ctx, "prelude.js", PRELUDE)?;
    for source in &shared.sources {
        STATE.with(|s| s.borrow_mut().migration = source.migration.clone());
        match eval(ctx, &source.name, &source.code) {
            Ok(()) => {}
            // With --hooksWatch a broken hooks file is reported and skipped (PocketBase).
            Err(e) if shared.tolerant && source.migration.is_none() => {
                STATE.with(|s| {
                    s.borrow_mut()
                        .load_errors
                        .push(format!("failed to execute {}:\n - {e}", source.name))
                });
            }
            Err(e) => {
                return Err(JsvmError::Load(format!(
                    "failed to execute {}:\n - {e}",
                    source.name
                )));
            }
        }
    }
    STATE.with(|s| s.borrow_mut().migration = None);
    Ok(())
}

fn eval(ctx: &Ctx<'_>, name: &str, code: &str) -> Result<(), JsvmError> {
    let mut options = EvalOptions::default();
    options.strict = false;
    options.filename = Some(name.to_owned());
    ctx.eval_with_options::<(), _>(code, options)
        .map_err(|e| load_error(ctx, e))
}

/// Runs one job and reports its end to the owner.
fn run_job(ctx: &Ctx<'_>, job: Job) {
    let Job {
        target,
        app,
        to_owner,
    } = job;
    let handle = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.links.push(to_owner.clone());
        s.add_app(app)
    });
    let result = match target {
        Target::Event { handler, state } => {
            call_global::<String>(ctx, "__dispatch", (handler, state.to_string(), handle))
        }
        Target::Call { handler } => call_global::<String>(ctx, "__call", (handler, handle)),
    };
    let result = match result {
        Ok(out) if out.is_empty() => Ok(serde_json::Value::Null),
        Ok(out) => serde_json::from_str(&out).map_err(ServiceError::internal),
        Err(e) => Err(exception_to_error(ctx, e)),
    };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.links.pop();
        s.apps.remove(&handle);
        if s.links.is_empty() {
            s.errors.clear();
        }
    });
    let _ = to_owner.send(ToOwner::Done(result));
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
