//! `POST /api/collections/{c}/request-otp`, as PocketBase's `recordRequestOTP`: with
//! `otp.enabled`, an `_otps` row holding a hashed password of `otp.length` digits for the
//! record with that email, mailed to it in the background; `{otpId}`. An unknown email
//! gets the same answer with a random id and no mail. A record with more than 9 unexpired
//! OTPs gets the newest one's id again (and no new mail).

use super::form;
use super::mail::{AuthMail, send_auth_mail};
use super::refs::{self, OTPS};
use super::respond::collection;
use crate::App;
use crate::hooks::RecordCreateOtpRequestEvent;
use crate::query::RecordQuery;
use crate::schema::CollectionRef;
use crate::store::records as rows;
use basalt_domain::error::ValidationErrors;
use basalt_domain::record::Record;
use basalt_ports::hook::Chain;
use basalt_ports::{RequestContext, ServiceError};
use serde_json::{Value, json};

/// How many unexpired OTPs a record may have before the newest is reused.
const MAX_RECENT_OTPS: usize = 9;

/// Starts an OTP sign-in for `email` in `collection`.
pub(crate) async fn request(
    app: &App,
    req: &RequestContext,
    collection: &str,
    email: &str,
) -> Result<Value, ServiceError> {
    let c = self::collection(app, collection)?;
    let (enabled, _) = refs::option_on(&c, "otp");
    if !enabled {
        return Err(ServiceError::OtpDisabled);
    }
    let mut errs = ValidationErrors::new();
    form::required_email(&mut errs, "email", email);
    form::result(errs)?;
    let record = find_by_email(app, &c, email).await?;
    let password = new_password(app, &c)?;
    let mut event = RecordCreateOtpRequestEvent {
        app: app.clone(),
        collection: c,
        record,
        password,
        request: req.clone(),
        response: None,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_request_otp_request
        .trigger(&mut event, |e| Box::pin(default_action(e)))
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no OTP response was set"))
}

/// The record of `c` whose `email` is exactly `email`, if any.
async fn find_by_email(
    app: &App,
    c: &CollectionRef,
    email: &str,
) -> Result<Option<Record>, ServiceError> {
    let q = RecordQuery::new(app, c)
        .field_equals("email", email.into())
        .page(Some(1), 0)
        .build();
    Ok(rows::select(app.db().as_ref(), c, &q).await?.pop())
}

/// `on_record_request_otp_request`'s default action.
async fn default_action(e: &mut RecordCreateOtpRequestEvent) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let c = e.collection.clone();
    let Some(record) = e.record.clone() else {
        tracing::debug!(collection = %c.name, "OTP requested for a missing record");
        e.response = Some(json!({ "otpId": app.new_record_id()? }));
        return Ok(());
    };
    let (_, duration) = refs::option_on(&c, "otp");
    let otps = refs::find_by_record(&app, OTPS, &c.id, record.id()).await?;
    let recent = otps
        .iter()
        .filter(|o| !refs::has_expired(&app, o, duration))
        .count();
    if recent > MAX_RECENT_OTPS
        && let Some(newest) = otps.first()
    {
        tracing::warn!(
            record = record.id(),
            otp = newest.id(),
            "too many OTP requests - reusing the last issued"
        );
        e.response = Some(json!({ "otpId": newest.id() }));
        return Ok(());
    }
    let otp_id = create(&app, &c, &record, &e.password).await?;
    // In the background, as a basic timing and enumeration protection (PocketBase's).
    let password = e.password.clone();
    let (mail_app, mail_c, mail_id) = (app.clone(), c.clone(), otp_id.clone());
    tokio::spawn(async move {
        let mail = AuthMail::Otp {
            otp_id: mail_id.clone(),
            password,
        };
        if let Err(error) = send_auth_mail(&mail_app, &mail_c, &record, mail).await {
            if let Ok(Some(otp)) = refs::find(&mail_app, OTPS, &mail_id).await {
                refs::delete_logged(&mail_app, otp, "unsent OTP").await;
            }
            mail_app
                .logger()
                .with("error", error.to_string())
                .with("otpId", mail_id)
                .error("Failed to send OTP email");
        }
    });
    e.response = Some(json!({ "otpId": otp_id }));
    Ok(())
}

/// Stores a new OTP of `record` (of `c`) with `password` (hashed); returns its id.
pub(crate) async fn create(
    app: &App,
    c: &CollectionRef,
    record: &Record,
    password: &str,
) -> Result<String, ServiceError> {
    let mut otp = refs::new_ref(app, OTPS, &c.id, record.id())?;
    otp.set_password(password);
    app.save(&mut otp).await?;
    Ok(otp.id().to_owned())
}

/// A new OTP password of the collection's `otp.length` digits.
pub(crate) fn new_password(app: &App, c: &CollectionRef) -> Result<String, ServiceError> {
    let length = c
        .auth_option("otp")
        .and_then(|o| o.get("length"))
        .and_then(Value::as_u64)
        .unwrap_or(8)
        .max(1);
    Ok(app.random_from_pattern(&format!("[0-9]{{{length}}}"))?)
}
