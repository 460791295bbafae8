//! The pool of JS runtimes: worker threads, each owning one QuickJS runtime with every
//! `pb_migrations/*.js` and `pb_hooks/*.pb.js` file loaded, taking jobs from one queue (as
//! PocketBase's JSVM pool of goja VMs). A worker that waits on the Rust side (a handler's
//! `e.next()`, a `$app` call) may need another worker for the JS handlers that wait
//! triggers: when every worker waits and jobs are queued, the pool grows by one.

use crate::error::JsvmError;
use crate::messages::Job;
use crate::registration::Registration;
use basalt_core::App;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

/// The stack size of a worker thread (QuickJS recursion and nested Rust calls).
const WORKER_STACK: usize = 8 * 1024 * 1024;

/// One JS source file: its name in stack traces and its text.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The path shown in stack traces.
    pub name: String,
    /// The migration file name (`pb_migrations` files), as `_migrations` stores it.
    pub migration: Option<String>,
    /// The code.
    pub code: String,
}

/// What every worker shares.
pub(crate) struct Shared {
    /// The files every runtime loads, in order (migrations, then hooks).
    pub sources: Vec<Source>,
    /// The `pb_hooks` dir (`require` resolves from it).
    pub hooks_dir: PathBuf,
    /// Whether a hooks file that fails to load is skipped (`--hooksWatch`) or stops the load.
    pub tolerant: bool,
    /// The tokio runtime the app's futures run on.
    pub handle: tokio::runtime::Handle,
    /// A worker thread's body.
    work: WorkerBody,
    /// The app `$app` is (set by `Jsvm::bind`).
    pub app: OnceLock<App>,
    queue: Mutex<Queue>,
    ready: Condvar,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers waiting for a job.
    idle: usize,
    /// Workers blocked on the Rust side in the middle of a job.
    waiting: usize,
    /// Workers alive (loading ones included).
    total: usize,
}

impl Shared {
    /// The shared state of a pool over `sources`.
    pub fn new(
        sources: Vec<Source>,
        hooks_dir: PathBuf,
        tolerant: bool,
        handle: tokio::runtime::Handle,
        work: WorkerBody,
    ) -> Self {
        Self {
            sources,
            hooks_dir,
            tolerant,
            handle,
            work,
            app: OnceLock::new(),
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
        }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues a job for the next free worker.
    pub fn submit(self: &Arc<Self>, job: Job) {
        let mut q = self.queue();
        q.jobs.push_back(job);
        let grow = q.idle == 0 && q.waiting >= q.total;
        if grow {
            q.total += 1;
        }
        drop(q);
        self.ready.notify_one();
        if grow {
            spawn_worker(self.clone(), None);
        }
    }

    /// Blocks the calling worker until a job is queued.
    pub fn next_job(&self) -> Job {
        let mut q = self.queue();
        loop {
            if let Some(job) = q.jobs.pop_front() {
                return job;
            }
            q.idle += 1;
            q = self
                .ready
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            q.idle -= 1;
        }
    }

    /// Marks the calling worker as blocked on the Rust side until `f` returns; the pool
    /// grows when every worker is blocked and jobs wait.
    pub fn waiting<T>(self: &Arc<Self>, f: impl FnOnce() -> T) -> T {
        {
            let mut q = self.queue();
            q.waiting += 1;
            if !q.jobs.is_empty() && q.idle == 0 && q.waiting >= q.total {
                q.total += 1;
                drop(q);
                spawn_worker(self.clone(), None);
            }
        }
        let out = f();
        self.queue().waiting -= 1;
        out
    }

    /// A worker stopped (it could not load its files).
    fn worker_gone(&self) {
        self.queue().total -= 1;
    }
}

/// What the first worker reports once loaded: the registrations, and the files skipped.
pub(crate) type Loaded = (Vec<Registration>, Vec<String>);

/// Starts the pool: the first worker loads the files and reports their registrations
/// (or the load error, a syntax error among them); then `size - 1` more start.
pub(crate) fn start(shared: Arc<Shared>, size: usize) -> Result<Loaded, JsvmError> {
    let (tx, rx) = std::sync::mpsc::channel();
    shared.queue().total += 1;
    spawn_worker(shared.clone(), Some(tx));
    let registrations = rx
        .recv()
        .map_err(|_| JsvmError::Load("the JS runtime stopped while loading".into()))??;
    for _ in 1..size.max(1) {
        shared.queue().total += 1;
        spawn_worker(shared.clone(), None);
    }
    Ok(registrations)
}

/// A worker thread's body: run jobs of the pool; the first one reports to `Ready`.
pub(crate) type WorkerBody = fn(Arc<Shared>, Option<Ready>);

/// Where the first worker reports.
pub(crate) type Ready = std::sync::mpsc::Sender<Result<Loaded, JsvmError>>;

fn spawn_worker(shared: Arc<Shared>, ready: Option<Ready>) {
    let spawned = std::thread::Builder::new()
        .name("basalt-jsvm".into())
        .stack_size(WORKER_STACK)
        .spawn({
            let shared = shared.clone();
            move || (shared.work)(shared.clone(), ready)
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start a JS worker thread");
        shared.worker_gone();
    }
}

/// Called by a worker whose files failed to load (only the first one reports it).
pub(crate) fn worker_failed(shared: &Shared) {
    shared.worker_gone();
}
