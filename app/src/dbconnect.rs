//! Choosing the database driver: PocketBase's `DBConnect` as [`DbConnect`], and the database
//! URLs of `--db` / `BASALT_DB` that pick one of the built-in drivers.
//!
//! A connector is called with the path of each database of the data dir (`data.db`, then
//! `auxiliary.db`) and returns a [`Database`]. A URL names where `data.db` lives;
//! `auxiliary.db` always stays in the data dir, on the same driver's local engine:
//!
//! - `sqlite:` (the default) — sqlx's SQLite; `sqlite:PATH` puts `data.db` at `PATH`;
//! - `libsql:` — libsql's local engine; `libsql:PATH` likewise;
//! - `libsql://HOST`, `libsql+https://HOST`, `libsql+http://HOST` — a remote libsql server;
//!   query parameters: `authToken=` (or the `BASALT_DB_AUTH_TOKEN` variable), and for an
//!   embedded replica `replica=PATH` (empty: `data.db` in the data dir) and
//!   `syncInterval=SECONDS` (default 5; 0 syncs only after writes).

use crate::AppError;
use basalt_libsql::{LibsqlConfig, LibsqlDatabase, LibsqlTarget};
use basalt_ports::{Database, DbError};
use basalt_sqlite::{SqliteConfig, SqliteDatabase};
use secrecy::SecretString;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What a [`DbConnect`] returns.
pub type DbConnectFuture = Pin<Box<dyn Future<Output = Result<Arc<dyn Database>, DbError>> + Send>>;

/// Opens the database at a path of the data dir (`…/data.db`, `…/auxiliary.db`): the
/// DBConnect equivalent. Any driver can be plugged in here.
pub type DbConnect = Arc<dyn Fn(&Path) -> DbConnectFuture + Send + Sync>;

/// The environment variable holding the remote auth token when the URL has no `authToken`.
pub const AUTH_TOKEN_ENV: &str = "BASALT_DB_AUTH_TOKEN";

/// The default connector: sqlx's SQLite on the given file.
pub fn default_db_connect() -> DbConnect {
    Arc::new(|path: &Path| sqlite(path.to_owned()))
}

fn sqlite(path: PathBuf) -> DbConnectFuture {
    Box::pin(async move {
        let db = SqliteDatabase::open(&path, &SqliteConfig::default()).await?;
        Ok(Arc::new(db) as Arc<dyn Database>)
    })
}

fn libsql(target: LibsqlTarget) -> DbConnectFuture {
    Box::pin(async move {
        let db = LibsqlDatabase::open(&target, &LibsqlConfig::default()).await?;
        Ok(Arc::new(db) as Arc<dyn Database>)
    })
}

/// The driver a database URL names.
#[derive(Debug, Clone)]
enum DbUrl {
    Sqlite(Option<PathBuf>),
    LibsqlLocal(Option<PathBuf>),
    LibsqlRemote {
        url: String,
        auth_token: SecretString,
        /// `Some` for an embedded replica: its file (`None` inside: the default path).
        replica: Option<Option<PathBuf>>,
        sync_interval: Option<Duration>,
    },
}

/// A connector for a database URL (`--db` / `BASALT_DB`); see the module docs for the forms.
/// An unknown scheme or a malformed option is an error naming the problem (never the token).
pub fn db_connect_from_url(url: &str) -> Result<DbConnect, AppError> {
    let parsed = parse(url, std::env::var(AUTH_TOKEN_ENV).ok())?;
    Ok(Arc::new(move |path: &Path| {
        let is_data = path.file_name().is_some_and(|n| n == "data.db");
        let chosen = |own: &Option<PathBuf>| match own {
            Some(p) if is_data => p.clone(),
            _ => path.to_owned(),
        };
        match &parsed {
            DbUrl::Sqlite(own) => sqlite(chosen(own)),
            DbUrl::LibsqlLocal(own) => libsql(LibsqlTarget::Local { path: chosen(own) }),
            DbUrl::LibsqlRemote { .. } if !is_data => libsql(LibsqlTarget::Local {
                path: path.to_owned(),
            }),
            DbUrl::LibsqlRemote {
                url,
                auth_token,
                replica: None,
                ..
            } => libsql(LibsqlTarget::Remote {
                url: url.clone(),
                auth_token: auth_token.clone(),
            }),
            DbUrl::LibsqlRemote {
                url,
                auth_token,
                replica: Some(own),
                sync_interval,
            } => libsql(LibsqlTarget::Replica {
                path: chosen(own),
                url: url.clone(),
                auth_token: auth_token.clone(),
                sync_interval: *sync_interval,
            }),
        }
    }))
}

const FORMS: &str =
    "expected sqlite:, libsql:, libsql://HOST, libsql+https://HOST or libsql+http://HOST";

