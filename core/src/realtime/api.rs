//! The realtime use cases: connecting (the event stream) and setting subscriptions.

use super::{DEFAULT_IDLE_TIMEOUT, RealtimeClient, Subscription};
use crate::App;
use crate::hooks::{
    RealtimeConnectRequestEvent, RealtimeMessageEvent, RealtimeSubscribeRequestEvent,
};
use async_trait::async_trait;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_ports::hook::Chain;
use basalt_ports::{
    Auth, Input, RealtimeApi, RealtimeConnection, RealtimeMessage, RequestContext, ServiceError,
    SubscribeForm,
};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The longest client id accepted.
const MAX_CLIENT_ID: usize = 255;
/// The most subscriptions one request may set.
const MAX_SUBSCRIPTIONS: usize = 1000;
/// The longest subscription accepted.
const MAX_SUBSCRIPTION_LEN: usize = 2500;

#[async_trait]
impl RealtimeApi for App {
    async fn realtime_connect(
        &self,
        req: &RequestContext,
    ) -> Result<RealtimeConnection, ServiceError> {
        let id = self.random_from_pattern("[a-zA-Z0-9]{40}")?;
        let broker = &self.inner.realtime;
        let client =
            RealtimeClient::new(id.clone(), req.remote_ip.clone(), broker.queue_capacity());
        let mut event = RealtimeConnectRequestEvent {
            app: self.clone(),
            request: req.clone(),
            client: client.clone(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            chain: Chain::default(),
        };
        self.inner
            .hooks
            .on_realtime_connect_request
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    e.app.inner.realtime.register(e.client.clone());
                    Ok(())
                })
            })
            .await?;
        let registered = broker.client(&id).is_some_and(|c| Arc::ptr_eq(&c, &client));
        if !registered || broker.is_shutting_down() {
            // not registered (a handler did not call `next()`) or shutting down: no events
            broker.unregister(&client);
        } else {
            tracing::debug!(client_id = %id, "realtime connection established");
        }
        let connect = RealtimeMessage {
            name: Arc::from("PB_CONNECT"),
            data: Arc::from(format!(r#"{{"clientId":"{id}"}}"#)),
        };
        let idle = event.idle_timeout;
        let state = Connection {
            app: self.clone(),
            client,
            idle,
            last_sent: Instant::now(),
            timer: Box::pin(tokio::time::sleep(idle)),
            first: Some(connect),
            flush_interval: broker.flush_interval(),
            last_flush: Instant::now(),
            batch_left: 0,
        };
        Ok(RealtimeConnection {
            client_id: id,
            messages: Box::pin(futures_util::stream::unfold(state, next_message)),
        })
    }

    async fn realtime_subscribe(
        &self,
        req: &RequestContext,
        form: SubscribeForm,
    ) -> Result<(), ServiceError> {
        validate(&form)?;
        let client = self
            .inner
            .realtime
            .client(&form.client_id)
            .ok_or(ServiceError::MissingRealtimeClient)?;
        // as PocketBase: a client id is only good from the address that opened the stream
        if let (Some(opened), Some(from)) = (client.ip(), req.remote_ip.as_deref())
            && opened != from
        {
            return Err(ServiceError::InvalidRealtimeClient);
        }
        let current = client.auth();
        if !current.is_guest() && !same_auth(&current, &req.auth) {
            return Err(ServiceError::RealtimeAuthMismatch);
        }
        let mut request = req.clone();
        if request.auth_record.is_none() {
            request.auth_record = load_auth_record(self, &request.auth).await?;
        }
        let mut event = RealtimeSubscribeRequestEvent {
            app: self.clone(),
            request,
            client,
            subscriptions: form.subscriptions,
            chain: Chain::default(),
        };
        self.inner
            .hooks
            .on_realtime_subscribe_request
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    let subs: Vec<Subscription> = e
                        .subscriptions
                        .iter()
                        .filter_map(|s| Subscription::parse(s))
                        .collect();
                    let (auth, record) = (e.request.auth.clone(), e.request.auth_record.clone());
                    e.client.write(|s| {
                        s.auth = auth;
                        s.auth_record = record;
                        s.subscriptions = subs;
                    });
                    tracing::debug!(client_id = %e.client.id(), subscriptions = ?e.subscriptions, "realtime subscriptions updated");
                    Ok(())
                })
            })
            .await
    }
}

/// The auth record behind `auth`, for the rules of later broadcasts.
async fn load_auth_record(
    app: &App,
    auth: &Auth,
) -> Result<Option<Arc<serde_json::Map<String, serde_json::Value>>>, ServiceError> {
    let Auth::Record {
        collection_id, id, ..
    } = auth
    else {
        return Ok(None);
    };
    let Some(c) = app.find_collection(collection_id) else {
        return Ok(None);
    };
    Ok(crate::records::read::find_by_id(app, &c, id)
        .await?
        .map(|r| Arc::new(r.data)))
}

