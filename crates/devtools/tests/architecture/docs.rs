//! The published crates' metadata and front pages: what a reader of docs.rs or crates.io sees.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[test]
fn no_crate_names_a_placeholder_repository() {
    // Arrange
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");

    // Act and assert: a repository is a real public URL or absent.
    for package in metadata["packages"].as_array().expect("packages") {
        if let Some(url) = package["repository"].as_str() {
            let host = url.split('/').nth(2).unwrap_or_default();
            assert!(
                url.starts_with("https://")
                    && !host.ends_with(".invalid")
                    && !host.ends_with(".example")
                    && !host.contains("example."),
                "{} names a placeholder repository: {url}",
                package["name"]
            );
        }
    }
}

#[test]
fn the_sdk_inlines_the_crates_it_re_exports_so_its_doc_links_work_without_dependencies() {
    // `[types]` and `[signing]` on the front page point at re-exported crates; in a `--no-deps`
    // build (and on docs.rs before the dependency is built) only inlined modules have pages.
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src/lib.rs");
    let text = std::fs::read_to_string(&lib).expect("reads the SDK's lib.rs");
    let lines: Vec<&str> = text.lines().collect();
    let mut reexports = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("pub use amzpay_") && line.contains(" as ") {
            reexports += 1;
            assert_eq!(
                lines.get(i.wrapping_sub(1)).map(|l| l.trim()),
                Some("#[doc(inline)]"),
                "{line} needs #[doc(inline)]"
            );
        }
    }
    assert!(
        reexports >= 2,
        "the SDK re-exports amzpay-types and amzpay-signing"
    );
}

#[test]
fn the_sdk_front_page_starts_with_merchant_material_and_ends_with_the_contributors_guide() {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src/lib.rs");
    let text = std::fs::read_to_string(&lib).expect("reads the SDK's lib.rs");
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("the SDK's front page has {needle:?}"))
    };
    let getting_started = at("//! # Getting started");
    assert!(
        at("//! [dependencies]") > getting_started,
        "Cargo.toml lines"
    );
    assert!(at("//! #[tokio::main]") > getting_started, "a tokio setup");
    assert!(at("create_checkout_session(") > getting_started);
    assert!(at("sign_button_payload(") > getting_started);
    let layout = at("//! # Layout");
    for merchant in ["//! # The completion step", "//! # Configuration"] {
        assert!(
            at(merchant) < layout,
            "{merchant} comes before the layout guide"
        );
    }
}
