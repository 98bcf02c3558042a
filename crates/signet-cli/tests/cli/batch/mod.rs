//! `signet batch` through the real binary: a PKCS#12 token with the test PKI's TSA and OCSP
//! responder on loopback ([`pkcs12`]), and the virtual card through the real pcscd pulled
//! mid-batch ([`card`]; `batch::card::*` runs in the nextest group `pcsc`). pyHanko and
//! `signet verify` judge. This module holds what both use.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use signet_testkit::TestPki;

mod card;
mod pkcs12;

/// Runs the binary with every log line on (standard error), so that the tests can check that no
/// PIN, password or document content reaches the log.
fn signet(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("SIGNET_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before it reads its PIN closes the pipe: not an error here.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
/// The JSON lines of a `--json` run, each checked to be one JSON object with an `event`.
fn events(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            assert!(v["event"].is_string(), "{line}");
            v
        })
        .collect()
}

fn of_kind<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

/// Every line of the journal: "started" lines (no `outputSha256`) and "signed" lines.
fn journal_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join(".signet-batch.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The journal's "signed" lines: the files done.
fn journal(dir: &Path) -> Vec<serde_json::Value> {
    journal_lines(dir)
        .into_iter()
        .filter(|e| e["outputSha256"].is_string())
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

fn pyhanko_accepts(pki: &TestPki, pdf: &Path) {
    let v = crate::pades::pyhanko(&["validate", "--no-revocation-check"], pki, pdf);
    assert!(
        v.status.success() && text(&v).contains("INTACT:TRUSTED"),
        "{}: {}",
        pdf.display(),
        text(&v)
    );
}
