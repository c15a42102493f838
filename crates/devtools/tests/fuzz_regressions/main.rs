//! Replays every input under `fuzz/regressions/<target>/` and `fuzz/seeds/<target>/` through the
//! same property check as the fuzz target `<target>` (`amzpay_devtools::fuzz_checks`).
//!
//! A crash found by `scripts/fuzz` becomes a regression test by copying its artifact into
//! `fuzz/regressions/<target>/` (see `fuzz/README.md`). This test needs no fuzzer and no nightly
//! features: it runs with the rest of the test suite.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use amzpay_devtools::fuzz_checks::{CanonicalInput, TARGETS, Target};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs a target's check on each file and reports every file whose check panicked.
fn replay(target: &Target, files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for file in files {
        let data =
            std::fs::read(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (target.check)(&data))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            let mut detail = format!("{}: {message}", file.display());
            if target.name == "canonical_request" {
                detail.push_str(&format!(
                    "\n  decoded input: {:?}",
                    CanonicalInput::decode(&data)
                ));
            } else {
                detail.push_str(&format!("\n  input: {:?}", String::from_utf8_lossy(&data)));
            }
            failures.push(detail);
        }
    }
    failures
}

fn check_target(name: &str) {
    let target = TARGETS
        .iter()
        .find(|t| t.name == name)
        .expect("a known target");
    let regressions = inputs("regressions", name);
    assert!(
        regressions.len() >= 2,
        "fuzz/regressions/{name}/ should hold at least two inputs, found {}",
        regressions.len()
    );
    let mut files = regressions;
    files.extend(inputs("seeds", name));
    let failures = replay(target, &files);
    assert!(
        failures.is_empty(),
        "{} of {} inputs of {name} break its properties:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn authorization_header_regressions() {
    check_target("authorization_header");
}

#[test]
fn canonical_request_regressions() {
    check_target("canonical_request");
}

#[test]
fn json_bodies_regressions() {
    check_target("json_bodies");
}

#[test]
fn amz_date_regressions() {
    check_target("amz_date");
}

#[test]
fn every_target_has_a_test_a_fuzz_binary_and_no_stray_directory() {
    let tested = [
        "authorization_header",
        "canonical_request",
        "json_bodies",
        "amz_date",
    ];
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, tested, "add a #[test] above for each new target");
    for name in names {
        let binary = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(binary.is_file(), "{} is missing", binary.display());
    }
    for kind in ["regressions", "seeds"] {
        for entry in std::fs::read_dir(fuzz_dir().join(kind)).expect("the directory exists") {
            let entry = entry.expect("directory entry");
            let dir = entry.file_name().to_string_lossy().into_owned();
            assert!(
                tested.contains(&dir.as_str()),
                "fuzz/{kind}/{dir} is not a fuzz target"
            );
        }
    }
}
