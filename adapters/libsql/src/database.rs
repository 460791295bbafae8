//! Opening a libsql database in one of its modes, and the writer/readers split they all share.

use crate::convert::{map_err, rows};
use crate::engine;
use crate::pool::Pool;
use crate::statement::{Exec, execute, query, rollback_if_open};
use crate::transaction::LibsqlTransaction;
use async_trait::async_trait;
use basalt_ports::db::{Database, DbError, ExecResult, Row, SqlValue, Transaction};
use libsql::{Builder, Connection, OpenFlags};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Where the database is.
#[derive(Debug, Clone)]
pub enum LibsqlTarget {
    /// A local database file on libsql's own engine (created if missing).
    Local {
        /// The database file.
        path: PathBuf,
    },
    /// A libsql server (sqld / Turso) over HTTP: `libsql://`, `https://` or `http://`.
    Remote {
        /// The server's URL.
        url: String,
        /// The auth token (a JWT), sent as a bearer token; empty for none.
        auth_token: SecretString,
    },
    /// An embedded replica: a local file kept in sync with a remote primary. Reads are local,
    /// writes go to the primary, and the file syncs after every write and on an interval.
    Replica {
        /// The local replica file.
        path: PathBuf,
        /// The primary's URL.
        url: String,
        /// The auth token for the primary.
        auth_token: SecretString,
        /// How often to sync in the background (`None`: only after writes).
        sync_interval: Option<Duration>,
    },
}

impl fmt::Display for LibsqlTarget {
    /// Names the target without its token (and without any URL query).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bare = |url: &str| url.split('?').next().unwrap_or_default().to_owned();
        match self {
            LibsqlTarget::Local { path } => write!(f, "libsql:{}", path.display()),
            LibsqlTarget::Remote { url, .. } => write!(f, "{}", bare(url)),
            LibsqlTarget::Replica { path, url, .. } => {
                write!(f, "{} (replica {})", bare(url), path.display())
            }
        }
    }
}

/// Tuning for [`LibsqlDatabase::open`].
#[derive(Debug, Clone)]
pub struct LibsqlConfig {
    /// Reader connections.
    pub max_readers: u32,
    /// How long a local connection waits on a lock held by another process.
    pub busy_timeout: Duration,
}

impl Default for LibsqlConfig {
    fn default() -> Self {
        Self {
            max_readers: 8,
            busy_timeout: Duration::from_millis(10_000),
        }
    }
}

/// A libsql database (any mode) behind one writer connection and a pool of readers.
#[derive(Clone)]
pub struct LibsqlDatabase {
    inner: Arc<Inner>,
}

struct Inner {
    /// The writer's database (remote and replica readers connect to it too), kept open.
    _db: libsql::Database,
    /// Local mode opens its readers read-only, from a second handle on the file.
    _readers_db: Option<libsql::Database>,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Pool>,
    exec: Exec,
}

impl fmt::Debug for LibsqlDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LibsqlDatabase").finish_non_exhaustive()
    }
}

