//! What each command does. [`run`] dispatches; each submodule owns one family of commands.

mod api;
mod keys;
mod sign;

use std::process::ExitCode;

use crate::lowargs::{Command, LowArgs};
use crate::output::Output;

/// Runs the parsed command line.
pub(crate) async fn run(args: LowArgs) -> anyhow::Result<ExitCode> {
    let LowArgs {
        connection,
        output,
        command,
    } = args;
    let out = Output {
        compact: output.json,
        verbose: output.verbose,
    };
    let env = |name: &str| std::env::var(name).ok();
    if !matches!(command, Command::Emulator(_)) {
        init_tracing();
    }
    match command {
        Command::Keys(command) => keys::run(command, &out),
        Command::Sign(args) => sign::run(
            &args,
            &crate::settings::signing_config(&connection, &env)?,
            &out,
        ),
        Command::ButtonSignature(args) => sign::button(
            &args,
            &crate::settings::signing_config(&connection, &env)?,
            &out,
        ),
        Command::Emulator(args) => amzpay_emulator::cli::run(args).await,
        api => {
            let config = crate::settings::config(&connection, &env)?;
            let client = amzpay::Client::new(config)?;
            api::run(api, &client, &out).await
        }
    }
}

/// Logs to stderr when `AMZPAY_LOG` holds a filter (e.g. `amzpay=debug`); silent otherwise.
fn init_tracing() {
    let Ok(filter) = std::env::var("AMZPAY_LOG") else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("amzpay=debug"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
