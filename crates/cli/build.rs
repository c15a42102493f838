//! Puts the commit the binary was built from into `amzpay --version`.
//!
//! The commit comes from `AMZPAY_BUILD_COMMIT` when set (a Docker build or a packaged crate has
//! no `.git` to ask), else from `git rev-parse` in the source tree, with `-dirty` when tracked
//! files differ from it; without either it is `unknown`.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn main() {
    println!("cargo::rerun-if-env-changed=AMZPAY_BUILD_COMMIT");
    let commit = match std::env::var("AMZPAY_BUILD_COMMIT") {
        Ok(c) if !c.trim().is_empty() => c.trim().to_owned(),
        _ => match git(&["rev-parse", "--short=12", "HEAD"]) {
            Some(hash) => {
                // Rebuild when HEAD moves: its file, the branch it names, and packed refs.
                for path in ["HEAD", "packed-refs"] {
                    if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                        println!("cargo::rerun-if-changed={p}");
                    }
                }
                if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
                    && let Some(p) = git(&["rev-parse", "--git-path", &branch])
                {
                    println!("cargo::rerun-if-changed={p}");
                }
                let dirty = Command::new("git")
                    .args(["diff", "--quiet", "HEAD", "--"])
                    .status()
                    .map(|s| !s.success())
                    .unwrap_or(false);
                if dirty { format!("{hash}-dirty") } else { hash }
            }
            None => "unknown".to_owned(),
        },
    };
    println!("cargo::rustc-env=AMZPAY_COMMIT={commit}");
}
