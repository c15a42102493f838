//! The real server: HTTPS with the generated certificate on port 0, graceful shutdown.

use std::time::Duration;

use amzpay_emulator::{Application, ServerConfig, TlsMode};

pub(crate) struct Running {
    pub(crate) base_url: String,
    pub(crate) ca: std::path::PathBuf,
    pub(crate) admin_token: String,
    pub(crate) stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub(crate) task: tokio::task::JoinHandle<anyhow::Result<()>>,
    pub(crate) _dir: tempfile::TempDir,
}

/// Starts the emulator on 127.0.0.1:0 with HTTPS (self-signed) in a fresh data directory.
pub(crate) async fn start_https() -> Running {
    start_with(|_| {}).await
}

/// Starts the emulator on 127.0.0.1:0 with HTTPS (self-signed) in a fresh data directory, after
/// `configure` changed the configuration.
pub(crate) async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Running {
    amzpay_emulator::telemetry::init_for_tests();
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.tls = TlsMode::SelfSigned;
    configure(&mut config);
    let app = Application::build(config).await.expect("build");
    let base_url = app.base_url().to_owned();
    let ca = app.ca_path().map(ToOwned::to_owned).unwrap_or_default();
    let admin_token = app.admin_token().to_owned();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    Running {
        base_url,
        ca,
        admin_token,
        stop: Some(tx),
        task,
        _dir: dir,
    }
}

impl Running {
    pub(crate) async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(15), self.task)
            .await
            .expect("stops in time")
            .unwrap()
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_speaks_https_with_its_generated_certificate_and_stops_gracefully() {
    let server = start_https().await;
    assert!(server.base_url.starts_with("https://127.0.0.1:"));
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&server.ca).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let r = client
        .get(format!("{}/__admin/merchants", server.base_url))
        .bearer_auth(&server.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-amz-pay-request-id"));
    let r = client
        .get(format!("{}/v2/checkoutSessions/x", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "no authorization header");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_and_admin_token_are_reused_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        let mut c = ServerConfig::new(dir.path());
        c.listen = "127.0.0.1:0".parse().unwrap();
        c
    };
    let first = Application::build(config()).await.unwrap();
    assert!(first.admin_token_generated());
    let token = first.admin_token().to_owned();
    let ca = std::fs::read(first.ca_path().unwrap()).unwrap();
    drop(first);
    let second = Application::build(config()).await.unwrap();
    assert!(!second.admin_token_generated());
    assert_eq!(second.admin_token(), token);
    assert_eq!(std::fs::read(second.ca_path().unwrap()).unwrap(), ca);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_and_every_secret_file_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut config = ServerConfig::new(&data);
    config.listen = "127.0.0.1:0".parse().unwrap();

    let app = Application::build(config).await.unwrap();

    let mode = |name: &str| {
        std::fs::metadata(data.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(""), 0o700, "the data directory");
    assert_eq!(mode("tls"), 0o700);
    for secret in [
        "admin-token",
        "tls/server-key.pem",
        "emulator.db",
        "emulator.db-wal",
        "emulator.db-shm",
    ] {
        assert_eq!(mode(secret), 0o600, "{secret}");
    }
    drop(app);
}
