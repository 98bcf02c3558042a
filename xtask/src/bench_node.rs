//! `cargo xtask bench node`: signet-node's benchmark, in a release build (the only place one is
//! made): logged official queries per second on SQLite over keep-alive mutual-TLS connections,
//! and the 99th-percentile time from an official's query to the entry arriving on the
//! subscribed person's stream, with 1,000 persons subscribed. Targets: at least 2,000 queries
//! per second and p99 under 500 ms; the command fails when one is missed.
//!
//! Extra arguments go to `signet-node bench` (`--persons`, `--queries`, `--connections`,
//! `--latency-queries`, `--rate`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::process::Cmd;

const MIN_QPS: f64 = 2000.0;
const MAX_P99_MS: f64 = 500.0;

pub(crate) fn run(root: &Path, args: &[String]) -> anyhow::Result<ExitCode> {
    Cmd::new("cargo")
        .args(["build", "--release", "--locked", "--package", "signet-node"])
        .run()?;
    let dir = root.join("target/bench-node");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let bin = root.join("target/release/signet-node");
    // 1,000 streams and their server ends need more than the usual 1,024 open files.
    let mut script = format!(
        "ulimit -n 65536 2>/dev/null || ulimit -n \"$(ulimit -Hn)\"; exec '{}' bench --dir '{}'",
        bin.display(),
        dir.display()
    );
    for arg in args {
        script.push_str(&format!(" '{}'", arg.replace('\'', "")));
    }
    let output = Cmd::new("sh")
        .args(["-c", &script])
        .env("RUST_LOG", "warn")
        .run_kept()?;
    let start = output
        .text
        .find('{')
        .context("signet-node bench printed no report")?;
    let end = output.text.rfind('}').context("no report")?;
    let report: serde_json::Value = serde_json::from_str(&output.text[start..=end])
        .context("signet-node bench printed no JSON report")?;
    let qps = report["queriesPerSecond"].as_f64().unwrap_or(0.0);
    let p99 = report["p99Ms"].as_f64().unwrap_or(f64::INFINITY);
    println!(
        "signet-node bench: {} persons subscribed (logged in in {:.1} s)",
        report["persons"],
        report["loginSeconds"].as_f64().unwrap_or(0.0)
    );
    println!(
        "  throughput: {qps:.0} logged queries/s ({} queries over {} keep-alive mTLS connections; target ≥ {MIN_QPS:.0})",
        report["queries"], report["connections"]
    );
    println!(
        "  latency query → stream: p50 {:.1} ms, p99 {p99:.1} ms, max {:.1} ms ({} of {} events at {}/s; target p99 < {MAX_P99_MS:.0} ms)",
        report["p50Ms"].as_f64().unwrap_or(f64::NAN),
        report["maxMs"].as_f64().unwrap_or(f64::NAN),
        report["eventsReceived"],
        report["latencyQueries"],
        report["rate"]
    );
    let ok =
        qps >= MIN_QPS && p99 < MAX_P99_MS && report["eventsReceived"] == report["latencyQueries"];
    println!("  {}", if ok { "targets met" } else { "TARGETS MISSED" });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
