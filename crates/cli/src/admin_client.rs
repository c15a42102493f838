//! A small client of a running emulator's admin API (`/__admin/...`).
//!
//! The `amzpay emulator` commands other than `serve` go through this API rather than opening the
//! database: that keeps one writer per database and works the same against a remote emulator.
//! The request and answer bodies are the server's own `amzpay_emulator::admin_api` types, so the
//! two sides cannot drift apart; this module adds only the HTTP transport, which is why the server
//! crate itself needs no HTTP client.

use std::path::PathBuf;
use std::time::Duration;

use amzpay_emulator::startup::{admin_token_path, ca_path};
use anyhow::Context;
use serde::de::DeserializeOwned;

use crate::lowargs::emulator::ClientArgs;

/// How to reach the admin API, resolved from the flags, the environment and the data directory.
#[derive(Clone)]
pub(crate) struct AdminConfig {
    /// The emulator's base URL, without a trailing slash.
    pub(crate) url: String,
    /// The admin bearer token.
    token: String,
    /// The CA certificate to trust, when one was given or the data directory has one.
    pub(crate) ca_cert: Option<PathBuf>,
}

impl AdminConfig {
    /// Resolves the connection: the token comes from the flag (or `AMZPAY_ADMIN_TOKEN`), else
    /// from the `admin-token` file `serve` wrote; the CA certificate from the flag, else from the
    /// data directory's self-signed CA when it exists.
    pub(crate) fn resolve(args: &ClientArgs) -> anyhow::Result<AdminConfig> {
        let token = match &args.admin_token {
            Some(t) => t.clone(),
            None => {
                let path = admin_token_path(&args.data_dir);
                std::fs::read_to_string(&path)
                    .with_context(|| {
                        format!(
                            "reading the admin token from {} (or pass --admin-token)",
                            path.display()
                        )
                    })?
                    .trim()
                    .to_owned()
            }
        };
        let ca_cert = args
            .ca_cert
            .clone()
            .or_else(|| Some(ca_path(&args.data_dir)).filter(|p| p.exists()));
        Ok(AdminConfig {
            url: args.url.trim_end_matches('/').to_owned(),
            token,
            ca_cert,
        })
    }
}

// The admin token grants everything the admin API can do, so it never appears in debug output.
impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("url", &self.url)
            .field("token", &"[redacted]")
            .field("ca_cert", &self.ca_cert)
            .finish()
    }
}

/// An HTTP client bound to one emulator's admin API.
pub(crate) struct AdminClient {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl std::fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminClient")
            .field("url", &self.url)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl AdminClient {
    /// Resolves the connection from the flags and builds the client.
    pub(crate) fn connect(args: &ClientArgs) -> anyhow::Result<AdminClient> {
        AdminClient::new(&AdminConfig::resolve(args)?)
    }

    /// Builds a client that trusts the configured CA certificate (besides the system roots).
    pub(crate) fn new(config: &AdminConfig) -> anyhow::Result<AdminClient> {
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(60));
        if let Some(ca) = &config.ca_cert {
            let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok(AdminClient {
            http: builder.build()?,
            url: config.url.clone(),
            token: config.token.clone(),
        })
    }

    /// `GET path`, decoding the JSON answer.
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// `POST path` with a JSON body, decoding the JSON answer.
    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<T> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// `PUT path` with a JSON body, decoding the JSON answer.
    pub(crate) async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<T> {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// `DELETE path`, decoding the JSON answer.
    pub(crate) async fn delete<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// Sends one request; any status other than 2xx is an error that carries the answer's text.
    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<T> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("calling the emulator at {}", self.url))?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            anyhow::bail!("the emulator answered {status}: {text}");
        }
        serde_json::from_str(&text)
            .with_context(|| format!("reading the emulator's answer: {text}"))
    }
}
