//! The settings model: PocketBase's `core.Settings`, field for field, with its defaults.
//!
//! Serializing a [`Settings`] gives the API form (`GET /api/settings`): the secrets
//! (`smtp.password`, `s3.secret`, `backups.s3.secret`) are left out, as PocketBase's
//! `MarshalJSON` does. The stored form, with the secrets, comes only from
//! [`Settings::to_storage_json`]. Secrets are [`SecretString`]s: `Debug` shows them as
//! `[REDACTED]`, and reading one takes an explicit `expose_secret()`.

use super::rate_limit::{RateLimitRule, default_rate_limit_rules};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The application settings, stored in `_params` under the id `settings`.
///
/// An app reads them with `App::settings` and changes them with `App::save_settings` (in
/// `basalt-core`, which stores them). `Default` gives a new PocketBase's settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// IPs and CIDR subnets superusers may connect from (empty: any).
    #[serde(rename = "superuserIPs")]
    pub superuser_ips: Vec<String>,
    /// The mail server.
    pub smtp: SmtpConfig,
    /// Automatic backups.
    pub backups: BackupsConfig,
    /// S3 storage for uploaded files.
    pub s3: S3Config,
    /// The application's name, URL and mail sender.
    pub meta: MetaConfig,
    /// Request rate limits.
    pub rate_limits: RateLimitsConfig,
    /// Which proxy headers carry the client's IP.
    pub trusted_proxy: TrustedProxyConfig,
    /// The batch API.
    pub batch: BatchConfig,
    /// Request logs.
    pub logs: LogsConfig,
    /// The live OpenAPI document (Basalt only: PocketBase has none, and ignores the key).
    pub openapi: OpenApiConfig,
}

/// The mail server (`smtp`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SmtpConfig {
    /// Send mail through this server (otherwise `sendmail`).
    pub enabled: bool,
    /// The server's port.
    pub port: i64,
    /// The server's host.
    pub host: String,
    /// The login.
    pub username: String,
    /// The password: never in API responses.
    #[serde(skip_serializing)]
    pub password: SecretString,
    /// `PLAIN` (the default when empty) or `LOGIN`.
    pub auth_method: String,
    /// Connect with TLS (otherwise STARTTLS when the server offers it).
    pub tls: bool,
    /// The name sent with EHLO/HELO (empty: `localhost`).
    pub local_name: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            port: 587,
            host: "smtp.example.com".into(),
            username: String::new(),
            password: SecretString::default(),
            auth_method: String::new(),
            tls: false,
            local_name: String::new(),
        }
    }
}

/// An S3-compatible storage (`s3`, and `backups.s3`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct S3Config {
    /// Use this storage.
    pub enabled: bool,
    /// The bucket.
    pub bucket: String,
    /// The region.
    pub region: String,
    /// The endpoint URL.
    pub endpoint: String,
    /// The access key id.
    pub access_key: String,
    /// The secret key: never in API responses.
    #[serde(skip_serializing)]
    pub secret: SecretString,
    /// Path-style addressing (`endpoint/bucket/key`).
    pub force_path_style: bool,
}

/// Automatic backups (`backups`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackupsConfig {
    /// A cron expression scheduling backups (empty: none).
    pub cron: String,
    /// How many scheduled backups to keep.
    pub cron_max_keep: i64,
    /// Where to store backups (the data dir when disabled).
    pub s3: S3Config,
}

impl Default for BackupsConfig {
    fn default() -> Self {
        Self {
            cron: String::new(),
            cron_max_keep: 3,
            s3: S3Config::default(),
        }
    }
}

/// The application's identity (`meta`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetaConfig {
    /// The dashboard's accent color (`#rrggbb`).
    pub accent_color: String,
    /// The application's name.
    pub app_name: String,
    /// The application's public URL.
    #[serde(rename = "appURL")]
    pub app_url: String,
    /// The name mail is sent from.
    pub sender_name: String,
    /// The address mail is sent from.
    pub sender_address: String,
    /// Hide the dashboard's collection-editing controls.
    pub hide_controls: bool,
}

impl Default for MetaConfig {
    fn default() -> Self {
        Self {
            accent_color: "#1055c9".into(),
            app_name: "Acme".into(),
            app_url: "http://localhost:8090".into(),
            sender_name: "Support".into(),
            sender_address: "support@example.com".into(),
            hide_controls: false,
        }
    }
}

/// Request rate limits (`rateLimits`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitsConfig {
    /// The rules, most specific label first.
    pub rules: Vec<RateLimitRule>,
    /// IPs and CIDR subnets no limit applies to.
    #[serde(rename = "excludedIPs")]
    pub excluded_ips: Vec<String>,
    /// Enforce the rules.
    pub enabled: bool,
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        Self {
            rules: default_rate_limit_rules(),
            excluded_ips: Vec::new(),
            enabled: false,
        }
    }
}

/// Which proxy headers carry the client's IP (`trustedProxy`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TrustedProxyConfig {
    /// The headers to read the IP from (e.g. `X-Forwarded-For`).
    pub headers: Vec<String>,
    /// Take the leftmost IP of the header instead of the rightmost.
    #[serde(rename = "useLeftmostIP")]
    pub use_leftmost_ip: bool,
}

