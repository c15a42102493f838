//! `amzpay keys`: key files are private, public keys are printed, private keys never are.

use crate::helpers::{Sandbox, s};

#[test]
fn keys_generate_writes_a_pkcs8_private_key_readable_by_its_owner_only() {
    let sandbox = Sandbox::new();
    let out = sandbox.path("merchant.pem");

    let run = sandbox.run(&["keys", "generate", "--out", s(&out)], "", &[]);

    assert_eq!(run.code, 0, "{run:?}");
    let pem = std::fs::read_to_string(&out).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The public key to upload is printed, and it belongs to the private key.
    assert!(
        run.stdout.starts_with("-----BEGIN PUBLIC KEY-----"),
        "{run:?}"
    );
    let key = amzpay::signing::PrivateKey::from_pem(&pem).unwrap();
    assert_eq!(key.bits(), 2048);
    assert_eq!(run.stdout.trim(), key.public_key().to_pem().trim());
    // The private key is never printed.
    let secret_line = pem.lines().nth(2).unwrap();
    assert!(!run.stdout.contains(secret_line) && !run.stderr.contains(secret_line));
}

#[test]
fn keys_generate_refuses_to_overwrite_a_key_without_force() {
    let sandbox = Sandbox::new();
    let out = sandbox.path("merchant.pem");
    std::fs::write(&out, "precious").unwrap();

    let run = sandbox.run(&["keys", "generate", "--out", s(&out)], "", &[]);

    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("already exists"), "{run:?}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
}

#[test]
fn keys_generate_with_force_overwrites_and_tightens_the_mode() {
    let sandbox = Sandbox::new();
    let out = sandbox.path("merchant.pem");
    std::fs::write(&out, "old").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let public = sandbox.path("public.pem");

    let run = sandbox.run(
        &[
            "keys",
            "generate",
            "--out",
            s(&out),
            "--public-out",
            s(&public),
            "--force",
        ],
        "",
        &[],
    );

    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert_eq!(
        std::fs::read_to_string(&public).unwrap().trim(),
        run.stdout.trim()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn keys_public_prints_the_public_key_of_a_private_key_file() {
    let sandbox = Sandbox::new();
    let key = crate::helpers::test_key_file();

    let run = sandbox.run(&["keys", "public", s(&key)], "", &[]);

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout.trim(),
        crate::helpers::test_public_key().to_pem().trim()
    );
}
