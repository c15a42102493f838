//! The `amzpay` binary on its own, as `cargo install` leaves it: copied into an empty directory
//! and run from there, it serves the hosted pages and their assets, because the templates and
//! assets are compiled in (no source tree, no files beside it).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{Sandbox, s};

/// One plain-HTTP GET; returns (status, body).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.split(' ').nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

#[test]
fn the_binary_alone_serves_the_hosted_pages_and_their_assets() {
    let sandbox = Sandbox::new();
    let bin_dir = sandbox.path("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let bin = bin_dir.join("amzpay");
    std::fs::copy(env!("CARGO_BIN_EXE_amzpay"), &bin).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let empty = sandbox.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let mut server = Command::new(&bin)
        .args(["emulator", "serve", "--tls", "off", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--data-dir", s(&sandbox.path("data"))])
        .current_dir(&empty)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the copied binary starts");

    let deadline = Instant::now() + Duration::from_secs(30);
    let script = loop {
        if let Some(answer) = get(port, "/checkout.js") {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "the copied binary never answered"
        );
        assert!(
            server.try_wait().unwrap().is_none(),
            "the copied binary exited"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let css = get(port, "/checkout/assets/hosted.css").expect("the stylesheet answers");
    // A hosted page rendered from a template: the sign-in page without a session is its error page.
    let page = get(port, "/checkout/signin").expect("the sign-in page answers");
    let _ = server.kill();
    let _ = server.wait();

    assert_eq!(script.0, 200);
    assert!(
        script.1.contains("amazon"),
        "checkout.js is not the emulator's script"
    );
    assert_eq!(css.0, 200);
    assert!(css.1.contains('{'), "hosted.css is empty");
    assert_eq!(page.0, 400);
    assert!(
        page.1.contains("<html") && page.1.contains("hosted.css"),
        "{}",
        page.1
    );
    assert!(
        std::fs::read_dir(&empty).unwrap().next().is_none(),
        "it wrote into the working directory"
    );
}
