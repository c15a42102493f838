//! Running the binary in a clean environment, the shared vectors, and a one-shot HTTP server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;

/// What a run of the binary produced.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// A temporary home folder, so no real profile file or `AMZPAY_*` variable leaks in.
pub(crate) struct Sandbox {
    pub(crate) dir: tempfile::TempDir,
}

impl Sandbox {
    pub(crate) fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `amzpay args...` with `stdin`, in the sandbox folder, with only `env` set.
    pub(crate) fn run(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_amzpay"));
        command.args(args).current_dir(self.dir.path());
        for (name, _) in std::env::vars() {
            if name.starts_with("AMZPAY_") || name == "XDG_CONFIG_HOME" {
                command.env_remove(name);
            }
        }
        command.env("HOME", self.dir.path());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the amzpay binary starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// The project's own signing vectors (`crates/signing/tests/vectors`), always present.
pub(crate) fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signing/tests/vectors")
}

/// The shared vectors folder (`$AMZPAY_SHARED_DIR/vectors`, else `<workspace>/../shared/vectors`),
/// an extra cross-check: `None`, with a note, when it is absent; under CI (`CI=true`), where it
/// is always provided, its absence is an error that names it.
pub(crate) fn shared_vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AMZPAY_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("vectors");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the shared test data folder {} is missing under CI (set AMZPAY_SHARED_DIR to the folder that holds vectors/)",
        dir.display()
    );
    eprintln!(
        "note: skipping the shared-vector cross-check: {} is absent",
        dir.display()
    );
    None
}

/// The own test private key file.
pub(crate) fn test_key_file() -> PathBuf {
    vectors_dir().join("test-key-private.pem")
}

/// The own test public key.
pub(crate) fn test_public_key() -> amzpay::signing::PublicKey {
    let pem = std::fs::read_to_string(vectors_dir().join("test-key-public.pem")).unwrap();
    amzpay::signing::PublicKey::from_pem(&pem).unwrap()
}

/// A request as received by [`serve_once`].
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one HTTP/1.1 request on a loopback port with a canned answer; returns the port and a
/// receiver for the request.
pub(crate) fn serve_once(status: u16, answer: &'static str) -> (u16, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let request = Received {
            method,
            target,
            headers,
            body,
        };
        let mut stream = stream;
        let reason = if status < 400 { "OK" } else { "Error" };
        write!(
            stream,
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\nx-amz-pay-request-id: test-request-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
        let _ = tx.send(request);
    });
    (port, rx)
}

/// Verifies a received request's signature with the shared test public key.
pub(crate) fn assert_signature_verifies(received: &Received) {
    use amzpay::signing::{ReceivedRequest, verify};
    let mut request = ReceivedRequest::from_target(&received.method, &received.target);
    for (name, value) in &received.headers {
        request = request.header(name, value);
    }
    request = request.body(&received.body);
    let authorization = request.authorization().expect("an authorization header");
    verify(&request, &authorization, &test_public_key()).expect("the signature verifies");
}

/// The connection flags for the shared test key against a local endpoint.
pub(crate) fn endpoint_args(port: u16) -> Vec<String> {
    vec![
        "--public-key-id".into(),
        "SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B".into(),
        "--private-key-file".into(),
        test_key_file().display().to_string(),
        "--region".into(),
        "eu".into(),
        "--endpoint".into(),
        format!("http://127.0.0.1:{port}"),
        "--max-attempts".into(),
        "1".into(),
    ]
}

/// `Path` to `&str` for argument lists.
pub(crate) fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}
