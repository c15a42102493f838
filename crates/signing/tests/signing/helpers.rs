//! Shared test helpers: the vectors folders, the test key pair, fixed requests, the openssl CLI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use amzpay_signing::{
    Algorithm, PrivateKey, PublicKey, ReceivedRequest, SignableRequest, SigningOutput,
    SigningParams, sign,
};
use time::OffsetDateTime;
use time::macros::datetime;

/// The signing time of every vector: `20180524T223710Z`.
pub(crate) const VECTOR_TIME: OffsetDateTime = datetime!(2018-05-24 22:37:10 UTC);

/// The fixed signed headers of the vectors, without the date (which the signer adds).
pub(crate) const VECTOR_HEADERS: [(&str, &str); 4] = [
    ("accept", "application/json"),
    ("content-type", "application/json"),
    ("x-amz-pay-host", "pay-api.amazon.eu"),
    ("x-amz-pay-region", "EU"),
];

pub(crate) const KEY_ID: &str = "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B";

/// A folder of signing vectors: `canonical-requests.json`, the test key pair
/// (`test-key-private.pem`, `test-key-public.pem`), a button payload and its signatures.
pub(crate) struct Vectors {
    /// Where the files are.
    pub(crate) dir: PathBuf,
    /// What the folder is, for messages.
    pub(crate) label: &'static str,
    keys: OnceLock<(PrivateKey, PublicKey)>,
}

impl Vectors {
    /// The project's own vectors (`tests/vectors`), made by `own_vectors.rs` and always present.
    pub(crate) fn own() -> &'static Vectors {
        static OWN: OnceLock<Vectors> = OnceLock::new();
        OWN.get_or_init(|| Vectors {
            dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"),
            label: "own vectors",
            keys: OnceLock::new(),
        })
    }

    /// The shared vectors (`$AMZPAY_SHARED_DIR/vectors`, by default `../shared/vectors` beside the
    /// workspace), an extra cross-check when present. A missing folder is skipped with a note on
    /// stderr, except under CI (`CI=true`), where the folder is always provided and its absence
    /// is an error that names it.
    pub(crate) fn shared() -> Option<&'static Vectors> {
        static SHARED: OnceLock<Option<Vectors>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let dir = shared_vectors_dir();
                if dir.join("canonical-requests.json").is_file() {
                    return Some(Vectors {
                        dir,
                        label: "shared vectors",
                        keys: OnceLock::new(),
                    });
                }
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "the shared signing vectors are missing under CI: expected {} (set AMZPAY_SHARED_DIR to the shared folder)",
                    dir.display()
                );
                None
            })
            .as_ref()
            .or_else(|| {
                eprintln!(
                    "note: skipping the shared-vector cross-check: {} is absent (set AMZPAY_SHARED_DIR to the folder that holds vectors/)",
                    shared_vectors_dir().display()
                );
                None
            })
    }

    /// The own vectors, then the shared ones when present.
    pub(crate) fn all() -> Vec<&'static Vectors> {
        std::iter::once(Vectors::own())
            .chain(Vectors::shared())
            .collect()
    }

    /// A file of the folder, as text.
    pub(crate) fn file(&self, name: &str) -> String {
        let path = self.dir.join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// The folder's test key pair, loaded once.
    pub(crate) fn keys(&self) -> &(PrivateKey, PublicKey) {
        self.keys.get_or_init(|| {
            let private = PrivateKey::from_pem(&self.file("test-key-private.pem"))
                .expect("test private key loads");
            let public = PublicKey::from_pem(&self.file("test-key-public.pem"))
                .expect("test public key loads");
            (private, public)
        })
    }
}

/// Where the shared vectors would be.
fn shared_vectors_dir() -> PathBuf {
    std::env::var_os("AMZPAY_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("vectors")
}

/// The own vectors folder (`tests/vectors`).
pub(crate) fn vectors_dir() -> PathBuf {
    Vectors::own().dir.clone()
}

/// A file of the own vectors folder, as text.
pub(crate) fn vector_file(name: &str) -> String {
    Vectors::own().file(name)
}

/// The own test key pair (PKCS#1 private, SPKI public), loaded once.
pub(crate) fn test_keys() -> &'static (PrivateKey, PublicKey) {
    Vectors::own().keys()
}

