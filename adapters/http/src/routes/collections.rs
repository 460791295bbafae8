//! `/api/collections`: collections management (superusers only).

use super::{ApiTags, ListPage, NoContent, api, truthy};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::ServiceError;
use basalt_ports::{Auth, ListQuery};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use serde_json::Value;

/// Collections routes.
pub(crate) struct CollectionRoutes;

type Out<T> = Result<T, ApiError>;

#[OpenApi]
impl CollectionRoutes {
    /// Lists collections, paginated.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/collections",
        method = "get",
        operation_id = "listCollections",
        tag = "ApiTags::Collections"
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
        api(s.list_collections(&auth, q).await, &cfg).map(|r| Json(r.into()))
    }

    /// Creates a collection from its JSON definition (laid over the type's scaffold).
    #[oai(
        path = "/collections",
        method = "post",
        operation_id = "createCollection",
        tag = "ApiTags::Collections"
    )]
    async fn create(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody,
    ) -> Out<Json<Value>> {
        let body = body.or_reject(ServiceError::bad_request(
            "Failed to load the collection type data due to invalid formatting.",
        ))?;
        api(s.create_collection(&auth, Value::Object(body)).await, &cfg).map(Json)
    }

    /// Imports several collections at once (optionally deleting the missing ones).
    #[oai(
        path = "/collections/import",
        method = "put",
        operation_id = "importCollections",
        tag = "ApiTags::Collections"
    )]
    async fn import(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody,
    ) -> Out<NoContent> {
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        api(s.import_collections(&auth, Value::Object(body)).await, &cfg).map(|()| NoContent::Done)
    }

    /// The blank definition of each collection type.
    #[oai(
        path = "/collections/meta/scaffolds",
        method = "get",
        operation_id = "collectionScaffolds",
        tag = "ApiTags::Collections"
    )]
    async fn scaffolds(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
    ) -> Out<Json<Value>> {
        api(s.collection_scaffolds(&auth).await, &cfg).map(Json)
    }

    /// One collection by id or name.
    #[oai(
        path = "/collections/:collection",
        method = "get",
        operation_id = "viewCollection",
        tag = "ApiTags::Collections"
    )]
    async fn view(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        collection: Path<String>,
    ) -> Out<Json<Value>> {
        api(s.view_collection(&auth, &collection).await, &cfg).map(Json)
    }

    /// Updates a collection (the body is laid over the stored definition).
    #[oai(
        path = "/collections/:collection",
        method = "patch",
        operation_id = "updateCollection",
        tag = "ApiTags::Collections"
    )]
    async fn update(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        collection: Path<String>,
        body: JsonBody,
    ) -> Out<Json<Value>> {
        let body = body.or_reject(ServiceError::InvalidFormat)?;
        api(
            s.update_collection(&auth, &collection, Value::Object(body))
                .await,
            &cfg,
        )
        .map(Json)
    }

    /// Deletes a collection and its table.
    #[oai(
        path = "/collections/:collection",
        method = "delete",
        operation_id = "deleteCollection",
        tag = "ApiTags::Collections"
    )]
    async fn delete(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        collection: Path<String>,
    ) -> Out<NoContent> {
        api(s.delete_collection(&auth, &collection).await, &cfg).map(|()| NoContent::Done)
    }

    /// Deletes every record of a collection.
    #[oai(
        path = "/collections/:collection/truncate",
        method = "delete",
        operation_id = "truncateCollection",
        tag = "ApiTags::Collections"
    )]
    async fn truncate(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        collection: Path<String>,
    ) -> Out<NoContent> {
        api(s.truncate_collection(&auth, &collection).await, &cfg).map(|()| NoContent::Done)
    }
}
