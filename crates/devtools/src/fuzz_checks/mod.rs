//! The properties checked by the fuzz targets of `fuzz/`, one function per target.
//!
//! Each function takes the raw fuzzer input and panics (with a message saying which property broke)
//! when a property does not hold; returning normally means the input is fine, whether or not the
//! parser accepted it. The fuzz targets are one-line wrappers around these functions, and the
//! regression test `tests/fuzz_regressions` replays the files of `fuzz/regressions/<target>/`
//! through them, so a crash is reproduced by an ordinary `cargo nextest run -p amzpay-devtools`.
//!
//! The checks are deterministic: no clock, no randomness. The canonical-request check verifies
//! against one RSA key generated the first time it is needed (the key never matters to the
//! outcome: the signature checked is never valid).
//!
//! One file per target: `authorization_header.rs`, `canonical_request.rs`, `json_bodies.rs`,
//! `amz_date.rs`; this file lists them in [`TARGETS`].

mod amz_date;
mod authorization_header;
mod canonical_request;
mod json_bodies;

pub use amz_date::check_amz_date;
pub use authorization_header::check_authorization_header;
pub use canonical_request::{
    CanonicalInput, HeaderInput, HeaderNameInput, MethodInput, ValueInput, check_canonical_request,
};
pub use json_bodies::check_json_bodies;

/// A fuzz target: its name (the directory under `fuzz/seeds/` and `fuzz/regressions/`, and the
/// binary in `fuzz/fuzz_targets/`) and its check.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// The property check, run on one raw input.
    pub check: fn(&[u8]),
}

/// Every fuzz target, in the order `scripts/fuzz` runs them.
pub const TARGETS: [Target; 4] = [
    Target {
        name: "authorization_header",
        check: check_authorization_header,
    },
    Target {
        name: "canonical_request",
        check: check_canonical_request,
    },
    Target {
        name: "json_bodies",
        check: check_json_bodies,
    },
    Target {
        name: "amz_date",
        check: check_amz_date,
    },
];
