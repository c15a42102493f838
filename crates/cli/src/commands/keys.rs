//! `amzpay keys ...`: RSA key pairs for Amazon Pay.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use amzpay::signing::{DEFAULT_KEY_BITS, PrivateKey};
use anyhow::Context;

use crate::lowargs::KeysCommand;
use crate::output::Output;

/// Runs a `keys` command.
pub(crate) fn run(command: KeysCommand, out: &Output) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Generate {
            out: path,
            public_out,
            force,
        } => {
            let key =
                PrivateKey::generate(DEFAULT_KEY_BITS).context("cannot generate a key pair")?;
            let pem = key
                .to_pkcs8_pem()
                .context("cannot encode the private key")?;
            write_private(&path, pem.as_bytes(), force)?;
            let public = key.public_key().to_pem();
            if let Some(public_path) = &public_out {
                std::fs::write(public_path, &public)
                    .with_context(|| format!("cannot write {}", public_path.display()))?;
            }
            let _ = writeln!(
                std::io::stderr(),
                "wrote the private key to {} (mode 0600); upload this public key to Seller Central:",
                path.display()
            );
            out.text(public.trim_end())?;
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Public { private_key } => {
            let pem = std::fs::read_to_string(&private_key)
                .with_context(|| format!("cannot read {}", private_key.display()))?;
            let key = PrivateKey::from_pem(&pem).with_context(|| {
                format!("{} is not a usable private key", private_key.display())
            })?;
            out.text(key.public_key().to_pem().trim_end())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes a private key readable by its owner only, created with mode 0600 so it is never
/// readable by others, not even briefly.
fn write_private(path: &Path, pem: &[u8], force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "{} already exists; pass --force to overwrite it or --out to choose another file",
                path.display()
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
        }
    })?;
    // An existing file keeps its old mode when overwritten: tighten it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict the permissions of {}", path.display()))?;
    }
    file.write_all(pem)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}
