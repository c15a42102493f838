//! The integration tests of `amzpay-signing`: one binary, one module per concern.
//!
//! Test data comes from the shared vectors folder (`$AMZPAY_SHARED_DIR/vectors`, by default
//! `../shared/vectors` beside the workspace); a missing folder fails the tests that need it.
//! Cross-checks run the `openssl` command line (and `ssh-keygen` when installed).

mod helpers;

mod authorization;
mod button;
mod keys;
mod openssl_cli;
mod properties;
mod round_trip;
mod vectors;
mod verify_errors;