/// PocketBase's form checks: a client id of 1–255 characters, at most 1000 subscriptions of
/// at most 2500 characters each.
fn validate(form: &SubscribeForm) -> Result<(), ServiceError> {
    let mut errs = ValidationErrors::new();
    if form.client_id.is_empty() {
        errs.add(
            "clientId",
            FieldError::new("validation_required", "Cannot be blank."),
        );
    } else if form.client_id.chars().count() > MAX_CLIENT_ID {
        errs.add(
            "clientId",
            FieldError::new(
                "validation_length_out_of_range",
                format!("The length must be between 1 and {MAX_CLIENT_ID}."),
            ),
        );
    }
    if form.subscriptions.len() > MAX_SUBSCRIPTIONS {
        errs.add(
            "subscriptions",
            FieldError::new(
                "validation_length_too_long",
                format!("The length must be no more than {MAX_SUBSCRIPTIONS}."),
            ),
        );
    } else if let Some(i) = form
        .subscriptions
        .iter()
        .position(|s| s.chars().count() > MAX_SUBSCRIPTION_LEN)
    {
        errs.add(
            format!("subscriptions.{i}"),
            FieldError::new(
                "validation_length_too_long",
                format!("The length must be no more than {MAX_SUBSCRIPTION_LEN}."),
            ),
        );
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid(Input::Request, errs))
    }
}

/// The same auth record (collection and id), or both guests.
fn same_auth(a: &Auth, b: &Auth) -> bool {
    match (a, b) {
        (Auth::Guest, Auth::Guest) => true,
        (
            Auth::Record {
                collection_id: ca,
                id: ia,
                ..
            },
            Auth::Record {
                collection_id: cb,
                id: ib,
                ..
            },
        ) => ca == cb && ia == ib,
        _ => false,
    }
}

/// One connection's stream state; dropping it unregisters the client.
struct Connection {
    app: App,
    client: Arc<RealtimeClient>,
    idle: Duration,
    /// When the last message was written; the connection closes `idle` after it.
    last_sent: Instant,
    /// Fires at the idle deadline (re-armed only when it fires early: one timer per
    /// connection, not one per message).
    timer: Pin<Box<Sleep>>,
    first: Option<RealtimeMessage>,
    /// The broker's flush interval when the connection opened.
    flush_interval: Duration,
    /// When the current batch began (its first message left the queue).
    last_flush: Instant,
    /// Messages of the current batch still in the queue.
    batch_left: usize,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.app.inner.realtime.unregister(&self.client);
        tracing::debug!(client_id = %self.client.id(), "realtime connection closed");
    }
}

/// The next message to write: `PB_CONNECT` first, then the queue, each through
/// `on_realtime_message_send`; ends on disconnect or after `idle` without a message.
async fn next_message(mut conn: Connection) -> Option<(RealtimeMessage, Connection)> {
    loop {
        let message = match conn.first.take() {
            Some(m) => m,
            None => {
                if conn.client.is_closed() {
                    return None;
                }
                // the rest of the current batch leaves in the same write
                let queued = if conn.batch_left > 0 {
                    conn.client.try_recv()
                } else {
                    None
                };
                match queued {
                    Some(m) => {
                        conn.batch_left -= 1;
                        m
                    }
                    None => {
                        conn.batch_left = 0;
                        wait_message(&mut conn).await?
                    }
                }
            }
        };
        conn.last_sent = Instant::now();
        if conn.app.inner.hooks.on_realtime_message_send.is_empty() {
            return Some((message, conn));
        }
        // boxed: keeps the hook's state out of every idle connection's future
        match Box::pin(through_message_hook(&conn, message)).await {
            Err(()) => return None,
            Ok(Some(m)) => return Some((m, conn)),
            Ok(None) => continue,
        }
    }
}

/// The first message of the next batch, waiting for one; `None` on disconnect or idle
/// timeout. Less than the flush interval after the previous batch began, it is held for the
/// rest of the interval; the batch is then it and everything queued behind it by then.
async fn wait_message(conn: &mut Connection) -> Option<RealtimeMessage> {
    loop {
        tokio::select! {
            biased;
            m = conn.client.recv() => {
                let m = m?;
                let due = conn.last_flush + conn.flush_interval;
                if Instant::now() < due {
                    conn.timer.as_mut().reset(due);
                    (&mut conn.timer).await;
                    conn.timer.as_mut().reset(conn.last_sent + conn.idle);
                }
                conn.last_flush = Instant::now();
                conn.batch_left = conn.client.queued();
                return Some(m);
            },
            () = &mut conn.timer => {
                let deadline = conn.last_sent + conn.idle;
                if Instant::now() >= deadline {
                    tracing::debug!(client_id = %conn.client.id(), "realtime client idle; closing");
                    return None;
                }
                conn.timer.as_mut().reset(deadline);
            }
        }
    }
}

/// Runs `on_realtime_message_send` for `message`: `Ok(Some)` to send it (as the handlers
/// left it), `Ok(None)` when a handler dropped it, `Err` to close the connection.
async fn through_message_hook(
    conn: &Connection,
    message: RealtimeMessage,
) -> Result<Option<RealtimeMessage>, ()> {
    let mut event = RealtimeMessageEvent {
        app: conn.app.clone(),
        client: conn.client.clone(),
        message,
        chain: Chain::default(),
    };
    let sent = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = sent.clone();
    let result = conn
        .app
        .inner
        .hooks
        .on_realtime_message_send
        .trigger(&mut event, move |_| {
            Box::pin(async move {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })
        })
        .await;
    match result {
        Err(e) => {
            tracing::debug!(client_id = %conn.client.id(), error = %e, "realtime message hook failed; closing");
            Err(())
        }
        Ok(()) if sent.load(std::sync::atomic::Ordering::Relaxed) => Ok(Some(event.message)),
        Ok(()) => Ok(None),
    }
}
