//! Integration tests for `amzpay-types`: the spec's samples, money, timestamps, enums and requests.

mod enums;
mod helpers;
mod ids;
mod money;
mod requests;
mod samples;
mod timestamps;
