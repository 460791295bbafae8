//! The `BackupsApi` the HTTP adapter drives, with PocketBase's checks and answers: superusers
//! only (downloads take a superuser's file token), one backup or restore at a time, names
//! checked before anything is written.

use super::name::check_name;
use crate::App;
use crate::auth::tokens::{TokenKind, verify_kind};
use crate::error::AppError;
use crate::query::require_superuser;
use async_trait::async_trait;
use basalt_domain::datetime::format_datetime;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::files::{base_name, detect_mime};
use basalt_ports::backups_api::{BackupFile, BackupsApi};
use basalt_ports::files::{FileStore, FileStoreError, exists};
use basalt_ports::files_api::{ServedFile, Upload};
use basalt_ports::{Auth, Cause, Input, RequestContext, ServiceError};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// The only type an uploaded backup may have.
const ZIP_TYPE: &str = "application/zip";

/// How long a restore waits before it starts, so its 204 reaches the client first (as
/// PocketBase waits).
const RESTORE_DELAY: Duration = Duration::from_secs(1);

fn one_error(field: &str, error: FieldError) -> ServiceError {
    let mut errs = ValidationErrors::new();
    errs.add(field, error);
    ServiceError::invalid(Input::Form, errs)
}

/// A failed backup as the API reports it: a hook's own answer as is, anything else as
/// PocketBase's "Failed to create backup.".
fn create_error(e: AppError) -> ServiceError {
    match e {
        AppError::BackupBusy => ServiceError::BackupBusy,
        AppError::Service(ServiceError::Internal(cause)) => ServiceError::BackupFailed(cause),
        AppError::Service(other) => other,
        other => ServiceError::BackupFailed(Cause::new(other)),
    }
}

impl App {
    fn backups_store(&self) -> Result<Arc<dyn FileStore>, ServiceError> {
        self.new_backups_filesystem()
            .map_err(ServiceError::internal)
    }
}

#[async_trait]
impl BackupsApi for App {
    async fn list_backups(&self, auth: &Auth) -> Result<Vec<BackupFile>, ServiceError> {
        require_superuser(auth)?;
        let fsys = self
            .new_backups_filesystem()
            .map_err(|e| ServiceError::BackupsUnavailable(Cause::new(e)))?;
        let files = fsys
            .list("")
            .await
            .map_err(|e| ServiceError::BackupsListFailed(e.to_string()))?;
        Ok(files
            .into_iter()
            .map(|f| BackupFile {
                key: f.key,
                size: f.size,
                modified: format_datetime(&f.modified.into()),
            })
            .collect())
    }

