//! The `amzpay emulator ...` commands. The `amzpay` binary (crate `amzpay-cli`) mounts
//! [`EmulatorArgs`] as its `emulator` subcommand and calls [`run`].

use std::process::ExitCode;

/// Arguments of `amzpay emulator`.
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EmulatorCommand,
}

/// The `amzpay emulator` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EmulatorCommand {
    /// Run the emulator.
    Serve,
}

/// Runs an `amzpay emulator` command.
pub async fn run(args: EmulatorArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        EmulatorCommand::Serve => anyhow::bail!("the emulator is not built yet"),
    }
}
