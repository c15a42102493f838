//! Checks the dependency invariants written down in `ARCHITECTURE.md` by reading `cargo metadata`.
//!
//! Inner crates must stay free of I/O frameworks, and dependencies between our own crates must
//! point inward. The check walks the resolved graph of normal (non-dev, non-build) dependencies,
//! so a forbidden crate pulled in transitively fails the test as well.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

mod docs;
mod layers;
mod packages;
mod scripts;

/// Normal-dependency graph: package name to the names it depends on (for the host platform).
struct Graph {
    deps: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn load() -> Graph {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            out.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
        let names: BTreeMap<&str, &str> = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
            .collect();
        let mut deps = BTreeMap::new();
        for node in meta["resolve"]["nodes"].as_array().unwrap() {
            let name = names[node["id"].as_str().unwrap()].to_owned();
            let mut set = BTreeSet::new();
            for dep in node["deps"].as_array().unwrap() {
                let normal = dep["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null());
                if normal {
                    set.insert(names[dep["pkg"].as_str().unwrap()].to_owned());
                }
            }
            deps.entry(name).or_insert_with(BTreeSet::new).extend(set);
        }
        Graph { deps }
    }

    fn direct(&self, krate: &str) -> &BTreeSet<String> {
        self.deps
            .get(krate)
            .unwrap_or_else(|| panic!("{krate} is not in the workspace"))
    }

    /// Every crate `krate` depends on, directly or not.
    fn closure(&self, krate: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![krate.to_owned()];
        while let Some(next) = stack.pop() {
            for dep in self.direct(&next) {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }

    fn assert_free_of(&self, krate: &str, forbidden: &[&str]) {
        let closure = self.closure(krate);
        let found: Vec<&str> = forbidden
            .iter()
            .copied()
            .filter(|f| closure.contains(*f))
            .collect();
        assert!(
            found.is_empty(),
            "{krate} must not depend on {found:?} (directly or transitively); see ARCHITECTURE.md"
        );
    }

    fn assert_workspace_deps(&self, krate: &str, allowed: &[&str]) {
        let ours: Vec<&String> = self
            .direct(krate)
            .iter()
            .filter(|d| d.starts_with("amzpay"))
            .filter(|d| !allowed.contains(&d.as_str()))
            .collect();
        assert!(
            ours.is_empty(),
            "{krate} may depend only on {allowed:?} among our crates, but also depends on {ours:?}"
        );
    }
}

/// I/O frameworks an inner (sans-IO) crate must never pull in.
const IO_CRATES: &[&str] = &[
    "tokio", "axum", "hyper", "sqlx", "reqwest", "tower", "mio", "rustls",
];

#[test]
fn signing_types_and_the_emulator_core_do_no_io() {
    let graph = Graph::load();
    for krate in ["amzpay-signing", "amzpay-types", "amzpay-emulator-core"] {
        graph.assert_free_of(krate, IO_CRATES);
    }
}

#[test]
fn the_emulator_core_does_not_know_the_wire_format() {
    let graph = Graph::load();
    graph.assert_free_of("amzpay-emulator-core", &["serde_json", "amzpay-types"]);
}

#[test]
fn dependencies_between_our_crates_point_inward() {
    let graph = Graph::load();
    graph.assert_workspace_deps("amzpay-signing", &[]);
    graph.assert_workspace_deps("amzpay-types", &[]);
    graph.assert_workspace_deps("amzpay-emulator-core", &[]);
    graph.assert_workspace_deps("amzpay", &["amzpay-signing", "amzpay-types"]);
    graph.assert_workspace_deps("amzpay-emulator-store", &["amzpay-emulator-core"]);
    graph.assert_workspace_deps(
        "amzpay-emulator",
        &[
            "amzpay-signing",
            "amzpay-types",
            "amzpay-emulator-core",
            "amzpay-emulator-store",
        ],
    );
    graph.assert_workspace_deps("amzpay-shop", &["amzpay"]);
    // The crash and storm driver treats the emulator as a black box: it talks to it over HTTP
    // through the public SDK only, so what it proves holds for any client.
    graph.assert_workspace_deps("amzpay-torture", &["amzpay"]);
    // The benchmark seeds history straight into the store (a million sessions through HTTP would
    // take longer than the measurement) and drives the server through the SDK.
    graph.assert_workspace_deps(
        "amzpay-bench",
        &[
            "amzpay",
            "amzpay-signing",
            "amzpay-emulator-core",
            "amzpay-emulator-store",
        ],
    );
    // The test harness runs the server in process and hands out SDK clients; it drives the
    // emulator through the admin API like the CLI, never through the store.
    graph.assert_workspace_deps("amzpay-emulator-testing", &["amzpay", "amzpay-emulator"]);
}

#[test]
fn the_sdk_and_the_shop_never_link_the_emulator_or_a_database_driver_for_it() {
    let graph = Graph::load();
    graph.assert_free_of(
        "amzpay",
        &[
            "amzpay-emulator",
            "amzpay-emulator-core",
            "amzpay-emulator-store",
            "axum",
            "sqlx",
        ],
    );
    graph.assert_free_of(
        "amzpay-shop",
        &[
            "amzpay-emulator",
            "amzpay-emulator-core",
            "amzpay-emulator-store",
        ],
    );
}

#[test]
fn only_the_cli_and_the_test_harness_depend_on_the_emulator_server() {
    // The two ways to run the server: the `amzpay` binary, and in process in a test.
    let graph = Graph::load();
    let dependents: Vec<&String> = graph
        .deps
        .iter()
        .filter(|(_, deps)| deps.contains("amzpay-emulator"))
        .map(|(name, _)| name)
        .filter(|name| !matches!(name.as_str(), "amzpay-cli" | "amzpay-emulator-testing"))
        .collect();
    assert!(
        dependents.is_empty(),
        "nothing but the amzpay binary and the test harness may depend on amzpay-emulator: \
         {dependents:?}"
    );
}

#[test]
fn the_emulator_server_has_no_command_line() {
    // The `amzpay emulator` commands and the admin-API client live in `amzpay-cli`; the server
    // takes a typed `ServerConfig`, so it needs no argument parser. (Its one HTTP client is the
    // notification dispatcher's, `dispatch.rs`.)
    let graph = Graph::load();
    graph.assert_free_of("amzpay-emulator", &["clap"]);
}
