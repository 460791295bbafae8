//! `GET /api/files/{collection}/{record}/{filename}`, as PocketBase serves a file: the file
//! must be one the record holds; a protected file needs a file token whose record passes the
//! collection's view rule (`@request.context = "protectedFile"`); an allowed `thumb` of an
//! image serves its thumb (made on first use; on failure, the original); everything missing
//! or refused is PocketBase's bare 404.

use super::record_dir;
use crate::App;
use crate::auth::tokens::{TokenKind, verify_kind};
use crate::hooks::FileDownloadRequestEvent;
use crate::query::{Gate, RecordQuery, RequestScope, gate};
use crate::records::read::find_by_id;
use crate::store::records as rows;
use basalt_domain::collection::Collection;
use basalt_domain::field::FieldKind;
use basalt_domain::files::{
    DEFAULT_THUMB_SIZES, IMAGE_CONTENT_TYPES, inline_content_type, parse_thumb_size,
    served_content_type, thumb_key,
};
use basalt_domain::record::Record;
use basalt_ports::files::FileStoreError;
use basalt_ports::files_api::{FileRequest, ServedFile};
use basalt_ports::{Auth, CollectionLookup, RequestContext, ServiceError};
use std::sync::Arc;

/// Serves the file `f` asks for.
pub(crate) async fn download(
    app: &App,
    req: &RequestContext,
    f: FileRequest,
) -> Result<ServedFile, ServiceError> {
    let c = app
        .find_collection(&f.collection)
        .ok_or(ServiceError::MissingCollection(
            CollectionLookup::RecordsWrite,
        ))?;
    if f.record_id.is_empty() || c.is_view() {
        return Err(ServiceError::Missing);
    }
    let record = find_by_id(app, &c, &f.record_id)
        .await?
        .ok_or(ServiceError::Missing)?;
    let field = record
        .file_field_of(&c, &f.filename)
        .ok_or(ServiceError::Missing)?;
    let FieldKind::File(options) = &field.kind else {
        return Err(ServiceError::Missing);
    };
    if options.protected && !token_may_view(app, req, &c, &record, f.token.as_deref()).await? {
        return Err(ServiceError::Missing);
    }
    let store = app.new_filesystem()?;
    let dir = record_dir(&c.id, record.id());
    let original = format!("{dir}/{}", f.filename);
    let mut served_path = original.clone();
    let mut served_name = f.filename.clone();
    let mut thumb_error = None;
    if let Some(size) = f.thumb.as_deref().filter(|s| !s.is_empty()) {
        let allowed =
            DEFAULT_THUMB_SIZES.contains(&size) || options.thumbs.iter().any(|t| t == size);
        if allowed && let Some(spec) = parse_thumb_size(size) {
            let key = thumb_key(&dir, &f.filename, size);
            match thumb_of(app, &store, &original, &key, spec).await? {
                Thumb::Served => {
                    served_path = key;
                    served_name = format!("{size}_{}", f.filename);
                }
                Thumb::NotAnImage => {}
                Thumb::Failed(e) => {
                    tracing::warn!(error = %e, original, size, "fallback to original - failed to create thumb");
                    thumb_error = Some(e);
                }
            }
        }
        if thumb_error.is_none() && served_path == original {
            thumb_error = Some(format!(
                "the thumb size {size:?} or the original file format are not supported"
            ));
        }
    }
    let mut event = FileDownloadRequestEvent {
        app: app.clone(),
        request: req.clone(),
        collection: c.clone(),
        record,
        file_field: field.name.clone(),
        served_path,
        served_name,
        thumb_error,
        headers: Vec::new(),
        served: None,
        chain: Default::default(),
    };
    let range = f.range;
    app.hooks()
        .on_file_download_request
        .trigger(&mut event, move |e| {
            Box::pin(async move {
                // one read without a range; the size first with one
                let range = match range {
                    None => None,
                    Some(r) => {
                        let size = store
                            .attributes(&e.served_path)
                            .await
                            .map_err(not_found)?
                            .size;
                        Some(
                            r.resolve(size)
                                .ok_or(ServiceError::RangeNotSatisfiable(size))?,
                        )
                    }
                };
                let object = store
                    .get(&e.served_path, range.clone())
                    .await
                    .map_err(not_found)?;
                let attrs = object.attributes.clone();
                e.served = Some(ServedFile {
                    name: e.served_name.clone(),
                    content_type: served_content_type(&e.served_path, &attrs.content_type),
                    inline: inline_content_type(&attrs.content_type),
                    attributes: object.attributes,
                    range,
                    body: object.body,
                    headers: std::mem::take(&mut e.headers),
                });
                Ok(())
            })
        })
        .await?;
    event.served.ok_or(ServiceError::Missing)
}

