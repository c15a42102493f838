//! What each command does. [`run`] dispatches; each submodule owns one family of commands.

mod api;
mod emulator;
mod keys;
mod logs;
mod notifications;
mod sign;

use std::process::ExitCode;

use crate::lowargs::{Command, ConnectionArgs, LowArgs};
use crate::output::Output;

/// Runs the parsed command line.
pub(crate) async fn run(args: LowArgs) -> anyhow::Result<ExitCode> {
    let env = |name: &str| std::env::var(name).ok();
    if !matches!(args.command, Command::Emulator(_)) {
        init_tracing();
    }
    match args.command {
        Command::Keys(command) => keys::run(command, &Output::default()),
        Command::Sign(args) => {
            let config = crate::settings::signing_config(&args.connection, &env)?;
            sign::run(&args, &config, &Output::from(&args.output))
        }
        Command::ButtonSignature(args) => {
            let config = crate::settings::signing_config(&args.connection, &env)?;
            sign::button(&args, &config, &Output::from(&args.output))
        }
        Command::Emulator(args) => emulator::run(args).await,
        Command::Notifications(command) => notifications::run(command).await,
        Command::CheckoutSession(r) => {
            api::checkout_session(r.command, &client(&r.connection)?, &Output::from(&r.output))
                .await
        }
        Command::ChargePermission(r) => {
            api::charge_permission(r.command, &client(&r.connection)?, &Output::from(&r.output))
                .await
        }
        Command::Charge(r) => {
            api::charge(r.command, &client(&r.connection)?, &Output::from(&r.output)).await
        }
        Command::Refund(r) => {
            api::refund(r.command, &client(&r.connection)?, &Output::from(&r.output)).await
        }
        Command::Buyer(r) => {
            api::buyer(r.command, &client(&r.connection)?, &Output::from(&r.output)).await
        }
        Command::DeliveryTracker(r) => {
            api::delivery_tracker(r.command, &client(&r.connection)?, &Output::from(&r.output))
                .await
        }
    }
}

/// The API client for the resolved configuration.
fn client(connection: &ConnectionArgs) -> anyhow::Result<amzpay::Client> {
    let env = |name: &str| std::env::var(name).ok();
    let config = crate::settings::config(connection, &env)?;
    Ok(amzpay::Client::new(config)?)
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
