//! `/api/settings`: the application settings (superusers only; secrets never in responses).

use super::{ApiTags, NoContent, api};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::{HttpConfig, SharedServices};
use basalt_ports::Auth;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;
use serde_json::Value;

/// Settings routes.
pub(crate) struct SettingsRoutes;

type Out<T> = Result<T, ApiError>;

#[OpenApi]
impl SettingsRoutes {
    /// The application settings (PocketBase's shape). The SMTP password and the S3 secrets
    /// are left out.
    #[oai(
        path = "/settings",
        method = "get",
        operation_id = "listSettings",
        tag = "ApiTags::Settings"
    )]
    async fn list(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
    ) -> Out<Json<Value>> {
        api(s.view_settings(&auth).await, &cfg).map(Json)
    }

    /// Updates the settings: the body is laid over the current settings (objects merge,
    /// arrays replace, `null` resets a field), validated and saved; answers with the new
    /// settings.
    #[oai(
        path = "/settings",
        method = "patch",
        operation_id = "updateSettings",
        tag = "ApiTags::Settings"
    )]
    async fn update(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody,
    ) -> Out<Json<Value>> {
        // A malformed body is rejected by the use case, after the superuser check.
        let body = body.0.map_or(Value::Null, Value::Object);
        api(s.update_settings(&auth, body).await, &cfg).map(Json)
    }

    /// Checks the S3 storage of `filesystem` (`storage` or `backups`): uploads and deletes a
    /// small test file (400 with the storage's error when it fails).
    #[oai(
        path = "/settings/test/s3",
        method = "post",
        operation_id = "testS3",
        tag = "ApiTags::Settings"
    )]
    async fn test_s3(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody<TestS3Body>,
    ) -> Out<NoContent> {
        let filesystem = body
            .0
            .as_ref()
            .and_then(|b| b.get("filesystem"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        api(s.test_s3(&auth, &filesystem).await, &cfg).map(|()| NoContent::Done)
    }

    /// Generates Apple's OAuth2 client secret (an ES256 JWT signed with the private key).
    #[oai(
        path = "/settings/apple/generate-client-secret",
        method = "post",
        operation_id = "generateAppleClientSecret",
        tag = "ApiTags::Settings"
    )]
    async fn apple_client_secret(
        &self,
        s: Data<&SharedServices>,
        cfg: Data<&HttpConfig>,
        auth: Data<&Auth>,
        body: JsonBody<AppleSecretBody>,
    ) -> Out<Json<AppleSecret>> {
        let body = body.0.unwrap_or_default();
        api(s.apple_client_secret(&auth, &body).await, &cfg)
            .map(|secret| Json(AppleSecret { secret }))
    }
}

/// The body of `POST /api/settings/apple/generate-client-secret`.
// Only documents the body: the route reads it leniently.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
#[oai(rename_all = "camelCase")]
pub(crate) struct AppleSecretBody {
    /// The Services ID (the OAuth2 client id).
    client_id: String,
    /// The 10-character Team ID.
    team_id: String,
    /// The 10-character Key ID.
    key_id: String,
    /// The private key (PEM, `-----BEGIN PRIVATE KEY-----`).
    private_key: String,
    /// The secret's lifetime in seconds (at most 15777000, about six months).
    duration: i64,
}

crate::body::body_schema!(AppleSecretBody);

/// The generated Apple client secret.
#[derive(poem_openapi::Object)]
pub(crate) struct AppleSecret {
    /// The ES256 JWT to use as the Apple provider's `clientSecret`.
    secret: String,
}

/// The body of `POST /api/settings/test/s3`.
// Only documents the body: the route reads it leniently.
#[allow(dead_code)]
#[derive(poem_openapi::Object)]
pub(crate) struct TestS3Body {
    /// `storage` (uploaded files) or `backups`.
    filesystem: String,
}

crate::body::body_schema!(TestS3Body);
