//! `parse_amz_date` and `format_amz_date`, against `Timestamp`.
//!
//! The properties are in `amzpay_devtools::fuzz_checks::check_amz_date`, shared with the regression
//! test `crates/devtools/tests/fuzz_regressions`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| amzpay_devtools::fuzz_checks::check_amz_date(data));
