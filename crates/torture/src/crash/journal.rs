//! The run's journal: every kill, restart and check phase, and every request each workload task
//! sent with what came back, in order, stamped with the time since the run started.
//!
//! A seed fixes each task's sequence of orders (flows, amounts, idempotency keys) and the pauses
//! between kills, but not how the tasks interleave with each other and with the kills: that
//! depends on the machine's timing. The journal records the interleaving that happened, so a
//! failure can be read back request by request and replayed by hand (the keys and bodies are
//! in it) even when the seed alone does not bring it back.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// Lines of one run, kept in memory and written out at the end.
#[derive(Debug)]
pub(crate) struct Journal {
    started: Instant,
    lines: Mutex<Vec<String>>,
}

impl Journal {
    pub(crate) fn new(started: Instant) -> Journal {
        Journal {
            started,
            lines: Mutex::new(Vec::new()),
        }
    }

    /// Records one event.
    pub(crate) fn note(&self, event: impl fmt::Display) {
        let ms = self.started.elapsed().as_millis();
        let line = format!("{ms:>8} ms  {event}");
        self.lines.lock().expect("journal lock").push(line);
    }

    /// Writes every line recorded so far to `path`.
    pub(crate) fn write_to(&self, path: &Path) -> std::io::Result<()> {
        let lines = self.lines.lock().expect("journal lock");
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        for line in lines.iter() {
            writeln!(file, "{line}")?;
        }
        file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_writes_its_lines_in_order() {
        let journal = Journal::new(Instant::now());
        journal.note("kill 1");
        journal.note(format_args!("w{} order {} create sent", 0, 3));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.log");

        journal.write_to(&path).unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].ends_with(" ms  kill 1"), "{text}");
        assert!(lines[1].ends_with(" ms  w0 order 3 create sent"), "{text}");
    }
}
