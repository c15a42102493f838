//! Key loading: every accepted format, and a precise error for everything else.

use amzpay_signing::{KeyErrorKind, PrivateKey, PublicKey};

use crate::helpers::{openssl, path_str, test_keys, vector_file, vectors_dir};

fn test_private_path() -> String {
    vectors_dir()
        .join("test-key-private.pem")
        .to_str()
        .expect("utf-8")
        .to_owned()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Loading `pem` as a private key fails with `kind`, and the message contains each of `needles`.
fn private_fails(pem: &str, kind: KeyErrorKind, needles: &[&str]) {
    let err = PrivateKey::from_pem(pem).expect_err("must be rejected");
    assert_eq!(err.kind(), kind, "{err}");
    for needle in needles {
        assert!(
            err.to_string().contains(needle),
            "{err:?} should mention {needle:?}"
        );
    }
}

fn public_fails(pem: &str, kind: KeyErrorKind, needles: &[&str]) {
    let err = PublicKey::from_pem(pem).expect_err("must be rejected");
    assert_eq!(err.kind(), kind, "{err}");
    for needle in needles {
        assert!(
            err.to_string().contains(needle),
            "{err:?} should mention {needle:?}"
        );
    }
}

#[test]
fn pem_with_crlf_indentation_and_surrounding_text_loads() {
    let pem = vector_file("test-key-private.pem");
    let messy = format!(
        "Bag Attributes\r\n\r\n{}\r\n\r\n\r\n",
        pem.lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\r\n")
    );
    let key = PrivateKey::from_pem(&messy).expect("loads");
    assert_eq!(key.public_key(), &test_keys().1);
    let public = vector_file("test-key-public.pem").replace('\n', "\r\n");
    assert_eq!(
        PublicKey::from_pem(&format!("\n\n{public}\n\n")).expect("loads"),
        test_keys().1
    );
}

#[test]
fn a_pkcs1_public_key_loads_and_equals_the_spki_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = path_str(&dir, "rsapub.pem");
    openssl(&[
        "rsa",
        "-in",
        &test_private_path(),
        "-RSAPublicKey_out",
        "-out",
        &out,
    ]);
    let text = read(&out);
    assert!(text.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    let key = PublicKey::from_pem(&text).expect("loads");
    assert_eq!(key, test_keys().1);
    assert_eq!(
        key.to_pem().trim_end(),
        vector_file("test-key-public.pem").trim_end(),
        "exports as SPKI, like openssl"
    );
}

#[test]
fn debug_output_never_shows_key_material() {
    let (private, public) = test_keys();
    let shown = format!(
        "{private:?} {public:?} {:?}",
        (private.clone(), public.clone())
    );
    let material = vector_file("test-key-private.pem") + &vector_file("test-key-public.pem");
    for line in material
        .lines()
        .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
    {
        assert!(
            !shown.contains(&line[..16]),
            "Debug shows key material: {shown}"
        );
    }
    assert!(shown.contains("bits: 2048"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn generated_keys_export_as_pkcs8_and_reload() {
    let key = PrivateKey::generate(amzpay_signing::DEFAULT_KEY_BITS).expect("generates");
    let pem = key.to_pkcs8_pem().expect("exports");
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\n")
            && pem.ends_with("-----END PRIVATE KEY-----\n")
    );
    let again = PrivateKey::from_pem(&pem).expect("reloads");
    assert_eq!(again.public_key(), key.public_key());
    assert_eq!(again.bits(), 2048);
}

#[test]
fn generating_a_small_key_is_refused() {
    let err = PrivateKey::generate(1024).expect_err("too small");
    assert_eq!(err.kind(), KeyErrorKind::TooSmall);
    assert_eq!(err.bits(), Some(1024));
}

#[test]
fn an_openssh_private_key_says_how_to_convert_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = path_str(&dir, "id_ed25519");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f", &path])
        .status()
        .is_ok_and(|s| s.success());
    let (private, public) = if made {
        (read(&path), read(&format!("{path}.pub")))
    } else {
        // No ssh-keygen: only the armour line matters for detection.
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n-----END OPENSSH PRIVATE KEY-----\n".to_owned(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n".to_owned(),
        )
    };
    let needles = [
        "OpenSSH",
        "ssh-keygen -p -m PEM -f key",
        "openssl pkey -in key -out key.pem",
    ];
    private_fails(&private, KeyErrorKind::OpenSsh, &needles);
    public_fails(
        &public,
        KeyErrorKind::OpenSsh,
        &["OpenSSH", "ssh-keygen -e -m PKCS8"],
    );
    public_fails(
        &private,
        KeyErrorKind::PrivateKeyGivenAsPublic,
        &["openssl pkey -in private.pem -pubout"],
    );
    private_fails(
        &public,
        KeyErrorKind::PublicKeyGivenAsPrivate,
        &["OpenSSH public key"],
    );
}

#[test]
fn encrypted_private_keys_say_how_to_decrypt_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (pkcs8, legacy) = (path_str(&dir, "enc8.pem"), path_str(&dir, "enc1.pem"));
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:secret",
        "-in",
        &test_private_path(),
        "-out",
        &pkcs8,
    ]);
    openssl(&[
        "rsa",
        "-aes256",
        "-traditional",
        "-passout",
        "pass:secret",
        "-in",
        &test_private_path(),
        "-out",
        &legacy,
    ]);
    let (pkcs8, legacy) = (read(&pkcs8), read(&legacy));
    assert!(pkcs8.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert!(legacy.contains("Proc-Type: 4,ENCRYPTED"));
    for pem in [&pkcs8, &legacy] {
        private_fails(
            pem,
            KeyErrorKind::Encrypted,
            &["encrypted", "openssl pkey -in enc.pem -out plain.pem"],
        );
        public_fails(pem, KeyErrorKind::PrivateKeyGivenAsPublic, &["private key"]);
    }
}

