//! Printing: JSON on stdout (pretty, or one line with `--json`), notes on stderr.
//!
//! Writes return errors instead of panicking, so a closed pipe ends the program quietly.

use std::io::Write;

use anyhow::Context;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Output {
    /// One-line JSON instead of pretty-printed.
    pub(crate) compact: bool,
    /// Print call metadata to stderr.
    pub(crate) verbose: bool,
}

impl From<&crate::lowargs::OutputArgs> for Output {
    fn from(args: &crate::lowargs::OutputArgs) -> Self {
        Output {
            compact: args.json,
            verbose: args.verbose,
        }
    }
}

impl Output {
    /// Prints a JSON value on stdout.
    pub(crate) fn json(&self, value: &serde_json::Value) -> anyhow::Result<()> {
        let text = if self.compact {
            serde_json::to_string(value)
        } else {
            serde_json::to_string_pretty(value)
        }
        .context("cannot format the JSON output")?;
        self.text(&text)
    }

    /// Prints text and a newline on stdout.
    pub(crate) fn text(&self, text: &str) -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .context("cannot write to stdout")
    }

    /// Prints a note on stderr when `--verbose` is on.
    pub(crate) fn note(&self, text: &str) {
        if self.verbose {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }
}
