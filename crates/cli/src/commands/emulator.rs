//! `amzpay emulator ...`: `serve` runs the emulator in this process through its typed entry point
//! ([`Application::build`] with a [`ServerConfig`]); every other command is a client of a running
//! emulator's admin API (`--url`, default `https://127.0.0.1:8443`), authenticated with the admin
//! token (flag, `AMZPAY_ADMIN_TOKEN`, or the `admin-token` file `serve` wrote into the data
//! directory) and trusting the data directory's self-signed CA.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amzpay_emulator::ThrottleMode;
use amzpay_emulator::admin_api::{
    AddFault, AdvanceClock, BuyerActionResult, ChargebackCreated, ChooseBody, ClockInfo,
    CreateMerchant, FaultRuleInfo, FaultRules, FaultSpec, FaultsCleared, IpnInfo, MerchantCreated,
    MerchantInfo, NotificationDetail, NotificationInfo, SetClock, SignInBody, UpdateIpn,
    parse_duration,
};
use amzpay_emulator::startup::{Application, ServerConfig, TlsMode, admin_token_path};
use amzpay_emulator::telemetry::{self, LogFormat};
use anyhow::Context;

use crate::admin_client::{AdminClient, AdminConfig};
use crate::lowargs::emulator::{
    BuyerCommand, ClientArgs, ClockCommand, EmulatorArgs, EmulatorCommand, FaultAddArgs,
    FaultCommand, FaultKindFlag, LogFormatFlag, MerchantCommand, NotificationsCommand, ServeArgs,
    SimulateCommand, ThrottleFlag, TlsFlag,
};

/// Runs an `amzpay emulator` command.
pub(crate) async fn run(args: EmulatorArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        EmulatorCommand::Serve(a) => serve(a).await,
        EmulatorCommand::Merchant(c) => merchant(c).await,
        EmulatorCommand::Clock(c) => clock(c).await,
        EmulatorCommand::Buyer(c) => buyer(c).await,
        EmulatorCommand::Fault(c) => fault(c).await,
        EmulatorCommand::Notifications(c) => notifications(c).await,
        EmulatorCommand::Simulate(c) => simulate(c).await,
        EmulatorCommand::Logs(a) => super::logs::run(a).await,
        EmulatorCommand::Ping { client } => ping(&client).await,
    }
}

/// `amzpay emulator ping`: `GET /checkout.js`, which every emulator serves without a token and
/// which touches no merchant; trusts the data directory's CA like the other client commands.
async fn ping(client: &ClientArgs) -> anyhow::Result<ExitCode> {
    let url = format!("{}/checkout.js", client.url.trim_end_matches('/'));
    let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5));
    let ca = client.ca_cert.clone().or_else(|| {
        Some(amzpay_emulator::startup::ca_path(&client.data_dir)).filter(|p| p.exists())
    });
    if let Some(ca) = ca {
        let pem = std::fs::read(&ca).with_context(|| format!("reading {}", ca.display()))?;
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    let answer = builder
        .build()?
        .get(&url)
        .send()
        .await
        .with_context(|| format!("no answer from {url}"))?;
    if answer.status().is_success() {
        println!("ok: {url} answered {}", answer.status());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{url} answered {}", answer.status());
        Ok(ExitCode::FAILURE)
    }
}

