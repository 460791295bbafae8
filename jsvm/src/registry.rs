//! How each registration of the hooks files is bound on the app, its cron, its migrations
//! and its router.

use crate::bridge::{JsEvent, run_call, run_event};
use crate::error::JsvmError;
use crate::events::ServeJsEvent;
use crate::pool::Shared;
use crate::registration::{Middleware, Registration};
use basalt_core::App;
use basalt_http::router::Action;
use basalt_http::router::{
    RequestEvent, Router, body_limit, gzip, require_auth, require_guest_only,
    require_superuser_auth, require_superuser_or_owner_auth, skip_success_activity_log,
};
use basalt_ports::hook::{BoxFuture, Handler, Hook, HookResult, Tagged, TaggedHook};
use serde_json::Value;
use std::sync::Arc;

/// A JS handler as a hook handler.
fn js_handler<E: JsEvent>(shared: &Arc<Shared>, handler: u32) -> Handler<E> {
    let shared = shared.clone();
    Handler::new(move |e: &mut E| {
        let shared = shared.clone();
        Box::pin(async move { run_event(&shared, handler, e).await })
    })
}

fn bind<E: JsEvent>(hook: &Hook<E>, shared: &Arc<Shared>, handler: u32) {
    hook.bind(js_handler(shared, handler));
}

fn bind_tagged<E: JsEvent + Tagged>(hook: TaggedHook<'_, E>, shared: &Arc<Shared>, handler: u32) {
    hook.bind(js_handler(shared, handler));
}

/// Binds the hooks, cron jobs and migrations of `registrations` on `app`.
pub(crate) fn bind_app(
    app: &App,
    shared: &Arc<Shared>,
    registrations: &[Registration],
) -> Result<(), JsvmError> {
    for r in registrations {
        match r {
            Registration::Hook {
                name,
                handler,
                tags,
            } => bind_hook(app, shared, name, *handler, tags)?,
            Registration::Cron { id, expr, handler } => {
                let shared = shared.clone();
                let job_app = app.clone();
                let handler = *handler;
                let job_id = id.clone();
                app.cron()
                    .add(id, expr, move || {
                        let shared = shared.clone();
                        let app = job_app.clone();
                        let job_id = job_id.clone();
                        async move {
                            if let Err(e) = run_call(&shared, handler, app).await {
                                tracing::error!(job = %job_id, error = %e, "JS cron job failed");
                            }
                        }
                    })
                    .map_err(|e| JsvmError::Load(format!("cronAdd({id:?}, {expr:?}): {e}")))?;
            }
            Registration::CronRemove { id } => app.cron().remove(id),
            Registration::Migration { file, up, down } => {
                let (s1, s2) = (shared.clone(), shared.clone());
                let (up, down) = (*up, *down);
                app.register_migration(
                    file,
                    move |app| {
                        let s = s1.clone();
                        async move { Ok(run_call(&s, up, app).await?) }
                    },
                    move |app| {
                        let s = s2.clone();
                        async move { Ok(run_call(&s, down, app).await?) }
                    },
                );
            }
            Registration::Route { .. } | Registration::Use { .. } => {}
        }
    }
    Ok(())
}

