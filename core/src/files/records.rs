//! The files side of a record's write path, as PocketBase's file field intercepts it: the
//! uploads are stored before the row is written (and removed again when the write fails or
//! its transaction rolls back); the files the save leaves behind are removed only once it
//! commits; a deleted record's directory goes once the delete commits.

use super::record_dir;
use super::uploads::content_stream;
use crate::App;
use crate::error::AppError;
use basalt_domain::collection::Collection;
use basalt_domain::record::Record;
use basalt_domain::record_files::FileContent;
use basalt_ports::files::FileStore;
use std::sync::Arc;

/// The files a save stored: removed again unless the save commits.
#[derive(Default)]
pub(crate) struct Stored {
    store: Option<Arc<dyn FileStore>>,
    keys: Vec<String>,
}

/// Stores `record`'s pending uploads in its directory. On a failure, what was stored so far
/// is removed and the error returned.
pub(crate) async fn store_uploads(
    app: &App,
    c: &Collection,
    record: &Record,
) -> Result<Stored, AppError> {
    let pending = record.pending_uploads(c);
    if pending.is_empty() {
        return Ok(Stored::default());
    }
    let store = app.new_filesystem()?;
    let dir = record_dir(&c.id, record.id());
    let mut keys = Vec::with_capacity(pending.len());
    for (_, file) in pending {
        let key = format!("{dir}/{}", file.name);
        if record.is_written_ahead(&key) {
            continue;
        }
        let put = async {
            match &file.content {
                FileContent::Bytes(b) => {
                    store.put_bytes(&key, b.clone(), &file.content_type).await?;
                }
                FileContent::Path { .. } => {
                    let body = content_stream(&file.content).await?;
                    store.put(&key, body, &file.content_type).await?;
                }
            }
            Ok::<(), AppError>(())
        };
        if let Err(e) = put.await {
            remove(store.as_ref(), &keys).await;
            return Err(e);
        }
        keys.push(key);
    }
    Ok(Stored {
        store: Some(store),
        keys,
    })
}

/// Writes `record`'s pending uploads before its save starts its transaction, so the single
/// writer is not held while file bytes are written (PocketBase writes them outside any
/// lock too). The save skips what was written ahead; call [`Stored::settle`] with its
/// result.
pub(crate) async fn write_ahead(
    app: &App,
    c: &Collection,
    record: &mut Record,
) -> Result<Stored, AppError> {
    if app.is_transactional() || record.pending_uploads(c).is_empty() {
        return Ok(Stored::default());
    }
    crate::records::prepare::fill_new_id(app, c, record)?;
    if record.id().is_empty() {
        return Ok(Stored::default());
    }
    let stored = store_uploads(app, c, record).await?;
    record.mark_written_ahead(stored.keys.clone());
    Ok(stored)
}

impl Stored {
    /// After the save the files were written ahead of: all of them are removed when it
    /// failed; when it committed, those the saved record does not name (a hook dropped or
    /// replaced the upload, or changed the record's id) are.
    pub(crate) async fn settle(self, c: &Collection, record: &Record, saved: bool) {
        let Some(store) = &self.store else { return };
        let unused: Vec<String> = if saved {
            let dir = record_dir(&c.id, record.id());
            let names = record.file_names(c);
            self.keys
                .iter()
                .filter(|k| {
                    k.rsplit_once('/')
                        .is_none_or(|(d, n)| d != dir || !names.iter().any(|x| x == n))
                })
                .cloned()
                .collect()
        } else {
            self.keys.clone()
        };
        remove(store.as_ref(), &unused).await;
    }

    /// Removes the stored files now (the row write failed).
    pub(crate) async fn discard(self) {
        if let Some(store) = &self.store {
            remove(store.as_ref(), &self.keys).await;
        }
    }

    /// Removes the stored files if the app's transaction rolls back.
    pub(crate) async fn discard_on_rollback(self, app: &App) {
        let Some(store) = self.store else { return };
        let keys = self.keys;
        app.after_rollback(Box::new(move || {
            Box::pin(async move { remove(store.as_ref(), &keys).await })
        }))
        .await;
    }
}

/// Removes, once the save commits, the files `record`'s save leaves behind (and their
/// thumbs).
pub(crate) async fn remove_dropped_after_commit(app: &App, c: &Collection, record: &Record) {
    let dropped = record.dropped_files(c);
    if dropped.is_empty() {
        return;
    }
    let dir = record_dir(&c.id, record.stored_id().unwrap_or(record.id()));
    let outer = app.non_transactional();
    app.after_commit(Box::new(move || {
        Box::pin(async move {
            let store = match outer.new_filesystem() {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, dir, "cannot open the file storage to remove replaced files");
                    return;
                }
            };
            for name in dropped {
                let key = format!("{dir}/{name}");
                remove(store.as_ref(), std::slice::from_ref(&key)).await;
                if let Err(e) = store.delete_prefix(&format!("{dir}/thumbs_{name}")).await {
                    tracing::warn!(error = %e, key, "failed to remove the thumbs of a replaced file");
                }
            }
        })
    }))
    .await;
}

/// Removes, once the delete commits, the directory of the deleted record `id` of `c`.
pub(crate) async fn remove_record_dir_after_commit(app: &App, c: &Collection, id: &str) {
    if !has_file_fields(c) {
        return;
    }
    remove_prefix_after_commit(app, record_dir(&c.id, id)).await;
}

/// Removes, once the delete commits, every file of the deleted collection `c`.
pub(crate) async fn remove_collection_dir_after_commit(app: &App, c: &Collection) {
    remove_prefix_after_commit(app, c.id.clone()).await;
}

fn has_file_fields(c: &Collection) -> bool {
    c.fields
        .iter()
        .any(|f| matches!(f.kind, basalt_domain::field::FieldKind::File(_)))
}

async fn remove_prefix_after_commit(app: &App, prefix: String) {
    let outer = app.non_transactional();
    app.after_commit(Box::new(move || {
        Box::pin(async move {
            let result = match outer.new_filesystem() {
                Ok(store) => store.delete_prefix(&prefix).await.map_err(AppError::from),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, prefix, "failed to remove deleted files");
            }
        })
    }))
    .await;
}

/// Deletes `keys`, logging (not failing on) what could not be deleted.
async fn remove(store: &dyn FileStore, keys: &[String]) {
    for key in keys {
        if let Err(e) = store.delete(key).await {
            tracing::warn!(error = %e, key, "failed to remove a file");
        }
    }
}
