//! `GET /api/crons` and `POST /api/crons/{id}`: the app's scheduler, for superusers.

use crate::App;
use crate::query::require_superuser;
use async_trait::async_trait;
use basalt_ports::{Auth, CronApi, CronJob, ServiceError};

#[async_trait]
impl CronApi for App {
    async fn list_crons(&self, auth: &Auth) -> Result<Vec<CronJob>, ServiceError> {
        require_superuser(auth)?;
        Ok(self
            .cron()
            .jobs()
            .iter()
            .map(|j| CronJob {
                id: j.id().to_owned(),
                expression: j.expression().to_owned(),
            })
            .collect())
    }

    async fn run_cron(&self, auth: &Auth, id: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        // The run goes on in its own task; the request does not wait for it.
        self.cron()
            .run(id)
            .map(drop)
            .ok_or(ServiceError::MissingCronJob)
    }
}
