//! The `FilesApi` the HTTP adapter drives: downloads, file tokens, the record body
//! allowance of a collection's fields, and the S3 connection test.

use super::serve;
use crate::App;
use crate::auth::tokens::{TokenKind, sign_kind};
use crate::hooks::FileTokenRequestEvent;
use crate::query::require_superuser;
use crate::records::read::find_by_id;
use async_trait::async_trait;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::files::{StorageTarget, bytes_stream};
use basalt_ports::files_api::{FileRequest, FilesApi, ServedFile};
use basalt_ports::{Auth, RequestContext, ServiceError};

/// The message of a failed `POST /api/settings/test/s3`.
const S3_TEST_FAILED: &str = "Failed to test the S3 filesystem.";

#[async_trait]
impl FilesApi for App {
    async fn download(
        &self,
        req: &RequestContext,
        file: FileRequest,
    ) -> Result<ServedFile, ServiceError> {
        serve::download(self, req, file).await
    }

    async fn file_token(&self, req: &RequestContext) -> Result<String, ServiceError> {
        let Auth::Record {
            collection_id, id, ..
        } = &req.auth
        else {
            return Err(ServiceError::AuthRequired);
        };
        let c = self
            .find_collection(collection_id)
            .ok_or(ServiceError::AuthRequired)?;
        let record = find_by_id(self, &c, id)
            .await?
            .ok_or(ServiceError::AuthRequired)?;
        let token = sign_kind(self, &c, &record, TokenKind::File)?;
        let mut event = FileTokenRequestEvent {
            app: self.clone(),
            request: req.clone(),
            collection: c,
            record,
            token,
            chain: Default::default(),
        };
        self.hooks()
            .on_file_token_request
            .trigger(&mut event, |_| Box::pin(async { Ok(()) }))
            .await?;
        Ok(event.token)
    }

    fn record_body_allowance(&self, collection: &str) -> Option<u64> {
        let c = self.find_collection(collection)?;
        if c.is_view() {
            return Some(0);
        }
        let sum = c
            .fields
            .iter()
            .filter_map(|f| f.max_body_size())
            .fold(0i64, i64::saturating_add);
        Some(u64::try_from(sum).unwrap_or(0))
    }

    async fn test_s3(&self, auth: &Auth, filesystem: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let settings = self.settings();
        let s3 = match filesystem {
            "storage" => &settings.s3,
            "backups" => &settings.backups.s3,
            other => {
                let mut errs = ValidationErrors::new();
                let e = if other.is_empty() {
                    FieldError::required()
                } else {
                    FieldError::new("validation_in_invalid", "Must be a valid value.")
                };
                errs.add("filesystem", e);
                return Err(ServiceError::BadRequest {
                    message: S3_TEST_FAILED.into(),
                    data: errs,
                });
            }
        };
        if !s3.enabled {
            return Err(ServiceError::bad_request(format!(
                "{S3_TEST_FAILED} Raw error: \nS3 storage filesystem is not enabled"
            )));
        }
        let raw = |e: &dyn std::fmt::Display| {
            ServiceError::bad_request(format!("{S3_TEST_FAILED} Raw error: \n{e}"))
        };
        let StorageTarget::S3(target) = super::s3_target(s3) else {
            return Err(ServiceError::internal_message("not an S3 target"));
        };
        let store = self
            .open_target(&StorageTarget::S3(target))
            .map_err(|e| raw(&e))?;
        let key = format!(
            "pb_settings_test_{}.txt",
            self.random_from_pattern("[a-z0-9]{5}")?
        );
        store
            .put(&key, bytes_stream("test"), "text/plain")
            .await
            .map_err(|e| raw(&e))?;
        store.delete(&key).await.map_err(|e| raw(&e))?;
        Ok(())
    }
}
