//! What crosses between the Rust side (the task that owns an event) and a JS worker.

use basalt_core::App;
use basalt_ports::ServiceError;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

/// The answer to a worker's request: a JSON value, or the error to throw into JS.
pub(crate) type Reply = std::sync::mpsc::Sender<Result<Value, ServiceError>>;

/// A job for a worker.
pub(crate) struct Job {
    /// What to run.
    pub target: Target,
    /// The app the handler's `e.app` (or migration's `app`) is.
    pub app: App,
    /// Where the worker reports to the owner of the event.
    pub to_owner: UnboundedSender<ToOwner>,
}

/// Which handler, and with what.
pub(crate) enum Target {
    /// A hook or route handler, with the event's state.
    Event {
        /// The handler id.
        handler: u32,
        /// The event as JS sees it.
        state: Value,
    },
    /// A plain function called with the app (cron jobs, migrations).
    Call {
        /// The handler id.
        handler: u32,
    },
}

/// A worker's message to the owner of the event.
pub(crate) enum ToOwner {
    /// `e.next()`: apply the state, run the rest of the chain, answer the new state.
    Next {
        /// The event as JS left it.
        state: Value,
        /// Where the new state (or the chain's error) goes.
        reply: Reply,
    },
    /// An operation on the event itself (reading the body, the auth record, ...).
    Op {
        /// Its name.
        op: String,
        /// Its arguments.
        args: Value,
        /// The answer.
        reply: Reply,
    },
    /// The handler returned (the final state) or threw.
    Done(Result<Value, ServiceError>),
}
