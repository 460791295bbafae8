//! Querying records from Rust (the library API), PocketBase's `FindRecordsByFilter` family.
//! These run with the app's own authority: no API rules, hidden fields allowed. User input
//! belongs in `params` and is referenced as `{:name}` in the filter, so it is always bound.
//!
//! ```no_run
//! # async fn run(app: basalt::App) -> Result<(), basalt::AppError> {
//! use serde_json::json;
//! let params = json!({"status": "active", "min": 10});
//! let records = app
//!     .find_records_by_filter("posts", "status = {:status} && views >= {:min}", "-views", 20, 0, params.as_object().unwrap())
//!     .await?;
//! # Ok(()) }
//! ```

use crate::App;
use crate::error::AppError;
use crate::query::RecordQuery;
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::record::Record;
use serde_json::{Map, Value};

impl App {
    /// The collection `collection` (id or name), or [`AppError::NotFound`].
    pub(crate) fn query_collection(&self, collection: &str) -> Result<CollectionRef, AppError> {
        self.find_collection(collection)
            .ok_or_else(|| AppError::NotFound(format!("collection {collection:?}")))
    }

    /// Records of `collection` matching `filter` (empty: all), sorted by `sort` (`-desc`,
    /// several keys, relation paths), `limit` (0: no limit) from `offset`.
    pub async fn find_records_by_filter(
        &self,
        collection: &str,
        filter: &str,
        sort: &str,
        limit: i64,
        offset: i64,
        params: &Map<String, Value>,
    ) -> Result<Vec<Record>, AppError> {
        let c = self.query_collection(collection)?;
        let sort = Some(sort).filter(|s| !s.trim().is_empty());
        let q = RecordQuery::new(self, &c)
            .trusted_filter(filter, params)?
            .sort(sort, true)?
            .page((limit > 0).then_some(limit), offset)
            .build();
        Ok(rows::select(self.db().as_ref(), &c, &q).await?)
    }

    /// The first record of `collection` matching `filter`, if any.
    pub async fn find_first_record_by_filter(
        &self,
        collection: &str,
        filter: &str,
        params: &Map<String, Value>,
    ) -> Result<Option<Record>, AppError> {
        Ok(self
            .find_records_by_filter(collection, filter, "", 1, 0, params)
            .await?
            .into_iter()
            .next())
    }

    /// Every record of `collection`.
    pub async fn find_all_records(&self, collection: &str) -> Result<Vec<Record>, AppError> {
        self.find_records_by_filter(collection, "", "", 0, 0, &Map::new())
            .await
    }

    /// How many records of `collection` match `filter` (empty: all).
    pub async fn count_records(
        &self,
        collection: &str,
        filter: &str,
        params: &Map<String, Value>,
    ) -> Result<i64, AppError> {
        let c = self.query_collection(collection)?;
        let q = RecordQuery::new(self, &c)
            .trusted_filter(filter, params)?
            .build();
        Ok(rows::count(self.db().as_ref(), &q).await?)
    }
}
