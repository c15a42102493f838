//! The SDK's one integration-test binary: the client against a scripted transport.

mod button;
mod completion;
mod config;
mod errors;
mod helpers;
mod notifications;
mod operations;
mod retries;
mod transport;
