//! The emulator's integration tests: in process (`app()` + `oneshot`) for the API, spawned on
//! port 0 over HTTPS for the cross-implementation test with the official Node.js SDK.

mod helpers;

mod admin;
mod auth;
mod checkout_sessions;
mod complete;
mod hosted;
mod hostile;
mod idempotency;
mod node;
mod server;
mod timers;
mod validation;
