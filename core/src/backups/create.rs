//! Creating a backup: consistent copies of the databases taken while writes go on
//! (`VACUUM INTO` on a reader), zipped with the rest of the data dir in the data dir's temp
//! dir, then stored in the backups store under its name. The store writes a key only once
//! its whole body is there, so a backup interrupted at any point is never listed.

use super::name::{MANUAL_PREFIX, generate};
use super::{BACKUPS_DIR_NAME, TEMP_DIR_NAME, archive};
use crate::App;
use crate::error::AppError;
use crate::hooks::BackupEvent;
use crate::store::system as store;
use basalt_domain::record_files::FileContent;
use basalt_ports::{Database, ServiceError};
use std::path::Path;
use std::sync::Arc;

/// The content type backups are stored with.
const ZIP_TYPE: &str = "application/zip";

/// The data dir entries left out of a backup by default (PocketBase's list).
fn default_exclude() -> Vec<String> {
    [
        BACKUPS_DIR_NAME,
        TEMP_DIR_NAME,
        ".notify",
        ".autocert_cache",
        "lost+found",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Creates the backup `name` (generated when empty) through `on_backup_create`; returns
/// its name.
pub(crate) async fn create(app: &App, name: &str) -> Result<String, AppError> {
    let _active = app.backups_state().start(name)?;
    let mut event = BackupEvent::new(app.clone(), name.to_owned(), default_exclude());
    app.hooks()
        .on_backup_create
        .trigger(&mut event, |e| {
            Box::pin(async move {
                if e.name.is_empty() {
                    let settings = e.app.settings();
                    e.name = generate(MANUAL_PREFIX, &settings.meta.app_name, e.app.now_datetime());
                }
                write_backup(&e.app, &e.name, &e.exclude)
                    .await
                    .map_err(ServiceError::from)
            })
        })
        .await?;
    Ok(event.name)
}

/// Zips the data dir in a temp dir of its own and stores the zip as `name`; the temp dir
/// is removed afterwards (and at the next start, if the process dies meanwhile).
async fn write_backup(app: &App, name: &str, exclude: &[String]) -> Result<(), AppError> {
    let data_dir = app
        .data_dir()
        .ok_or_else(|| AppError::Backup("the app has no data dir".into()))?;
    let work = data_dir.join(TEMP_DIR_NAME).join(format!(
        "pb_backup_{}",
        app.random_from_pattern("[a-z0-9]{10}")?
    ));
    let result = zip_and_store(app, name, &data_dir, &work, exclude).await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result
}

async fn zip_and_store(
    app: &App,
    name: &str,
    data_dir: &Path,
    work: &Path,
    exclude: &[String],
) -> Result<(), AppError> {
    let io = |what: &'static str| move |e: std::io::Error| AppError::Backup(format!("{what}: {e}"));
    tokio::fs::create_dir_all(work)
        .await
        .map_err(io("creating the temp dir"))?;
    let data_copy = work.join("data.db");
    snapshot(app.db(), &data_copy).await?;
    let aux_copy = work.join("auxiliary.db");
    snapshot(app.auxiliary_db(), &aux_copy).await?;
    // Move what the snapshots let pile up in the WALs into the databases (as PocketBase does;
    // a driver without the pragma just keeps its WAL).
    let _ = store::checkpoint(app.db().as_ref()).await;
    let _ = store::checkpoint(app.auxiliary_db().as_ref()).await;

    let zip_path = work.join("backup.zip");
    let snapshots = vec![
        ("data.db".to_owned(), data_copy),
        ("auxiliary.db".to_owned(), aux_copy),
    ];
    let (zip, dir, exclude) = (zip_path.clone(), data_dir.to_path_buf(), exclude.to_vec());
    tokio::task::spawn_blocking(move || archive::write_zip(&zip, &snapshots, &dir, &exclude))
        .await?
        .map_err(io("writing the zip"))?;

    let fsys = app.new_backups_filesystem()?;
    let body = crate::files::uploads::content_stream(&FileContent::Path {
        path: zip_path,
        keep: Arc::new(()),
    })
    .await?;
    fsys.put(name, body, ZIP_TYPE).await?;
    Ok(())
}

/// A consistent copy of `db` at `target` (`VACUUM INTO`), read through the readers so
/// writers are not held up.
async fn snapshot(db: &Arc<dyn Database>, target: &Path) -> Result<(), AppError> {
    let path = target.to_string_lossy().into_owned();
    store::vacuum_into(db.as_ref(), &path).await?;
    Ok(())
}
