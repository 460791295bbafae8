//! `/api/logs`: the request and application logs (superusers only). Successful requests
//! to these routes are not logged themselves (PocketBase's `SkipSuccessActivityLog`).

use super::{ApiTags, ListPage, NoContent, api, truthy};
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::{Auth, ListQuery, LogsStat};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde_json::Value;

/// Logs routes.
pub(crate) struct LogRoutes;

type Out<T> = Result<T, ApiError>;

/// The number of logs created in one hour.
#[derive(Object)]
struct LogsStatBody {
    /// How many logs.
    total: i64,
    /// The hour, as `2006-01-02 15:00:00.000Z`.
    date: String,
}

impl From<LogsStat> for LogsStatBody {
    fn from(s: LogsStat) -> Self {
        Self {
            total: s.total,
            date: s.date,
        }
    }
}

#[OpenApi]
impl LogRoutes {
    /// Lists logs, paginated: `filter` and `sort` over `id`, `created`, `level`,
    /// `message`, `data` and its paths (`data.status`, `data.auth`, ...). Each log is
    /// `{id, created, data, message, level}`; request logs have `data.type = "request"`.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/logs",
        method = "get",
        operation_id = "listLogs",
        tag = "ApiTags::Logs"
    )]
    async fn list(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        page: Query<Option<i64>>,
        #[oai(name = "perPage")] per_page: Query<Option<i64>>,
        sort: Query<Option<String>>,
        filter: Query<Option<String>>,
        #[oai(name = "skipTotal")] skip_total: Query<Option<String>>,
    ) -> Out<Json<ListPage>> {
        let q = ListQuery {
            page: page.0,
            per_page: per_page.0,
            sort: sort.0,
            filter: filter.0,
            skip_total: truthy(skip_total.0.as_deref()),
        };
        api(s.list_logs(&auth, q).await, &cfg).map(|r| Json(r.into()))
    }

    /// Deletes every log.
    #[oai(
        path = "/logs",
        method = "delete",
        operation_id = "truncateLogs",
        tag = "ApiTags::Logs"
    )]
    async fn truncate(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
    ) -> Out<NoContent> {
        api(s.truncate_logs(&auth).await, &cfg).map(|()| NoContent::Done)
    }

    /// Log counts per hour, of the logs matching `filter`.
    #[oai(
        path = "/logs/stats",
        method = "get",
        operation_id = "logsStats",
        tag = "ApiTags::Logs"
    )]
    async fn stats(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        filter: Query<Option<String>>,
    ) -> Out<Json<Vec<LogsStatBody>>> {
        api(s.logs_stats(&auth, filter.0.as_deref()).await, &cfg)
            .map(|stats| Json(stats.into_iter().map(Into::into).collect()))
    }

    /// One log by id.
    #[oai(
        path = "/logs/:id",
        method = "get",
        operation_id = "viewLog",
        tag = "ApiTags::Logs"
    )]
    async fn view(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        id: Path<String>,
    ) -> Out<Json<Value>> {
        api(s.view_log(&auth, &id).await, &cfg).map(Json)
    }
}
