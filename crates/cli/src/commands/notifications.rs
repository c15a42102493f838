//! `amzpay notifications verify`: checks a notification body as a receiver does, with the SDK's
//! `Verifier`, and prints what it carries.

use std::process::ExitCode;
use std::time::Duration;

use amzpay::notifications::Verifier;
use anyhow::Context;

use crate::commands::sign::read_input;
use crate::lowargs::{NotificationsCommand, VerifyNotificationArgs};
use crate::output::Output;

/// Runs a `notifications` command.
pub(crate) async fn run(command: NotificationsCommand) -> anyhow::Result<ExitCode> {
    match command {
        NotificationsCommand::Verify(args) => {
            let out = Output {
                compact: args.json,
                verbose: false,
            };
            verify(&args, &out).await
        }
    }
}

async fn verify(args: &VerifyNotificationArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let body = read_input(&args.file)?;
    let body = String::from_utf8(body).context("the notification body is not UTF-8")?;
    let mut builder = Verifier::builder();
    if let Some(path) = &args.issuer_ca {
        let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        builder = builder.require_issuer(pem);
    }
    match (&args.trust_host, &args.trust_ca) {
        (Some(host), Some(ca)) => {
            let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
            builder = builder.trust_host_with_ca(host, pem);
        }
        (Some(host), None) => builder = builder.trust_host(host),
        // clap makes --trust-ca require --trust-host.
        (None, _) => {}
    }
    if let Some(secs) = args.max_age {
        builder = builder.max_age(Duration::from_secs(secs));
    }
    let verifier = builder.build()?;
    let verified = verifier.verify(&body).await.map_err(|error| {
        let kind = error.kind();
        anyhow::Error::new(error).context(format!("the notification is refused ({kind})"))
    })?;
    let envelope = &verified.envelope;
    let value = serde_json::json!({
        "messageId": envelope.message_id(),
        "topicArn": envelope.topic_arn(),
        "timestamp": envelope.timestamp_text(),
        "signatureVersion": envelope.signature_version(),
        "signingCertUrl": envelope.signing_cert_url(),
        "notification": serde_json::to_value(&verified.notification)
            .context("cannot format the notification")?,
    });
    out.json(&value)?;
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"OK: the signature and the certificate are valid\n",
    );
    Ok(ExitCode::SUCCESS)
}
