//! The default action's writes (PocketBase's `oauth2Submit`), in one transaction: a new
//! record created through the record create API (`createData`, the OAuth2 email, the
//! mapped fields, a random password), or the found record protected against
//! pre-hijacking and verified; then the `_externalAuths` link when missing.

use super::client::get;
use super::external_auths;
use crate::App;
use crate::error::AppError;
use crate::hooks::RecordAuthWithOAuth2RequestEvent;
use crate::query::RecordQuery;
use crate::records::read::find_by_id;
use crate::records::write;
use crate::store::records as rows;
use basalt_domain::collection::{Collection, index_parts};
use basalt_domain::field::FieldKind;
use basalt_domain::files::SNIFF_LEN;
use basalt_domain::oauth2::{AuthUser, OAuth2Config};
use basalt_domain::record::Record;
use basalt_domain::record_files::FileContent;
use basalt_ports::{Auth, RecordForm, RequestContext, Upload};
use serde_json::{Map, Value, json};

/// Creates or updates the event's record and links it, in one transaction.
pub(crate) async fn submit(
    e: &mut RecordAuthWithOAuth2RequestEvent,
    link: Option<Record>,
) -> Result<(), AppError> {
    let app = e.app.clone();
    let c = e.collection.clone();
    let provider = e.provider_name.clone();
    let user = e.oauth2_user.clone();
    let req = e.request.clone();
    let create_data = e.create_data.clone();
    let found = e.record.take();
    let record = app
        .run_in_transaction(|tx| async move {
            let (record, link) = match found {
                None => (create(&tx, &c, &req, &user, create_data).await?, None),
                Some(record) => update(&tx, &req, record, &user, link).await?,
            };
            if link.is_none() {
                external_auths::create(&tx, &record, &provider, &user.id).await?;
            }
            Ok(record)
        })
        .await?;
    e.record = Some(record);
    Ok(())
}

/// A random 30-character password, as PocketBase sets for OAuth2 records.
fn random_password(app: &App) -> Result<String, AppError> {
    app.random_from_pattern("[a-zA-Z0-9]{30}")
}

/// Creates the record through the record create API (its hooks, create rule and
/// validation), then marks it verified when its email is the provider's.
async fn create(
    tx: &App,
    c: &Collection,
    req: &RequestContext,
    user: &AuthUser,
    create_data: Map<String, Value>,
) -> Result<Record, AppError> {
    if c.is_superusers() {
        return Err(AppError::Service(basalt_ports::ServiceError::OAuth2Failed(
            basalt_ports::Cause::message("superusers are not allowed to sign-up with OAuth2"),
        )));
    }
    let mapped = OAuth2Config::from_options(&c.options).mapped_fields;
    let mut body = create_data;
    if body
        .get("email")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        body.insert("email".into(), json!(user.email));
    }
    if !mapped.id.is_empty() && !body.contains_key(&mapped.id) {
        body.insert(mapped.id.clone(), json!(user.id));
    }
    if !mapped.name.is_empty() && !body.contains_key(&mapped.name) {
        body.insert(mapped.name.clone(), json!(user.name));
    }
    if !mapped.username.is_empty()
        && !body.contains_key(&mapped.username)
        && can_assign_username(tx, c, &mapped.username, &user.username).await?
    {
        body.insert(mapped.username.clone(), json!(user.username));
    }
    let mut files = Vec::new();
    if !mapped.avatar_url.is_empty()
        && !body.contains_key(&mapped.avatar_url)
        && !user.avatar_url.is_empty()
    {
        let is_file = c
            .field(&mapped.avatar_url)
            .is_some_and(|f| matches!(f.kind, FieldKind::File(_)));
        if is_file {
            match download(tx, &user.avatar_url).await {
                Ok(bytes) => files.push(avatar_upload(&mapped.avatar_url, &user.avatar_url, bytes)),
                Err(err) => {
                    tracing::warn!(error = %err.chain(), "Failed to retrieve OAuth2 avatar")
                }
            }
        } else {
            body.insert(mapped.avatar_url.clone(), json!(user.avatar_url));
        }
    }
    if !body.contains_key("password") {
        let password = random_password(tx)?;
        body.insert("passwordConfirm".into(), json!(password));
        body.insert("password".into(), json!(password));
    }
    let created = write::create_in(tx, req, &c.name, RecordForm { body, files }, "oauth2")
        .await
        .map_err(AppError::Service)?;
    let id = created.get("id").and_then(Value::as_str).unwrap_or("");
    let mut record = find_by_id(tx, c, id)
        .await?
        .ok_or_else(|| AppError::NotFound("failed to create OAuth2 auth record".into()))?;
    if record.text("email") == user.email && record.get("verified") != &json!(true) {
        record.set("verified", json!(true));
        tx.save(&mut record).await?;
    }
    Ok(record)
}

