//! The `basalt` binary.

use basalt::cli::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the API allocates many small, short-lived values per request (rows, JSON), where
/// glibc's allocator was a fifth of the CPU time under load (see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = if cli.dev {
        "info,basalt=debug,basalt_http=debug"
    } else {
        "info"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), basalt::AppError> {
    match &cli.command {
        Command::Serve { http, origins } => {
            let mut config = cli.serve_config(http, origins);
            let app = basalt::new_app(&cli.app_config()?).await?;
            // A restored backup takes effect by re-executing the binary.
            app.set_restart_handler(std::sync::Arc::new(basalt::ExecRestart));
            let js_config = cli.jsvm_config();
            basalt::jshooks::attach(&app, &js_config)?;
            app.bootstrap().await?;
            if let Err(e) = basalt::jshooks::write_types(&cli.dir) {
                tracing::warn!(error = %e, "cannot write pb_data/types.d.ts");
            }
            if cli.hooks_watch {
                basalt::jshooks::watch(&js_config.hooks_dir, || {
                    use basalt::ports::restart::Restart;
                    if let Err(e) = basalt::ExecRestart.restart() {
                        tracing::error!(error = %e, "cannot restart after a pb_hooks change");
                    }
                });
            }
            // Before the banner, so a failing migration is not announced as a started server.
            for file in app.run_migrations_up().await? {
                println!("Applied {file}");
            }
            config.run_migrations = false;
            if cli.automigrate {
                basalt::jshooks::automigrate(&app, &js_config.migrations_dir);
            }
            println!(
                "Server started at http://{}\n├─ REST API:  http://{}/api/",
                config.http, config.http
            );
            basalt::serve(app, &config, basalt::shutdown_signal()).await
        }
        Command::Superuser { action } => {
            let app = basalt::open_with_config(&cli.app_config()?).await?;
            let (mode, email, password) = action.parts();
            let msg = app.superuser(mode, email, password).await?;
            println!("{msg}");
            Ok(())
        }
        Command::Migrate {
            migrations_dir,
            template_lang,
            action,
        } => {
            let action = action
                .clone()
                .unwrap_or(basalt::migrations::MigrateCommand::Up);
            let js_config = cli.jsvm_config();
            let js_dir = (template_lang == "js").then_some(js_config.migrations_dir.as_path());
            basalt::migrations::run_command_in(
                &cli.app_config()?,
                migrations_dir,
                js_dir,
                &action,
                &|app| basalt::jshooks::attach(app, &js_config).map(|_| ()),
            )
            .await
        }
        Command::Openapi {
            out,
            collections,
            static_only,
        } => {
            let json = if *static_only {
                basalt_http::openapi_json()
            } else {
                let app = basalt::open_with_config(&cli.app_config()?).await?;
                let only = (!collections.is_empty()).then_some(collections.as_slice());
                basalt::openapi_document(&app, only).await?
            };
            match out {
                Some(path) => std::fs::write(path, json + "\n").map_err(|e| {
                    basalt::AppError::Config(format!("cannot write {}: {e}", path.display()))
                }),
                None => {
                    println!("{json}");
                    Ok(())
                }
            }
        }
    }
}
