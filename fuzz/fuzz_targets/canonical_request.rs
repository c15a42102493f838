//! The server-side canonical request, the string to sign, query canonicalization and `verify`.
//!
//! The properties are in `amzpay_devtools::fuzz_checks::check_canonical_request`, shared with the regression
//! test `crates/devtools/tests/fuzz_regressions`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| amzpay_devtools::fuzz_checks::check_canonical_request(data));
