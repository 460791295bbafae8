//! `App::run_in_transaction`: PocketBase's `RunInTransaction`.

use crate::App;
use crate::error::AppError;
use crate::tx::{AfterCommit, TxDatabase, TxShared};
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

impl App {
    /// Runs `f` with a transactional app: everything done through it (saves, deletes,
    /// collection changes, queries, and whatever hooks fired by those saves do through
    /// `e.app`) commits together when `f` returns `Ok`, and rolls back when it returns `Err`
    /// or panics (the panic becomes [`AppError::Panic`]). Called on a transactional app,
    /// it reuses the open transaction.
    ///
    /// Reads through the outer (non-transactional) app keep working during the transaction
    /// and see the last committed data. Writes through the outer app wait for the
    /// transaction to end, since SQLite has one writer: awaiting one from inside `f`
    /// deadlocks. Inside `f`, always write through the app you were given.
    ///
    /// ```no_run
    /// # async fn run(app: basalt::App) -> Result<(), basalt::AppError> {
    /// app.run_in_transaction(|tx| async move {
    ///     let mut post = tx.new_record("posts")?;
    ///     post.set("title", "hello".into());
    ///     tx.save(&mut post).await?;
    ///     Ok(())
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_in_transaction<F, Fut, T>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        if self.tx.is_some() {
            return f(self.clone()).await;
        }
        let shared = TxShared::new(self.inner.db.begin().await?);
        let tx_app = App {
            inner: self.inner.clone(),
            db: Arc::new(TxDatabase(shared.clone())),
            tx: Some(shared.clone()),
        };
        let result = match AssertUnwindSafe(f(tx_app)).catch_unwind().await {
            Ok(r) => r,
            Err(panic) => {
                let why = panic_message(panic.as_ref());
                tracing::error!(panic = %why, "panic inside a transaction; rolled back");
                Err(AppError::Panic(why))
            }
        };
        match result {
            Ok(value) => {
                let committed = match shared.take().await {
                    Ok(tx) => tx.commit().await,
                    Err(e) => Err(e),
                };
                if let Err(e) = committed {
                    for job in shared.take_after_rollback() {
                        job().await;
                    }
                    return Err(e.into());
                }
                for job in shared.take_after_commit() {
                    job().await;
                }
                Ok(value)
            }
            Err(e) => {
                if let Ok(tx) = shared.take().await
                    && let Err(rb) = tx.rollback().await
                {
                    tracing::error!(error = %rb, "rollback failed");
                }
                for job in shared.take_after_rollback() {
                    job().await;
                }
                if shared.schema_changed()
                    && let Err(reload) = self.reload_collections().await
                {
                    tracing::error!(error = %reload, "reloading collections after a rollback");
                }
                Err(e)
            }
        }
    }

    /// Runs `job` once the data written so far is committed: at the end of the outermost
    /// transaction, or now outside one. Dropped when the transaction rolls back.
    pub(crate) async fn after_commit(&self, job: AfterCommit) {
        match &self.tx {
            Some(tx) => tx.after_commit(job),
            None => job().await,
        }
    }
}

impl App {
    /// Runs `job` if the data written so far is rolled back: at the end of the outermost
    /// transaction when it fails, never outside one (nothing can roll back there).
    pub(crate) async fn after_rollback(&self, job: AfterCommit) {
        if let Some(tx) = &self.tx {
            tx.after_rollback(job);
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}
