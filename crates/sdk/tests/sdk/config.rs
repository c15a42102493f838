//! Configuration: builder, environment variables, profile files, and their validation.

use std::collections::HashMap;
use std::time::Duration;

use amzpay::{Config, Environment, Region};

use crate::helpers::{KEY_ID, config_builder, test_private_key_pem};

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn region_codes_and_aliases_parse_case_insensitively() {
    for (text, region) in [
        ("na", Region::Na),
        ("US", Region::Na),
        ("eu", Region::Eu),
        ("DE", Region::Eu),
        ("uk", Region::Eu),
        ("jp", Region::Jp),
    ] {
        assert_eq!(text.parse::<Region>().unwrap(), region, "{text}");
    }
    assert!("fr".parse::<Region>().is_err());
    assert_eq!(Region::Eu.host(), "pay-api.amazon.eu");
}

#[test]
fn the_environment_comes_from_the_key_prefix() {
    let config = config_builder().build().unwrap();
    assert_eq!(config.environment(), Environment::Sandbox);
    assert_eq!(config.path_prefix(), "/v2");

    let live = config_builder().public_key_id("LIVE-ABC").build().unwrap();
    assert_eq!(live.environment(), Environment::Live);
    assert_eq!(live.path_prefix(), "/v2");
}

#[test]
fn a_legacy_key_needs_an_explicit_environment() {
    let error = config_builder()
        .public_key_id("ABCDEF0000000000000")
        .build()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the environment (sandbox or live) must be set"),
        "{error}"
    );

    let config = config_builder()
        .public_key_id("ABCDEF0000000000000")
        .environment(Environment::Sandbox)
        .build()
        .unwrap();
    assert_eq!(config.path_prefix(), "/sandbox/v2");
}

#[test]
fn an_environment_that_contradicts_the_key_prefix_is_refused() {
    let error = config_builder()
        .environment(Environment::Live)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("is a sandbox key"), "{error}");
}

#[test]
fn defaults_are_sane() {
    let config = config_builder().build().unwrap();
    assert_eq!(config.connect_timeout(), Duration::from_secs(5));
    assert_eq!(config.timeout(), Duration::from_secs(30));
    assert_eq!(
        config.algorithm(),
        amzpay::signing::Algorithm::AmznPayRsassaPssV2
    );
    assert_eq!(config.base_url().as_str(), "https://pay-api.amazon.com/");
    assert_eq!(config.host_header(), "pay-api.amazon.com");
    assert_eq!(amzpay::retry::RetryPolicy::default().max_attempts(), 4);
}

#[test]
fn the_private_key_is_never_printed() {
    let pem = test_private_key_pem();
    let builder = config_builder();
    let config = builder.clone().build().unwrap();
    let body_line = pem.lines().nth(1).unwrap();
    for text in [format!("{config:?}"), format!("{builder:?}")] {
        assert!(!text.contains(body_line), "{text}");
        assert!(text.contains("REDACTED") || text.contains("bits"), "{text}");
    }
}

#[test]
fn environment_variables_configure_everything() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, test_private_key_pem()).unwrap();
    let mut builder = Config::builder();
    builder
        .apply_env(env(&[
            ("AMZPAY_PUBLIC_KEY_ID", "ABCDEF0000000000000"),
            ("AMZPAY_PRIVATE_KEY_FILE", key.to_str().unwrap()),
            ("AMZPAY_REGION", "uk"),
            ("AMZPAY_ENVIRONMENT", "live"),
            ("AMZPAY_ALGORITHM", "AMZN-PAY-RSASSA-PSS"),
            ("AMZPAY_ENDPOINT", "http://localhost:9000"),
            ("AMZPAY_TIMEOUT", "2.5"),
            ("AMZPAY_CONNECT_TIMEOUT", "1"),
            ("AMZPAY_MAX_ATTEMPTS", "2"),
            ("AMZPAY_USER_AGENT", "shop/1.0"),
        ]))
        .unwrap();

    let config = builder.build().unwrap();

    assert_eq!(config.region(), Region::Eu);
    assert_eq!(config.path_prefix(), "/live/v2");
    assert_eq!(
        config.algorithm(),
        amzpay::signing::Algorithm::AmznPayRsassaPss
    );
    assert_eq!(config.host_header(), "localhost:9000");
    assert_eq!(config.timeout(), Duration::from_millis(2500));
    assert_eq!(config.connect_timeout(), Duration::from_secs(1));
    assert_eq!(config.retry_policy().max_attempts(), 2);
    assert_eq!(config.user_agent(), "shop/1.0");
}

