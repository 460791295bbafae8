//! The driving port for the cron scheduler: `GET /api/crons` and `POST /api/crons/{id}`.

use crate::service::{Auth, ServiceResult};
use async_trait::async_trait;
use serde::Serialize;

/// A registered cron job as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CronJob {
    /// The job's id (Basalt's own start with `__pb`).
    pub id: String,
    /// Its 5-field expression (a macro shows expanded).
    pub expression: String,
}

/// Listing and running cron jobs (superusers only).
#[async_trait]
pub trait CronApi: Send + Sync {
    /// `GET /api/crons`: the user's jobs by id, then Basalt's own.
    async fn list_crons(&self, auth: &Auth) -> ServiceResult<Vec<CronJob>>;
    /// `POST /api/crons/{id}`: starts the job in the background and returns at once; 404 for
    /// an unknown id.
    async fn run_cron(&self, auth: &Auth, id: &str) -> ServiceResult<()>;
}
