//! Every file or directory of the emulator's data directory that the documentation names exists
//! once the emulator has started, so a reader who is told to trust `.amzpay/tls/ca.pem` finds it.
//!
//! The documentation is every Markdown file of the workspace (README, ARCHITECTURE, docs/, each
//! crate's README) and every Rust source file of the crates and examples (crate docs, `--help`
//! texts). A path is named as `.amzpay/...` (the CLI's default data directory), `DATA_DIR/...`
//! (the crate docs and `--help`) or `target/shop/emulator/...` (the data directory of
//! `scripts/shop`); all three are the same directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::server::start_https;

/// The ways the documentation names the emulator's data directory.
const PREFIXES: [&str; 3] = [".amzpay/", "DATA_DIR/", "target/shop/emulator/"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The documentation files: Markdown anywhere but in build output and dependencies, and the Rust
/// sources of the crates and examples.
fn doc_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    walk(&path, out);
                }
            } else if name.ends_with(".md") || name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    let root = workspace();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root)
        .expect("the workspace is readable")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    for dir in ["docs", "crates", "examples", "fuzz", "scripts"] {
        walk(&root.join(dir), &mut files);
    }
    // This file names paths only to explain the check.
    files.retain(|f| !f.ends_with("tests/emulator/doc_paths.rs"));
    files
}

/// The data-directory paths named in `text`, relative to the data directory, each with the
/// prefix it was written with.
fn named_paths(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for prefix in PREFIXES {
        for (at, _) in text.match_indices(prefix) {
            // `~/.config/amzpay/` and the like are not the data directory.
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_') {
                continue;
            }
            let rest: String = text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
                .collect();
            let rest = rest.trim_end_matches(['.', '/']);
            if !rest.is_empty() {
                found.push((prefix.to_owned(), rest.to_owned()));
            }
        }
    }
    found
}

#[test]
fn the_scanner_finds_paths_and_skips_other_config_directories() {
    let text = "trust `.amzpay/tls/ca.pem`, the token in DATA_DIR/admin-token. \
                Not ~/.config/amzpay/config.toml nor foo.amzpay/x.";
    assert_eq!(
        named_paths(text),
        vec![
            (".amzpay/".to_owned(), "tls/ca.pem".to_owned()),
            ("DATA_DIR/".to_owned(), "admin-token".to_owned()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_data_directory_path_the_docs_name_exists_after_the_emulator_starts() {
    // Arrange: every path the documentation names, with the files that name it.
    let mut named: BTreeSet<(String, String, String)> = BTreeSet::new();
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let shown = file
            .strip_prefix(workspace())
            .unwrap_or(&file)
            .display()
            .to_string();
        for (prefix, rest) in named_paths(&text) {
            named.insert((rest, prefix, shown.clone()));
        }
    }
    assert!(
        named.iter().any(|(rest, ..)| rest == "tls/ca.pem"),
        "the README names .amzpay/tls/ca.pem; the scanner found only {named:?}"
    );

    // Act: start the emulator with its defaults in a fresh data directory.
    let server = start_https().await;
    let data_dir = server._dir.path().to_owned();

    // Assert
    let missing: Vec<String> = named
        .iter()
        .filter(|(rest, ..)| !data_dir.join(rest).exists())
        .map(|(rest, prefix, file)| format!("{file}: {prefix}{rest}"))
        .collect();
    server.shutdown().await;
    assert!(
        missing.is_empty(),
        "the docs name files the emulator does not write:\n{}",
        missing.join("\n")
    );
}
