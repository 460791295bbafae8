//! Hooks: PocketBase's `hook.Hook[T]` in Rust. A [`Hook`] holds handlers sorted by priority
//! (then registration order); [`Hook::trigger`] runs them as a chain ending in a default
//! action, and each handler continues the chain with `e.next().await`. A handler that returns
//! without calling `next` stops the chain there, default action included.
//!
//! ```
//! use basalt_ports::hook::{Chain, Event, Hook, HookResult};
//!
//! struct Greet { name: String, chain: Chain<Greet> }
//! impl Event for Greet {
//!     fn chain(&mut self) -> &mut Chain<Self> { &mut self.chain }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let hook = Hook::<Greet>::new();
//! hook.bind_func(|e| Box::pin(async move {
//!     e.name.push('!');
//!     e.next().await
//! }));
//! let mut e = Greet { name: "hi".into(), chain: Chain::default() };
//! hook.trigger(&mut e, |e| Box::pin(async move {
//!     e.name.push('?');
//!     Ok(())
//! })).await.unwrap();
//! assert_eq!(e.name, "hi!?");
//! # });
//! ```

use crate::service::ServiceError;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// What a handler returns: `Err` stops the chain and is what [`Hook::trigger`] returns.
pub type HookResult = Result<(), ServiceError>;

/// A boxed, sendable future borrowing the event for `'a`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A handler function: borrows the event, returns the chain's result.
pub type HandlerFunc<E> = Arc<dyn for<'a> Fn(&'a mut E) -> BoxFuture<'a, HookResult> + Send + Sync>;

/// The default action ending a chain.
type Last<E> = Box<dyn for<'a> FnOnce(&'a mut E) -> BoxFuture<'a, HookResult> + Send>;

/// A hook handler: an id (for [`Hook::unbind`]; generated when empty), a priority (lower
/// runs first; equal priorities keep registration order) and the function.
pub struct Handler<E> {
    /// The handler's id; binding another handler with the same id replaces it.
    pub id: String,
    /// Lower runs first.
    pub priority: i32,
    /// The function.
    pub func: HandlerFunc<E>,
}

impl<E> Clone for Handler<E> {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            priority: self.priority,
            func: self.func.clone(),
        }
    }
}

impl<E> Handler<E> {
    /// A handler from a function, with an empty id and priority 0.
    pub fn new<F>(func: F) -> Self
    where
        F: for<'a> Fn(&'a mut E) -> BoxFuture<'a, HookResult> + Send + Sync + 'static,
    {
        Self {
            id: String::new(),
            priority: 0,
            func: Arc::new(func),
        }
    }

    /// Sets the id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }
}

/// The chain state an event carries while a hook runs: the remaining handlers and the
/// default action. Events hold one and expose it through [`Event::chain`].
pub struct Chain<E> {
    handlers: Arc<[HandlerFunc<E>]>,
    pos: usize,
    last: Option<Last<E>>,
}

impl<E> Default for Chain<E> {
    fn default() -> Self {
        Self {
            handlers: Arc::from(Vec::new()),
            pos: 0,
            last: None,
        }
    }
}

/// An event a [`Hook`] can run: it owns the chain state so handlers can call `next`.
pub trait Event: Send + Sized + 'static {
    /// The chain state (a `Chain::default()` field).
    fn chain(&mut self) -> &mut Chain<Self>;

    /// Runs the rest of the chain: the next handler, or the default action after the last
    /// one. Calling it again after the chain ended does nothing.
    fn next(&mut self) -> BoxFuture<'_, HookResult> {
        Box::pin(async move {
            let chain = self.chain();
            if let Some(h) = chain.handlers.get(chain.pos).cloned() {
                chain.pos += 1;
                return h(self).await;
            }
            match chain.last.take() {
                Some(last) => last(self).await,
                None => Ok(()),
            }
        })
    }
}

/// Events that belong to tags (a record event: its collection's id and name), for
/// [`Hook::tagged`] handlers.
pub trait Tagged {
    /// Whether the event carries `tag`.
    fn has_tag(&self, tag: &str) -> bool;
}

/// A list of handlers for one kind of event.
pub struct Hook<E> {
    handlers: RwLock<Vec<Handler<E>>>,
    counter: AtomicU64,
}

impl<E> Default for Hook<E> {
    fn default() -> Self {
        Self {
            handlers: RwLock::new(Vec::new()),
            counter: AtomicU64::new(0),
        }
    }
}