/// Binds JS hook `name` (`onRecordCreate`) on `app`.
fn bind_hook(
    app: &App,
    shared: &Arc<Shared>,
    name: &str,
    handler: u32,
    tags: &[String],
) -> Result<(), JsvmError> {
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    let t = tags.as_slice();
    let s = shared;
    let h = handler;
    match name {
        "onBootstrap" => bind(app.on_bootstrap(), s, h),
        "onTerminate" => bind(app.on_terminate(), s, h),
        "onSettingsReload" => bind(app.on_settings_reload(), s, h),
        "onBackupCreate" => bind(app.on_backup_create(), s, h),
        "onBackupRestore" => bind(app.on_backup_restore(), s, h),
        "onRealtimeConnectRequest" => bind(app.on_realtime_connect_request(), s, h),
        "onRealtimeSubscribeRequest" => bind(app.on_realtime_subscribe_request(), s, h),
        "onRealtimeMessageSend" => bind(app.on_realtime_message_send(), s, h),
        "onRecordValidate" => bind_tagged(app.on_record_validate(t), s, h),
        "onRecordCreate" => bind_tagged(app.on_record_create(t), s, h),
        "onRecordCreateExecute" => bind_tagged(app.on_record_create_execute(t), s, h),
        "onRecordAfterCreateSuccess" => bind_tagged(app.on_record_after_create_success(t), s, h),
        "onRecordAfterCreateError" => bind_tagged(app.on_record_after_create_error(t), s, h),
        "onRecordUpdate" => bind_tagged(app.on_record_update(t), s, h),
        "onRecordUpdateExecute" => bind_tagged(app.on_record_update_execute(t), s, h),
        "onRecordAfterUpdateSuccess" => bind_tagged(app.on_record_after_update_success(t), s, h),
        "onRecordAfterUpdateError" => bind_tagged(app.on_record_after_update_error(t), s, h),
        "onRecordDelete" => bind_tagged(app.on_record_delete(t), s, h),
        "onRecordDeleteExecute" => bind_tagged(app.on_record_delete_execute(t), s, h),
        "onRecordAfterDeleteSuccess" => bind_tagged(app.on_record_after_delete_success(t), s, h),
        "onRecordAfterDeleteError" => bind_tagged(app.on_record_after_delete_error(t), s, h),
        "onCollectionValidate" => bind_tagged(app.on_collection_validate(t), s, h),
        "onCollectionCreate" => bind_tagged(app.on_collection_create(t), s, h),
        "onCollectionCreateExecute" => bind_tagged(app.on_collection_create_execute(t), s, h),
        "onCollectionAfterCreateSuccess" => {
            bind_tagged(app.on_collection_after_create_success(t), s, h)
        }
        "onCollectionAfterCreateError" => {
            bind_tagged(app.on_collection_after_create_error(t), s, h)
        }
        "onCollectionUpdate" => bind_tagged(app.on_collection_update(t), s, h),
        "onCollectionUpdateExecute" => bind_tagged(app.on_collection_update_execute(t), s, h),
        "onCollectionAfterUpdateSuccess" => {
            bind_tagged(app.on_collection_after_update_success(t), s, h)
        }
        "onCollectionAfterUpdateError" => {
            bind_tagged(app.on_collection_after_update_error(t), s, h)
        }
        "onCollectionDelete" => bind_tagged(app.on_collection_delete(t), s, h),
        "onCollectionDeleteExecute" => bind_tagged(app.on_collection_delete_execute(t), s, h),
        "onCollectionAfterDeleteSuccess" => {
            bind_tagged(app.on_collection_after_delete_success(t), s, h)
        }
        "onCollectionAfterDeleteError" => {
            bind_tagged(app.on_collection_after_delete_error(t), s, h)
        }
        "onRecordEnrich" => bind_tagged(app.on_record_enrich(t), s, h),
        "onRecordsListRequest" => bind_tagged(app.on_records_list_request(t), s, h),
        "onRecordViewRequest" => bind_tagged(app.on_record_view_request(t), s, h),
        "onRecordCreateRequest" => bind_tagged(app.on_record_create_request(t), s, h),
        "onRecordUpdateRequest" => bind_tagged(app.on_record_update_request(t), s, h),
        "onRecordDeleteRequest" => bind_tagged(app.on_record_delete_request(t), s, h),
        "onRecordAuthRequest" => bind_tagged(app.on_record_auth_request(t), s, h),
        "onRecordAuthWithPasswordRequest" => {
            bind_tagged(app.on_record_auth_with_password_request(t), s, h)
        }
        "onRecordAuthRefreshRequest" => bind_tagged(app.on_record_auth_refresh_request(t), s, h),
        "onRecordAuthWithOAuth2Request" => {
            bind_tagged(app.on_record_auth_with_oauth2_request(t), s, h)
        }
        "onRecordRequestOTPRequest" => bind_tagged(app.on_record_request_otp_request(t), s, h),
        "onRecordAuthWithOTPRequest" => bind_tagged(app.on_record_auth_with_otp_request(t), s, h),
        "onRecordRequestVerificationRequest" => {
            bind_tagged(app.on_record_request_verification_request(t), s, h)
        }
        "onRecordConfirmVerificationRequest" => {
            bind_tagged(app.on_record_confirm_verification_request(t), s, h)
        }
        "onRecordRequestPasswordResetRequest" => {
            bind_tagged(app.on_record_request_password_reset_request(t), s, h)
        }
        "onRecordConfirmPasswordResetRequest" => {
            bind_tagged(app.on_record_confirm_password_reset_request(t), s, h)
        }
        "onRecordRequestEmailChangeRequest" => {
            bind_tagged(app.on_record_request_email_change_request(t), s, h)
        }
        "onRecordConfirmEmailChangeRequest" => {
            bind_tagged(app.on_record_confirm_email_change_request(t), s, h)
        }
        "onMailerSend" => bind(app.on_mailer_send(), s, h),
        "onMailerRecordVerificationSend" => {
            bind_tagged(app.on_mailer_record_verification_send(t), s, h)
        }
        "onMailerRecordPasswordResetSend" => {
            bind_tagged(app.on_mailer_record_password_reset_send(t), s, h)
        }
        "onMailerRecordEmailChangeSend" => {
            bind_tagged(app.on_mailer_record_email_change_send(t), s, h)
        }
        "onMailerRecordOTPSend" => bind_tagged(app.on_mailer_record_otp_send(t), s, h),
        "onMailerRecordAuthAlertSend" => bind_tagged(app.on_mailer_record_auth_alert_send(t), s, h),
        // on_serve belongs to the binary, which runs these through `Jsvm::serve`.
        "onServe" => {}
        other => return Err(JsvmError::Load(format!("unknown hook {other}"))),
    }
    Ok(())
}

