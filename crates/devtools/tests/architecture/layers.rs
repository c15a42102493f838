//! Layering inside the emulator server crate, checked by reading its source: the service layer
//! (`src/service/`) and the modules it uses know nothing about HTTP, and nothing below
//! `src/http/` imports from it. Only `lib.rs` and `startup.rs`, which assemble the server, may
//! name `crate::http`.

use std::path::{Path, PathBuf};

fn emulator_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../emulator/src")
}

/// Every `.rs` file below `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The lines of `file` that are code (comment lines dropped), with their numbers.
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

/// Where any of `words` appears in the code of `files`.
fn mentions(files: &[PathBuf], words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        for (n, line) in code_lines(file) {
            for word in words {
                if line.contains(word) {
                    found.push(format!("{}:{n}: {word}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    found
}

/// The modules below HTTP: everything but `http/` and the two files that assemble the server.
fn below_http() -> Vec<PathBuf> {
    let src = emulator_src();
    rust_files(&src)
        .into_iter()
        .filter(|p| {
            !p.starts_with(src.join("http"))
                && *p != src.join("lib.rs")
                && *p != src.join("startup.rs")
        })
        .collect()
}

#[test]
fn the_emulator_service_layer_knows_nothing_about_http() {
    let src = emulator_src();
    let mut files = rust_files(&src.join("service"));
    files.extend(rust_files(&src.join("convert")));
    files.extend(["error.rs", "state.rs", "worker.rs"].map(|f| src.join(f)));
    assert!(files.len() > 5, "the service layer moved: {files:?}");

    let found = mentions(
        &files,
        &["axum", "hyper", "tower", "StatusCode", "IntoResponse"],
    );

    assert!(
        found.is_empty(),
        "the service layer must not know HTTP types:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_emulator_module_below_http_imports_from_it() {
    let files = below_http();
    assert!(files.len() > 5, "the server crate moved: {files:?}");

    let found = mentions(&files, &["crate::http", "super::http"]);

    assert!(
        found.is_empty(),
        "data must not climb back up into the HTTP layer:\n{}",
        found.join("\n")
    );
}