/// PocketBase's checks before a username is mapped: a valid value for a text field, and
/// unused when the field has a unique index.
async fn can_assign_username(
    tx: &App,
    c: &Collection,
    field: &str,
    username: &str,
) -> Result<bool, AppError> {
    let Some(f) = c.field(field) else {
        return Ok(false);
    };
    if let FieldKind::Text(opts) = &f.kind
        && opts.validate_plain(username).is_err()
    {
        return Ok(false);
    }
    let Some(nocase) = unique_index_nocase(c, field) else {
        return Ok(true);
    };
    let q = if nocase {
        RecordQuery::new(tx, c).field_equals_nocase(field, username.into())
    } else {
        RecordQuery::new(tx, c).field_equals(field, username.into())
    }
    .page(Some(1), 0)
    .build();
    Ok(!rows::exists(tx.db().as_ref(), &q).await?)
}

/// Whether `field` has a single-column unique index, and if so whether it compares
/// `COLLATE NOCASE` (`None`: no such index).
pub(crate) fn unique_index_nocase(c: &Collection, field: &str) -> Option<bool> {
    c.indexes
        .iter()
        .filter_map(|i| index_parts(i))
        .find_map(|p| {
            let col = p.columns.trim();
            let name = col.split_whitespace().next().unwrap_or("");
            let name = name.trim_matches(|ch| ch == '`' || ch == '"' || ch == '[' || ch == ']');
            (p.unique && name == field && !col.contains(','))
                .then(|| col.to_ascii_lowercase().contains("nocase"))
        })
}

/// The avatar at `url` (public addresses only, as PocketBase's `safeFileFromURL`).
async fn download(app: &App, url: &str) -> Result<Vec<u8>, basalt_ports::Cause> {
    let r = get(app, url, true).await?;
    if !(200..400).contains(&r.status) {
        return Err(basalt_ports::Cause::message(format!(
            "failed to download url {url} ({})",
            r.status
        )));
    }
    Ok(r.body)
}

/// The downloaded avatar as an upload of field `field`, named after the URL's last segment.
fn avatar_upload(field: &str, url: &str, bytes: Vec<u8>) -> Upload {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("avatar");
    Upload {
        key: field.to_owned(),
        original_name: name.to_owned(),
        size: bytes.len() as u64,
        head: bytes[..bytes.len().min(SNIFF_LEN)].to_vec(),
        content: FileContent::Bytes(bytes::Bytes::from(bytes)),
    }
}

/// The found record: an unverified one gets a new random password (unless it is the
/// caller's own) and loses its other links; an empty email is filled in; it becomes
/// verified when its email is the provider's (or empty).
async fn update(
    tx: &App,
    req: &RequestContext,
    mut record: Record,
    user: &AuthUser,
    mut link: Option<Record>,
) -> Result<(Record, Option<Record>), AppError> {
    let mut need_update = false;
    let verified = record.get("verified") == &json!(true);
    let is_caller = matches!(&req.auth, Auth::Record { id, collection_id, .. }
        if id == record.id() && *collection_id == record.collection_id);
    if !is_caller && !verified {
        need_update = true;
        record.set_password(random_password(tx)?);
    }
    if !verified {
        external_auths::delete_all_of(tx, &record).await?;
        link = None;
    }
    if record.text("email").is_empty() && !user.email.is_empty() {
        need_update = true;
        record.set("email", json!(user.email));
    }
    let email = record.text("email").to_owned();
    if !verified && (email.is_empty() || email == user.email) {
        need_update = true;
        record.set("verified", json!(true));
    }
    if need_update {
        tx.save(&mut record).await?;
    }
    Ok((record, link))
}