/// Turns the `serve` flags into the server's configuration.
fn server_config(a: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let skew = parse_duration(&a.max_clock_skew)
        .filter(|s| *s >= 0)
        .context("--max-clock-skew must be a duration such as 15m or 900")?;
    let tls = match a.tls {
        TlsFlag::SelfSigned => TlsMode::SelfSigned,
        TlsFlag::Off => TlsMode::Off,
        TlsFlag::Files => TlsMode::Files {
            cert: a.cert.clone().context("--tls files needs --cert")?,
            key: a.key.clone().context("--tls files needs --key")?,
        },
    };
    let mut config = ServerConfig::new(&a.data_dir);
    config.listen = a.listen;
    config.public_base_url = a.public_url.clone();
    config.database_url = a.database.clone();
    config.tls = tls;
    config.admin_token = a.admin_token.clone().map(Into::into);
    config.debug_signatures = a.debug_signatures;
    config.max_clock_skew_secs = skew;
    config.body_limit = a.body_limit;
    let seconds = |flag: &str, value: &str| {
        parse_duration(value)
            .filter(|s| *s > 0)
            .map(|s| std::time::Duration::from_secs(s.unsigned_abs()))
            .with_context(|| format!("{flag} must be a positive duration such as 20s or 1m"))
    };
    config.limits.max_connections = a.max_connections.max(1);
    config.limits.header_read_timeout = seconds("--header-read-timeout", &a.header_read_timeout)?;
    config.limits.idle_timeout = seconds("--idle-timeout", &a.idle_timeout)?;
    config.limits.max_header_bytes = a.max_header_bytes.max(8 * 1024);
    config.throttle = match a.throttle {
        ThrottleFlag::Off => ThrottleMode::Off,
        ThrottleFlag::Sandbox => ThrottleMode::Sandbox,
        ThrottleFlag::Live => ThrottleMode::Live,
    };
    config.ipn.retry_base = seconds("--ipn-retry-base", &a.ipn_retry_base)?;
    config.ipn.timeout = seconds("--ipn-timeout", &a.ipn_timeout)?;
    config.ipn.lease = config.ipn.lease.max(config.ipn.timeout * 2);
    config.ipn.max_attempts = a.ipn_max_attempts.max(1);
    config.journal_size = a.journal_size;
    Ok(config)
}

async fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let format = match a.log_format {
        LogFormatFlag::Text => LogFormat::Text,
        LogFormatFlag::Json => LogFormat::Json,
    };
    telemetry::init(format, "info,sqlx=warn", std::io::stderr);
    let config = server_config(&a)?;
    let app = Application::build(config).await?;
    println!("amzpay emulator listening on {}", app.base_url());
    if let Some(ca) = app.ca_path() {
        println!(
            "TLS certificate authority: {} (trust it, e.g. NODE_EXTRA_CA_CERTS)",
            ca.display()
        );
    }
    // The token itself is never printed: output ends up in terminals, CI logs and scrollback.
    if app.admin_token_generated() {
        println!(
            "admin token: generated into {} (readable by you only)",
            admin_token_path(&a.data_dir).display()
        );
    } else {
        println!(
            "admin token: from the flag, environment or {}",
            admin_token_path(&a.data_dir).display()
        );
    }
    app.run_until_stopped(amzpay_emulator::startup::shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}

