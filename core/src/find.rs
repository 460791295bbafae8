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
use crate::schema::CollectionRef;
use crate::store;
use basalt_domain::collection::Collection;
use basalt_domain::filter::RequestInfo;
use basalt_domain::record::Record;
use basalt_domain::schema::ident;
use basalt_ports::db::SqlValue;
use serde_json::{Map, Value};

impl App {
    /// The collection `collection` (id or name), or [`AppError::NotFound`].
    pub(crate) fn query_collection(&self, collection: &str) -> Result<CollectionRef, AppError> {
        self.find_collection(collection)
            .ok_or_else(|| AppError::NotFound(format!("collection {collection:?}")))
    }

    fn where_clause(
        &self,
        c: &Collection,
        filter: &str,
        params: &Map<String, Value>,
    ) -> Result<(String, Vec<SqlValue>), AppError> {
        if filter.trim().is_empty() {
            return Ok((String::new(), Vec::new()));
        }
        let compiled = self.compile_with_params(
            c,
            filter,
            &RequestInfo::default(),
            &ident(&c.name),
            true,
            params,
        )?;
        Ok((format!(" WHERE ({})", compiled.sql), compiled.params))
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
        let (where_sql, mut binds) = self.where_clause(&c, filter, params)?;
        let alias = ident(&c.name);
        let order = self.order_by(
            &c,
            Some(sort).filter(|s| !s.trim().is_empty()),
            true,
            &mut binds,
        )?;
        let mut sql = format!("SELECT {alias}.* FROM {alias}{where_sql}");
        if !order.is_empty() {
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        sql.push_str(" LIMIT ? OFFSET ?");
        binds.push(SqlValue::Integer(if limit > 0 { limit } else { -1 }));
        binds.push(SqlValue::Integer(offset.max(0)));
        let rows = self.db().query(&sql, &binds).await?;
        Ok(rows.iter().map(|r| store::record_from_row(&c, r)).collect())
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
        let (where_sql, binds) = self.where_clause(&c, filter, params)?;
        let sql = format!("SELECT COUNT(*) AS n FROM {}{where_sql}", ident(&c.name));
        let rows = self.db().query(&sql, &binds).await?;
        Ok(rows
            .first()
            .and_then(|r| r.get("n"))
            .and_then(SqlValue::as_i64)
            .unwrap_or(0))
    }
}
