//! One registered job: its id, its schedule and the async function it runs.

use super::Schedule;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// The function a job runs: called once per run, it returns the run's future.
pub(crate) type JobFn = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// A registered cron job (PocketBase's `cron.Job`). Cheap to clone.
#[derive(Clone)]
pub struct Job {
    id: Arc<str>,
    schedule: Schedule,
    func: JobFn,
}

impl Job {
    pub(crate) fn new(id: &str, schedule: Schedule, func: JobFn) -> Self {
        Self {
            id: id.into(),
            schedule,
            func,
        }
    }

    /// The job's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The job's expression (a macro shows as its five fields).
    pub fn expression(&self) -> &str {
        self.schedule.expression()
    }

    /// The job's schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// True for Basalt's own jobs (ids starting with `__pb`).
    pub fn is_system(&self) -> bool {
        self.id.starts_with("__pb")
    }

    /// Runs the job to completion on the current task. A panic inside it is caught and
    /// logged with `tracing::error!`; it never reaches the caller.
    pub async fn run(&self) {
        let func = self.func.clone();
        let outcome = AssertUnwindSafe(async move { func().await })
            .catch_unwind()
            .await;
        if let Err(panic) = outcome {
            tracing::error!(job = %self.id, panic = panic_message(&*panic), "cron job panicked");
        }
    }

    /// Runs the job in a new Tokio task (panics caught and logged, as in [`Job::run`]).
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let job = self.clone();
        tokio::spawn(async move { job.run().await })
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("expression", &self.expression())
            .finish_non_exhaustive()
    }
}

/// `{"id": ..., "expression": ...}`, as PocketBase lists jobs.
impl Serialize for Job {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Job", 2)?;
        s.serialize_field("id", self.id())?;
        s.serialize_field("expression", self.expression())?;
        s.end()
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(not a string)")
}