async fn merchant(c: MerchantCommand) -> anyhow::Result<ExitCode> {
    match c {
        MerchantCommand::Create {
            region,
            environment,
            public_key,
            legacy_key_id,
            ipn_urls,
            ipn_signature_version,
            json,
            shell,
            client,
        } => {
            let config = AdminConfig::resolve(&client)?;
            let admin = AdminClient::new(&config)?;
            let public_key_pem = match &public_key {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                ),
                None => None,
            };
            let body = CreateMerchant {
                region: Some(region),
                environment: Some(environment),
                public_key_pem,
                legacy_key_id: legacy_key_id.then_some(true),
                ipn_urls: (!ipn_urls.is_empty()).then_some(ipn_urls),
                ipn_signature_version,
            };
            let created: MerchantCreated = admin
                .post("/__admin/merchants", serde_json::to_value(&body)?)
                .await?;
            let key_path = match &created.private_key_pem {
                Some(pem) => Some(save_private_key(
                    &client.data_dir,
                    &created.public_key_id,
                    pem,
                )?),
                None => None,
            };
            if shell {
                print_shell_exports(&created, &config, key_path.as_deref());
            } else if json {
                let mut v = serde_json::to_value(&created)?;
                v["privateKeyPem"] = serde_json::Value::Null;
                v["privateKeyPath"] =
                    serde_json::json!(key_path.as_ref().map(|p| p.display().to_string()));
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("merchantId:  {}", created.merchant_id);
                println!("storeId:     {}", created.store_id);
                println!("publicKeyId: {}", created.public_key_id);
                println!("region:      {}", created.region);
                match key_path {
                    Some(p) => println!("privateKey:  {}", p.display()),
                    None => {
                        println!("privateKey:  (yours; the uploaded public key was registered)")
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MerchantCommand::List { client } => {
            // The admin API answers in pages; a short page is the last.
            const PAGE: usize = 100;
            let admin = AdminClient::connect(&client)?;
            let mut after = String::new();
            loop {
                let page: Vec<MerchantInfo> = admin
                    .get(&format!("/__admin/merchants?limit={PAGE}&after={after}"))
                    .await?;
                for m in &page {
                    println!(
                        "{}  {}  {}  {}  now {}",
                        m.merchant_id, m.region, m.environment, m.store_id, m.clock.now
                    );
                }
                match page.last() {
                    Some(last) if page.len() == PAGE => after = last.merchant_id.clone(),
                    _ => break,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MerchantCommand::Update {
            merchant,
            environment,
            ipn_urls,
            clear_ipn_urls,
            ipn_signature_version,
            ipn_ca,
            clear_ipn_ca,
            json,
            client,
        } => {
            let urls = if clear_ipn_urls {
                Some(Vec::new())
            } else {
                (!ipn_urls.is_empty()).then_some(ipn_urls)
            };
            let ca_pem = match &ipn_ca {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                ),
                None => None,
            };
            let body = UpdateIpn {
                sandbox: urls.clone().filter(|_| environment == "sandbox"),
                live: urls.filter(|_| environment == "live"),
                signature_version: ipn_signature_version,
                ca_pem,
                clear_ca: clear_ipn_ca.then_some(true),
            };
            let info: IpnInfo = AdminClient::connect(&client)?
                .put(
                    &format!("/__admin/merchants/{merchant}/ipn"),
                    serde_json::to_value(&body)?,
                )
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                println!("merchantId:        {}", info.merchant_id);
                println!("sandbox endpoints: {}", info.sandbox.join(" "));
                println!("live endpoints:    {}", info.live.join(" "));
                println!("signatureVersion:  {}", info.signature_version);
                println!(
                    "trusted CA:        {}",
                    if info.ca_pem.is_some() { "set" } else { "none" }
                );
                println!("SigningCertURL:    {}", info.signing_cert_url);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_delivery(n: &NotificationInfo) {
    println!(
        "{}\t{}\tattempts={}\t{} {} {}\t{}",
        n.id, n.state, n.attempts, n.object_type, n.notification_type, n.object_id, n.endpoint
    );
}

async fn notifications(c: NotificationsCommand) -> anyhow::Result<ExitCode> {
    match c {
        NotificationsCommand::List {
            merchant,
            limit,
            json,
            client,
        } => {
            let mut path = format!("/__admin/notifications?limit={limit}");
            if let Some(m) = merchant {
                path.push_str(&format!("&merchantId={m}"));
            }
            let list: Vec<NotificationInfo> = AdminClient::connect(&client)?.get(&path).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                list.iter().for_each(print_delivery);
            }
        }
        NotificationsCommand::Show { id, json, client } => {
            let detail: NotificationDetail = AdminClient::connect(&client)?
                .get(&format!("/__admin/notifications/{id}"))
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&detail)?);
            } else {
                let n = &detail.notification;
                print_delivery(n);
                println!("notificationId: {}", n.notification_id);
                println!("published:      {}", n.created_at);
                if let Some(at) = &n.next_attempt_at {
                    println!("next attempt:   {at}");
                }
                if let Some(at) = &n.delivered_at {
                    println!("delivered:      {at}");
                }
                println!("message:        {}", n.message);
                for a in &detail.attempts {
                    let outcome = match (a.status, &a.error) {
                        (Some(s), _) => format!("HTTP {s}"),
                        (None, Some(e)) => e.clone(),
                        (None, None) => "no answer".to_owned(),
                    };
                    println!(
                        "attempt {} at {} ({} ms): {outcome}{}",
                        a.attempt,
                        a.started_at,
                        a.latency_ms,
                        a.response_head
                            .as_deref()
                            .filter(|h| !h.is_empty())
                            .map(|h| format!(" {h:?}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        NotificationsCommand::Redeliver { id, client } => {
            let detail: NotificationDetail = AdminClient::connect(&client)?
                .post(
                    &format!("/__admin/notifications/{id}/redeliver"),
                    serde_json::json!({}),
                )
                .await?;
            print_delivery(&detail.notification);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn simulate(c: SimulateCommand) -> anyhow::Result<ExitCode> {
    match c {
        SimulateCommand::Chargeback { charge_id, client } => {
            let created: ChargebackCreated = AdminClient::connect(&client)?
                .post(
                    &format!("/__admin/charges/{charge_id}/chargeback"),
                    serde_json::json!({}),
                )
                .await?;
            println!("{}", created.chargeback_id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints `export AMZPAY_...=...` lines that point the `amzpay` API commands (and the SDK's
/// `Config::from_env`) at this merchant on this emulator.
fn print_shell_exports(created: &MerchantCreated, config: &AdminConfig, key_path: Option<&Path>) {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_owned())
            .display()
            .to_string()
    };
    let mut vars = vec![
        ("AMZPAY_MERCHANT_ID", created.merchant_id.clone()),
        ("AMZPAY_STORE_ID", created.store_id.clone()),
        ("AMZPAY_PUBLIC_KEY_ID", created.public_key_id.clone()),
        ("AMZPAY_REGION", created.region.clone()),
        ("AMZPAY_ENDPOINT", config.url.clone()),
    ];
    if let Some(p) = key_path {
        vars.push(("AMZPAY_PRIVATE_KEY_FILE", absolute(p)));
    }
    if let Some(ca) = &config.ca_cert {
        vars.push(("AMZPAY_CA_CERT", absolute(ca)));
    }
    for (name, value) in vars {
        // Single quotes keep the value literal; an embedded quote is closed, escaped and
        // reopened.
        println!("export {name}='{}'", value.replace('\'', "'\\''"));
    }
}

fn save_private_key(data_dir: &Path, key_id: &str, pem: &str) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join("keys");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{key_id}.pem"));
    amzpay_emulator::tls::write_private(&path, pem)?;
    Ok(std::path::absolute(&path).unwrap_or(path))
}

fn print_clock(c: &ClockInfo) {
    println!("merchantId: {}", c.merchant_id);
    println!(
        "now:        {}{}",
        c.now,
        if c.frozen { " (frozen)" } else { "" }
    );
    if c.applied_timers > 0 {
        println!(
            "applied:    {} checkout(s) had due timers applied",
            c.applied_timers
        );
    }
}

async fn clock(c: ClockCommand) -> anyhow::Result<ExitCode> {
    let info: ClockInfo = match c {
        ClockCommand::Get { merchant, client } => {
            AdminClient::connect(&client)?
                .get(&format!("/__admin/merchants/{merchant}/clock"))
                .await?
        }
        ClockCommand::Advance {
            merchant,
            duration,
            client,
        } => {
            let body = AdvanceClock {
                seconds: None,
                duration: Some(duration),
            };
            AdminClient::connect(&client)?
                .post(
                    &format!("/__admin/merchants/{merchant}/clock/advance"),
                    serde_json::to_value(&body)?,
                )
                .await?
        }
        ClockCommand::Set {
            merchant,
            now,
            frozen,
            client,
        } => {
            let body = SetClock {
                now,
                frozen: Some(frozen),
            };
            AdminClient::connect(&client)?
                .put(
                    &format!("/__admin/merchants/{merchant}/clock"),
                    serde_json::to_value(&body)?,
                )
                .await?
        }
    };
    print_clock(&info);
    Ok(ExitCode::SUCCESS)
}

async fn buyer(c: BuyerCommand) -> anyhow::Result<ExitCode> {
    let (client, session, action, body) = match c {
        BuyerCommand::SignIn {
            session_id,
            instrument,
            name,
            email,
            client,
        } => {
            let body = SignInBody {
                name,
                email,
                instrument,
                ..Default::default()
            };
            (client, session_id, "sign-in", serde_json::to_value(&body)?)
        }
        BuyerCommand::Choose {
            session_id,
            instrument,
            client,
        } => {
            let body = ChooseBody {
                instrument: Some(instrument),
                shipping_address: None,
            };
            (client, session_id, "choose", serde_json::to_value(&body)?)
        }
        BuyerCommand::Pay { session_id, client } => {
            (client, session_id, "pay", serde_json::json!({}))
        }
        BuyerCommand::Cancel { session_id, client } => {
            (client, session_id, "cancel", serde_json::json!({}))
        }
    };
    let result: BuyerActionResult = AdminClient::connect(&client)?
        .post(
            &format!("/__admin/checkoutSessions/{session}/{action}"),
            body,
        )
        .await?;
    match &result.reason_code {
        Some(r) => eprintln!(
            "session {} is {} ({r})",
            result.checkout_session_id, result.state
        ),
        None => eprintln!("session {} is {}", result.checkout_session_id, result.state),
    }
    println!("{}", result.redirect_url);
    Ok(ExitCode::SUCCESS)
}

/// The fault a `fault add` asks for, from its kind and the kind's flags.
fn fault_spec(a: &FaultAddArgs) -> anyhow::Result<FaultSpec> {
    Ok(match a.kind {
        FaultKindFlag::Latency => FaultSpec::Latency {
            ms: a.ms.context("latency needs --ms")?,
            max_ms: a.max_ms,
        },
        FaultKindFlag::Error => FaultSpec::Error {
            status: a.status,
            reason_code: a.reason_code.clone(),
            message: a.message.clone(),
        },
        FaultKindFlag::Reset => FaultSpec::Reset,
        FaultKindFlag::LostAnswer => FaultSpec::LostAnswer,
        FaultKindFlag::SlowBody => FaultSpec::SlowBody {
            chunk_bytes: a.chunk_bytes,
            interval_ms: a.interval_ms,
        },
        FaultKindFlag::ClockSkew => FaultSpec::ClockSkew {
            seconds: a.seconds.context("clock-skew needs --seconds")?,
        },
    })
}

/// One line per rule: id, kind, filters, counters.
fn print_fault(r: &FaultRuleInfo) {
    let kind = serde_json::to_value(&r.rule.fault)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut filters = Vec::new();
    let rule = &r.rule;
    for (name, value) in [
        ("merchant", rule.merchant_id.clone()),
        ("operation", rule.operation.clone()),
        ("method", rule.method.clone()),
        ("path", rule.path.clone()),
        ("count", rule.count.map(|n| n.to_string())),
        ("probability", rule.probability.map(|p| p.to_string())),
        ("seed", rule.seed.map(|s| s.to_string())),
    ] {
        if let Some(v) = value {
            filters.push(format!("{name}={v}"));
        }
    }
    let filters = if filters.is_empty() {
        "every request".to_owned()
    } else {
        filters.join(" ")
    };
    println!(
        "{}\t{kind}\t{filters}\thits={} matched={}",
        r.id, r.hits, r.matched
    );
}

async fn fault(c: FaultCommand) -> anyhow::Result<ExitCode> {
    match c {
        FaultCommand::Add(a) => {
            let rule = AddFault {
                merchant_id: a.merchant.clone(),
                operation: a.operation.clone(),
                method: a.method.clone(),
                path: a.path.clone(),
                count: a.count,
                probability: a.probability,
                seed: a.seed,
                fault: fault_spec(&a)?,
            };
            let added: FaultRuleInfo = AdminClient::connect(&a.client)?
                .post("/__admin/faults", serde_json::to_value(&rule)?)
                .await?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&added)?);
            } else {
                println!("{}", added.id);
            }
        }
        FaultCommand::List { json, client } => {
            let rules: FaultRules = AdminClient::connect(&client)?
                .get("/__admin/faults")
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rules)?);
            } else {
                rules.rules.iter().for_each(print_fault);
            }
        }
        FaultCommand::Clear { id, client } => {
            let path = match &id {
                Some(id) => format!("/__admin/faults/{id}"),
                None => "/__admin/faults".to_owned(),
            };
            let cleared: FaultsCleared = AdminClient::connect(&client)?.delete(&path).await?;
            println!("deleted {} rule(s)", cleared.deleted);
        }
    }
    Ok(ExitCode::SUCCESS)
}
