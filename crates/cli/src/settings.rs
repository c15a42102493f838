//! Resolves the client configuration: profile file, then `AMZPAY_*` environment variables, then
//! flags, each layer overriding the one before.

use std::path::PathBuf;
use std::time::Duration;

use amzpay::config::{ConfigBuilder, default_profile_path, implied_environment, parse_algorithm};
use amzpay::{Config, Environment, Region};
use anyhow::Context;

use crate::lowargs::ConnectionArgs;

/// The profile used when none is named.
const DEFAULT_PROFILE: &str = "default";

/// Collects the layers into a builder, without validating or reading key files yet.
pub(crate) fn builder(
    args: &ConnectionArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<ConfigBuilder> {
    let mut builder = Config::builder();

    // The profile file: a named profile must exist; the default one is optional.
    let explicit_profile = args.profile.is_some();
    let profile = args.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
    let path: Option<PathBuf> = args.config.clone().or_else(default_profile_path);
    match path {
        Some(path) if path.exists() => match builder.apply_profile(&path, profile) {
            Ok(_) => {}
            // A profile file without a `default` profile is fine when no profile was asked for.
            Err(e) if e.is_missing_profile() && !explicit_profile => {}
            Err(e) => return Err(e).with_context(|| format!("cannot use profile {profile:?}")),
        },
        Some(path) if explicit_profile || args.config.is_some() => {
            anyhow::bail!(
                "the profile file {} does not exist (needed for profile {profile:?})",
                path.display()
            );
        }
        _ => {}
    }

    builder
        .apply_env(env)
        .context("invalid AMZPAY_* environment variable")?;

    if let Some(v) = &args.public_key_id {
        builder = builder.public_key_id(v);
    }
    if let Some(v) = &args.private_key_file {
        builder = builder.private_key_file(v);
    }
    if let Some(v) = &args.region {
        builder = builder.region(v.parse::<Region>()?);
    }
    if let Some(v) = &args.environment {
        builder = builder.environment(v.parse::<Environment>()?);
    }
    if let Some(v) = &args.algorithm {
        builder = builder.algorithm(parse_algorithm(v)?);
    }
    if let Some(v) = &args.endpoint {
        builder = builder.endpoint(v)?;
    }
    if let Some(v) = &args.ca_cert {
        builder = builder.ca_cert_file(v);
    }
    if let Some(v) = args.timeout {
        anyhow::ensure!(
            v.is_finite() && v > 0.0,
            "--timeout must be a positive number of seconds"
        );
        builder = builder.timeout(Duration::from_secs_f64(v));
    }
    if let Some(v) = args.max_attempts {
        builder = builder.max_attempts(v);
    }
    Ok(builder)
}

/// The full configuration for API calls.
pub(crate) fn config(
    args: &ConnectionArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Config> {
    let builder = builder(args, env)?;
    builder.build().context(
        "incomplete configuration (set flags, AMZPAY_* environment variables, or a profile)",
    )
}

/// A configuration good enough to sign: region and environment default to `na` and `sandbox`
/// when nothing sets them, because `amzpay sign` takes the path and headers as given.
pub(crate) fn signing_config(
    args: &ConnectionArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Config> {
    let mut builder = builder(args, env)?;
    if builder.region_value().is_none() {
        builder = builder.region(Region::Na);
    }
    let legacy = builder
        .public_key_id_value()
        .is_some_and(|id| implied_environment(id).is_none());
    if legacy && builder.environment_value().is_none() {
        builder = builder.environment(Environment::Sandbox);
    }
    builder
        .build()
        .context("incomplete signing configuration (a public key id and a private key are needed)")
}
