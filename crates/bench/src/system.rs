//! What the kernel says about processes and the machine: CPU time, peak memory, load, hardware.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, 100 on Linux).
fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User plus system CPU time of a process, all its threads (living and exited) included, from
/// `/proc/<pid>/stat`; `pid` may be `"self"`. Resolution: one clock tick (10 ms).
pub(crate) fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(Duration::from_secs_f64(stat_ticks(&stat)? / clock_ticks()))
}

/// utime + stime of a `/proc/<pid>/stat` line, in clock ticks.
fn stat_ticks(stat: &str) -> Option<f64> {
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state (field 3) is index 0, so utime (14) and stime (15) are 11 and 12.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `node --version`.
pub(crate) fn node_version() -> String {
    command_line("node", &["--version"])
}

/// The sum of [`cpu_time`] over several processes (those that have gone count as zero).
pub(crate) fn cpu_time_of(pids: &[u32]) -> Duration {
    pids.iter().filter_map(|p| cpu_time(&p.to_string())).sum()
}

/// A process and its children (one level: a PostgreSQL postmaster and its backends).
pub(crate) fn with_children(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let path = format!("/proc/{pid}/task/{pid}/children");
    if let Ok(text) = std::fs::read_to_string(path) {
        all.extend(
            text.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    all
}

/// A `kB` field of `/proc/<pid>/status` (`VmHWM`: peak resident memory; `VmRSS`: current), in
/// bytes.
pub(crate) fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        let kb: u64 = value.split_whitespace().next()?.parse().ok()?;
        Some(kb * 1024)
    })
}

/// The 1, 5 and 15-minute load averages.
pub(crate) fn load_average() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut it = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().unwrap_or(f64::NAN));
    [
        it.next().unwrap_or(f64::NAN),
        it.next().unwrap_or(f64::NAN),
        it.next().unwrap_or(f64::NAN),
    ]
}

/// The machine, as BENCHMARKS.md reports it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Machine {
    /// `nproc`.
    pub(crate) cores: usize,
    /// `model name` of `/proc/cpuinfo`.
    pub(crate) cpu: String,
    /// `MemTotal`, in MiB.
    pub(crate) memory_mib: u64,
    /// The device and file system holding the benchmark's databases.
    pub(crate) disk: String,
    /// Median latency of a 4 KiB write plus `fdatasync` there (what a durable commit waits for).
    pub(crate) fsync_ms: f64,
    /// `uname -r`.
    pub(crate) kernel: String,
    /// `openssl version`.
    pub(crate) openssl: String,
    /// `node --version`.
    pub(crate) node: String,
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

impl Machine {
    /// Reads the machine's description; `dir` is where the databases live.
    pub(crate) fn detect(dir: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".into(), |(_, v)| v.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_mib = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024);
        let disk = command_line(
            "df",
            &[
                "--output=source,fstype,size",
                "-h",
                &dir.display().to_string(),
            ],
        )
        .lines()
        .nth(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into());
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu,
            memory_mib,
            disk,
            fsync_ms: fsync_latency(dir).map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
            kernel: command_line("uname", &["-r"]),
            openssl: command_line("openssl", &["version"]),
            node: command_line("node", &["--version"]),
        }
    }
}

/// The median time of 200 appends of 4 KiB each followed by `fdatasync`, in `dir`.
fn fsync_latency(dir: &Path) -> Option<Duration> {
    let mut file = tempfile::tempfile_in(dir).ok()?;
    let block = [0u8; 4096];
    let mut samples = Vec::with_capacity(200);
    for _ in 0..200 {
        let start = Instant::now();
        file.write_all(&block).ok()?;
        file.sync_data().ok()?;
        samples.push(start.elapsed().as_secs_f64());
    }
    Some(Duration::from_secs_f64(crate::stats::median(&samples)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_ticks_are_user_plus_system_time_after_the_command_name() {
        // A command name with a space and a parenthesis, as `node (x)` could be.
        let stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 5000 18446744073709551615";
        assert_eq!(stat_ticks(stat), Some(1801.0));
        assert_eq!(stat_ticks("4242 (node) S 1"), None);
    }

    #[test]
    fn our_own_cpu_time_and_memory_are_readable() {
        assert!(cpu_time("self").is_some());
        assert!(status_kb(std::process::id(), "VmHWM").is_some_and(|b| b > 0));
    }
}
