//! One JS worker thread: its QuickJS runtime, the files loaded into it, the jobs it runs.

use crate::error::JsvmError;
use crate::errors::{exception_to_error, load_error};
use crate::messages::{Job, Target, ToOwner};
use crate::pool::{Shared, worker_failed};
use crate::state::{STATE, call_global};
use basalt_ports::ServiceError;
use rquickjs::context::EvalOptions;
use rquickjs::{Context, Ctx, Runtime};
use std::sync::Arc;

/// The prelude: the JS API over `__host`.
const PRELUDE: &str = include_str!("prelude.js");

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
