//! `/api/crons`: list the registered cron jobs and run one now (superusers only).

use super::{ApiTags, NoContent, api};
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::{Auth, CronJob};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

/// Cron routes.
pub(crate) struct CronRoutes;

type Out<T> = Result<T, ApiError>;

/// A registered cron job.
#[derive(Object)]
struct CronJobBody {
    /// The job's id; Basalt's own start with `__pb`.
    id: String,
    /// Its 5-field cron expression (a macro such as `@hourly` shows expanded).
    expression: String,
}

impl From<CronJob> for CronJobBody {
    fn from(j: CronJob) -> Self {
        Self {
            id: j.id,
            expression: j.expression,
        }
    }
}

#[OpenApi]
impl CronRoutes {
    /// Lists the registered cron jobs: the app's own by id, then Basalt's (`__pb*`).
    #[oai(
        path = "/crons",
        method = "get",
        operation_id = "listCrons",
        tag = "ApiTags::Crons"
    )]
    async fn list(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
    ) -> Out<Json<Vec<CronJobBody>>> {
        api(s.list_crons(&auth).await, &cfg)
            .map(|jobs| Json(jobs.into_iter().map(Into::into).collect()))
    }

    /// Runs a cron job now, in the background (the response does not wait for it).
    #[oai(
        path = "/crons/:id",
        method = "post",
        operation_id = "runCron",
        tag = "ApiTags::Crons"
    )]
    async fn run(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        id: Path<String>,
    ) -> Out<NoContent> {
        api(s.run_cron(&auth, &id).await, &cfg).map(|()| NoContent::Done)
    }
}
