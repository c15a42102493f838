//! The integration tests of `amzpay-signing`: one binary, one module per concern.
//!
//! Test data comes from the project's own vectors (`tests/vectors`, made by `own_vectors.rs`)
//! and, as an extra cross-check when present, from the shared vectors folder
//! (`$AMZPAY_SHARED_DIR/vectors`, by default `../shared/vectors` beside the workspace; skipped
//! with a note when absent, an error under CI). Cross-checks run the `openssl` command line (and
//! `ssh-keygen` when installed) and the official Node.js SDK (`tests/node`).

mod helpers;

mod authorization;
mod button;
mod keys;
mod nodejs;
mod openssl_cli;
mod own_vectors;
mod properties;
mod round_trip;
mod vectors;
mod verify_errors;
