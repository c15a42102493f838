//! The reference shop's binary: settings from the environment (see `Settings::from_env` and the
//! SDK's `Config::from_env`), then serve until Ctrl-C.

use std::process::ExitCode;

use amzpay_shop::startup::{Application, Settings, shutdown_signal};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amzpay-shop: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let config = amzpay::Config::from_env()?;
    let app = Application::build(settings, config).await?;
    println!("amzpay shop listening on {}", app.base_url());
    app.run_until_stopped(shutdown_signal()).await
}