    async fn create_backup(&self, auth: &Auth, name: Option<String>) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        if self.is_backup_running() {
            return Err(ServiceError::BackupBusy);
        }
        let name = name.unwrap_or_default();
        if !name.is_empty() {
            check_name(&name).map_err(|errs| ServiceError::invalid(Input::Form, errs))?;
            let fsys = self.backups_store()?;
            if !matches!(exists(fsys.as_ref(), &name).await, Ok(false)) {
                return Err(one_error(
                    "name",
                    FieldError::new(
                        "validation_backup_name_exists",
                        "The backup file name is invalid or already exists.",
                    ),
                ));
            }
        }
        App::create_backup(self, &name)
            .await
            .map(|_| ())
            .map_err(create_error)
    }

    async fn upload_backup(&self, auth: &Auth, file: Option<Upload>) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        let Some(file) = file else {
            return Err(one_error("file", FieldError::required()));
        };
        let content_type = detect_mime(&file.head);
        if content_type != ZIP_TYPE {
            let (_, stored) = crate::files::uploads::from_upload(self, file)?;
            return Err(one_error(
                "file",
                FieldError::new(
                    "validation_invalid_mime_type",
                    format!("{:?} mime type must be one of: {ZIP_TYPE}.", stored.name),
                ),
            ));
        }
        let name = base_name(&file.original_name).to_owned();
        let fsys = self.backups_store()?;
        if !matches!(exists(fsys.as_ref(), &name).await, Ok(false)) {
            return Err(one_error(
                "file",
                FieldError::new(
                    "validation_backup_name_exists",
                    "Backup file with the specified name already exists.",
                ),
            ));
        }
        let body = crate::files::uploads::content_stream(&file.content)
            .await
            .map_err(|e| ServiceError::BackupUploadFailed(Cause::new(e)))?;
        fsys.put(&name, body, ZIP_TYPE)
            .await
            .map_err(|e| ServiceError::BackupUploadFailed(Cause::new(e)))?;
        Ok(())
    }

    async fn download_backup(
        &self,
        req: &RequestContext,
        key: &str,
        token: &str,
    ) -> Result<ServedFile, ServiceError> {
        let superuser = match verify_kind(self, token, TokenKind::File).await {
            Some((c, _)) => c.is_superusers(),
            None => false,
        };
        if !superuser || !ip_allowed(&self.settings().superuser_ips, req.remote_ip.as_deref()) {
            return Err(ServiceError::BackupAccessDenied);
        }
        let fsys = self.backups_store()?;
        let object = match fsys.get(key, None).await {
            Ok(o) => o,
            Err(FileStoreError::NotFound(_) | FileStoreError::InvalidKey(_)) => {
                return Err(ServiceError::Missing);
            }
            Err(e) => return Err(ServiceError::internal(e)),
        };
        Ok(ServedFile {
            name: base_name(key).to_owned(),
            content_type: object.attributes.content_type.clone(),
            inline: false,
            attributes: object.attributes,
            range: None,
            body: object.body,
            headers: Vec::new(),
        })
    }

    async fn delete_backup(&self, auth: &Auth, key: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        if !key.is_empty() && self.backups_state().active().as_deref() == Some(key) {
            return Err(ServiceError::BackupInUse);
        }
        let fsys = self.backups_store()?;
        match fsys.attributes(key).await {
            Ok(_) => {}
            Err(FileStoreError::NotFound(_)) => {
                return Err(ServiceError::BackupDeleteFailed(format!(
                    "[key: {key}] resource not found."
                )));
            }
            Err(e) => return Err(ServiceError::BackupDeleteFailed(e.to_string())),
        }
        fsys.delete(key)
            .await
            .map_err(|e| ServiceError::BackupDeleteFailed(e.to_string()))
    }

    async fn restore_backup(&self, auth: &Auth, key: &str) -> Result<(), ServiceError> {
        require_superuser(auth)?;
        if self.is_backup_running() {
            return Err(ServiceError::BackupBusy);
        }
        let fsys = self.backups_store()?;
        if !matches!(exists(fsys.as_ref(), key).await, Ok(true)) {
            return Err(ServiceError::MissingBackup);
        }
        let (app, key) = (self.non_transactional(), key.to_owned());
        tokio::spawn(async move {
            tokio::time::sleep(RESTORE_DELAY).await;
            if let Err(e) = App::restore_backup(&app, &key).await {
                tracing::error!(key, error = %e, "Failed to restore backup");
            }
        });
        Ok(())
    }

    fn can_backup(&self) -> bool {
        !self.is_backup_running()
    }
}

/// Whether `ip` may download backups: any IP when `allowed` (`superuserIPs`: addresses
/// and CIDR ranges) is empty, else one it lists.
fn ip_allowed(allowed: &[String], ip: Option<&str>) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let Some(ip) = ip.and_then(|ip| ip.parse::<IpAddr>().ok()) else {
        return false;
    };
    allowed.iter().any(|item| {
        let item = item.trim();
        match item.split_once('/') {
            Some((net, bits)) => match (net.parse::<IpAddr>(), bits.parse::<u32>()) {
                (Ok(net), Ok(bits)) => in_subnet(ip, net, bits),
                _ => false,
            },
            None => item.parse::<IpAddr>().is_ok_and(|a| a == ip),
        }
    })
}

/// Whether `ip` is in `net/bits` (both of the same family).
fn in_subnet(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= width || (ip >> shift) == (net >> shift)
}

#[cfg(test)]
mod tests {
    use super::ip_allowed;

    #[test]
    fn superuser_ips() {
        let list = ["10.0.0.0/8".to_owned(), "::1".to_owned()];
        assert!(ip_allowed(&[], None));
        assert!(ip_allowed(&list, Some("10.1.2.3")));
        assert!(ip_allowed(&list, Some("::1")));
        assert!(!ip_allowed(&list, Some("11.1.2.3")));
        assert!(!ip_allowed(&list, None));
        assert!(ip_allowed(&["0.0.0.0/0".to_owned()], Some("1.2.3.4")));
    }
}