/// A typical Complete Checkout Session request.
pub(crate) fn complete_request(body: &[u8]) -> SignableRequest<'_> {
    SignableRequest::new(
        "POST",
        "/v2/checkoutSessions/7e9d5d2b-4f3c-4d8e-a1b2-c3d4e5f60718/complete",
    )
    .header("accept", "application/json")
    .header("content-type", "application/json")
    .header("x-amz-pay-host", "pay-api.amazon.com")
    .header("x-amz-pay-region", "na")
    .header(
        "x-amz-pay-idempotency-key",
        "c2d3f1e0b4a5968778695a4b3c2d1e0f",
    )
    .body(body)
}

pub(crate) const COMPLETE_BODY: &[u8] =
    br#"{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}"#;

/// Signs with the test key at the vector time.
pub(crate) fn sign_with_test_key(
    request: &SignableRequest<'_>,
    algorithm: Algorithm,
) -> SigningOutput {
    sign_with(&test_keys().0, request, algorithm, VECTOR_TIME)
}

/// Signs with `key` at `time`.
pub(crate) fn sign_with(
    key: &PrivateKey,
    request: &SignableRequest<'_>,
    algorithm: Algorithm,
    time: OffsetDateTime,
) -> SigningOutput {
    let params = SigningParams::new(key, KEY_ID, time).with_algorithm(algorithm);
    sign(request, &params).expect("signs")
}

/// Owned headers of a request as a server would receive them (mixed case on purpose).
pub(crate) struct Wire {
    pub(crate) headers: Vec<(String, String)>,
}

impl Wire {
    /// The request's headers plus the signer's, with names in the capitalization clients send.
    pub(crate) fn of(request_headers: &[(&str, &str)], output: &SigningOutput) -> Self {
        let title = |name: &str| {
            name.split('-')
                .map(|part| {
                    let mut c = part.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join("-")
        };
        let mut headers: Vec<(String, String)> = request_headers
            .iter()
            .map(|(n, v)| (title(n), (*v).to_owned()))
            .collect();
        headers.extend(output.headers.iter().map(|(n, v)| (title(n), v.clone())));
        Wire { headers }
    }

    pub(crate) fn without(mut self, lowercase_name: &str) -> Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(lowercase_name));
        self
    }

    pub(crate) fn replace(mut self, lowercase_name: &str, value: &str) -> Self {
        for (n, v) in &mut self.headers {
            if n.eq_ignore_ascii_case(lowercase_name) {
                *v = value.to_owned();
            }
        }
        self
    }

    pub(crate) fn apply<'a>(&'a self, mut request: ReceivedRequest<'a>) -> ReceivedRequest<'a> {
        for (n, v) in &self.headers {
            request = request.header(n, v.as_str());
        }
        request
    }
}

/// The headers `complete_request` signs, for building the received side.
pub(crate) const COMPLETE_HEADERS: [(&str, &str); 5] = [
    ("accept", "application/json"),
    ("content-type", "application/json"),
    ("x-amz-pay-host", "pay-api.amazon.com"),
    ("x-amz-pay-region", "na"),
    (
        "x-amz-pay-idempotency-key",
        "c2d3f1e0b4a5968778695a4b3c2d1e0f",
    ),
];

pub(crate) const COMPLETE_PATH: &str =
    "/v2/checkoutSessions/7e9d5d2b-4f3c-4d8e-a1b2-c3d4e5f60718/complete";

/// Runs a command line tool, failing the test (never skipping it) when it is missing or fails.
pub(crate) fn run(program: &str, args: &[&str]) -> std::process::Output {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` (is it installed?): {e}"));
    assert!(
        output.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs the openssl CLI.
pub(crate) fn openssl(args: &[&str]) -> std::process::Output {
    run("openssl", args)
}

/// A path inside a temporary directory, as a `&str` for command lines.
pub(crate) fn path_str(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path()
        .join(name)
        .to_str()
        .expect("temporary paths are UTF-8")
        .to_owned()
}
