//! The `amzpay` command line.
//!
//! Read [`lowargs`] first (what can be typed), then [`settings`] (how the client configuration is
//! resolved from profile file, environment and flags), then [`commands`] (what each command does; `commands/emulator.rs` for `amzpay emulator ...`, which
//! reaches a running emulator through [`admin_client`]).
//! `main` only parses, runs, and maps the outcome to an exit code:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | any other failure (configuration, file, network) |
//! | 2 | usage error (bad flags or arguments) |
//! | 3 | Amazon Pay answered with an error status |
//! | 4 | no answer, and the request may have taken effect (outcome unknown) |

mod admin_client;
mod commands;
mod lowargs;
mod output;
mod settings;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::lowargs::LowArgs;

/// Exit code: success.
const EXIT_OK: u8 = 0;
/// Exit code: a failure other than those below.
const EXIT_FAILURE: u8 = 1;
/// Exit code: bad flags or arguments.
const EXIT_USAGE: u8 = 2;
/// Exit code: Amazon Pay answered with an error.
const EXIT_API_ERROR: u8 = 3;
/// Exit code: no answer; the request may have taken effect.
const EXIT_OUTCOME_UNKNOWN: u8 = 4;

/// A mistake in how the command was called, found after parsing (exit code 2).
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Returns a usage error (exit code 2) with this message.
fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

fn main() -> ExitCode {
    let args = match LowArgs::try_parse() {
        Ok(args) => args,
        // clap prints help and version on stdout with exit 0, and usage errors on stderr with 2.
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("amzpay: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let code = if error.downcast_ref::<UsageError>().is_some() {
                EXIT_USAGE
            } else {
                EXIT_FAILURE
            };
            let _ = writeln!(std::io::stderr(), "amzpay: {error:#}");
            ExitCode::from(code)
        }
    }
}

/// Whether the error is a closed pipe on output (`amzpay ... | head`), which is not a failure.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
