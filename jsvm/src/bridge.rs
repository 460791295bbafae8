//! The Rust side of a JS handler: hand the event's state to a worker, answer its `e.next()`
//! and event operations on the real event, and apply the state it ends with.

use crate::messages::{Job, Target, ToOwner};
use crate::pool::Shared;
use basalt_core::App;
use basalt_ports::ServiceError;
use basalt_ports::hook::{BoxFuture, Event, HookResult};
use serde_json::Value;
use std::sync::Arc;

/// An event a JS handler can receive: its state as JS sees it, and back.
pub(crate) trait JsEvent: Event {
    /// The app the event runs on (the transactional one inside a transaction).
    fn js_app(&self) -> &App;
    /// The event as JS sees it.
    fn export(&mut self) -> Value;
    /// Applies what JS changed (`state` as the JS side exported it).
    fn import(&mut self, state: Value) -> Result<(), ServiceError>;
    /// An operation on the event (`e.requestInfo()`, `e.auth`, ...).
    fn op<'a>(
        &'a mut self,
        op: &'a str,
        _args: Value,
    ) -> BoxFuture<'a, Result<Value, ServiceError>> {
        Box::pin(async move {
            Err(ServiceError::internal_message(format!(
                "unsupported event operation {op:?}"
            )))
        })
    }
}

/// Runs JS handler `handler` on `e`.
pub(crate) async fn run_event<E: JsEvent>(
    shared: &Arc<Shared>,
    handler: u32,
    e: &mut E,
) -> HookResult {
    let (to_owner, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let state = e.export();
    shared.submit(Job {
        target: Target::Event { handler, state },
        app: e.js_app().clone(),
        to_owner,
    });
    while let Some(msg) = rx.recv().await {
        match msg {
            ToOwner::Next { state, reply } => {
                let result = match e.import(state) {
                    Ok(()) => e.next().await.map(|()| e.export()),
                    Err(err) => Err(err),
                };
                let _ = reply.send(result);
            }
            ToOwner::Op { op, args, reply } => {
                let _ = reply.send(e.op(&op, args).await);
            }
            ToOwner::Done(result) => return e.import(result?),
        }
    }
    Err(ServiceError::internal_message("the JS worker stopped"))
}

/// Calls JS function `handler` with `app` (a cron job, a migration's up or down).
pub(crate) async fn run_call(shared: &Arc<Shared>, handler: u32, app: App) -> HookResult {
    let (to_owner, mut rx) = tokio::sync::mpsc::unbounded_channel();
    shared.submit(Job {
        target: Target::Call { handler },
        app,
        to_owner,
    });
    while let Some(msg) = rx.recv().await {
        match msg {
            ToOwner::Done(result) => return result.map(|_| ()),
            ToOwner::Next { reply, .. } | ToOwner::Op { reply, .. } => {
                let _ = reply.send(Err(ServiceError::internal_message("no event here")));
            }
        }
    }
    Err(ServiceError::internal_message("the JS worker stopped"))
}
