//! The `signet-node` binary: keygen, and serve from a configuration file.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use signet_testkit::Role;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_signet-node");

#[test]
fn keygen_prints_the_verifier_key_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("node.key");
    let out = Command::new(BIN)
        .args(["keygen", "--origin", "rr.example/usage", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vkey = String::from_utf8(out.stdout).unwrap();
    let verifier = signet_data::NoteVerifier::parse(vkey.trim()).unwrap();
    assert_eq!(verifier.name(), "rr.example/usage");
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    let again = Command::new(BIN)
        .args(["keygen", "--origin", "rr.example/usage", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!again.status.success());
}

fn write_config(dir: &std::path::Path, listen: &str) -> std::path::PathBuf {
    let key = dir.join("node.key");
    std::fs::write(&key, format!("{}\n", "2a".repeat(32))).unwrap();
    let config = serde_json::json!({
        "database": dir.join("node.db"),
        "listen": listen,
        "origin": ORIGIN,
        "agencyName": "Rahvastikuregister",
        "provider": PROVIDER,
        "logOrigin": LOG_ORIGIN,
        "logKeyFile": key,
        "trustAnchors": [pki().get(Role::Root).cert_path],
        "intermediates": [pki().get(Role::IssuingCa).cert_path],
        "members": [{"client": POLICE, "organization": {"type": "GOV", "code": "70008747", "name": "Politsei- ja Piirivalveamet"}}],
    });
    let path = dir.join("node.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

#[test]
fn serve_refuses_anything_but_loopback_without_tls() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "0.0.0.0:0");
    let out = Command::new(BIN)
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "127.0.0.1:0");
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_owned();
    let pin = lines.next().unwrap().unwrap();
    assert!(pin.starts_with(&format!("checkpoint key to pin: {LOG_ORIGIN}+")));
    let resp = client()
        .post(format!("{url}/v1/auth/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let resp = client()
        .get(format!("{url}/v1/checkpoint"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
