//! What the operations share: their error, and waiting on the app's futures from a worker
//! thread.

use crate::pool::Shared;
use crate::state::STATE;
use basalt_core::App;
use basalt_ports::ServiceError;
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Wake, Waker};

/// Why an operation failed.
pub(crate) enum HostError {
    /// A Rust-side error, thrown into JS as an `ApiError` (uncaught, it comes back as itself).
    Service(ServiceError),
}

impl From<ServiceError> for HostError {
    fn from(e: ServiceError) -> Self {
        HostError::Service(e)
    }
}

impl From<basalt_core::AppError> for HostError {
    fn from(e: basalt_core::AppError) -> Self {
        HostError::Service(e.into())
    }
}

/// An operation's result.
pub(crate) type HostResult = Result<Value, HostError>;

/// The app of handle `args.h` (0: the root app).
pub(crate) fn app_of(shared: &Shared, args: &Value) -> Result<App, HostError> {
    let h = args.get("h").and_then(Value::as_u64).unwrap_or(0);
    if h != 0
        && let Some(app) = STATE.with(|s| s.borrow().apps.get(&h).cloned())
    {
        return Ok(app);
    }
    shared.app.get().cloned().ok_or_else(|| {
        HostError::Service(ServiceError::internal_message("the app is not bound yet"))
    })
}

/// Waits for `fut` on this worker thread (which is no runtime thread): polls it here,
/// parking between wake-ups, inside the app's runtime context so its timers and I/O work.
/// Unlike `Handle::block_on` it nests: a transaction's JS callback may wait again.
pub(crate) fn park_on<F: Future>(shared: &Arc<Shared>, fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let _enter = shared.handle.enter();
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = TaskContext::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    shared.waiting(|| {
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    })
}
