//! The `basalt` command line (PocketBase's commands and flags).

use crate::{AppConfig, AppError, ServeConfig, SuperuserMode, db_connect_from_url};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Basalt: a PocketBase-compatible backend in one binary.
#[derive(Debug, Parser)]
#[command(name = "basalt", version, about)]
pub struct Cli {
    /// The data directory.
    #[arg(long, global = true, default_value = "pb_data")]
    pub dir: PathBuf,
    /// Development mode: verbose logs and internal error details in responses.
    #[arg(long, global = true)]
    pub dev: bool,
    /// The database driver and where data.db lives: `sqlite:` (sqlx, the default), `libsql:`
    /// (libsql's local engine), `libsql+https://HOST?authToken=…` (a libsql server; add
    /// `&replica=PATH` for an embedded replica). A PATH after `sqlite:`/`libsql:` moves data.db.
    #[arg(
        long,
        global = true,
        env = "BASALT_DB",
        hide_env_values = true,
        default_value = "sqlite:"
    )]
    pub db: String,
    /// The environment variable holding the 32-character key the settings are encrypted with
    /// at rest (as PocketBase's `--encryptionEnv`). Unset or empty stops start-up.
    #[arg(long = "encryptionEnv", global = true, value_name = "NAME")]
    pub encryption_env: Option<String>,
    /// The directory with the JS app hooks (default: `pb_hooks` next to the data dir).
    #[arg(long = "hooksDir", global = true, value_name = "DIR")]
    pub hooks_dir: Option<PathBuf>,
    /// Restart the app when a JS hooks file changes.
    #[arg(long = "hooksWatch", global = true, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub hooks_watch: bool,
    /// How many JS runtimes to prewarm for the hooks.
    #[arg(long = "hooksPool", global = true, default_value_t = 15)]
    pub hooks_pool: usize,
    /// The directory with the JS migrations (default: `pb_migrations` next to the data dir).
    #[arg(long = "jsMigrationsDir", global = true, value_name = "DIR")]
    pub js_migrations_dir: Option<PathBuf>,
    /// Write a JS migration (a snapshot of the collections) into the JS migrations dir after
    /// each collection change made while serving.
    #[arg(long, global = true)]
    pub automigrate: bool,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Starts the web server (default address 127.0.0.1:8090).
    Serve {
        /// TCP address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        http: String,
        /// Allowed CORS origins (default: any).
        #[arg(long, value_delimiter = ',')]
        origins: Vec<String>,
    },
    /// Manages superusers.
    Superuser {
        /// The action.
        #[command(subcommand)]
        action: SuperuserAction,
    },
    /// Executes app DB migration scripts: `up` (the default), `down [n]`, `create NAME`,
    /// `collections`, `history-sync`.
    Migrate {
        /// Where `create` and `collections` write migration files.
        #[arg(long = "migrationsDir", global = true, default_value = "migrations")]
        migrations_dir: PathBuf,
        /// The language of the files `create` and `collections` write: `rust` (into
        /// `--migrationsDir`) or `js` (into the JS migrations dir, `pb_migrations`).
        #[arg(long = "templateLang", global = true, default_value = "rust", value_parser = ["rust", "js"])]
        template_lang: String,
        /// The action (default: `up`).
        #[command(subcommand)]
        action: Option<crate::migrations::MigrateCommand>,
    },
    /// Writes the OpenAPI 3.1 document `GET /api/openapi.json` answers a superuser: the
    /// built-in operations and typed paths for the collections of the data dir (to stdout,
    /// or `--out`).
    Openapi {
        /// A file to write instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only this collection's paths (repeat for more; default: every collection).
        #[arg(long = "collection", value_name = "NAME")]
        collections: Vec<String>,
        /// The built-in operations only, without opening a data dir (what
        /// `openapi/openapi.json` holds).
        #[arg(long = "static", conflicts_with = "collections")]
        static_only: bool,
    },
}

/// `basalt superuser ...`.
#[derive(Debug, Subcommand)]
pub enum SuperuserAction {
    /// Creates a superuser, or changes its password if it exists.
    Upsert {
        /// Email.
        email: String,
        /// Password.
        password: String,
    },
    /// Creates a new superuser.
    Create {
        /// Email.
        email: String,
        /// Password.
        password: String,
    },
    /// Changes an existing superuser's password.
    Update {
        /// Email.
        email: String,
        /// Password.
        password: String,
    },
    /// Deletes a superuser.
    Delete {
        /// Email.
        email: String,
    },
    /// Creates a new OTP for the superuser (`_superusers` must have `otp.enabled`).
    Otp {
        /// Email.
        email: String,
    },
}

impl SuperuserAction {
    /// The mode, email and password of this action.
    pub fn parts(&self) -> (SuperuserMode, &str, Option<&str>) {
        match self {
            SuperuserAction::Upsert { email, password } => {
                (SuperuserMode::Upsert, email, Some(password))
            }
            SuperuserAction::Create { email, password } => {
                (SuperuserMode::Create, email, Some(password))
            }
            SuperuserAction::Update { email, password } => {
                (SuperuserMode::Update, email, Some(password))
            }
            SuperuserAction::Delete { email } => (SuperuserMode::Delete, email, None),
            SuperuserAction::Otp { email } => (SuperuserMode::Otp, email, None),
        }
    }
}

impl Cli {
    /// How to open the data dir: `--dir` and the driver `--db` names.
    pub fn app_config(&self) -> Result<AppConfig, AppError> {
        Ok(AppConfig {
            data_dir: self.dir.clone(),
            db_connect: db_connect_from_url(&self.db)?,
            encryption_env: self.encryption_env.clone(),
            encryption_key: None,
        })
    }

    /// Where the JS hooks and migrations are (`--hooksDir`, `--jsMigrationsDir`,
    /// `--hooksPool`).
    pub fn jsvm_config(&self) -> crate::jshooks::JsvmConfig {
        let mut c = crate::jshooks::JsvmConfig::new(&self.dir);
        if let Some(d) = &self.hooks_dir {
            c.hooks_dir = d.clone();
        }
        if let Some(d) = &self.js_migrations_dir {
            c.migrations_dir = d.clone();
        }
        c.pool_size = self.hooks_pool.max(1);
        c.hooks_watch = self.hooks_watch;
        c
    }

    /// The serve settings from the flags.
    pub fn serve_config(&self, http: &str, origins: &[String]) -> ServeConfig {
        ServeConfig {
            http: http.to_owned(),
            data_dir: self.dir.clone(),
            dev: self.dev,
            origins: origins.to_vec(),
            ..ServeConfig::default()
        }
    }
}
