//! Password authentication, token refresh and the token loader: HS256 JWTs signed with the
//! record's `tokenKey` + the collection's `authToken.secret` (PocketBase's scheme), so a new
//! password (which rotates `tokenKey`) revokes every older token.

use crate::App;
use crate::error::AppError;
use crate::hooks::{
    RecordAuthRefreshRequestEvent, RecordAuthRequestEvent, RecordAuthWithPasswordRequestEvent,
};
use crate::query::RecordQuery;
use crate::records::shown::{enrich_records, visibility};
use crate::schema::CollectionRef;
use crate::store::records as rows;
use async_trait::async_trait;
use basalt_domain::collection::Collection;
use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::record::Record;
use basalt_domain::token::{AuthClaims, TOKEN_TYPE_AUTH, signing_key};
use basalt_ports::hook::Chain;
use basalt_ports::{
    Auth, AuthApi, AuthResponse, CollectionLookup, Input, RequestContext, ServiceError,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The optional scheme prefix PocketBase accepts in the `Authorization` header.
const AUTH_HEADER_PREFIX: &str = "Bearer ";

impl App {
    fn auth_collection(&self, name: &str) -> Result<CollectionRef, ServiceError> {
        let c = self
            .find_collection(name)
            .ok_or(ServiceError::MissingCollection(
                CollectionLookup::RecordsWrite,
            ))?;
        if c.is_auth() {
            Ok(c)
        } else {
            Err(ServiceError::MissingCollection(CollectionLookup::Auth))
        }
    }

    /// Signs a new auth token for `record` of auth collection `c`.
    pub fn new_auth_token(&self, c: &Collection, record: &Record) -> Result<String, AppError> {
        let (secret, duration) = c.token_config("authToken");
        let claims = AuthClaims {
            id: record.id().to_owned(),
            kind: TOKEN_TYPE_AUTH.into(),
            collection_id: c.id.clone(),
            refreshable: true,
            exp: self.now_secs() + duration,
        };
        let key = signing_key(record.text("tokenKey"), &secret);
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&key),
        )
        .map_err(AppError::from)
    }

    /// The `{token, record}` answer for `record`, through `on_record_auth_request` (whose
    /// default action renders the record, enriched, as its owner sees it).
    async fn auth_response(
        &self,
        c: &CollectionRef,
        record: Record,
        method: &str,
    ) -> Result<AuthResponse, ServiceError> {
        let token = self.new_auth_token(c, &record)?;
        let mut event = RecordAuthRequestEvent {
            app: self.clone(),
            collection: c.clone(),
            record,
            token,
            auth_method: method.to_owned(),
            response: None,
            chain: Chain::default(),
        };
        self.inner
            .hooks
            .on_record_auth_request
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    let c = &e.collection;
                    let auth = Auth::Record {
                        collection_id: c.id.clone(),
                        collection_name: c.name.clone(),
                        id: e.record.id().to_owned(),
                        superuser: c.is_superusers(),
                    };
                    let mut records = vec![e.record.clone()];
                    let app = e.app.clone();
                    let req = RequestContext::with_auth(auth.clone());
                    enrich_records(&app, c, &req, &mut records).await?;
                    let shown = records.pop().unwrap_or_else(|| e.record.clone());
                    e.response = Some(AuthResponse {
                        token: e.token.clone(),
                        record: shown.to_json(c, visibility(c, &auth, shown.id(), false)),
                    });
                    Ok(())
                })
            })
            .await?;
        event
            .response
            .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
    }

    /// The auth record `id` of `c` for a token check, from the cache while nothing was
    /// written through the app (at most a second; see `count_cache`).
    async fn auth_record(&self, c: &Collection, id: &str) -> Option<Record> {
        if self.is_transactional() {
            return crate::records::read::find_by_id(self, c, id).await.ok()?;
        }
        let cache = &self.inner.auth_records;
        let key = format!("{}\u{0}{id}", c.id);
        if let Some(r) = cache.get(&key) {
            return Some(r);
        }
        let version = cache.version();
        let record = crate::records::read::find_by_id(self, c, id).await.ok()??;
        cache.put(key, version, record.clone());
        Some(record)
    }

    async fn verify_token(&self, token: &str) -> Option<(CollectionRef, Record)> {
        let unverified: AuthClaims = jsonwebtoken::dangerous::insecure_decode_claims(token).ok()?;
        if unverified.kind != TOKEN_TYPE_AUTH || unverified.exp < self.now_secs() {
            return None;
        }
        let c = self
            .find_collection(&unverified.collection_id)
            .filter(|c| c.is_auth() && c.id == unverified.collection_id)?;
        let record = self.auth_record(&c, &unverified.id).await?;
        let (secret, _) = c.token_config("authToken");
        let key = signing_key(record.text("tokenKey"), &secret);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false; // checked above against the app's clock
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<AuthClaims>(token, &DecodingKey::from_secret(&key), &validation)
            .ok()?;
        Some((c, record))
    }
}

#[async_trait]
impl AuthApi for App {
    async fn authenticate(&self, token: &str) -> Auth {
        self.authenticate_with_record(token).await.0
    }