impl<E: Event> Hook<E> {
    /// An empty hook.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handler (replacing one with the same id) and returns its id.
    pub fn bind(&self, mut handler: Handler<E>) -> String {
        if handler.id.is_empty() {
            let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
            handler.id = format!("__hook_{n}");
        }
        let id = handler.id.clone();
        if let Ok(mut list) = self.handlers.write() {
            match list.iter_mut().find(|h| h.id == id) {
                Some(slot) => *slot = handler,
                None => list.push(handler),
            }
            // A stable sort keeps registration order among equal priorities.
            list.sort_by_key(|h| h.priority);
        }
        id
    }

    /// Adds a function as a handler with priority 0; returns its generated id.
    pub fn bind_func<F>(&self, func: F) -> String
    where
        F: for<'a> Fn(&'a mut E) -> BoxFuture<'a, HookResult> + Send + Sync + 'static,
    {
        self.bind(Handler::new(func))
    }

    /// Removes the handlers with these ids.
    pub fn unbind(&self, ids: &[&str]) {
        if let Ok(mut list) = self.handlers.write() {
            list.retain(|h| !ids.contains(&h.id.as_str()));
        }
    }

    /// Removes every handler.
    pub fn unbind_all(&self) {
        if let Ok(mut list) = self.handlers.write() {
            list.clear();
        }
    }

    /// How many handlers are bound.
    pub fn len(&self) -> usize {
        self.handlers.read().map(|l| l.len()).unwrap_or(0)
    }

    /// True when no handler is bound.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs the handlers on `event`, then `last` if every handler called `next`. The
    /// event's previous chain (when it is re-triggered from inside another hook) is
    /// restored afterwards.
    pub async fn trigger<F>(&self, event: &mut E, last: F) -> HookResult
    where
        F: for<'a> FnOnce(&'a mut E) -> BoxFuture<'a, HookResult> + Send + 'static,
    {
        let handlers: Arc<[HandlerFunc<E>]> = match self.handlers.read() {
            Ok(list) => list.iter().map(|h| h.func.clone()).collect(),
            Err(_) => Arc::from(Vec::new()),
        };
        let chain = Chain {
            handlers,
            pos: 0,
            last: Some(Box::new(last)),
        };
        let previous = std::mem::replace(event.chain(), chain);
        let result = event.next().await;
        *event.chain() = previous;
        result
    }

    /// A view of this hook whose handlers only run for events carrying one of `tags`
    /// (all events when `tags` is empty); other events pass straight to `next`.
    pub fn tagged(&self, tags: &[&str]) -> TaggedHook<'_, E> {
        TaggedHook {
            hook: self,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }
}

/// A [`Hook`] filtered by tags (PocketBase's `TaggedHook`): `app.on_record_create(&["posts"])`.
pub struct TaggedHook<'h, E> {
    hook: &'h Hook<E>,
    tags: Vec<String>,
}