#[test]
fn private_key_text_in_the_environment_is_accepted() {
    let mut builder = Config::builder();
    let pem = test_private_key_pem();
    builder
        .apply_env(env(&[
            ("AMZPAY_PUBLIC_KEY_ID", KEY_ID),
            ("AMZPAY_PRIVATE_KEY", &pem),
            ("AMZPAY_REGION", "jp"),
        ]))
        .unwrap();
    assert_eq!(builder.build().unwrap().region(), Region::Jp);
}

#[test]
fn a_bad_environment_variable_is_named_in_the_error() {
    let mut builder = Config::builder();
    let error = builder
        .apply_env(env(&[("AMZPAY_TIMEOUT", "soon")]))
        .unwrap_err();
    assert!(error.to_string().contains("AMZPAY_TIMEOUT"), "{error}");
}

#[test]
fn a_profile_file_is_read_and_its_relative_paths_resolve_next_to_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sandbox.pem"), test_private_key_pem()).unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profile.default]\nregion = \"na\"\n\n[profile.emulator]\npublic_key_id = \"{KEY_ID}\"\nprivate_key_file = \"sandbox.pem\"\nregion = \"de\"\nendpoint = \"https://127.0.0.1:8443\"\ntimeout = 3\nmax_attempts = 1\n"
        ),
    )
    .unwrap();
    let mut builder = Config::builder();

    builder.apply_profile(&path, "emulator").unwrap();
    let config = builder.build().unwrap();

    assert_eq!(config.region(), Region::Eu);
    assert_eq!(config.host_header(), "127.0.0.1:8443");
    assert_eq!(config.timeout(), Duration::from_secs(3));
    assert_eq!(config.retry_policy().max_attempts(), 1);
}

#[test]
fn environment_variables_override_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[profile.default]\nregion = \"na\"\n").unwrap();
    let mut builder = config_builder();

    builder.apply_profile(&path, "default").unwrap();
    builder.apply_env(env(&[("AMZPAY_REGION", "jp")])).unwrap();

    assert_eq!(builder.build().unwrap().region(), Region::Jp);
}

#[test]
fn a_missing_profile_and_unknown_keys_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[profile.default]\nregoin = \"na\"\n").unwrap();
    let mut builder = Config::builder();

    let missing = builder.apply_profile(&path, "shop").unwrap_err();
    assert!(missing.is_missing_profile());
    let typo = builder.apply_profile(&path, "default").unwrap_err();
    assert!(typo.to_string().contains("regoin"), "{typo}");
}

#[test]
fn an_endpoint_must_be_a_base_url_with_a_scheme() {
    for bad in [
        "127.0.0.1:8443",
        "ftp://host",
        "https://host/v2",
        "not a url",
    ] {
        assert!(config_builder().endpoint(bad).is_err(), "{bad}");
    }
    assert!(config_builder().endpoint("http://localhost:8080/").is_ok());
}

#[test]
fn a_key_that_is_not_a_private_key_is_refused_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("public.pem");
    std::fs::write(&path, crate::helpers::vector("test-key-public.pem")).unwrap();

    let error = config_builder()
        .private_key_file(&path)
        .build()
        .unwrap_err();

    assert!(error.to_string().contains("public.pem"), "{error}");
    assert!(std::error::Error::source(&error).is_some());
}
