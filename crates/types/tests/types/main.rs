//! Integration tests for `amzpay-types`: the spec's samples, money, timestamps, enums, requests
//! and the OpenAPI document against the types.

mod enums;
mod helpers;
mod ids;
mod money;
mod openapi;
mod requests;
mod samples;
mod timestamps;
