//! The Dockerfile's runtime stage, minus Docker: the `amzpay` binary run with the environment and
//! command the image uses, checked with the image's own health check (docs/docker.md says why).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::Sandbox;

/// The Dockerfile, read from the workspace root.
fn dockerfile() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Dockerfile");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The instructions of the last stage, with `\` continuations joined.
fn runtime_stage(text: &str) -> Vec<String> {
    let joined = text.replace("\\\n", " ");
    let lines: Vec<&str> = joined.lines().collect();
    let last_from = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with("FROM "))
        .expect("a FROM line");
    lines[last_from..]
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The JSON-array argument of an exec-form instruction such as `CMD ["a", "b"]`.
fn exec_form(instruction: &str, keyword: &str) -> Vec<String> {
    let rest =
        instruction[instruction.find(keyword).expect("the keyword") + keyword.len()..].trim();
    serde_json::from_str(rest)
        .unwrap_or_else(|e| panic!("{keyword} is not exec form ({e}): {rest}"))
}

#[test]
fn the_runtime_stage_serves_and_passes_its_own_health_check() {
    let text = dockerfile();
    let stage = runtime_stage(&text);
    let find =
        |prefix: &str| -> Vec<&String> { stage.iter().filter(|l| l.starts_with(prefix)).collect() };

    // The build stage builds the package whose binary the runtime stage copies.
    assert!(
        text.contains("cargo build --release --locked -p amzpay-cli"),
        "{text}"
    );
    assert!(
        find("COPY --from=build")
            .iter()
            .any(|l| l.contains("/usr/local/bin/amzpay")),
        "{stage:?}"
    );
    assert!(
        find("USER ").iter().any(|l| !l.contains("root")),
        "runs as a non-root user"
    );
    assert_eq!(find("VOLUME "), [&"VOLUME /data".to_owned()]);

    let mut env: Vec<(String, String)> = find("ENV ")
        .iter()
        .filter_map(|l| l["ENV ".len()..].split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    assert!(
        env.iter()
            .any(|(k, v)| k == "AMZPAY_DATA_DIR" && v == "/data"),
        "{env:?}"
    );
    assert!(
        env.iter()
            .any(|(k, v)| k == "AMZPAY_LISTEN" && v == "0.0.0.0:8443"),
        "{env:?}"
    );
    let entrypoint = exec_form(find("ENTRYPOINT")[0], "ENTRYPOINT");
    let cmd = exec_form(find("CMD ")[0], "CMD");
    let health = exec_form(find("HEALTHCHECK")[0], "CMD");
    assert_eq!(entrypoint, ["amzpay"]);
    assert_eq!(health[0], "amzpay");

    // The image's environment, moved to a free loopback port and a temporary data directory.
    let sandbox = Sandbox::new();
    let data = sandbox.path("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (k, v) in &mut env {
        match k.as_str() {
            "AMZPAY_DATA_DIR" => *v = data.display().to_string(),
            "AMZPAY_LISTEN" => *v = format!("127.0.0.1:{port}"),
            _ => {}
        }
    }
    let health: Vec<String> = health
        .iter()
        .map(|a| a.replace(":8443", &format!(":{port}")))
        .collect();
    let bin = env!("CARGO_BIN_EXE_amzpay");
    let mut server = Command::new(bin)
        .args(&cmd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("AMZPAY_TLS")
        .env_remove("AMZPAY_DATABASE_URL")
        .current_dir(sandbox.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let healthy = loop {
        let probe = Command::new(bin)
            .args(&health[1..])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("the health check runs");
        if probe.status.success() {
            break true;
        }
        if Instant::now() > deadline || server.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(healthy, "the health check never passed");
    for file in [
        "emulator.db",
        "admin-token",
        "tls/ca.pem",
        "tls/server.pem",
        "tls/server-key.pem",
    ] {
        assert!(data.join(file).is_file(), "the volume lacks {file}");
    }
}
