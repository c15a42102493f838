//! What a new user meets first: the scripts and the README's commands. Each check here stands for
//! a way the first hour once went wrong (issue 21).

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    let path = workspace().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every script in `scripts/` with the shared helpers, as (name, text).
fn scripts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["scripts", "scripts/lib"] {
        for entry in std::fs::read_dir(workspace().join(dir)).expect("scripts/ is readable") {
            let path = entry.expect("an entry").path();
            if path.is_file() {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                out.push((
                    format!("{dir}/{}", path.file_name().unwrap().to_string_lossy()),
                    text,
                ));
            }
        }
    }
    out
}

/// The lines that are not comments.
fn code(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with('#'))
}

#[test]
fn every_cargo_plugin_a_script_runs_is_installed_when_missing() {
    let all = scripts();
    let everything: String = all.iter().map(|(_, t)| t.as_str()).collect();
    for (name, text) in &all {
        for plugin in ["nextest", "fuzz"] {
            let runs = code(text).any(|l| l.contains(&format!("cargo {plugin} ")));
            if runs {
                assert!(
                    everything.contains(&format!("cargo install cargo-{plugin}")),
                    "{name} runs `cargo {plugin}` but no script installs cargo-{plugin} when it is missing"
                );
            }
        }
    }
}

#[test]
fn no_script_builds_silently() {
    // A first build takes minutes: without cargo's progress it looks hung.
    for (name, text) in scripts() {
        for line in code(&text).filter(|l| l.contains("cargo build")) {
            assert!(
                !line.contains(" -q") && !line.contains("--quiet"),
                "{name} builds quietly: {line}"
            );
        }
    }
}

#[test]
fn the_emulator_and_the_shop_scripts_share_one_build() {
    for script in ["scripts/emulator", "scripts/shop"] {
        let text = read(script);
        assert!(
            code(&text).any(|l| l.trim() == "build_release"),
            "{script} builds through build_release (scripts/lib/common.sh), so both share one build"
        );
        assert!(
            !code(&text).any(|l| l.contains("cargo build")),
            "{script} starts a build of its own"
        );
    }
}

#[test]
fn the_emulator_script_answers_help_before_building() {
    let text = read("scripts/emulator");
    let help = text
        .find("--help")
        .expect("scripts/emulator handles --help");
    let build = text
        .find("\nbuild_release")
        .expect("scripts/emulator builds");
    assert!(help < build, "--help is answered before the build starts");
}

#[test]
fn the_readme_says_what_its_commands_need() {
    let readme = read("README.md");
    // The quick start calls `amzpay`, which scripts/emulator builds into target/release.
    if readme.contains("\namzpay ") || readme.contains("$(amzpay ") {
        assert!(
            readme.contains(r#"export PATH="$PWD/target/release:$PATH""#),
            "README.md runs amzpay without saying how it gets on the PATH"
        );
    }
    if readme.contains("| jq ") {
        assert!(
            readme.contains("apt-get install jq"),
            "README.md uses jq without saying to install it"
        );
    }
    assert!(
        readme.contains("first `scripts/emulator` builds for about"),
        "README.md says how long a first build takes"
    );
    assert!(
        readme.contains("../shared/vectors") && readme.contains("self-contained"),
        "README.md says the tests do not need ../shared"
    );
}
