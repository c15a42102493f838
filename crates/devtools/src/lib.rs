//! Development-only checks for the amzpay workspace.
//!
//! - Its integration test `tests/architecture` turns the dependency rules of `ARCHITECTURE.md` into
//!   a failing test.
//! - [`fuzz_checks`] holds the properties the fuzz targets in `fuzz/` check. The fuzz targets and
//!   the regression test `tests/fuzz_regressions` (which replays every file of
//!   `fuzz/regressions/<target>/` and `fuzz/seeds/<target>/`) call the same functions, so a crash
//!   found by the fuzzer is an ordinary failing test once its input is copied there.

pub mod fuzz_checks;
