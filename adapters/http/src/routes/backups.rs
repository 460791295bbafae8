//! `/api/backups`: list, create, upload, download (with a superuser's file token), delete
//! and restore zip backups of the data dir (superusers only).

use super::files::{ALLOW_FRAMING, FileBody, respond};
use super::{ApiTags, NoContent, api};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::backups_api::BackupFile;
use basalt_ports::{Auth, ServiceError, Upload};
use poem::web::Data;
use poem::{Request, RequestBody};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Object, OpenApi,
};
use serde_json::Value;

/// Backup routes.
pub(crate) struct BackupRoutes;

type Out<T> = Result<T, ApiError>;

/// A stored backup.
#[derive(Object)]
struct BackupItem {
    /// When it was last written (`2006-01-02 15:04:05.000Z`).
    modified: String,
    /// The backup's key (its file name).
    key: String,
    /// Its size in bytes.
    size: u64,
}

impl From<BackupFile> for BackupItem {
    fn from(f: BackupFile) -> Self {
        Self {
            key: f.key,
            size: f.size,
            modified: f.modified,
        }
    }
}

/// The body of `POST /api/backups`.
#[derive(Object)]
struct CreateBackupBody {
    /// The backup's name: 1 to 150 characters of `[a-z0-9_-]` ending in `.zip`; generated
    /// (`pb_backup_{app}_{date}.zip`) when left out.
    name: Option<String>,
}
crate::body::body_schema!(CreateBackupBody);

/// A downloaded backup.
#[derive(ApiResponse)]
enum BackupDownload {
    /// The zip.
    #[oai(status = 200)]
    Zip(FileBody),
}

/// The `file` part of a `multipart/form-data` body (`None` without one), read without the
/// body limit (backups are large, as PocketBase allows).
struct BackupUpload(Option<Upload>);

impl<'a> ApiExtractor<'a> for BackupUpload {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some("The backup zip as the `file` part."),
            content: vec![MetaMediaType {
                content_type: "multipart/form-data",
                schema: MetaSchemaRef::Inline(Box::new(MetaSchema {
                    properties: vec![(
                        "file",
                        MetaSchemaRef::Inline(Box::new(MetaSchema {
                            format: Some("binary"),
                            ..MetaSchema::new("string")
                        })),
                    )],
                    ..MetaSchema::new("object")
                })),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let multipart = request
            .content_type()
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !multipart {
            return Ok(BackupUpload(None));
        }
        let form = crate::upload::multipart_form(request, body, u64::MAX).await?;
        Ok(BackupUpload(
            form.files.into_iter().find(|f| f.key == "file"),
        ))
    }
}

#[OpenApi]
impl BackupRoutes {
    /// Lists the stored backups, sorted by key.
    #[oai(
        path = "/backups",
        method = "get",
        operation_id = "listBackups",
        tag = "ApiTags::Backups"
    )]
    async fn list(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
    ) -> Out<Json<Vec<BackupItem>>> {
        api(s.list_backups(&auth).await, &cfg)
            .map(|files| Json(files.into_iter().map(Into::into).collect()))
    }

    /// Creates a backup of the data dir (the databases copied while writes go on, with the
    /// stored files when they are local) and answers once it is stored. One backup or
    /// restore runs at a time (400 otherwise).
    #[oai(
        path = "/backups",
        method = "post",
        operation_id = "createBackup",
        tag = "ApiTags::Backups"
    )]
    async fn create(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody<CreateBackupBody>,
    ) -> Out<NoContent> {
        if !auth.is_superuser() {
            // The caller is checked before the body, as PocketBase's middleware does.
            return api(s.create_backup(&auth, None).await, &cfg).map(|()| NoContent::Done);
        }
        let body = body.or_reject(ServiceError::UnreadableBody)?;
        let name = match body.get("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(n)) => Some(n.clone()),
            Some(_) => {
                return Err(ApiError::from_service(
                    ServiceError::UnreadableBody,
                    cfg.dev,
                ));
            }
        };
        api(s.create_backup(&auth, name).await, &cfg).map(|()| NoContent::Done)
    }

    /// Stores an uploaded zip (the `file` part) under its file name; no body limit applies.
    #[oai(
        path = "/backups/upload",
        method = "post",
        operation_id = "uploadBackup",
        tag = "ApiTags::Backups"
    )]
    async fn upload(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: BackupUpload,
    ) -> Out<NoContent> {
        api(s.upload_backup(&auth, body.0).await, &cfg).map(|()| NoContent::Done)
    }

    /// Downloads a backup; `token` must be a superuser's file token (`POST /api/files/token`).
    #[oai(
        path = "/backups/:key",
        method = "get",
        operation_id = "downloadBackup",
        tag = "ApiTags::Backups"
    )]
    async fn download(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        req: &Request,
        key: Path<String>,
        token: Query<Option<String>>,
    ) -> Out<BackupDownload> {
        let ctx = crate::auth::request_context(req);
        let token = token.0.unwrap_or_default();
        let served = api(s.download_backup(&ctx, &key, &token).await, &cfg)?;
        let mut res = respond(served, true);
        // Backups are not embeddable: keep the global `X-Frame-Options`, as PocketBase does.
        res.headers_mut().remove(ALLOW_FRAMING);
        Ok(BackupDownload::Zip(FileBody(res)))
    }

    /// Deletes a backup (not the one being created or restored).
    #[oai(
        path = "/backups/:key",
        method = "delete",
        operation_id = "deleteBackup",
        tag = "ApiTags::Backups"
    )]
    async fn delete(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        key: Path<String>,
    ) -> Out<NoContent> {
        api(s.delete_backup(&auth, &key).await, &cfg).map(|()| NoContent::Done)
    }

    /// Restores a backup in the background: its content replaces the data dir and the
    /// server restarts (a second after answering).
    #[oai(
        path = "/backups/:key/restore",
        method = "post",
        operation_id = "restoreBackup",
        tag = "ApiTags::Backups"
    )]
    async fn restore(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        key: Path<String>,
    ) -> Out<NoContent> {
        api(s.restore_backup(&auth, &key).await, &cfg).map(|()| NoContent::Done)
    }
}
