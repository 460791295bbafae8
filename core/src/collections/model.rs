//! Saving and deleting collections through the collection model hooks (PocketBase's
//! `app.Save(collection)` / `app.Delete(collection)`).

use crate::App;
use crate::error::AppError;
use crate::hooks::{CollectionErrorEvent, CollectionEvent};
use basalt_domain::collection::Collection;
use basalt_ports::hook::Chain;
use basalt_ports::{Input, ServiceError};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    /// What the input of this action is, for its errors.
    fn input(self) -> Input {
        match self {
            Action::Create => Input::CollectionCreate,
            Action::Update => Input::CollectionUpdate,
            Action::Delete => Input::CollectionDelete,
        }
    }
}

/// Creates or updates (when a collection with its id exists) `c` through the collection
/// model hooks; on success `c` is the stored definition.
pub(crate) async fn save(app: &App, c: &mut Collection) -> Result<(), AppError> {
    let exists = !c.id.is_empty() && app.find_collection(&c.id).is_some_and(|o| o.id == c.id);
    let action = if exists {
        Action::Update
    } else {
        Action::Create
    };
    app.run_in_transaction(|tx| async move { run(&tx, c, action).await })
        .await
}

/// Deletes collection `c` and its table through the collection model hooks.
pub(crate) async fn drop(app: &App, c: &Collection) -> Result<(), AppError> {
    let mut c = c.clone();
    let c = &mut c;
    app.run_in_transaction(|tx| async move { run(&tx, c, Action::Delete).await })
        .await
}

/// One collection model action on a transactional app.
async fn run(app: &App, c: &mut Collection, action: Action) -> Result<(), AppError> {
    let hooks = app.hooks();
    let mut event = CollectionEvent::new(app.clone(), c.clone());
    let (hook, failure) = match action {
        Action::Create => (
            &hooks.on_collection_create,
            &hooks.on_collection_after_create_error,
        ),
        Action::Update => (
            &hooks.on_collection_update,
            &hooks.on_collection_after_update_error,
        ),
        Action::Delete => (
            &hooks.on_collection_delete,
            &hooks.on_collection_after_delete_error,
        ),
    };
    let result = hook
        .trigger(&mut event, move |e| Box::pin(default_action(e, action)))
        .await;
    *c = event.collection;
    match result {
        Ok(()) => {
            if action == Action::Delete {
                crate::files::records::remove_collection_dir_after_commit(app, c).await;
            }
            let outer = app.non_transactional();
            let done = c.clone();
            app.after_commit(Box::new(move || {
                Box::pin(async move {
                    let hooks = outer.hooks();
                    let hook = match action {
                        Action::Create => &hooks.on_collection_after_create_success,
                        Action::Update => &hooks.on_collection_after_update_success,
                        Action::Delete => &hooks.on_collection_after_delete_success,
                    };
                    let mut e = CollectionEvent::new(outer.clone(), done);
                    if let Err(err) = hook.trigger(&mut e, |_| Box::pin(async { Ok(()) })).await {
                        tracing::error!(error = %err, "after-success collection hook failed");
                    }
                })
            }))
            .await;
            Ok(())
        }
        Err(error) => {
            let mut e = CollectionErrorEvent {
                app: app.clone(),
                collection: c.clone(),
                error: error.clone(),
                chain: Chain::default(),
            };
            if let Err(err) = failure
                .trigger(&mut e, |_| Box::pin(async { Ok(()) }))
                .await
            {
                tracing::error!(error = %err, "after-error collection hook failed");
            }
            Err(error.into())
        }
    }
}

async fn default_action(e: &mut CollectionEvent, action: Action) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let hooks = app.hooks();
    if action == Action::Delete {
        return hooks
            .on_collection_delete_execute
            .trigger(e, |e| {
                Box::pin(async move {
                    let app = e.app.clone();
                    let mut tx = app.db().begin().await?;
                    super::delete::delete_in(&app, tx.as_mut(), &e.collection).await?;
                    tx.commit().await?;
                    app.reload_collections().await?;
                    Ok(())
                })
            })
            .await;
    }
    hooks
        .on_collection_validate
        .trigger(e, |_| Box::pin(async { Ok(()) }))
        .await?;
    let execute = if action == Action::Create {
        &hooks.on_collection_create_execute
    } else {
        &hooks.on_collection_update_execute
    };
    execute
        .trigger(e, move |e| {
            Box::pin(async move {
                let app = e.app.clone();
                let original = if action == Action::Update {
                    app.find_collection(&e.collection.id)
                } else {
                    None
                };
                let saved = super::save::store(&app, e.collection.clone(), original.as_deref())
                    .await
                    .map_err(|err| err.into_service(action.input()))?;
                e.collection = saved;
                Ok(())
            })
        })
        .await
}
