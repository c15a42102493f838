//! Downloading signing certificates over HTTPS (reqwest with rustls) and keeping them by URL.
//! Nothing of reqwest leaks out of this module.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::certificate::SigningCertificate;
use super::error::{BuildVerifierError, VerifyError, VerifyErrorKind};
use super::verify::{ExtraHost, Policy};

/// The largest certificate document accepted. Amazon's is under 2 KiB; the limit keeps a
/// misbehaving trusted host from filling memory.
const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;

/// How long after a download a cached certificate that failed may be downloaded again. It
/// bounds the requests that forged messages naming a trusted URL can cause.
const REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// One cached certificate.
#[derive(Debug)]
struct Entry {
    certificate: Arc<SigningCertificate>,
    fetched_at: Instant,
}

/// The certificates by URL, the oldest dropped first beyond the capacity.
#[derive(Debug, Default)]
struct Cache {
    entries: HashMap<String, Entry>,
    order: VecDeque<String>,
}

/// The HTTPS clients (one for Amazon, one per host trusted with a CA) and the cache.
#[derive(Debug)]
pub(crate) struct Fetcher {
    amazon: reqwest::Client,
    extra: HashMap<String, reqwest::Client>,
    capacity: usize,
    cache: Mutex<Cache>,
}

impl Fetcher {
    pub(crate) fn new(policy: &Policy) -> Result<Fetcher, BuildVerifierError> {
        let amazon = client(policy.fetch_timeout, None)?;
        let mut extra = HashMap::new();
        for host in &policy.extra_hosts {
            if let Some(pem) = &host.ca_pem {
                extra.insert(
                    host.authority.clone(),
                    client(policy.fetch_timeout, Some(pem))?,
                );
            }
        }
        Ok(Fetcher {
            amazon,
            extra,
            capacity: policy.cache_capacity,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// The certificate at `url`, from the cache or downloaded, and whether it came from the
    /// cache.
    pub(crate) async fn get(
        &self,
        url: &str,
        host: Option<&ExtraHost>,
    ) -> Result<(Arc<SigningCertificate>, bool), VerifyError> {
        if let Some(entry) = self.lock().entries.get(url) {
            return Ok((entry.certificate.clone(), true));
        }
        Ok((self.refresh(url, host).await?, false))
    }

    /// Whether a cached certificate for `url` is old enough to be downloaded again.
    pub(crate) fn may_refresh(&self, url: &str) -> bool {
        self.lock()
            .entries
            .get(url)
            .is_none_or(|e| e.fetched_at.elapsed() >= REFRESH_INTERVAL)
    }

    /// Downloads the certificate at `url` and caches it.
    pub(crate) async fn refresh(
        &self,
        url: &str,
        host: Option<&ExtraHost>,
    ) -> Result<Arc<SigningCertificate>, VerifyError> {
        let client = host
            .and_then(|h| self.extra.get(&h.authority))
            .unwrap_or(&self.amazon);
        let pem = download(client, url).await?;
        let certificate = Arc::new(SigningCertificate::from_pem(&pem)?);
        let mut cache = self.lock();
        if cache.entries.contains_key(url) {
            cache.order.retain(|u| u != url);
        }
        while cache.order.len() >= self.capacity {
            let Some(oldest) = cache.order.pop_front() else {
                break;
            };
            cache.entries.remove(&oldest);
        }
        cache.order.push_back(url.to_owned());
        cache.entries.insert(
            url.to_owned(),
            Entry {
                certificate: certificate.clone(),
                fetched_at: Instant::now(),
            },
        );
        Ok(certificate)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // The cache holds no invariant a panicking thread could break halfway: keep using it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An HTTPS client that follows no redirect (a redirect could lead to a host the policy never
/// checked), with the public roots and, for an extra host, its CA.
fn client(timeout: Duration, ca_pem: Option<&[u8]>) -> Result<reqwest::Client, BuildVerifierError> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .https_only(true)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(pem) = ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            BuildVerifierError::new("the CA certificate is not valid PEM").with_source(e)
        })?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| BuildVerifierError::new("reqwest refused the settings").with_source(e))
}

async fn download(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, VerifyError> {
    let failed = |what: String| VerifyError::new(VerifyErrorKind::CertificateFetch, what);
    let mut response = client.get(url).send().await.map_err(|e| {
        failed(format!("cannot download the signing certificate {url}")).with_source(e)
    })?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(failed(format!(
            "downloading the signing certificate {url} answered HTTP {}",
            response.status().as_u16()
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        failed(format!(
            "the download of the signing certificate {url} broke"
        ))
        .with_source(e)
    })? {
        if body.len() + chunk.len() > MAX_CERTIFICATE_BYTES {
            return Err(failed(format!(
                "the signing certificate {url} is larger than {MAX_CERTIFICATE_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
