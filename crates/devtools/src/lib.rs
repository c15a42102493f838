//! Development-only checks for the amzpay workspace.
//!
//! The crate has no code of its own; its integration test `tests/architecture` turns the
//! dependency rules of `ARCHITECTURE.md` into a failing test.
