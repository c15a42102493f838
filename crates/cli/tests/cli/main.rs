//! The CLI's one integration-test binary: runs the built `amzpay` binary.

mod api;
mod docker;
mod e2e;
mod helpers;
mod installed;
mod keys;
mod notifications;
mod sign;
mod usage;