    async fn authenticate_with_record(
        &self,
        token: &str,
    ) -> (Auth, Option<Arc<Map<String, Value>>>) {
        let token = token
            .strip_prefix(AUTH_HEADER_PREFIX)
            .unwrap_or(token)
            .trim();
        if token.is_empty() {
            return (Auth::Guest, None);
        }
        match self.verify_token(token).await {
            Some((c, r)) => (
                Auth::Record {
                    collection_id: c.id.clone(),
                    collection_name: c.name.clone(),
                    id: r.id().to_owned(),
                    superuser: c.is_superusers(),
                },
                Some(Arc::new(r.data)),
            ),
            None => (Auth::Guest, None),
        }
    }

    async fn auth_methods(&self, collection: &str) -> Result<Value, ServiceError> {
        let c = self.auth_collection(collection)?;
        let (enabled, identity_fields) = c.password_auth();
        let opt = |key: &str, field: &str| c.auth_option(key).and_then(|o| o.get(field)).cloned();
        let mfa_on = opt("mfa", "enabled")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let otp_on = opt("otp", "enabled")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        Ok(json!({
            "password": {"enabled": enabled, "identityFields": identity_fields},
            "oauth2": {"enabled": false, "providers": []},
            "mfa": {"enabled": mfa_on, "duration": if mfa_on { opt("mfa", "duration").unwrap_or(json!(0)) } else { json!(0) }},
            "otp": {"enabled": otp_on, "duration": if otp_on { opt("otp", "duration").unwrap_or(json!(0)) } else { json!(0) }},
            "authProviders": [],
            "usernamePassword": enabled && identity_fields.iter().any(|f| f == "username"),
            "emailPassword": enabled && identity_fields.iter().any(|f| f == "email"),
        }))
    }

    async fn auth_with_password(
        &self,
        collection: &str,
        identity: &str,
        password: &str,
        identity_field: Option<&str>,
    ) -> Result<AuthResponse, ServiceError> {
        let c = self.auth_collection(collection)?;
        let mut errs = ValidationErrors::new();
        if identity.is_empty() {
            errs.add("identity", FieldError::required());
        }
        if password.is_empty() {
            errs.add("password", FieldError::required());
        }
        if !errs.is_empty() {
            return Err(ServiceError::invalid(Input::Form, errs));
        }
        let (enabled, identity_fields) = c.password_auth();
        if !enabled {
            return Err(ServiceError::PasswordAuthDisabled);
        }
        let fields: Vec<String> = match identity_field {
            Some(f) if !f.is_empty() => {
                if !identity_fields.iter().any(|x| x == f) {
                    let mut errs = ValidationErrors::new();
                    errs.add(
                        "identityField",
                        FieldError::new("validation_in_invalid", "Must be a valid value."),
                    );
                    return Err(ServiceError::invalid(Input::Form, errs));
                }
                vec![f.to_owned()]
            }
            _ => identity_fields,
        };
        let mut found = None;
        for f in fields.iter().filter(|f| c.field(f).is_some()) {
            let q = RecordQuery::new(self, &c)
                .field_equals(f, identity.into())
                .page(Some(1), 0)
                .build();
            found = rows::select(self.db().as_ref(), &c, &q).await?.pop();
            if found.is_some() {
                break;
            }
        }
        let mut event = RecordAuthWithPasswordRequestEvent {
            app: self.clone(),
            collection: c,
            identity: identity.to_owned(),
            identity_field: identity_field.unwrap_or_default().to_owned(),
            record: found,
            response: None,
            password: password.to_owned(),
            chain: Chain::default(),
        };
        self.inner
            .hooks
            .on_record_auth_with_password_request
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    let Some(record) = e.record.clone() else {
                        return Err(ServiceError::AuthFailed);
                    };
                    let hash = record.text("password").to_owned();
                    let plain = e.password.clone();
                    let ok = tokio::task::spawn_blocking(move || {
                        bcrypt::verify(plain, &hash).unwrap_or(false)
                    })
                    .await
                    .unwrap_or(false);
                    if !ok {
                        return Err(ServiceError::AuthFailed);
                    }
                    let app = e.app.clone();
                    e.response = Some(app.auth_response(&e.collection, record, "password").await?);
                    Ok(())
                })
            })
            .await?;
        event
            .response
            .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
    }

    async fn auth_refresh(
        &self,
        auth: &Auth,
        collection: &str,
    ) -> Result<AuthResponse, ServiceError> {
        let Auth::Record {
            collection_id,
            collection_name,
            id,
            ..
        } = auth
        else {
            return Err(ServiceError::AuthRequired);
        };
        let c = self
            .find_collection(collection)
            .ok_or(ServiceError::MissingCollection(
                CollectionLookup::RecordsWrite,
            ))?;
        if *collection_id != c.id {
            return Err(ServiceError::WrongAuthCollection(collection_name.clone()));
        }
        let record = crate::records::read::find_by_id(self, &c, id)
            .await?
            .ok_or(ServiceError::Missing)?;
        let mut event = RecordAuthRefreshRequestEvent {
            app: self.clone(),
            collection: c,
            record,
            response: None,
            chain: Chain::default(),
        };
        self.inner
            .hooks
            .on_record_auth_refresh_request
            .trigger(&mut event, |e| {
                Box::pin(async move {
                    let app = e.app.clone();
                    let record = e.record.clone();
                    e.response = Some(app.auth_response(&e.collection, record, "refresh").await?);
                    Ok(())
                })
            })
            .await?;
        event
            .response
            .ok_or_else(|| ServiceError::internal_message("no auth response was set"))
    }
}
