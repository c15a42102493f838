//! The `authorization` header parser: parse, Display, parse again.
//!
//! The properties are in `amzpay_devtools::fuzz_checks::check_authorization_header`, shared with the regression
//! test `crates/devtools/tests/fuzz_regressions`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| amzpay_devtools::fuzz_checks::check_authorization_header(data));
