//! A transport for tests: scripted answers, captured requests, no network.
//!
//! Merchants can use it too, to test their own code against canned Amazon Pay answers.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use amzpay::testing::ScriptedTransport;
//! # let pem = amzpay::signing::PrivateKey::generate(2048)?.to_pkcs8_pem()?;
//! let config = amzpay::Config::builder()
//!     .public_key_id("SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B")
//!     .private_key_pem(pem)
//!     .region(amzpay::Region::Na)
//!     .build()?;
//! let transport = ScriptedTransport::new();
//! transport.respond(404, r#"{"reasonCode":"ResourceNotFound","message":"no such charge"}"#);
//! let client = amzpay::Client::with_transport(config, transport.clone());
//!
//! let error = client.get_charge("S01-0000000-0000000-C000001").await.unwrap_err();
//! assert_eq!(error.reason_code(), Some(&amzpay::types::ApiErrorCode::ResourceNotFound));
//! assert_eq!(transport.requests()[0].url, "https://pay-api.amazon.com/v2/charges/S01-0000000-0000000-C000001");
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// What the transport does for one request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Step {
    /// Answer with this response.
    Respond(HttpResponse),
    /// Fail with this error.
    Fail(TransportError),
    /// Never answer (the client's timeout ends the attempt).
    Hang,
}

/// Answers requests from a script, in order, and records every request it receives.
///
/// Clones share the script and the record. When the script runs out, requests fail as "not sent"
/// with a message saying so.
#[derive(Debug, Clone, Default)]
pub struct ScriptedTransport {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    script: VecDeque<Step>,
    requests: Vec<HttpRequest>,
}

impl ScriptedTransport {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread poisons the lock; the record is still worth reading.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a step.
    pub fn push(&self, step: Step) -> &Self {
        self.state().script.push_back(step);
        self
    }

    /// Queues a JSON answer with this status; it gets an `x-amz-pay-request-id` of `req-N`.
    pub fn respond(&self, status: u16, body: impl Into<String>) -> &Self {
        let n = self.state().script.len() + 1;
        self.push(Step::Respond(HttpResponse::new(
            status,
            [
                ("content-type".to_owned(), "application/json".to_owned()),
                ("x-amz-pay-request-id".to_owned(), format!("req-{n}")),
            ],
            body.into(),
        )))
    }

    /// Queues an answer.
    pub fn respond_with(&self, response: HttpResponse) -> &Self {
        self.push(Step::Respond(response))
    }

    /// Queues a failure.
    pub fn fail(&self, error: TransportError) -> &Self {
        self.push(Step::Fail(error))
    }

    /// Queues a request that never gets an answer.
    pub fn hang(&self) -> &Self {
        self.push(Step::Hang)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state().requests.clone()
    }

    /// How many steps are left.
    pub fn remaining(&self) -> usize {
        self.state().script.len()
    }
}

#[async_trait]
impl Transport for ScriptedTransport {
    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let step = {
            let mut state = self.state();
            state.requests.push(request);
            state.script.pop_front()
        };
        match step {
            Some(Step::Respond(response)) => Ok(response),
            Some(Step::Fail(error)) => Err(error),
            Some(Step::Hang) => std::future::pending().await,
            None => Err(TransportError::not_sent(
                "the scripted transport has no step left for this request",
            )),
        }
    }
}
