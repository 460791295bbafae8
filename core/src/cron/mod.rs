//! The job scheduler, PocketBase's `tools/cron`: jobs with an id and a 5-field expression (or a
//! macro such as `@hourly`), checked once a minute, each due job run in its own Tokio task.
//!
//! ```no_run
//! # fn register(app: &basalt::App) -> Result<(), basalt::cron::CronError> {
//! app.cron().add("hello", "*/5 * * * *", || async {
//!     tracing::info!("every five minutes");
//! })?;
//! # Ok(()) }
//! ```
//!
//! The expressions ([`Schedule`], [`CronError`]) are parsed in [`basalt_domain::cron`] and
//! re-exported here.
//!
//! The app's scheduler starts when the server starts (`basalt::serve`, `basalt::spawn`) and
//! stops when it shuts down. Basalt's own jobs have ids starting with `__pb`.

mod api;
mod job;
pub(crate) mod system;
mod ticker;

pub use basalt_domain::cron::{CronError, Schedule};
pub use job::Job;

use basalt_ports::Clock;
use chrono::{DateTime, FixedOffset, Utc};
use job::JobFn;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use tokio::task::JoinHandle;

/// A crontab-like scheduler (PocketBase's `cron.Cron`). Cheap to clone; clones share the jobs
/// and the ticker. Times are read from the injected [`Clock`] and matched in the scheduler's
/// time zone (UTC unless [`Cron::set_timezone`]).
#[derive(Clone)]
pub struct Cron {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    jobs: RwLock<Vec<Job>>,
    timezone: RwLock<FixedOffset>,
    ticker: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.get_mut().ok().and_then(Option::take) {
            ticker.abort();
        }
    }
}

impl Cron {
    /// A stopped scheduler with no jobs, reading the time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                clock,
                jobs: RwLock::new(Vec::new()),
                timezone: RwLock::new(utc()),
                ticker: Mutex::new(None),
            }),
        }
    }

    /// Registers a job under `id`, replacing any job with that id (which then moves to the end
    /// of the registration order). `expression` is five fields (`"0 */3 * * *"`) or a macro
    /// (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`); an
    /// invalid one is an error and changes nothing.
    ///
    /// `job` is called for every run and returns the run's future; a panic in it is caught and
    /// logged.
    pub fn add<F, Fut>(&self, id: &str, expression: &str, job: F) -> Result<(), CronError>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let schedule = Schedule::parse(expression)?;
        let func: JobFn = Arc::new(move || Box::pin(job()));
        let mut jobs = write(&self.inner.jobs);
        jobs.retain(|j| j.id() != id);
        jobs.push(Job::new(id, schedule, func));
        Ok(())
    }

    /// Removes the job with this id (nothing if there is none).
    pub fn remove(&self, id: &str) {
        write(&self.inner.jobs).retain(|j| j.id() != id);
    }

    /// Removes every job, Basalt's own included.
    pub fn remove_all(&self) {
        write(&self.inner.jobs).clear();
    }

    /// How many jobs are registered.
    pub fn total(&self) -> usize {
        read(&self.inner.jobs).len()
    }

    /// The registered jobs as PocketBase's `GET /api/crons` lists them: the user's jobs by id,
    /// then Basalt's own (`__pb*`) in registration order.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = read(&self.inner.jobs).clone();
        sort_for_listing(&mut jobs);
        jobs
    }

    /// The job with this id.
    pub fn job(&self, id: &str) -> Option<Job> {
        read(&self.inner.jobs)
            .iter()
            .find(|j| j.id() == id)
            .cloned()
    }

    /// Runs the job with this id now, in the background (whether or not it is due); `None`
    /// when there is no such job. Await the handle to wait for the run to end.
    pub fn run(&self, id: &str) -> Option<JoinHandle<()>> {
        self.job(id).map(|j| j.spawn())
    }

    /// Starts, each in its own task, every job due in the minute `at` falls in (read in the
    /// scheduler's time zone): what one tick of the ticker does. Returns the runs' handles.
    pub fn run_due(&self, at: DateTime<Utc>) -> Vec<JoinHandle<()>> {
        let due = due_jobs(&read(&self.inner.jobs), at, self.timezone());
        due.iter().map(Job::spawn).collect()
    }

    /// The time zone schedules are read in.
    pub fn timezone(&self) -> FixedOffset {
        *read(&self.inner.timezone)
    }

    /// Reads schedules in this time zone from now on (UTC by default).
    pub fn set_timezone(&self, timezone: FixedOffset) {
        *write(&self.inner.timezone) = timezone;
    }

    /// Starts the ticker: at the start of every minute of the clock, the due jobs run. Calling
    /// it on a started scheduler restarts the ticker. Must be called inside a Tokio runtime.
    pub fn start(&self) {
        let mut ticker = lock(&self.inner.ticker);
        if let Some(old) = ticker.take() {
            old.abort();
        }
        let clock = self.inner.clock.clone();
        let weak = Arc::downgrade(&self.inner);
        *ticker = Some(tokio::spawn(ticker::run(clock, move |at| {
            let inner = weak.upgrade()?;
            Some(Cron { inner }.run_due(at).len())
        })));
    }

    /// Stops the ticker (jobs already running go on). [`Cron::start`] resumes it.
    pub fn stop(&self) {
        if let Some(ticker) = lock(&self.inner.ticker).take() {
            ticker.abort();
        }
    }

    /// Whether the ticker is running.
    pub fn has_started(&self) -> bool {
        lock(&self.inner.ticker).is_some()
    }
}

impl std::fmt::Debug for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cron")
            .field("jobs", &*read(&self.inner.jobs))
            .field("timezone", &self.timezone())
            .field("started", &self.has_started())
            .finish()
    }
}

/// The jobs due in the minute `at` falls in, read in `timezone`, in registration order.
pub(crate) fn due_jobs(jobs: &[Job], at: DateTime<Utc>, timezone: FixedOffset) -> Vec<Job> {
    let local = at.with_timezone(&timezone);
    jobs.iter()
        .filter(|j| j.schedule().is_due(&local))
        .cloned()
        .collect()
}

/// PocketBase's listing order: the `__pb*` jobs after the others, the others by id, the
/// `__pb*` ones in registration order (a stable sort).
fn sort_for_listing(jobs: &mut [Job]) {
    jobs.sort_by(|a, b| match (a.is_system(), b.is_system()) {
        (false, false) => a.id().cmp(b.id()),
        (a_system, b_system) => a_system.cmp(&b_system),
    });
}

fn utc() -> FixedOffset {
    chrono::Offset::fix(&Utc)
}

// A job that panicked does so in its own task, never under these locks: a poisoned lock
// still holds consistent data, so it is used as is.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn lock<T>(l: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
