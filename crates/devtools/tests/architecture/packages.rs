//! The crates as crates.io would receive them: `cargo package` (without its verification build,
//! which rebuilds every dependency once per crate and takes longer than the rest of the suite;
//! `scripts/package` runs it) for every published crate, then the tarballs are read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The crates that are not for crates.io: tools of this repository and the example shop.
const INTERNAL: &[&str] = &[
    "amzpay-bench",
    "amzpay-devtools",
    "amzpay-torture",
    "amzpay-shop",
    "amzpay-webdriver",
];

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    c.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    c
}

fn metadata() -> Value {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .expect("cargo metadata runs");
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// Whether `package` may be published (`publish` is absent, or lists registries).
fn publishable(package: &Value) -> bool {
    !matches!(package["publish"].as_array(), Some(registries) if registries.is_empty())
}

/// The names of the files in a `.crate` tarball, without the `name-version/` prefix.
fn files_of(tarball: &Path) -> BTreeSet<String> {
    let out = Command::new("tar")
        .arg("-tzf")
        .arg(tarball)
        .output()
        .expect("tar runs");
    assert!(out.status.success(), "tar -tzf {}", tarball.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('/').map(|(_, rest)| rest.to_owned()))
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn only_the_tools_and_the_example_are_unpublished() {
    let metadata = metadata();
    let unpublished: BTreeSet<&str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !publishable(p))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(unpublished, INTERNAL.iter().copied().collect());
}

#[test]
fn every_published_crate_has_complete_metadata_and_depends_only_on_published_crates() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().unwrap();
    let published: BTreeSet<&str> = packages
        .iter()
        .filter(|p| publishable(p))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in packages.iter().filter(|p| publishable(p)) {
        let name = p["name"].as_str().unwrap();
        for field in ["description", "license", "readme", "rust_version"] {
            assert!(
                p[field].as_str().is_some_and(|v| !v.is_empty()),
                "{name} has no {field}"
            );
        }
        assert!(
            p["documentation"].is_string() || p["homepage"].is_string(),
            "{name} names neither its documentation nor a homepage"
        );
        for list in ["keywords", "categories"] {
            let n = p[list].as_array().map_or(0, Vec::len);
            assert!(
                (1..=5).contains(&n),
                "{name} has {n} {list} (crates.io takes 1 to 5)"
            );
        }
        let manifest_dir = Path::new(p["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap();
        assert!(
            manifest_dir.join("README.md").is_file(),
            "{name} has no README.md"
        );
        for dep in p["dependencies"].as_array().unwrap() {
            let dep_name = dep["name"].as_str().unwrap();
            let normal = dep["kind"].is_null();
            if normal && dep_name.starts_with("amzpay") {
                assert!(
                    published.contains(dep_name),
                    "{name} depends on the unpublished {dep_name}"
                );
                assert!(
                    dep["req"].as_str().is_some_and(|r| r != "*"),
                    "{name} depends on {dep_name} without a version (crates.io needs one)"
                );
            }
        }
    }
}

#[test]
fn the_packaged_crates_hold_what_their_builds_read() {
    // Arrange: package every published crate into a private target directory.
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("packages");
    let _ = std::fs::remove_dir_all(&target);
    let mut package = cargo();
    package
        .args([
            "package",
            "--workspace",
            "--no-verify",
            "--locked",
            "--allow-dirty",
        ])
        .arg("--target-dir")
        .arg(&target);
    for internal in INTERNAL {
        package.args(["--exclude", internal]);
    }
    let out = package.output().expect("cargo package runs");
    assert!(
        out.status.success(),
        "cargo package failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("warning:"),
        "cargo package warns:\n{stderr}"
    );

    // Act: read each tarball.
    let dir = target.join("package");
    let crate_files = |name: &str| -> BTreeSet<String> {
        let tarball = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.extension().is_some_and(|e| e == "crate")
                    && p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .strip_prefix(name)
                        .is_some_and(|rest| {
                            rest.starts_with('-') && rest[1..].starts_with(char::is_numeric)
                        })
            })
            .unwrap_or_else(|| panic!("no {name}-*.crate in {}", dir.display()));
        files_of(&tarball)
    };

    // Assert: every crate carries its README; the build-time inputs are in the tarballs.
    let metadata = metadata();
    for p in metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| publishable(p))
    {
        let name = p["name"].as_str().unwrap();
        let files = crate_files(name);
        assert!(
            files.contains("README.md"),
            "{name}'s package has no README.md"
        );
        assert!(
            files.contains("Cargo.toml"),
            "{name}'s package has no Cargo.toml"
        );
    }
    let emulator = crate_files("amzpay-emulator");
    for needed in [
        "assets/checkout.js",
        "assets/dashboard.css",
        "assets/dashboard.js",
        "assets/hosted.css",
        "assets/openapi.json",
    ] {
        assert!(
            emulator.contains(needed),
            "amzpay-emulator's package lacks {needed}"
        );
    }
    let templates = emulator
        .iter()
        .filter(|f| f.starts_with("templates/"))
        .count();
    let in_tree: usize = ["hosted", "dashboard"]
        .iter()
        .map(|dir| {
            std::fs::read_dir(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../emulator/templates")
                    .join(dir),
            )
            .unwrap()
            .count()
        })
        .sum();
    assert_eq!(
        templates, in_tree,
        "amzpay-emulator's package lacks templates"
    );
    let store = crate_files("amzpay-emulator-store");
    for backend in ["sqlite", "postgres"] {
        let in_tree = std::fs::read_dir(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../emulator-store/migrations/{backend}")),
        )
        .unwrap()
        .count();
        let packaged = store
            .iter()
            .filter(|f| f.starts_with(&format!("migrations/{backend}/")))
            .count();
        assert_eq!(
            packaged, in_tree,
            "amzpay-emulator-store's package lacks {backend} migrations"
        );
    }
    assert!(
        crate_files("amzpay-cli").contains("build.rs"),
        "amzpay-cli's package lacks build.rs"
    );
    assert!(
        crate_files("amzpay-signing")
            .iter()
            .any(|f| f.starts_with("tests/vectors/")),
        "amzpay-signing's package lacks its test vectors"
    );
}
