//! `/api/collections/{collection}/records`: records CRUD under the collection's API rules.

use super::{ApiTags, ListPage, NoContent, api, truthy};
use crate::auth::request_context;
use crate::body::RecordBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::ListQuery;
use poem::Request;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use serde_json::Value;

/// Records routes.
pub(crate) struct RecordRoutes;

type Out<T> = Result<T, ApiError>;

fn ctx(req: &Request) -> basalt_ports::RequestContext {
    request_context(req)
}

#[OpenApi]
impl RecordRoutes {
    /// Lists a collection's records, paginated and sorted, filtered by its list rule.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/collections/:collection/records",
        method = "get",
        operation_id = "listRecords",
        tag = "ApiTags::Records"
    )]
    async fn list(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
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
        api(s.list_records(&ctx(req), &collection, q).await, &cfg).map(|r| Json(r.into()))
    }

    /// Creates a record (JSON or multipart body).
    #[oai(
        path = "/collections/:collection/records",
        method = "post",
        operation_id = "createRecord",
        tag = "ApiTags::Records"
    )]
    async fn create(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        body: RecordBody,
    ) -> Out<Json<Value>> {
        api(
            s.create_record_form(&ctx(req), &collection, body.0).await,
            &cfg,
        )
        .map(Json)
    }

    /// One record by id.
    #[oai(
        path = "/collections/:collection/records/:id",
        method = "get",
        operation_id = "viewRecord",
        tag = "ApiTags::Records"
    )]
    async fn view(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        id: Path<String>,
    ) -> Out<Json<Value>> {
        api(s.view_record(&ctx(req), &collection, &id).await, &cfg).map(Json)
    }

    /// Updates a record (JSON or multipart body; `+`/`-` modifiers allowed).
    #[oai(
        path = "/collections/:collection/records/:id",
        method = "patch",
        operation_id = "updateRecord",
        tag = "ApiTags::Records"
    )]
    async fn update(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        id: Path<String>,
        body: RecordBody,
    ) -> Out<Json<Value>> {
        api(
            s.update_record_form(&ctx(req), &collection, &id, body.0)
                .await,
            &cfg,
        )
        .map(Json)
    }

    /// Deletes a record.
    #[oai(
        path = "/collections/:collection/records/:id",
        method = "delete",
        operation_id = "deleteRecord",
        tag = "ApiTags::Records"
    )]
    async fn delete(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        collection: Path<String>,
        id: Path<String>,
    ) -> Out<NoContent> {
        api(s.delete_record(&ctx(req), &collection, &id).await, &cfg).map(|()| NoContent::Done)
    }
}