fn parse(url: &str, env_token: Option<String>) -> Result<DbUrl, AppError> {
    let local_path = |rest: &str| (!rest.is_empty()).then(|| PathBuf::from(rest));
    if let Some(rest) = url.strip_prefix("sqlite:") {
        return Ok(DbUrl::Sqlite(local_path(rest)));
    }
    let remote = if let Some(rest) = url.strip_prefix("libsql+https://") {
        Some(format!("https://{rest}"))
    } else if let Some(rest) = url.strip_prefix("libsql+http://") {
        Some(format!("http://{rest}"))
    } else if url.starts_with("libsql://") {
        Some(url.to_owned())
    } else {
        None
    };
    let Some(remote) = remote else {
        if let Some(rest) = url.strip_prefix("libsql:") {
            return Ok(DbUrl::LibsqlLocal(local_path(rest)));
        }
        let scheme = url.split_once(':').map_or(url, |(s, _)| s);
        return Err(AppError::Config(format!(
            "unknown database URL scheme {scheme:?}: {FORMS}"
        )));
    };
    let (base, query) = remote.split_once('?').unwrap_or((&remote, ""));
    if base
        .split_once("://")
        .is_none_or(|(_, host)| host.is_empty())
    {
        return Err(AppError::Config(format!(
            "database URL without a host: {FORMS}"
        )));
    }
    let mut auth_token = env_token;
    let mut replica = None;
    let mut sync_interval = Some(Duration::from_secs(5));
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match key {
            "authToken" => auth_token = Some(value),
            "replica" => replica = Some(local_path(&value)),
            "syncInterval" => {
                let secs: u64 = value.parse().map_err(|_| {
                    AppError::Config(format!(
                        "database URL: syncInterval must be a number of seconds, not {value:?}"
                    ))
                })?;
                sync_interval = (secs > 0).then(|| Duration::from_secs(secs));
            }
            other => {
                return Err(AppError::Config(format!(
                    "database URL: unknown option {other:?} (expected authToken, replica, syncInterval)"
                )));
            }
        }
    }
    Ok(DbUrl::LibsqlRemote {
        url: base.to_owned(),
        auth_token: SecretString::from(auth_token.unwrap_or_default()),
        replica,
        sync_interval,
    })
}

/// Decodes `%XX` escapes (and `+` as a space) in a URL query value.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn remote(url: &str) -> (String, String, Option<Option<PathBuf>>, Option<Duration>) {
        match parse(url, None).expect("parses") {
            DbUrl::LibsqlRemote {
                url,
                auth_token,
                replica,
                sync_interval,
            } => (
                url,
                auth_token.expose_secret().to_owned(),
                replica,
                sync_interval,
            ),
            other => panic!("not remote: {other:?}"),
        }
    }

    #[test]
    fn local_forms() {
        assert!(matches!(parse("sqlite:", None), Ok(DbUrl::Sqlite(None))));
        assert!(matches!(
            parse("libsql:", None),
            Ok(DbUrl::LibsqlLocal(None))
        ));
        assert!(
            matches!(parse("libsql:/x/my.db", None), Ok(DbUrl::LibsqlLocal(Some(p))) if p == Path::new("/x/my.db"))
        );
        assert!(
            matches!(parse("sqlite:rel.db", None), Ok(DbUrl::Sqlite(Some(p))) if p == Path::new("rel.db"))
        );
    }

    #[test]
    fn remote_forms_and_options() {
        let (url, token, replica, every) =
            remote("libsql+https://db.example.com?authToken=a.b%2Bc");
        assert_eq!(url, "https://db.example.com");
        assert_eq!(token, "a.b+c");
        assert_eq!(replica, None);
        assert_eq!(every, Some(Duration::from_secs(5)));
        let (url, _, replica, every) =
            remote("libsql+http://127.0.0.1:8080?replica=/tmp/r.db&syncInterval=0");
        assert_eq!(url, "http://127.0.0.1:8080");
        assert_eq!(replica, Some(Some(PathBuf::from("/tmp/r.db"))));
        assert_eq!(every, None);
        let (url, _, replica, _) = remote("libsql://db.turso.io?replica");
        assert_eq!(url, "libsql://db.turso.io");
        assert_eq!(replica, Some(None));
        match parse("libsql://h", Some("from-env".into())) {
            Ok(DbUrl::LibsqlRemote { auth_token, .. }) => {
                assert_eq!(auth_token.expose_secret(), "from-env")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_urls_are_one_line_errors_without_the_token() {
        for (url, needle) in [
            (
                "postgres://u:secret@h/db",
                "unknown database URL scheme \"postgres\"",
            ),
            ("data.db", "unknown database URL scheme \"data.db\""),
            ("libsql+https://", "without a host"),
            (
                "libsql://h?authToken=secret&bogus=1",
                "unknown option \"bogus\"",
            ),
            ("libsql://h?syncInterval=soon", "syncInterval"),
        ] {
            let err = parse(url, None).expect_err(url).to_string();
            assert!(err.contains(needle), "{url}: {err}");
            assert!(!err.contains("secret") && !err.contains('\n'), "{err}");
        }
    }
}
