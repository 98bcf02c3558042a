//! `cargo xtask bench node`: signet-node's benchmark, in a release build (the only place one is
//! made): logged official queries per second on SQLite over keep-alive mutual-TLS connections,
//! and the 99th-percentile time from an official's query to the entry arriving on the
//! subscribed person's stream, with 1,000 persons subscribed — each query decided by an
//! authorization rule and the person's consents (the data set is closed by default) — measured
//! twice: without, then with 1,000 slow clients attached (one header byte every 10 s). Targets,
//! in both: at least 2,000 queries per second and p99 under 500 ms; the command fails when one
//! is missed.
//!
//! Extra arguments go to `signet-node bench` (`--persons`, `--queries`, `--connections`,
//! `--latency-queries`, `--rate`, `--slow-clients`).

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
    // 1,000 streams, 1,000 slow clients and their server ends need more than the usual 1,024
    // open files: raised here (to the hard limit at most); signet-node bench says what it
    // needs when that is not enough.
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
    println!(
        "signet-node bench: {} persons subscribed (logged in in {:.1} s), {} consent records each, \
         authorization and consents decided on every query; load {}",
        report["persons"],
        report["loginSeconds"].as_f64().unwrap_or(0.0),
        report["consentsPerPerson"],
        loadavg()
    );
    let phases = report["phases"].as_array().cloned().unwrap_or_default();
    let mut ok = !phases.is_empty();
    for phase in &phases {
        ok &= print_phase(&report, phase);
    }
    println!("  {}", if ok { "targets met" } else { "TARGETS MISSED" });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Prints one measurement; whether it met the targets.
fn print_phase(report: &serde_json::Value, phase: &serde_json::Value) -> bool {
    let qps = phase["queriesPerSecond"].as_f64().unwrap_or(0.0);
    let p99 = phase["p99Ms"].as_f64().unwrap_or(f64::INFINITY);
    let slow = phase["slowClients"].as_u64().unwrap_or(0);
    if slow == 0 {
        println!("  without slow clients:");
    } else {
        println!(
            "  with {slow} slow clients (one header byte every 10 s; {} connected at the start, {} at the end, \
             {} cut off by the node and back at once, {} bytes sent):",
            phase["slowOpenAtStart"],
            phase["slowOpenAtEnd"],
            phase["slowCutOff"],
            phase["slowBytes"]
        );
    }
    println!(
        "    throughput: {qps:.0} logged queries/s ({} queries over {} keep-alive mTLS connections, {} group commits; target ≥ {MIN_QPS:.0})",
        phase["queries"], report["connections"], phase["syncs"]
    );
    println!(
        "    latency query → stream: p50 {:.1} ms, p99 {p99:.1} ms, max {:.1} ms ({} of {} events at {}/s; target p99 < {MAX_P99_MS:.0} ms)",
        phase["p50Ms"].as_f64().unwrap_or(f64::NAN),
        phase["maxMs"].as_f64().unwrap_or(f64::NAN),
        phase["eventsReceived"],
        phase["latencyQueries"],
        report["rate"]
    );
    qps >= MIN_QPS && p99 < MAX_P99_MS && phase["eventsReceived"] == phase["latencyQueries"]
}

/// The machine's load averages (1, 5, 15 minutes), as `/proc/loadavg` has them.
pub(crate) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