/// The batch API (`batch`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchConfig {
    /// Allow `POST /api/batch`.
    pub enabled: bool,
    /// The most requests in one batch.
    pub max_requests: i64,
    /// Seconds before the batch transaction is cancelled.
    pub timeout: i64,
    /// The largest batch body, in bytes (0: about 128 MB).
    pub max_body_size: i64,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            max_requests: 50,
            timeout: 3,
            max_body_size: 0,
        }
    }
}

/// Request logs (`logs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogsConfig {
    /// The largest serialized log `data`, in bytes, before it is truncated (0: about 16 kB).
    pub max_data_size: i64,
    /// Days to keep logs (0: no logs).
    pub max_days: i64,
    /// The lowest level logged (`slog` levels: -4 debug, 0 info, 4 warn, 8 error).
    pub min_level: i64,
    /// Log the client's IP.
    #[serde(rename = "logIP")]
    pub log_ip: bool,
    /// Log the authenticated record's id.
    pub log_auth_id: bool,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            max_data_size: 0,
            max_days: 5,
            min_level: 0,
            log_ip: true,
            log_auth_id: false,
        }
    }
}

/// The live OpenAPI document, `GET /api/openapi.json` (`openapi`; Basalt only).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OpenApiConfig {
    /// Serve it to everyone, with the collections any rule opens to non-superusers
    /// (otherwise superusers only, with every collection).
    pub public: bool,
}

impl Settings {
    /// The API form (secrets left out), as `GET /api/settings` shows it.
    pub fn to_api_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({}))
    }

    /// The stored form: the API form plus the secrets (`smtp.password` always, an S3
    /// `secret` only when set, as PocketBase writes them). Handle with care: it holds the
    /// secrets in clear.
    pub fn to_storage_json(&self) -> Value {
        self.storage_json(false)
    }

    /// The stored form; `all_secrets` also writes empty S3 secrets (for the shape template).
    pub(crate) fn storage_json(&self, all_secrets: bool) -> Value {
        let mut v = self.to_api_json();
        v["smtp"]["password"] = json!(self.smtp.password.expose_secret());
        for (path, secret) in [
            (&["s3"][..], &self.s3.secret),
            (&["backups", "s3"][..], &self.backups.s3.secret),
        ] {
            let secret = secret.expose_secret();
            if all_secrets || !secret.is_empty() {
                let target = path.iter().fold(&mut v, |v, k| &mut v[*k]);
                target["secret"] = json!(secret);
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pocketbases() {
        let v = Settings::default().to_api_json();
        assert_eq!(
            v,
            json!({
                "superuserIPs": [],
                "smtp": {"enabled": false, "port": 587, "host": "smtp.example.com",
                         "username": "", "authMethod": "", "tls": false, "localName": ""},
                "backups": {"cron": "", "cronMaxKeep": 3, "s3": {"enabled": false, "bucket": "",
                            "region": "", "endpoint": "", "accessKey": "", "forcePathStyle": false}},
                "s3": {"enabled": false, "bucket": "", "region": "", "endpoint": "",
                       "accessKey": "", "forcePathStyle": false},
                "meta": {"accentColor": "#1055c9", "appName": "Acme",
                         "appURL": "http://localhost:8090", "senderName": "Support",
                         "senderAddress": "support@example.com", "hideControls": false},
                "rateLimits": {"rules": [
                    {"label": "*:auth", "audience": "", "duration": 3, "maxRequests": 2},
                    {"label": "*:create", "audience": "", "duration": 5, "maxRequests": 20},
                    {"label": "/api/batch", "audience": "", "duration": 1, "maxRequests": 3},
                    {"label": "/api/", "audience": "", "duration": 10, "maxRequests": 300}
                ], "excludedIPs": [], "enabled": false},
                "trustedProxy": {"headers": [], "useLeftmostIP": false},
                "batch": {"enabled": false, "maxRequests": 50, "timeout": 3, "maxBodySize": 0},
                "logs": {"maxDataSize": 0, "maxDays": 5, "minLevel": 0, "logIP": true,
                         "logAuthId": false},
                // Basalt's own (PocketBase has no OpenAPI document and ignores the key)
                "openapi": {"public": false}
            })
        );
    }

    fn with_secrets() -> Settings {
        let mut s = Settings::default();
        s.smtp.password = "smtp-pw".into();
        s.s3.secret = "s3-secret".into();
        s.backups.s3.secret = "backup-secret".into();
        s
    }

    #[test]
    fn the_api_form_and_debug_never_show_secrets() {
        let s = with_secrets();
        let api = s.to_api_json().to_string();
        let debug = format!("{s:?}");
        for text in [api, debug] {
            for secret in ["smtp-pw", "s3-secret", "backup-secret"] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        let api = s.to_api_json();
        assert!(api["smtp"].get("password").is_none());
        assert!(api["s3"].get("secret").is_none());
        assert!(api["backups"]["s3"].get("secret").is_none());
    }

    #[test]
    fn the_stored_form_keeps_secrets_like_pocketbase() {
        let v = with_secrets().to_storage_json();
        assert_eq!(v["smtp"]["password"], "smtp-pw");
        assert_eq!(v["s3"]["secret"], "s3-secret");
        assert_eq!(v["backups"]["s3"]["secret"], "backup-secret");
        // An empty S3 secret is omitted, an empty SMTP password is not.
        let v = Settings::default().to_storage_json();
        assert_eq!(v["smtp"]["password"], "");
        assert!(v["s3"].get("secret").is_none());
    }
}