impl LibsqlDatabase {
    /// Opens the database and checks it answers (so a wrong URL or token fails here, at
    /// start-up, not on the first request). Local files get the pragmas of ARCHITECTURE.md ("SQLite connections").
    pub async fn open(target: &LibsqlTarget, config: &LibsqlConfig) -> Result<Self, DbError> {
        let ctx = |e: DbError| DbError::Connection(format!("{target}: {}", e.message()));
        let fail = |e: libsql::Error| ctx(map_err(e));
        let (readers, busy) = (config.max_readers.max(1), config.busy_timeout);
        let inner = match target {
            LibsqlTarget::Local { path } => {
                engine::ensure_serialized().map_err(ctx)?;
                // SAFETY: `ensure_serialized` put SQLite in the serialized mode the assert
                // would check; it is skipped only because it fails when sqlx initialised
                // SQLite first (see engine.rs).
                let db = unsafe { Builder::new_local(path).skip_safety_assert(true) }
                    .build()
                    .await
                    .map_err(fail)?;
                // The writer first: it creates the file and switches it to WAL.
                let writer = connect(&db, 1, Setup::Pragmas { wal: true }, busy).await;
                let writer = writer.map_err(ctx)?.remove(0);
                // SAFETY: as above.
                let readers_db = unsafe {
                    Builder::new_local(path)
                        .flags(OpenFlags::SQLITE_OPEN_READ_ONLY)
                        .skip_safety_assert(true)
                }
                .build()
                .await
                .map_err(fail)?;
                let conns = connect(&readers_db, readers, Setup::Pragmas { wal: false }, busy)
                    .await
                    .map_err(ctx)?;
                Inner::new(db, Some(readers_db), writer, conns, Exec::Blocking)
            }
            LibsqlTarget::Remote { url, auth_token } => {
                let token = auth_token.expose_secret().to_owned();
                let db = Builder::new_remote(url.clone(), token)
                    .build()
                    .await
                    .map_err(fail)?;
                let mut conns = connect(&db, readers + 1, Setup::Server, busy)
                    .await
                    .map_err(ctx)?;
                let writer = conns.remove(0);
                Inner::new(db, None, writer, conns, Exec::Inline)
            }
            LibsqlTarget::Replica {
                path,
                url,
                auth_token,
                sync_interval,
            } => {
                engine::ensure_serialized().map_err(ctx)?;
                let token = auth_token.expose_secret().to_owned();
                let mut builder =
                    Builder::new_remote_replica(path, url.clone(), token).read_your_writes(true);
                if let Some(every) = sync_interval {
                    builder = builder.sync_interval(*every);
                }
                // SAFETY: as for a local file.
                let db = unsafe { builder.skip_safety_assert(true) }
                    .build()
                    .await
                    .map_err(fail)?;
                db.sync().await.map_err(fail)?;
                let mut conns = connect(&db, readers + 1, Setup::Replica, busy)
                    .await
                    .map_err(ctx)?;
                let writer = conns.remove(0);
                Inner::new(db, None, writer, conns, Exec::Blocking)
            }
        };
        let this = Self {
            inner: Arc::new(inner),
        };
        // A round trip on the writer: a bad URL, token or file fails start-up here.
        let writer = this.inner.writer.clone().lock_owned().await;
        this.inner
            .exec
            .run(async move { query(&writer, "SELECT 1", &[]).await })
            .await
            .map_err(ctx)?;
        tracing::debug!(%target, "libsql database opened");
        Ok(this)
    }
}

impl Inner {
    fn new(
        db: libsql::Database,
        readers_db: Option<libsql::Database>,
        writer: Connection,
        readers: Vec<Connection>,
        exec: Exec,
    ) -> Self {
        Self {
            _db: db,
            _readers_db: readers_db,
            writer: Arc::new(Mutex::new(writer)),
            readers: Pool::new(readers),
            exec,
        }
    }
}

/// How a new connection is set up.
#[derive(Debug, Clone, Copy)]
enum Setup {
    /// A local file: the pragmas of ARCHITECTURE.md ("SQLite connections") (`wal` on the writer only: it sets the file's mode).
    Pragmas { wal: bool },
    /// A replica: the file's mode is libsql's; only the busy timeout is ours.
    Replica,
    /// A server's connection: the server configures it.
    Server,
}

/// `n` connections to `db`, each set up as `setup` says.
async fn connect(
    db: &libsql::Database,
    n: u32,
    setup: Setup,
    busy: Duration,
) -> Result<Vec<Connection>, DbError> {
    let mut conns = Vec::new();
    for _ in 0..n {
        let conn = db.connect().map_err(map_err)?;
        if !matches!(setup, Setup::Server) {
            conn.busy_timeout(busy).map_err(map_err)?;
        }
        if let Setup::Pragmas { wal } = setup {
            let wal = wal.then_some("PRAGMA journal_mode = WAL");
            for p in wal.into_iter().chain([
                "PRAGMA synchronous = NORMAL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA temp_store = MEMORY",
                "PRAGMA cache_size = -32000",
            ]) {
                rows(conn.query(p, ()).await.map_err(map_err)?).await?;
            }
        }
        conns.push(conn);
    }
    Ok(conns)
}

// Each statement's future owns the connection it runs on (a pooled reader, or the writer's
// guard): if the caller goes away mid-statement, the connection is released only once the
// statement is done, never while it still runs on a blocking thread.
#[async_trait]
impl Database for LibsqlDatabase {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        let reader = self.inner.readers.get().await;
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.inner
            .exec
            .run(async move { query(reader.conn(), &sql, &params).await })
            .await
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<ExecResult, DbError> {
        let writer = self.inner.writer.clone().lock_owned().await;
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.inner
            .exec
            .run(async move {
                rollback_if_open(&writer).await?;
                execute(&writer, &sql, &params).await
            })
            .await
    }

    async fn begin(&self) -> Result<Box<dyn Transaction>, DbError> {
        let writer = self.inner.writer.clone().lock_owned().await;
        let writer = self
            .inner
            .exec
            .run(async move {
                rollback_if_open(&writer).await?;
                execute(&writer, "BEGIN IMMEDIATE", &[]).await?;
                Ok(writer)
            })
            .await?;
        Ok(Box::new(LibsqlTransaction::new(
            writer,
            self.inner.exec,
            self.inner.clone(),
        )))
    }
}
