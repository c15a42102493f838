//! The emulator's integration tests: in process (`app()` + `oneshot`) for the API, spawned on
//! port 0 over HTTPS for the cross-implementation tests with the official Node.js SDK and the
//! community Python client, and over HTTP for the dashboard's browser tests (`browser`).

mod flows;
mod helpers;

mod admin;
mod auth;
mod browser;
mod checkout_sessions;
mod complete;
mod connections;
mod dashboard;
mod doc_paths;
mod faults;
mod hosted;
mod hostile;
mod idempotency;
mod journal;
mod node;
mod notifications;
mod openapi;
mod payments;
mod permissions;
mod python;
mod server;
mod simulations;
mod stories;
mod timers;
mod validation;
