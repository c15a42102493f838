//! Settings, building ([`Application::build`]) and serving ([`Application::run_until_stopped`]).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::AppState;
use crate::db::Db;

/// The shop's settings (the Amazon Pay keys are the SDK's [`amzpay::Config`]).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Base URL browsers use to reach the shop (default: from `listen`).
    pub public_url: Option<String>,
    /// `sqlite://path` of the shop's database.
    pub database_url: String,
    /// The merchant's Amazon Pay store id (`storeId` of the button payload).
    pub store_id: String,
    /// The merchant id (`merchantId` of `renderButton`), if known.
    pub merchant_id: Option<String>,
    /// Where the browser loads Amazon Pay's `checkout.js` (the emulator serves one).
    pub checkout_js_url: String,
    /// The store name shown to buyers (`merchantMetadata.merchantStoreName`).
    pub store_name: String,
    /// A host (`host:port`) besides Amazon SNS's that may serve the certificate of Instant
    /// Payment Notifications (default: the SDK endpoint's host when a CA is configured for it).
    pub ipn_trust_host: Option<String>,
    /// The CA (PEM file) for downloading the certificate from that host (default: the SDK's
    /// `AMZPAY_CA_CERT`).
    pub ipn_trust_ca: Option<PathBuf>,
}

impl Settings {
    /// Settings from the environment: `SHOP_LISTEN` (default `127.0.0.1:3000`),
    /// `SHOP_PUBLIC_URL`, `SHOP_DATABASE_URL` (default `sqlite://shop.db`), `AMZPAY_STORE_ID`
    /// (required), `AMZPAY_MERCHANT_ID`, `SHOP_CHECKOUT_JS_URL` (default
    /// `$AMZPAY_ENDPOINT/checkout.js`), `SHOP_NAME`, `SHOP_IPN_TRUST_HOST`, `SHOP_IPN_TRUST_CA`.
    pub fn from_env() -> anyhow::Result<Settings> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let listen = var("SHOP_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
            .parse()
            .context("SHOP_LISTEN must be an address such as 127.0.0.1:3000")?;
        let checkout_js_url = match var("SHOP_CHECKOUT_JS_URL") {
            Some(url) => url,
            None => format!(
                "{}/checkout.js",
                var("AMZPAY_ENDPOINT")
                    .context("set SHOP_CHECKOUT_JS_URL or AMZPAY_ENDPOINT (the emulator's URL)")?
                    .trim_end_matches('/')
            ),
        };
        Ok(Settings {
            listen,
            public_url: var("SHOP_PUBLIC_URL"),
            database_url: var("SHOP_DATABASE_URL").unwrap_or_else(|| "sqlite://shop.db".to_owned()),
            store_id: var("AMZPAY_STORE_ID")
                .context("AMZPAY_STORE_ID is required (amzpay emulator merchant create --shell)")?,
            merchant_id: var("AMZPAY_MERCHANT_ID"),
            checkout_js_url,
            store_name: var("SHOP_NAME").unwrap_or_else(|| "amzpay demo shop".to_owned()),
            ipn_trust_host: var("SHOP_IPN_TRUST_HOST"),
            ipn_trust_ca: var("SHOP_IPN_TRUST_CA").map(PathBuf::from),
        })
    }

    /// The origin (`scheme://host:port`) of `checkout_js_url`, for the content security policy.
    pub fn amazon_origin(&self) -> String {
        let url = &self.checkout_js_url;
        let after_scheme = url.find("://").map_or(0, |i| i + 3);
        let end = url[after_scheme..]
            .find('/')
            .map_or(url.len(), |i| after_scheme + i);
        url[..end].to_owned()
    }
}

/// The verifier of Instant Payment Notifications. Amazon SNS's hosts are always trusted. The
/// emulator serves its signing certificate on its own host, over HTTPS with its own CA, so the
/// shop also trusts the host the SDK talks to, with the CA the SDK trusts for it: the emulator
/// the shop is configured for, and nothing else. Without a CA (real Amazon Pay) no extra host is
/// trusted. `SHOP_IPN_TRUST_HOST` and `SHOP_IPN_TRUST_CA` override both (an emulator behind
/// another public URL).
pub fn notification_verifier(
    settings: &Settings,
    config: &amzpay::Config,
) -> anyhow::Result<amzpay::notifications::Verifier> {
    let ca = match &settings.ipn_trust_ca {
        Some(path) => Some(
            std::fs::read(path)
                .with_context(|| format!("reading SHOP_IPN_TRUST_CA {}", path.display()))?,
        ),
        None => config.ca_cert_pem().map(<[u8]>::to_vec),
    };
    let host = settings.ipn_trust_host.clone().or_else(|| {
        let endpoint = config.base_url();
        ca.as_ref()
            .and_then(|_| endpoint.host_str())
            .map(|host| match endpoint.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
    });
    let builder = amzpay::notifications::Verifier::builder();
    let builder = match (host, ca) {
        (Some(host), Some(ca)) => {
            tracing::info!(%host, "notifications: trusting this host's signing certificate, with the configured CA");
            builder.trust_host_with_ca(host, ca)
        }
        (Some(host), None) => {
            tracing::info!(%host, "notifications: trusting this host's signing certificate");
            builder.trust_host(host)
        }
        (None, _) => builder,
    };
    builder
        .build()
        .context("building the notification verifier")
}

/// A built, not yet running shop.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the database (applying migrations), builds the SDK client and binds.
    pub async fn build(settings: Settings, config: amzpay::Config) -> anyhow::Result<Application> {
        let db = Db::open(&settings.database_url).await?;
        let verifier = notification_verifier(&settings, &config)?;
        let client = amzpay::Client::new(config).context("building the Amazon Pay client")?;
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let local = listener.local_addr()?;
        let base_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"));
        let state = AppState::new(client, verifier, db, settings, base_url);
        Ok(Application { listener, state })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The shop's base URL.
    pub fn base_url(&self) -> &str {
        self.state.base_url()
    }

    /// The shared state (tests read the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(self.listener, crate::app(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving the shop")
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
