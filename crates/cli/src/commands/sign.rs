//! `amzpay sign` and `amzpay button-signature`: what exactly gets signed.

use std::io::Read;
use std::process::ExitCode;

use amzpay::signing::{CanonicalUri, SignableRequest, SigningParams, parse_amz_date};
use amzpay::{ButtonSignature, Config};
use anyhow::Context;

use crate::lowargs::{ButtonSignatureArgs, SignArgs};
use crate::output::Output;
use crate::usage;

/// Reads a file, or stdin for `-`.
pub(crate) fn read_input(spec: &str) -> anyhow::Result<Vec<u8>> {
    if spec == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        Ok(bytes)
    } else {
        std::fs::read(spec).with_context(|| format!("cannot read {spec}"))
    }
}

/// Splits `NAME<sep>VALUE`.
pub(crate) fn split_pair<'a>(
    text: &'a str,
    sep: char,
    flag: &str,
) -> anyhow::Result<(&'a str, &'a str)> {
    text.split_once(sep)
        .map(|(name, value)| (name.trim(), value.trim_start()))
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| usage(format!("{flag} {text:?} must look like NAME{sep}VALUE")))
}

/// Runs `amzpay sign`.
pub(crate) fn run(args: &SignArgs, config: &Config, out: &Output) -> anyhow::Result<ExitCode> {
    let method = args.method.to_ascii_uppercase();
    let time = match &args.date {
        Some(date) => parse_amz_date(date).map_err(|e| usage(format!("--date: {e}")))?,
        None => time::OffsetDateTime::now_utc(),
    };
    let body = match &args.body {
        Some(spec) => read_input(spec)?,
        None => Vec::new(),
    };
    // Query names and values are signed exactly as given: no trimming.
    let mut query = args
        .query
        .iter()
        .map(|q| {
            q.split_once('=')
                .ok_or_else(|| usage(format!("--query {q:?} must look like NAME=VALUE")))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    query.extend(
        args.query_param
            .chunks_exact(2)
            .map(|pair| (pair[0].as_str(), pair[1].as_str())),
    );
    // The client's fixed headers, then the caller's: a caller header replaces a fixed one.
    let mut headers: Vec<(String, String)> = vec![
        ("accept".into(), "application/json".into()),
        ("content-type".into(), "application/json".into()),
        ("x-amz-pay-host".into(), config.host_header().into()),
        ("x-amz-pay-region".into(), config.region().code().into()),
    ];
    for header in &args.header {
        let (name, value) = split_pair(header, ':', "--header")?;
        let name = name.to_ascii_lowercase();
        headers.retain(|(n, _)| *n != name);
        headers.push((name, value.to_owned()));
    }
    let uri = if args.normalize_path {
        CanonicalUri::normalize(&args.path)
    } else {
        CanonicalUri::verbatim(&args.path)
    };
    let request = SignableRequest::with_uri(&method, uri)
        .query_params(query.iter().copied())
        .headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .body(&body);
    let params = SigningParams::new(config.private_key(), config.public_key_id(), time)
        .with_algorithm(config.algorithm());
    let signed = amzpay::signing::sign(&request, &params).context("cannot sign the request")?;
    let mut all = headers;
    all.extend(signed.headers.iter().cloned());
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let diagnostics = &signed.diagnostics;
    if out.compact {
        let headers: serde_json::Map<String, serde_json::Value> = all
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        out.json(&serde_json::json!({
            "algorithm": diagnostics.algorithm().as_str(),
            "canonicalRequest": diagnostics.canonical_request(),
            "stringToSign": diagnostics.string_to_sign(),
            "signedHeaders": diagnostics.signed_headers(),
            "headers": headers,
        }))?;
    } else {
        let mut text = String::new();
        text.push_str("== canonical request ==\n");
        text.push_str(diagnostics.canonical_request());
        text.push_str("\n== string to sign ==\n");
        text.push_str(diagnostics.string_to_sign());
        text.push_str("\n== headers ==");
        for (name, value) in &all {
            text.push_str(&format!("\n{name}: {value}"));
        }
        out.text(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `amzpay button-signature`.
pub(crate) fn button(
    args: &ButtonSignatureArgs,
    config: &Config,
    out: &Output,
) -> anyhow::Result<ExitCode> {
    let bytes = read_input(&args.payload)?;
    let payload = String::from_utf8(bytes).map_err(|_| usage("the payload is not UTF-8 text"))?;
    serde_json::from_str::<serde_json::Value>(&payload)
        .map_err(|e| usage(format!("the payload is not JSON: {e}")))?;
    let button = ButtonSignature::sign_str(config, payload).context("cannot sign the payload")?;
    out.json(&button.create_checkout_session_config())?;
    Ok(ExitCode::SUCCESS)
}
