//! The natives the prelude is built on: `__host(op, json) -> json` and `__loadModule(path)`.
//! `__host` dispatches by name to the operations of `ops/`; waiting on the app's futures
//! parks the worker thread (see [`park_on`]).

use crate::errors::{exception_to_error, throw_service};
use crate::messages::ToOwner;
use crate::ops::common::{HostError, HostResult, app_of, park_on};
use crate::pool::Shared;
use crate::registration::Registration;
use crate::state::{STATE, call_global};
use basalt_ports::ServiceError;
use rquickjs::context::EvalOptions;
use rquickjs::{Ctx, Function};
use serde_json::{Value, json};
use std::sync::Arc;

/// Defines `__host` and `__loadModule` on the context's globals.
pub(crate) fn install(ctx: &Ctx<'_>, shared: &Arc<Shared>) -> rquickjs::Result<()> {
    let s = shared.clone();
    let host = Function::new(
        ctx.clone(),
        move |ctx: Ctx<'_>, op: String, args: String| -> rquickjs::Result<String> {
            let args: Value = serde_json::from_str(&args).unwrap_or(Value::Null);
            match dispatch(&ctx, &s, &op, args) {
                Ok(v) => Ok(v.to_string()),
                Err(HostError::Service(e)) => Err(throw_service(&ctx, e)),
            }
        },
    )?;
    ctx.globals().set("__host", host)?;
    let load = Function::new(ctx.clone(), load_module)?;
    ctx.globals().set("__loadModule", load)
}

/// `__loadModule(path)`: a CommonJS module's code as `function (module, exports, require)`,
/// evaluated under its own file name (stack traces show its lines).
fn load_module<'js>(ctx: Ctx<'js>, path: String) -> rquickjs::Result<Function<'js>> {
    let code = std::fs::read_to_string(&path)
        .map_err(|e| rquickjs::Exception::throw_message(&ctx, &format!("require {path}: {e}")))?;
    let mut options = EvalOptions::default();
    options.strict = false;
    options.filename = Some(path);
    ctx.eval_with_options(
        format!("(function (module, exports, require) {{{code}\n}})"),
        options,
    )
}

fn dispatch(ctx: &Ctx<'_>, shared: &Arc<Shared>, op: &str, args: Value) -> HostResult {
    match op {
        "register" => register(shared, args),
        "next" => to_owner(shared, |reply| ToOwner::Next { state: args, reply }),
        "event" => {
            let name = args
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let a = args.get("args").cloned().unwrap_or(Value::Null);
            to_owner(shared, |reply| ToOwner::Op {
                op: name,
                args: a,
                reply,
            })
        }
        "app.runInTransaction" => run_in_transaction(ctx, shared, &args),
        "hooks.dir" => Ok(json!(shared.hooks_dir.display().to_string())),
        "module.resolve" => crate::ops::system::resolve_module(shared, &args),
        _ if op.starts_with("app.") || op.starts_with("db.") => {
            let app = app_of(shared, &args)?;
            crate::ops::app::run(shared, &app, op, args)
        }
        _ if op.starts_with("security.")
            && op != "security.randomString"
            && op != "security.randomStringByRegex" =>
        {
            crate::ops::security::run(op, &args)
        }
        _ => crate::ops::system::run(shared, op, args),
    }
}

/// Records a registration while loading; after loading, only `cronRemove` acts.
fn register(shared: &Arc<Shared>, mut args: Value) -> HostResult {
    let loading = STATE.with(|s| s.borrow().loading);
    if !loading {
        if args.get("kind").and_then(Value::as_str) == Some("cronRemove") {
            let id = args.get("id").and_then(Value::as_str).unwrap_or("");
            if let Some(app) = shared.app.get() {
                app.cron().remove(id);
            }
            return Ok(Value::Null);
        }
        return Err(ServiceError::internal_message(
            "hooks, routes, cron jobs and migrations are registered at the top level of a pb_hooks / pb_migrations file",
        )
        .into());
    }
    if args.get("kind").and_then(Value::as_str) == Some("migration") {
        let file = STATE.with(|s| s.borrow().migration.clone());
        let Some(file) = file else {
            return Err(ServiceError::internal_message(
                "migrate() is only for pb_migrations files",
            )
            .into());
        };
        if let Some(obj) = args.as_object_mut() {
            obj.insert("file".into(), json!(file));
        }
    }
    let registration: Registration = serde_json::from_value(args)
        .map_err(|e| ServiceError::internal_message(format!("invalid registration: {e}")))?;
    STATE.with(|s| {
        if let Some(list) = s.borrow_mut().registrations.as_mut() {
            list.push(registration);
        }
    });
    Ok(Value::Null)
}

/// Sends a request to the owner of the current job and waits for its answer.
fn to_owner(
    shared: &Arc<Shared>,
    msg: impl FnOnce(crate::messages::Reply) -> ToOwner,
) -> HostResult {
    let Some(link) = STATE.with(|s| s.borrow().links.last().cloned()) else {
        return Err(ServiceError::internal_message("no event in progress").into());
    };
    let (reply, rx) = std::sync::mpsc::channel();
    link.send(msg(reply))
        .map_err(|_| ServiceError::internal_message("the request ended"))?;
    let answer = shared
        .waiting(|| rx.recv())
        .map_err(|_| ServiceError::internal_message("the request ended"))?;
    Ok(answer?)
}

/// `$app.runInTransaction(fn)`: `fn(txApp)` inside `App::run_in_transaction`; an exception
/// rolls back and is rethrown.
fn run_in_transaction(ctx: &Ctx<'_>, shared: &Arc<Shared>, args: &Value) -> HostResult {
    let app = app_of(shared, args)?;
    let fn_id = args.get("fn").and_then(Value::as_u64).unwrap_or(0);
    let mut failure: Option<ServiceError> = None;
    let result = park_on(shared, async {
        app.run_in_transaction(|tx| {
            let h = STATE.with(|s| s.borrow_mut().add_app(tx));
            let out = call_global::<()>(ctx, "__txCall", (fn_id, h));
            STATE.with(|s| s.borrow_mut().apps.remove(&h));
            let r = match out {
                Ok(()) => Ok(()),
                Err(e) => {
                    let error = exception_to_error(ctx, e);
                    failure = Some(error.clone());
                    Err(basalt_core::AppError::Service(error))
                }
            };
            async move { r }
        })
        .await
    });
    match (result, failure) {
        (Ok(()), _) => Ok(Value::Null),
        // The callback's error, rethrown (uncaught, it reaches the client as itself).
        (Err(_), Some(error)) => Err(HostError::Service(error)),
        (Err(e), None) => Err(e.into()),
    }
}
