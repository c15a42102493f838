//! An IPN receiver for the guarantee tests: a loopback HTTP/1.1 server that answers 200 to every
//! POST and keeps the SNS `MessageId` of each, so a test can tell how often each notification
//! arrived.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// How many times each `MessageId` was received.
#[derive(Clone, Debug, Default)]
pub struct Received(Arc<Mutex<HashMap<String, u32>>>);

impl Received {
    /// A copy of the counts.
    pub fn counts(&self) -> HashMap<String, u32> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// Starts a receiver that accepts everything; returns its URL.
pub async fn accept_all() -> anyhow::Result<String> {
    Ok(start().await?.0)
}

/// Starts a receiver; returns its URL and what it receives.
pub async fn start() -> anyhow::Result<(String, Received)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the IPN receiver")?;
    let url = format!("http://{}/ipn", listener.local_addr()?);
    let received = Received::default();
    let counts = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counts = counts.clone();
            tokio::spawn(async move {
                let _ = serve(stream, counts).await;
            });
        }
    });
    Ok((url, received))
}

/// Serves the requests of one connection (keep-alive) until it closes.
async fn serve(stream: tokio::net::TcpStream, counts: Received) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        if let Ok(envelope) = serde_json::from_slice::<serde_json::Value>(&body)
            && let Some(id) = envelope["MessageId"].as_str()
            && let Ok(mut map) = counts.0.lock()
        {
            *map.entry(id.to_owned()).or_default() += 1;
        }
        write
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await?;
    }
}
