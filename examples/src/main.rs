//! `myapp`: Basalt plus the example's routes and hooks, in one binary.
//!
//! ```sh
//! cargo run -p basalt-examples --bin myapp -- --dir pb_data --http 127.0.0.1:8090
//! ```

use std::path::PathBuf;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let mut args = std::env::args().skip(1);
    let mut config = basalt::ServeConfig::default();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--dir", Some(v)) => config.data_dir = PathBuf::from(v),
            ("--http", Some(v)) => config.http = v,
            _ => {
                eprintln!("usage: myapp [--dir DIR] [--http ADDR]");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let result = async {
        let app = basalt::new_app(&basalt::AppConfig {
            data_dir: config.data_dir.clone(),
            ..basalt::AppConfig::default()
        })
        .await?;
        basalt_examples::install(&app);
        app.bootstrap().await?;
        basalt::serve(app, &config, basalt::shutdown_signal()).await
    }
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
