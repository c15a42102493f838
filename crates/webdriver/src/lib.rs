//! A small W3C WebDriver client over `reqwest`, driving Debian's `chromium` through its
//! `chromedriver` (packages `chromium` and `chromium-driver`). Only what the browser tests need:
//! navigate, find, click, type, read text, run a script, take a screenshot.
//!
//! Start at [`Browser::start`]. It is an internal crate (not published), a dev-dependency of
//! the shop's browser tests and of the emulator's dashboard tests, so that both drive Chromium
//! the same way and clean up the same way (see [`ProcessMarks`]).

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Value, json};

/// The packages the browser tests need (the test command installs them).
pub const PACKAGES: &str = "chromium chromium-driver";

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_binary(candidates: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in candidates {
        let direct = Path::new(name);
        if direct.is_absolute() && direct.exists() {
            return Some(direct.to_owned());
        }
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A running `chromedriver` with one browser session; both end when dropped, also when the test
/// panics (unwinding drops it).
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    url: String,
    driver: Driver,
    /// Where screenshots go, and the prefix of their names.
    shots: PathBuf,
    prefix: String,
    shot_count: u32,
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium with a fresh profile. Panics with the
    /// packages to install when either is missing.
    pub async fn start(test_name: &str) -> anyhow::Result<Browser> {
        let chromium = find_binary(&["chromium", "chromium-browser", "/usr/lib/chromium/chromium"])
            .unwrap_or_else(|| {
                panic!("the browser tests need Chromium: apt-get install -y {PACKAGES}")
            });
        let chromedriver = find_binary(&["chromedriver", "/usr/lib/chromium/chromedriver"])
            .unwrap_or_else(|| {
                panic!("the browser tests need ChromeDriver: apt-get install -y {PACKAGES}")
            });
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let profile = tempfile::tempdir()?;
        // Its own process group, which the browser it starts joins, so that the whole tree can be
        // killed at once. The guard exists before anything below can fail.
        let driver = Driver {
            child: Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .with_context(|| format!("starting {}", chromedriver.display()))?,
            profile,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .is_some();
            if ready {
                break;
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not start on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            // The emulator's certificate comes from its own throwaway CA.
            "--ignore-certificate-errors".to_owned(),
            "--window-size=1024,900".to_owned(),
            format!("--user-data-dir={}", driver.profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await?
            .json()
            .await?;
        let session = r["value"]["sessionId"]
            .as_str()
            .with_context(|| format!("chromedriver refused the session: {r}"))?
            .to_owned();
        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots)?;
        let browser = Browser {
            http,
            url: format!("{base}/session/{session}"),
            driver,
            shots,
            prefix: test_name.to_owned(),
            shot_count: 0,
        };
        browser
            .cmd(
                reqwest::Method::POST,
                "/timeouts",
                Some(json!({"implicit": 10_000, "pageLoad": 30_000, "script": 10_000})),
            )
            .await?;
        Ok(browser)
    }

    async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.context("calling chromedriver")?;
        let status = r.status();
        let v: Value = r.json().await.context("reading chromedriver's answer")?;
        if !status.is_success() {
            bail!(
                "WebDriver {path}: {} {}",
                v["value"]["error"].as_str().unwrap_or("error"),
                v["value"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            );
        }
        Ok(v["value"].clone())
    }

    /// Loads a URL.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await
            .map(drop)
    }

    /// Reloads the page.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        self.cmd(reqwest::Method::POST, "/refresh", Some(json!({})))
            .await
            .map(drop)
    }

    /// The current URL.
    pub async fn url(&self) -> anyhow::Result<String> {
        Ok(self
            .cmd(reqwest::Method::GET, "/url", None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The first element matching a CSS selector (waits up to the implicit timeout).
    pub async fn find(&self, css: &str) -> anyhow::Result<Element<'_>> {
        let found = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        let v = match found {
            Ok(v) => v,
            Err(e) => {
                let at = self.url().await.unwrap_or_default();
                return Err(e.context(format!("finding {css} on {at}")));
            }
        };
        let id = v[ELEMENT_KEY]
            .as_str()
            .with_context(|| format!("chromedriver returned no element id: {v}"))?
            .to_owned();
        Ok(Element { browser: self, id })
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.find(css).await?.click().await
    }

    /// The text of the element matching `css`.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        self.find(css).await?.text().await
    }

    /// Runs a script in the page and returns its result.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Waits until the element matching `css` has text containing `expected`; returns it.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(css).await.unwrap_or_default();
            if text.contains(expected) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("waited for {css} to contain {expected:?}; it says {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the URL starts with `prefix`.
    pub async fn wait_for_url(&self, prefix: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.url().await?;
            if url.starts_with(prefix) {
                return Ok(url);
            }
            if Instant::now() > deadline {
                bail!("waited for a URL starting with {prefix}; still at {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resizes the window (the page's viewport follows).
    pub async fn set_window_size(&self, width: u32, height: u32) -> anyhow::Result<()> {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .map(drop)
    }

    /// Saves a screenshot of the page as `target/artifacts/screenshots/<test>-<n>-<name>.png`;
    /// returns the file's path.
    pub async fn screenshot(&mut self, name: &str) -> anyhow::Result<PathBuf> {
        let b64 = self.cmd(reqwest::Method::GET, "/screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .context("decoding the screenshot")?;
        self.shot_count += 1;
        let file = self
            .shots
            .join(format!("{}-{:02}-{name}.png", self.prefix, self.shot_count));
        std::fs::write(&file, png).with_context(|| format!("writing {}", file.display()))?;
        Ok(file)
    }
}

impl Browser {
    /// What identifies this browser's processes: its profile directory, which every Chromium
    /// process but the crash handler names on its command line, and the process group of
    /// `chromedriver`, which the browser joins.
    pub fn marks(&self) -> ProcessMarks {
        ProcessMarks {
            profile: self.driver.profile.path().display().to_string(),
            group: self.driver.child.id(),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Killing chromedriver does not end its browser: the browser would live on as an orphan.
        // So the session is deleted first (chromedriver then quits the browser), with a plain
        // blocking request because `drop` cannot await; `Driver`'s own drop, which runs next,
        // kills whatever is left.
        end_session(&self.url);
    }
}

/// The `chromedriver` process and the browser profile; dropping it kills both process trees.
#[derive(Debug)]
struct Driver {
    child: Child,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The process group first (chromedriver and every browser process it started), then, as a
        // last resort, anything that still runs with this profile; the profile directory is
        // removed only after that (the `TempDir` field drops after this function).
        let group = self.child.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{group}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            // Without its leading dashes, which pkill would read as an option.
            .arg(format!("user-data-dir={}", self.profile.path().display()))
            .status();
    }
}

/// How to recognize the processes of one [`Browser`] (see [`Browser::marks`]).
#[derive(Clone, Debug)]
pub struct ProcessMarks {
    profile: String,
    group: u32,
}

impl ProcessMarks {
    /// The live processes (zombies excluded) of the browser, as `pid command` lines, read from
    /// `/proc`.
    pub fn survivors(&self) -> Vec<String> {
        let mut found = Vec::new();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return found;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid pgrp ...`: the command may hold spaces, so split after `)`.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let (Some(state), Some(pgrp)) = (fields.first(), fields.get(2)) else {
                continue;
            };
            if *state == "Z" || *state == "X" {
                continue;
            }
            let cmdline = std::fs::read(entry.path().join("cmdline"))
                .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                .unwrap_or_default();
            if *pgrp == self.group.to_string() || cmdline.contains(&self.profile) {
                found.push(format!("{pid} {}", cmdline.trim()));
            }
        }
        found
    }
}

/// Sends `DELETE` to a WebDriver session URL (`http://127.0.0.1:PORT/session/ID`) and waits for
/// the answer, at most a few seconds.
fn end_session(url: &str) {
    use std::io::{Read, Write};
    let Some(rest) = url.strip_prefix("http://") else {
        return;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return;
    };
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// An element of the page.
#[derive(Debug)]
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
}

impl Element<'_> {
    /// Clicks it.
    pub async fn click(&self) -> anyhow::Result<()> {
        self.browser
            .cmd(
                reqwest::Method::POST,
                &format!("/element/{}/click", self.id),
                Some(json!({})),
            )
            .await
            .map(drop)
    }

    /// Its visible text.
    pub async fn text(&self) -> anyhow::Result<String> {
        Ok(self
            .browser
            .cmd(
                reqwest::Method::GET,
                &format!("/element/{}/text", self.id),
                None,
            )
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Replaces its value with `text`.
    pub async fn fill(&self, text: &str) -> anyhow::Result<()> {
        self.browser
            .cmd(
                reqwest::Method::POST,
                &format!("/element/{}/clear", self.id),
                Some(json!({})),
            )
            .await?;
        self.browser
            .cmd(
                reqwest::Method::POST,
                &format!("/element/{}/value", self.id),
                Some(json!({"text": text})),
            )
            .await
            .map(drop)
    }
}

/// `target/artifacts/screenshots` of this workspace (or of `CARGO_TARGET_DIR`).
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("artifacts").join("screenshots")
}
