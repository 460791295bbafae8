//! `POST /api/collections/{c}/auth-with-otp`, as PocketBase's `recordAuthWithOTP`: the
//! OTP must exist, be of this collection, unexpired (`otp.duration`) and match the
//! password (one 400 for every failure), within 5 attempts per record and IP in 180 s.
//! Then `on_record_auth_with_otp_request`, whose default action deletes the OTP, marks
//! the record verified when the OTP was sent to its email (with a new random password
//! unless MFA is on), and answers as every auth does.

use super::refs::{self, OTPS};
use super::respond::{collection, respond};
use super::{attempts, form};
use crate::App;
use crate::hooks::RecordAuthWithOtpRequestEvent;
use basalt_domain::error::ValidationErrors;
use basalt_ports::hook::Chain;
use basalt_ports::{AuthResponse, RequestContext, ServiceError};
use serde_json::Value;

/// Signs in with the OTP `otp_id` and its `password`.
pub(crate) async fn sign_in(
    app: &App,
    req: &RequestContext,
    collection: &str,
    otp_id: &str,
    password: &str,
    mfa_id: Option<&str>,
) -> Result<AuthResponse, ServiceError> {
    let c = self::collection(app, collection)?;
    let (enabled, duration) = refs::option_on(&c, "otp");
    if !enabled {
        return Err(ServiceError::OtpDisabled);
    }
    let mut errs = ValidationErrors::new();
    form::required_text(&mut errs, "otpId", otp_id, 1, 255);
    form::required_text(&mut errs, "password", password, 1, 71);
    form::result(errs)?;
    let otp = refs::find(app, OTPS, otp_id)
        .await?
        .filter(|o| o.text("collectionRef") == c.id && !refs::has_expired(app, o, duration))
        .ok_or(ServiceError::InvalidOtp)?;
    let record = crate::records::read::find_by_id(app, &c, otp.text("recordRef"))
        .await?
        .ok_or(ServiceError::InvalidOtp)?;
    if !attempts::allow(app, record.id(), req.remote_ip.as_deref()) {
        return Err(ServiceError::OtpAttempts);
    }
    let hash = otp.text("password").to_owned();
    let plain = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || bcrypt::verify(plain, &hash).unwrap_or(false))
        .await
        .unwrap_or(false);
    if !ok {
        return Err(ServiceError::InvalidOtp);
    }
    let mut event = RecordAuthWithOtpRequestEvent {
        app: app.clone(),
        collection: c,
        record,
        otp,
        request: req.clone(),
        mfa_id: mfa_id.map(str::to_owned),
        response: None,
        chain: Chain::default(),
    };
    app.hooks()
        .on_record_auth_with_otp_request
        .trigger(&mut event, |e| Box::pin(default_action(e)))
        .await?;
    event
        .response
        .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
}

/// `on_record_auth_with_otp_request`'s default action.
async fn default_action(e: &mut RecordAuthWithOtpRequestEvent) -> Result<(), ServiceError> {
    let app = e.app.clone();
    let c = e.collection.clone();
    let sent_to = e.otp.text("sentTo").to_owned();
    // Deleted first, so the password change below finds nothing more to delete.
    refs::delete_logged(&app, e.otp.clone(), "used OTP").await;
    let verified = e.record.get("verified").as_bool().unwrap_or(false);
    if !verified && !sent_to.is_empty() && e.record.text("email") == sent_to {
        let mut record = e.record.clone();
        record.set("verified", Value::Bool(true));
        // A new password for an OTP used on its own, against pre-hijacking (PocketBase's).
        if !refs::option_on(&c, "mfa").0 {
            record.set_password(app.random_from_pattern("[a-zA-Z0-9]{30}")?);
        }
        match app.save(&mut record).await {
            Ok(()) => e.record = record,
            Err(error) => tracing::error!(
                %error,
                record = e.record.id(),
                "failed to update the record's verified state after its OTP"
            ),
        }
    }
    let req = e.request.clone();
    let mfa_id = e.mfa_id.clone();
    e.response = Some(
        respond(
            &app,
            &c,
            e.record.clone(),
            "otp",
            None,
            mfa_id.as_deref(),
            &req,
        )
        .await?,
    );
    Ok(())
}