/// What a requested thumb comes to.
enum Thumb {
    /// It exists (made now or before): serve it.
    Served,
    /// The original is not an image PocketBase makes thumbs of: serve the original.
    NotAnImage,
    /// Making it failed (why): serve the original.
    Failed(String),
}

/// The thumb `key` of `original`: a stored thumb is served as it is (only images get
/// thumbs, so the original need not be looked at); otherwise it is made when the original is
/// an image. A missing original is PocketBase's 404.
async fn thumb_of(
    app: &App,
    store: &Arc<dyn basalt_ports::files::FileStore>,
    original: &str,
    key: &str,
    spec: basalt_domain::files::ThumbSize,
) -> Result<Thumb, ServiceError> {
    match store.attributes(key).await {
        Ok(_) => return Ok(Thumb::Served),
        Err(FileStoreError::NotFound(_)) => {}
        Err(e) => return Err(ServiceError::internal(e)),
    }
    let attrs = store.attributes(original).await.map_err(not_found)?;
    if !IMAGE_CONTENT_TYPES.contains(&attrs.content_type.as_str()) {
        return Ok(Thumb::NotAnImage);
    }
    let thumbs = &app.inner.files.thumbs;
    Ok(
        match thumbs
            .ensure(store, original, &attrs.content_type, key, spec)
            .await
        {
            Ok(()) => Thumb::Served,
            Err(e) => Thumb::Failed(e.to_string()),
        },
    )
}

/// A store error while serving: a missing file is PocketBase's 404.
fn not_found(e: FileStoreError) -> ServiceError {
    match e {
        FileStoreError::NotFound(_) | FileStoreError::InvalidKey(_) => ServiceError::Missing,
        other => ServiceError::internal(other),
    }
}

/// Whether the file token `token` names an auth record that the view rule of `c` lets see
/// `record` (in the `protectedFile` request context).
async fn token_may_view(
    app: &App,
    req: &RequestContext,
    c: &Collection,
    record: &Record,
    token: Option<&str>,
) -> Result<bool, ServiceError> {
    let mut signed = match token.filter(|t| !t.is_empty()) {
        Some(t) => verify_kind(app, t, TokenKind::File).await,
        None => None,
    };
    // a superuser's token counts only from a whitelisted IP (PocketBase's extra precaution)
    if signed.as_ref().is_some_and(|(c, _)| c.is_superusers()) {
        let allowed = &app.settings().superuser_ips;
        let ip = req.remote_ip.as_deref().and_then(|ip| ip.parse().ok());
        if !allowed.is_empty() && !ip.is_some_and(|ip| basalt_domain::net::ip_in_list(allowed, ip))
        {
            signed = None;
        }
    }
    let mut ctx = req.clone();
    match signed {
        Some((ac, ar)) => {
            ctx.auth = Auth::Record {
                collection_id: ac.id.clone(),
                collection_name: ac.name.clone(),
                id: ar.id().to_owned(),
                superuser: ac.is_superusers(),
            };
            ctx.auth_record = Some(Arc::new(ar.data));
        }
        None => {
            ctx.auth = Auth::Guest;
            ctx.auth_record = None;
        }
    }
    let g = gate(&c.rules.view, &ctx.auth);
    if matches!(g, Gate::SuperusersOnly) {
        return Ok(false);
    }
    let mut scope = RequestScope::new(&ctx);
    let q = RecordQuery::new(app, c)
        .id(record.id())
        .gated(&g, &mut scope, "protectedFile")
        .await?
        .page(Some(1), 0)
        .build();
    Ok(rows::exists(app.db().as_ref(), &q).await?)
}