impl<E: Event + Tagged> TaggedHook<'_, E> {
    /// Adds a handler that runs only for matching events; returns its id.
    pub fn bind(&self, handler: Handler<E>) -> String {
        if self.tags.is_empty() {
            return self.hook.bind(handler);
        }
        let tags: Arc<[String]> = self.tags.clone().into();
        let inner = handler.func;
        let func: HandlerFunc<E> = Arc::new(move |e: &mut E| {
            if tags.iter().any(|t| e.has_tag(t)) {
                inner(e)
            } else {
                e.next()
            }
        });
        self.hook.bind(Handler {
            id: handler.id,
            priority: handler.priority,
            func,
        })
    }

    /// Adds a function as a tag-filtered handler with priority 0; returns its id.
    pub fn bind_func<F>(&self, func: F) -> String
    where
        F: for<'a> Fn(&'a mut E) -> BoxFuture<'a, HookResult> + Send + Sync + 'static,
    {
        self.bind(Handler::new(func))
    }

    /// Removes the handlers with these ids (from the underlying hook).
    pub fn unbind(&self, ids: &[&str]) {
        self.hook.unbind(ids);
    }

    /// Runs the underlying hook.
    pub async fn trigger<F>(&self, event: &mut E, last: F) -> HookResult
    where
        F: for<'a> FnOnce(&'a mut E) -> BoxFuture<'a, HookResult> + Send + 'static,
    {
        self.hook.trigger(event, last).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ev {
        log: Vec<String>,
        tag: &'static str,
        chain: Chain<Ev>,
    }

    impl Event for Ev {
        fn chain(&mut self) -> &mut Chain<Self> {
            &mut self.chain
        }
    }

    impl Tagged for Ev {
        fn has_tag(&self, tag: &str) -> bool {
            self.tag == tag
        }
    }

    fn ev(tag: &'static str) -> Ev {
        Ev {
            log: Vec::new(),
            tag,
            chain: Chain::default(),
        }
    }

    fn push(name: &'static str, call_next: bool) -> Handler<Ev> {
        Handler::new(move |e: &mut Ev| {
            Box::pin(async move {
                e.log.push(format!("{name}:before"));
                if call_next {
                    e.next().await?;
                    e.log.push(format!("{name}:after"));
                }
                Ok(())
            })
        })
    }

    async fn run(hook: &Hook<Ev>, e: &mut Ev) -> HookResult {
        hook.trigger(e, |e| {
            Box::pin(async move {
                e.log.push("default".into());
                Ok(())
            })
        })
        .await
    }

    #[tokio::test]
    async fn priority_then_registration_order_and_unwinding() {
        let hook = Hook::new();
        hook.bind(push("b", true).priority(5));
        hook.bind(push("a", true).priority(-1));
        hook.bind(push("c", true).priority(5));
        let mut e = ev("x");
        run(&hook, &mut e).await.unwrap();
        assert_eq!(
            e.log,
            [
                "a:before", "b:before", "c:before", "default", "c:after", "b:after", "a:after"
            ]
        );
    }

    #[tokio::test]
    async fn a_handler_without_next_stops_the_chain_and_the_default() {
        let hook = Hook::new();
        hook.bind(push("a", true));
        hook.bind(push("stop", false));
        hook.bind(push("never", true));
        let mut e = ev("x");
        run(&hook, &mut e).await.unwrap();
        assert_eq!(e.log, ["a:before", "stop:before", "a:after"]);
    }

    #[tokio::test]
    async fn errors_stop_the_chain_and_are_returned() {
        let hook: Hook<Ev> = Hook::new();
        hook.bind_func(|_e| Box::pin(async { Err(ServiceError::bad_request("nope")) }));
        let mut e = ev("x");
        let err = run(&hook, &mut e).await.unwrap_err();
        assert_eq!(err, ServiceError::bad_request("nope"));
        assert!(e.log.is_empty());
    }

    #[tokio::test]
    async fn unbind_and_replace_by_id() {
        let hook = Hook::new();
        let a = hook.bind(push("a", true));
        hook.bind(push("b", true).id("same"));
        hook.bind(push("b2", true).id("same"));
        assert_eq!(hook.len(), 2);
        hook.unbind(&[&a]);
        let mut e = ev("x");
        run(&hook, &mut e).await.unwrap();
        assert_eq!(e.log, ["b2:before", "default", "b2:after"]);
        hook.unbind_all();
        assert!(hook.is_empty());
    }

    #[tokio::test]
    async fn tagged_handlers_skip_other_tags() {
        let hook = Hook::new();
        hook.tagged(&["posts"]).bind(push("posts", true));
        hook.tagged(&[]).bind(push("all", true));
        let mut e = ev("users");
        run(&hook, &mut e).await.unwrap();
        assert_eq!(e.log, ["all:before", "default", "all:after"]);
        let mut e = ev("posts");
        run(&hook, &mut e).await.unwrap();
        assert_eq!(
            e.log,
            [
                "posts:before",
                "all:before",
                "default",
                "all:after",
                "posts:after"
            ]
        );
    }

    #[tokio::test]
    async fn retriggering_an_event_restores_its_chain() {
        let inner = Arc::new(Hook::<Ev>::new());
        inner.bind(push("inner", true));
        let outer = Hook::new();
        let inner2 = inner.clone();
        outer.bind_func(move |e| {
            let inner = inner2.clone();
            Box::pin(async move {
                inner
                    .trigger(e, |e| {
                        Box::pin(async move {
                            e.log.push("inner-default".into());
                            Ok(())
                        })
                    })
                    .await?;
                e.next().await
            })
        });
        let mut e = ev("x");
        run(&outer, &mut e).await.unwrap();
        assert_eq!(
            e.log,
            ["inner:before", "inner-default", "inner:after", "default"]
        );
    }
}