#[test]
fn non_rsa_keys_are_named_with_the_command_for_an_rsa_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "EC",
            vec![
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ],
        ),
        ("Ed25519", vec!["genpkey", "-algorithm", "ED25519"]),
        ("EC", vec!["ecparam", "-name", "prime256v1", "-genkey"]),
    ];
    for (i, (algorithm, args)) in cases.into_iter().enumerate() {
        let (private, public) = (
            path_str(&dir, &format!("{i}.pem")),
            path_str(&dir, &format!("{i}.pub")),
        );
        let mut args = args;
        args.extend(["-out", &private]);
        openssl(&args);
        openssl(&["pkey", "-in", &private, "-pubout", "-out", &public]);
        let needles = [algorithm, "openssl genrsa -out private.pem 2048"];
        private_fails(&read(&private), KeyErrorKind::NotRsa, &needles);
        public_fails(&read(&public), KeyErrorKind::NotRsa, &needles);
        assert_eq!(
            PrivateKey::from_pem(&read(&private))
                .unwrap_err()
                .algorithm(),
            Some(algorithm)
        );
    }
}

#[test]
fn small_rsa_keys_report_their_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (pkcs8, pkcs1, public) = (
        path_str(&dir, "k8.pem"),
        path_str(&dir, "k1.pem"),
        path_str(&dir, "k.pub"),
    );
    openssl(&["genrsa", "-out", &pkcs8, "1024"]);
    openssl(&["rsa", "-in", &pkcs8, "-traditional", "-out", &pkcs1]);
    openssl(&["rsa", "-in", &pkcs8, "-pubout", "-out", &public]);
    let needles = ["1024 bits", "openssl genrsa -out private.pem 2048"];
    for pem in [read(&pkcs8), read(&pkcs1)] {
        private_fails(&pem, KeyErrorKind::TooSmall, &needles);
        assert_eq!(PrivateKey::from_pem(&pem).unwrap_err().bits(), Some(1024));
    }
    public_fails(&read(&public), KeyErrorKind::TooSmall, &needles);
}

#[test]
fn a_public_key_is_not_a_private_key_and_vice_versa() {
    private_fails(
        &vector_file("test-key-public.pem"),
        KeyErrorKind::PublicKeyGivenAsPrivate,
        &["BEGIN PUBLIC KEY", "private key"],
    );
    public_fails(
        &vector_file("test-key-private.pem"),
        KeyErrorKind::PrivateKeyGivenAsPublic,
        &[
            "BEGIN RSA PRIVATE KEY",
            "openssl pkey -in private.pem -pubout -out public.pem",
        ],
    );
    let pkcs8 = test_keys().0.to_pkcs8_pem().expect("exports");
    public_fails(
        &pkcs8,
        KeyErrorKind::PrivateKeyGivenAsPublic,
        &["BEGIN PRIVATE KEY"],
    );
}

#[test]
fn garbage_is_rejected_with_what_was_expected() {
    private_fails("", KeyErrorKind::NotPem, &["BEGIN RSA PRIVATE KEY"]);
    private_fails(
        "not a key at all",
        KeyErrorKind::NotPem,
        &["BEGIN PRIVATE KEY"],
    );
    public_fails(
        "{\"kty\":\"RSA\"}",
        KeyErrorKind::NotPem,
        &["BEGIN PUBLIC KEY"],
    );

    let pem = vector_file("test-key-private.pem");
    let truncated: String = pem.lines().take(10).collect::<Vec<_>>().join("\n");
    private_fails(
        &truncated,
        KeyErrorKind::Malformed,
        &["no matching", "truncated"],
    );
    let bad_base64 = pem.replacen("MIIE", "M!IE", 1);
    private_fails(&bad_base64, KeyErrorKind::Malformed, &["base64"]);
    let not_a_key = "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQF\n-----END RSA PRIVATE KEY-----\n";
    private_fails(
        not_a_key,
        KeyErrorKind::Malformed,
        &["does not contain a valid key"],
    );
    let not_a_public_key = "-----BEGIN PUBLIC KEY-----\nAAECAwQF\n-----END PUBLIC KEY-----\n";
    public_fails(
        not_a_public_key,
        KeyErrorKind::Malformed,
        &["does not contain a valid key"],
    );
    private_fails(
        "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
        KeyErrorKind::UnsupportedFormat,
        &["X509 CRL"],
    );
}

#[test]
fn a_certificate_is_not_a_public_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cert = path_str(&dir, "cert.pem");
    openssl(&[
        "req",
        "-new",
        "-x509",
        "-key",
        &test_private_path(),
        "-subj",
        "/CN=test",
        "-days",
        "1",
        "-out",
        &cert,
    ]);
    public_fails(
        &read(&cert),
        KeyErrorKind::UnsupportedFormat,
        &["certificate", "openssl x509 -in cert.pem -pubkey -noout"],
    );
    private_fails(
        &read(&cert),
        KeyErrorKind::PublicKeyGivenAsPrivate,
        &["CERTIFICATE"],
    );
}

#[test]
fn keys_are_cheap_to_clone_and_compare_by_value() {
    let (private, public) = test_keys();
    let copy = private.clone();
    assert_eq!(copy.public_key(), public);
    assert_eq!(public.fingerprint().len(), 64);
    assert_ne!(
        PrivateKey::generate(2048).expect("generates").public_key(),
        public
    );
}
