//! What the hooks and migrations files register (`routerAdd`, `onRecordCreate`, `cronAdd`,
//! `migrate`, ...), as the prelude reports it.

use serde::Deserialize;
use serde_json::Value;

/// One registration made by a loaded file.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Registration {
    /// `onXxx(handler, ...tags)`.
    Hook {
        /// The JS name (`onRecordCreate`).
        name: String,
        /// The handler id.
        handler: u32,
        /// Collection names or ids (empty: all).
        tags: Vec<String>,
    },
    /// `routerAdd(method, path, handler, ...middlewares)`.
    Route {
        /// The method (`*`: any).
        method: String,
        /// The path pattern.
        path: String,
        /// The handler id.
        handler: u32,
        /// The route's middlewares.
        middlewares: Vec<Middleware>,
    },
    /// `routerUse(middleware)`.
    Use {
        /// The middleware.
        middleware: Middleware,
    },
    /// `cronAdd(id, expr, fn)`.
    Cron {
        /// The job id.
        id: String,
        /// The cron expression.
        expr: String,
        /// The handler id.
        handler: u32,
    },
    /// `cronRemove(id)` at the top level of a file.
    CronRemove {
        /// The job id.
        id: String,
    },
    /// `migrate(up, down)` in a `pb_migrations` file.
    Migration {
        /// The file name.
        file: String,
        /// The up handler id.
        up: u32,
        /// The down handler id.
        down: u32,
    },
}

/// A route or router middleware.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Middleware {
    /// A JS function (or `new Middleware(fn, priority, id)`).
    Js {
        /// The handler id.
        handler: u32,
        /// Its id ("" for a generated one).
        id: String,
        /// Its priority.
        priority: i32,
    },
    /// One of `$apis`' middlewares.
    Builtin {
        /// `requireAuth`, `bodyLimit`, ...
        name: String,
        /// Its arguments.
        args: Vec<Value>,
    },
}
