//! `basalt migrate …` (PocketBase's `migratecmd`).

use super::js_template::{blank_js_template, snapshot_js_template, write_js_migration};
use super::template::{
    blank_template, mod_rs_is_generated, snapshot_json, snapshot_template, write_migration,
};
use crate::AppError;
use crate::{App, AppConfig};
use std::path::Path;

/// What `basalt migrate` does (no action: `up`).
#[derive(Debug, Clone, clap::Subcommand)]
pub enum MigrateCommand {
    /// Applies every pending migration.
    Up,
    /// Reverts the last N applied migrations (default 1; a negative N reverts them all).
    Down {
        /// How many to revert.
        #[arg(allow_negative_numbers = true)]
        n: Option<i64>,
    },
    /// Writes a new blank migration file `{unix_secs}_{name}.rs` into the migrations dir.
    Create {
        /// The migration's name (snake-cased into the file name).
        name: String,
    },
    /// Writes a migration with a snapshot of the current collections.
    Collections,
    /// Removes the `_migrations` rows of migrations that are no longer registered.
    HistorySync,
}

/// Runs `command` on the data dir of `config`, writing new migration files into
/// `migrations_dir`, and prints what it did (PocketBase's messages). The migrations run are
/// those registered in this process ([`super::register`]): none but the system ones in the
/// stock `basalt` binary.
pub async fn run_command(
    config: &AppConfig,
    migrations_dir: &Path,
    command: &MigrateCommand,
) -> Result<(), AppError> {
    run_command_with(config, migrations_dir, command, &|_| Ok(())).await
}

/// [`run_command`] on an app `prepare` binds more on (JS hooks and migrations) before its
/// bootstrap.
pub async fn run_command_with(
    config: &AppConfig,
    migrations_dir: &Path,
    command: &MigrateCommand,
    prepare: &(dyn Fn(&App) -> Result<(), AppError> + Sync),
) -> Result<(), AppError> {
    run_command_in(config, migrations_dir, None, command, prepare).await
}

/// [`run_command_with`]; with `js_dir`, `create` and `collections` write JS migrations there
/// (`--templateLang js`) instead of Rust ones into `migrations_dir`.
pub async fn run_command_in(
    config: &AppConfig,
    migrations_dir: &Path,
    js_dir: Option<&Path>,
    command: &MigrateCommand,
    prepare: &(dyn Fn(&App) -> Result<(), AppError> + Sync),
) -> Result<(), AppError> {
    let open = || async {
        let app = crate::new_app(config).await?;
        prepare(&app)?;
        app.bootstrap().await?;
        Ok::<App, AppError>(app)
    };
    if let Some(dir) = js_dir {
        let unix_secs = chrono::Utc::now().timestamp();
        let written = match command {
            MigrateCommand::Create { name } => Some(write_js_migration(
                dir,
                name,
                unix_secs,
                &blank_js_template(),
            )?),
            MigrateCommand::Collections => {
                let app = open().await?;
                let json = snapshot_json(&app.collections());
                Some(write_js_migration(
                    dir,
                    "collections_snapshot",
                    unix_secs,
                    &snapshot_js_template(&json),
                )?)
            }
            _ => None,
        };
        if let Some(path) = written {
            println!("Successfully created file {:?}", path.display().to_string());
            return Ok(());
        }
    }
    match command {
        MigrateCommand::Create { name } => {
            create(migrations_dir, name, &blank_template())?;
            Ok(())
        }
        MigrateCommand::Collections => {
            let app = open().await?;
            let json = snapshot_json(&app.collections());
            create(
                migrations_dir,
                "collections_snapshot",
                &snapshot_template(&json),
            )?;
            Ok(())
        }
        MigrateCommand::Up => up(&open().await?).await,
        MigrateCommand::Down { n } => {
            let app = open().await?;
            let n = match n {
                None => 1,
                Some(n) if *n < 0 => usize::MAX,
                Some(n) => usize::try_from(*n).unwrap_or(usize::MAX),
            };
            down(&app, n).await
        }
        MigrateCommand::HistorySync => {
            let app = open().await?;
            for file in app.migrations_history_sync().await? {
                println!("Removed {file}");
            }
            println!("The _migrations table was synced with the available migrations.");
            Ok(())
        }
    }
}

async fn up(app: &App) -> Result<(), AppError> {
    let result = app.run_migrations_up().await;
    let applied = match &result {
        Ok(files) => files,
        Err(e) => &e.completed,
    };
    for file in applied {
        println!("Applied {file}");
    }
    match result {
        Ok(files) if files.is_empty() => {
            println!("No new migrations to apply.");
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn down(app: &App, n: usize) -> Result<(), AppError> {
    let result = app.run_migrations_down(n).await;
    let reverted = match &result {
        Ok(files) => files,
        Err(e) => &e.completed,
    };
    for file in reverted {
        println!("Reverted {file}");
    }
    match result {
        Ok(files) if files.is_empty() => {
            println!("No migrations to revert.");
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn create(dir: &Path, name: &str, template: &str) -> Result<(), AppError> {
    let unix_secs = chrono::Utc::now().timestamp();
    let generated = mod_rs_is_generated(dir);
    let path = write_migration(dir, name, unix_secs, template)?;
    println!("Successfully created file {:?}", path.display().to_string());
    let mod_rs = dir.join("mod.rs");
    if generated {
        println!(
            "{:?} registers it: call that module's register() from your binary (see its header).",
            mod_rs.display().to_string()
        );
    } else {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        println!(
            "{:?} is hand-written: add `#[path = \"{stem}.rs\"] mod m{stem};` and call `m{stem}::register()`.",
            mod_rs.display().to_string()
        );
    }
    Ok(())
}
