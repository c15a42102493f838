//! The emulator's admin API (`/__admin/...`) over HTTP: what the harness does to the emulator
//! goes through the same door as the `amzpay emulator` commands, so it works the same whatever
//! the emulator's database.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;

/// An HTTP client bound to one emulator's admin API.
pub(crate) struct Admin {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

// The admin token grants everything the admin API can do: keep it out of debug output.
impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Admin {
    /// A client of the emulator at `base_url`, trusting `ca_pem` when it serves HTTPS.
    pub(crate) fn new(base_url: &str, token: &str, ca_pem: Option<&[u8]>) -> Result<Admin, Error> {
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
        if let Some(pem) = ca_pem {
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
        }
        Ok(Admin {
            http: builder.build()?,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(self.http.get(self.url(path))).await
    }

    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        self.call(self.http.post(self.url(path)).json(body)).await
    }

    pub(crate) async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        self.call(self.http.put(self.url(path)).json(body)).await
    }

    pub(crate) async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(self.http.delete(self.url(path))).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends one request; a status other than 2xx is [`Error::Admin`] with the answer's text.
    async fn call<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let response = request.bearer_auth(&self.token).send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            return Err(Error::Admin {
                status: status.as_u16(),
                body: text,
            });
        }
        serde_json::from_str(&text).map_err(|e| Error::Admin {
            status: status.as_u16(),
            body: format!("unreadable answer ({e}): {text}"),
        })
    }
}
