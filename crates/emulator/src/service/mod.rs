//! The service layer: between a parsed request and the store, knowing nothing about HTTP.
//!
//! Its functions take an authenticated caller (or, for the admin API and the hosted pages, the
//! owner found by id) and typed input, and return typed answers or an [`ApiError`]. It owns the
//! write closure that the store runs inside its transaction ([`write::execute`]), so the answer
//! that is stored under an idempotency key is rendered here, once. Read [`auth`] (who is calling)
//! and [`write`] (the write path) first.
//!
//! **Invariant:** nothing here names axum, hyper or an HTTP status type; `crate::http` calls in,
//! never the other way (checked by `crates/devtools/tests/architecture`).
//!
//! [`ApiError`]: crate::error::ApiError

pub(crate) mod auth;
pub(crate) mod buyers;
pub(crate) mod dashboard;
pub(crate) mod faults;
pub(crate) mod journal;
pub(crate) mod merchants;
pub(crate) mod notifications;
pub(crate) mod operations;
pub(crate) mod payments;
pub(crate) mod sessions;
pub(crate) mod test_buyers;
pub(crate) mod throttle;
pub(crate) mod trackers;
pub(crate) mod write;

pub(crate) use write::Written;