/// The `onServe` handlers of `registrations`, as one hook.
pub(crate) fn serve_hook(
    shared: &Arc<Shared>,
    registrations: &[Registration],
) -> Hook<ServeJsEvent> {
    let hook = Hook::new();
    for r in registrations {
        if let Registration::Hook { name, handler, .. } = r
            && name == "onServe"
        {
            bind(&hook, shared, *handler);
        }
    }
    hook
}

/// Adds the routes and router middlewares of `registrations` to `router`.
pub(crate) fn bind_router(
    router: &mut Router<App>,
    shared: &Arc<Shared>,
    registrations: &[Registration],
) -> Result<(), JsvmError> {
    for r in registrations {
        match r {
            Registration::Use { middleware } => {
                router.bind(middleware_handler(shared, middleware)?);
            }
            Registration::Route {
                method,
                path,
                handler,
                middlewares,
            } => {
                let action = route_action(shared.clone(), *handler);
                let route = match method.to_ascii_uppercase().as_str() {
                    "" | "*" | "ANY" => router.any(path, action),
                    m => router.route(m, path, action),
                };
                for m in middlewares {
                    route.bind(middleware_handler(shared, m)?);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A route's action: JS handler `handler`.
fn route_action(shared: Arc<Shared>, handler: u32) -> impl Action<App> {
    move |e: &mut RequestEvent<App>| -> BoxFuture<'_, HookResult> {
        let shared = shared.clone();
        Box::pin(async move { run_event(&shared, handler, e).await })
    }
}

/// A route middleware from its registration.
fn middleware_handler(
    shared: &Arc<Shared>,
    m: &Middleware,
) -> Result<Handler<RequestEvent<App>>, JsvmError> {
    Ok(match m {
        Middleware::Js {
            handler,
            id,
            priority,
        } => {
            let h = js_handler(shared, *handler).priority(*priority);
            if id.is_empty() { h } else { h.id(id.clone()) }
        }
        Middleware::Builtin { name, args } => {
            let strings: Vec<String> = args
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect();
            let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
            match name.as_str() {
                "requireAuth" => require_auth(&refs),
                "requireSuperuserAuth" => require_superuser_auth(),
                "requireGuestOnly" => require_guest_only(),
                "requireSuperuserOrOwnerAuth" => {
                    require_superuser_or_owner_auth(refs.first().copied().unwrap_or("id"))
                }
                "bodyLimit" => body_limit(
                    args.first()
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0),
                ),
                "gzip" => gzip(),
                "skipSuccessActivityLog" => skip_success_activity_log(),
                other => return Err(JsvmError::Load(format!("unknown middleware $apis.{other}"))),
            }
        }
    })
}
