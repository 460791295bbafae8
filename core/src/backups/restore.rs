//! Restoring a backup: the zip is fetched from the backups store into the data dir's temp
//! dir, extracted there and checked (it must hold `data.db`); then, holding `data.db`'s
//! write lock so no write lands in the old files, the data dir's content is moved aside
//! (under the temp dir, removed at the next start) and the extracted content moved in, and
//! the process restarts through the [`basalt_ports::Restart`] port. When the restart fails
//! the moves are undone.

use super::{TEMP_DIR_NAME, archive};
use crate::App;
use crate::error::AppError;
use crate::hooks::BackupEvent;
use basalt_ports::ServiceError;
use basalt_ports::files::exists;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Restores the backup `name` through `on_backup_restore`.
pub(crate) async fn restore(app: &App, name: &str) -> Result<(), AppError> {
    let _active = app.backups_state().start(name)?;
    let exclude = super::RESTORE_EXCLUDE
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut event = BackupEvent::new(app.clone(), name.to_owned(), exclude);
    app.hooks()
        .on_backup_restore
        .trigger(&mut event, |e| {
            Box::pin(async move {
                replace_data_dir(&e.app, &e.name, &e.exclude)
                    .await
                    .map_err(ServiceError::from)
            })
        })
        .await?;
    Ok(())
}

fn failed(what: &'static str) -> impl Fn(std::io::Error) -> AppError {
    move |e| AppError::Backup(format!("{what}: {e}"))
}

async fn replace_data_dir(app: &App, name: &str, exclude: &[String]) -> Result<(), AppError> {
    let restart = app.restart_handler().ok_or_else(|| {
        AppError::Backup("restore is not supported: the app has no restart handler".into())
    })?;
    let data_dir = app
        .data_dir()
        .ok_or_else(|| AppError::Backup("the app has no data dir".into()))?;
    let temp = data_dir.join(TEMP_DIR_NAME);
    tokio::fs::create_dir_all(&temp)
        .await
        .map_err(failed("creating the temp dir"))?;
    let fsys = app.new_backups_filesystem()?;
    if !exists(fsys.as_ref(), name).await? {
        return Err(AppError::Backup(format!(
            "missing or invalid backup file {name:?} to restore"
        )));
    }
    let suffix = app.random_from_pattern("[a-z0-9]{8}")?;
    let zip = temp.join(format!("pb_restore_zip_{suffix}"));
    let extracted = temp.join(format!("pb_restore_{suffix}"));
    let prepared = prepare(app, name, &zip, &extracted).await;
    let _ = tokio::fs::remove_file(&zip).await;
    if let Err(e) = prepared {
        let _ = tokio::fs::remove_dir_all(&extracted).await;
        return Err(e);
    }

    let old = temp.join(format!("old_pb_data_{suffix}"));
    // Held until the process is replaced (or the swap undone): no write reaches the old
    // database files once they are moved aside.
    let lock = app.db().begin().await?;
    let swap = {
        let (data_dir, old, extracted, exclude) = (
            data_dir.clone(),
            old.clone(),
            extracted.clone(),
            exclude.to_vec(),
        );
        tokio::task::spawn_blocking(move || {
            archive::move_dir_content(&data_dir, &old, &exclude)
                .map_err(failed("moving the current data aside"))?;
            archive::move_dir_content(&extracted, &data_dir, &exclude)
                .map_err(failed("moving the backup's content in"))
        })
        .await?
    };
    let outcome = match swap {
        Ok(()) => restart.restart().map_err(AppError::Restart),
        Err(e) => Err(e),
    };
    if let Err(e) = outcome {
        if let Err(revert) = revert(&data_dir, &old, &extracted, exclude).await {
            tracing::error!(error = %revert, "could not undo the data dir changes of a failed restore");
        }
        let _ = lock.rollback().await;
        let _ = tokio::fs::remove_dir_all(&extracted).await;
        return Err(e);
    }
    let _ = lock.rollback().await;
    Ok(())
}

/// Fetches the backup into `zip`, extracts it into `extracted` and checks it holds
/// `data.db`.
async fn prepare(app: &App, name: &str, zip: &Path, extracted: &Path) -> Result<(), AppError> {
    let fsys = app.new_backups_filesystem()?;
    let mut body = fsys.get(name, None).await?.body;
    let mut file = tokio::fs::File::create(zip)
        .await
        .map_err(failed("creating the temp zip"))?;
    while let Some(chunk) = body.next().await {
        file.write_all(&chunk?)
            .await
            .map_err(failed("writing the temp zip"))?;
    }
    file.flush().await.map_err(failed("writing the temp zip"))?;
    drop(file);
    let (zip, out) = (zip.to_path_buf(), extracted.to_path_buf());
    tokio::task::spawn_blocking(move || archive::extract(&zip, &out))
        .await?
        .map_err(failed("extracting the backup"))?;
    match tokio::fs::metadata(extracted.join("data.db")).await {
        Ok(m) if m.is_file() => Ok(()),
        _ => Err(AppError::Backup(
            "data.db file is missing or invalid in the backup".into(),
        )),
    }
}

/// Undoes the swap: the restored content back into `extracted`, the old content back in.
async fn revert(
    data_dir: &Path,
    old: &Path,
    extracted: &Path,
    exclude: &[String],
) -> Result<(), AppError> {
    let (data_dir, old, extracted, exclude): (PathBuf, PathBuf, PathBuf, Vec<String>) = (
        data_dir.to_path_buf(),
        old.to_path_buf(),
        extracted.to_path_buf(),
        exclude.to_vec(),
    );
    tokio::task::spawn_blocking(move || {
        archive::move_dir_content(&data_dir, &extracted, &exclude)?;
        archive::move_dir_content(&old, &data_dir, &exclude)
    })
    .await?
    .map_err(failed("reverting the data dir"))
}
