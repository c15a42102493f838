//! `amzpay emulator logs`: the request journal in the terminal, through the admin API
//! (`GET /__admin/journal`, `GET /__admin/journal/{requestId}`).
//!
//! The list prints oldest first, one line per request, like a log; `--follow` then asks for the
//! entries after the last one it printed, once a second, until interrupted.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use amzpay_emulator::admin_api::{JournalEntry, JournalPage, JournalSummary};

use crate::admin_client::AdminClient;
use crate::lowargs::emulator::{LogsArgs, LogsCommand, LogsListArgs};

/// How long `--follow` waits between two reads.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// Runs `amzpay emulator logs ...`.
pub(crate) async fn run(args: LogsArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(LogsCommand::Show {
            request_id,
            json,
            client,
        }) => {
            let path = format!("/__admin/journal/{}", encode(&request_id));
            let entry: JournalEntry = AdminClient::connect(&client)?.get(&path).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entry)?);
            } else {
                print!("{}", detail(&entry));
            }
            Ok(ExitCode::SUCCESS)
        }
        None => list(args.list).await,
    }
}

/// Percent-encodes a query value or path segment (everything but unreserved characters).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn query(a: &LogsListArgs, limit: u32, after: Option<i64>) -> String {
    let mut q = format!("/__admin/journal?limit={limit}");
    for (name, value) in [
        ("merchant", a.merchant.as_deref()),
        ("status", a.status.as_deref()),
        ("operation", a.operation.as_deref()),
        ("since", a.since.as_deref()),
    ] {
        if let Some(v) = value {
            let _ = write!(q, "&{name}={}", encode(v));
        }
    }
    if let Some(after) = after {
        let _ = write!(q, "&after={after}");
    }
    q
}

async fn list(a: LogsListArgs) -> anyhow::Result<ExitCode> {
    let client = AdminClient::connect(&a.client)?;
    let page: JournalPage = client.get(&query(&a, a.limit.clamp(1, 1000), None)).await?;
    if page.journal_size == 0 {
        eprintln!("the emulator's journal is off (--journal-size 0)");
    }
    let mut last = page.entries.first().map(|e| e.id);
    for e in page.entries.iter().rev() {
        print_line(e, a.json)?;
    }
    if !a.follow {
        return Ok(ExitCode::SUCCESS);
    }
    // Without any entry yet, follow from the newest of the whole journal, so an old entry of
    // another merchant does not print.
    if last.is_none() {
        let newest: JournalPage = client.get("/__admin/journal?limit=1").await?;
        last = newest.entries.first().map(|e| e.id);
    }
    loop {
        tokio::time::sleep(FOLLOW_EVERY).await;
        let page: JournalPage = client
            .get(&query(&a, 1000, Some(last.unwrap_or(0))))
            .await?;
        for e in &page.entries {
            print_line(e, a.json)?;
            last = Some(e.id);
        }
    }
}

fn print_line(e: &JournalSummary, json: bool) -> anyhow::Result<()> {
    use std::io::Write as _;
    let line = if json {
        serde_json::to_string(e)?
    } else {
        line(e)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// One request on one line: time, status, method and path, operation, reason code, latency,
/// request id, merchant.
pub(crate) fn line(e: &JournalSummary) -> String {
    let mut s = format!("{} {} {} {}", e.at, e.status, e.method, e.path);
    if let Some(op) = &e.operation
        && !op.starts_with(&e.method)
    {
        let _ = write!(s, " {op}");
    }
    if let Some(reason) = &e.reason_code {
        let _ = write!(s, " {reason}");
    }
    if e.replayed {
        s.push_str(" (replayed)");
    }
    let _ = write!(
        s,
        " {:.1}ms id={}",
        e.latency_us as f64 / 1000.0,
        e.request_id
    );
    if let Some(m) = &e.merchant_id {
        let _ = write!(s, " merchant={m}");
    }
    s
}

/// One request in full, as text.
fn detail(e: &JournalEntry) -> String {
    let s = &e.summary;
    let d = &e.detail;
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(s));
    let field = |out: &mut String, name: &str, value: Option<&str>| {
        if let Some(v) = value {
            let _ = writeln!(out, "{name:<16}{v}");
        }
    };
    field(&mut out, "operation", s.operation.as_deref());
    field(&mut out, "merchant", s.merchant_id.as_deref());
    field(&mut out, "virtual time", s.virtual_at.as_deref());
    field(&mut out, "idempotency key", s.idempotency_key.as_deref());
    field(&mut out, "fault rule", d.fault_rule.as_deref());
    let target = match &d.query {
        Some(q) => format!("{}?{q}", s.path),
        None => s.path.clone(),
    };
    let _ = writeln!(out, "\n> {} {target}", s.method);
    for (name, value) in &d.request_headers {
        let _ = writeln!(out, "> {name}: {value}");
    }
    body(&mut out, &d.request_body);
    let _ = writeln!(out, "\n< {}", s.status);
    for (name, value) in &d.response_headers {
        let _ = writeln!(out, "< {name}: {value}");
    }
    body(&mut out, &d.response_body);
    if let Some(sig) = &d.signature {
        let _ = writeln!(out, "\nsignature refused at: {}", sig.step);
        let _ = writeln!(out, "{}", sig.message);
        field(&mut out, "public key id", sig.public_key_id.as_deref());
        field(&mut out, "algorithm", sig.algorithm.as_deref());
        field(&mut out, "signed headers", sig.signed_headers.as_deref());
        if let Some(c) = &sig.canonical_request {
            let _ = writeln!(out, "\ncanonical request:\n{c}");
        }
        if let Some(t) = &sig.string_to_sign {
            let _ = writeln!(out, "\nstring to sign:\n{t}");
        }
    }
    out
}

fn body(out: &mut String, b: &amzpay_emulator::admin_api::JournalBody) {
    if b.length == 0 {
        return;
    }
    let pretty = serde_json::from_str::<serde_json::Value>(&b.text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    let _ = writeln!(out, "\n{}", pretty.as_deref().unwrap_or(&b.text));
    if b.truncated {
        let _ = writeln!(out, "[{} bytes in all; cut short]", b.length);
    }
}
