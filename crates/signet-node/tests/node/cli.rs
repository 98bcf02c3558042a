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

/// Writes the official listener's certificate, key and member CA into `dir`; the `officialTls`
/// section listening on `listen`.
fn official_tls(dir: &std::path::Path, listen: &str) -> serde_json::Value {
    use signet_node::certs::{DemoCa, pem};
    let ca = DemoCa::new(
        "Signet test members",
        signet_core::Clock::now(&signet_core::SystemClock),
    )
    .unwrap();
    let server = ca
        .server(
            "rr.signet.test",
            &["localhost"],
            &["127.0.0.1".parse().unwrap()],
            2,
        )
        .unwrap();
    std::fs::write(dir.join("official.pem"), pem("CERTIFICATE", &server.der)).unwrap();
    std::fs::write(
        dir.join("official.key"),
        pem("PRIVATE KEY", &server.key_pkcs8),
    )
    .unwrap();
    std::fs::write(dir.join("members.pem"), pem("CERTIFICATE", &ca.der)).unwrap();
    serde_json::json!({
        "listen": listen,
        "certificateChain": [dir.join("official.pem")],
        "privateKey": dir.join("official.key"),
        "clientRoots": [dir.join("members.pem")],
    })
}

fn write_config(dir: &std::path::Path, listen: &str) -> std::path::PathBuf {
    let official = official_tls(dir, "127.0.0.1:0");
    write_config_with(dir, listen, Some(official))
}

fn write_config_with(
    dir: &std::path::Path,
    listen: &str,
    official_tls: Option<serde_json::Value>,
) -> std::path::PathBuf {
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
        "receiptKeyFile": key,
        "access": {"dataSets": {"population": {"rules": [{"id": "police", "members": ["EE/GOV/70008747"]}]}}},
        "trustAnchors": [pki().get(Role::Root).cert_path],
        "intermediates": [pki().get(Role::IssuingCa).cert_path],
        "members": [{"client": POLICE, "organization": {"type": "GOV", "code": "70008747", "name": "Politsei- ja Piirivalveamet"}}],
    });
    let mut config = config;
    if let Some(tls) = official_tls {
        config["officialTls"] = tls;
    }
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

#[test]
fn serve_refuses_official_routes_outside_the_mutual_tls_listener() {
    let dir = tempfile::tempdir().unwrap();
    // A node that starts anyway would serve until killed: give it ten seconds.
    let serve = |config: &std::path::Path| {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--config")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    // No officialTls: the official routes would go on the person listener.
    let out = serve(&write_config_with(dir.path(), "127.0.0.1:0", None));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("officialTls"), "{stderr}");
    // officialTls on the person listener's own address.
    let tls = official_tls(dir.path(), "127.0.0.1:47110");
    let out = serve(&write_config_with(dir.path(), "127.0.0.1:47110", Some(tls)));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("person listener"), "{stderr}");
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
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_owned();
    let official = lines.next().unwrap().unwrap();
    assert!(
        official.starts_with("official queries (mutual TLS) on https://127.0.0.1:"),
        "{official}"
    );
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
    // The person listener has no official route.
    for path in [
        format!("/r1/{PROVIDER}/getRecords/{MARI}/population"),
        format!("/r1/{PROVIDER}/findUsage/v2/findUsage"),
        format!("/r1/{PROVIDER}/findUsage/v2/heartbeat"),
    ] {
        let resp = client()
            .get(format!("{url}{path}"))
            .header("X-Road-Client", POLICE)
            .header("X-Road-UserId", MARI)
            .header("X-Road-PDU-Purpose", "x")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "{path}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Logs `person` in at the node `url` (made for [`ORIGIN`]); the status and answer.
async fn login_at(url: &str, person: &Person) -> (u16, serde_json::Value) {
    let (status, body) = json(
        client()
            .post(format!("{url}/v1/auth/challenge"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let n = signet_data::webeid::Nonce::parse(body["nonce"].as_str().unwrap()).unwrap();
    let body = serde_json::json!({"nonce": n.as_str(), "authToken": token(person, ORIGIN, &n)});
    json(
        client()
            .post(format!("{url}/v1/auth/login"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_checks_login_certificates_with_its_ocsp_responder() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "127.0.0.1:0");
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    file["ocsp"] = serde_json::json!({"responder": pki().ocsp_url()});
    std::fs::write(&config, file.to_string()).unwrap();
    let mut child = Killed(
        Command::new(BIN)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let url = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    // Mari's card is good.
    let (status, body) = login_at(&url, &mari()).await;
    assert_eq!(status, 200, "{body}");
    // A revoked card (its certificate names a responder that does not answer: the node asks
    // its own).
    let revoked = person_with_ocsp(
        0x004C_1190,
        "LIHT",
        "LIISA",
        "49403136526",
        "http://127.0.0.1:9/ocsp",
    );
    crate::ocsp::revoke(&revoked);
    let (status, body) = login_at(&url, &revoked).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_refused")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    drop(child);
}

/// A child process killed when dropped, also when the test fails.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_refuses_an_ocsp_responder_that_is_not_http() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "127.0.0.1:0");
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    file["ocsp"] = serde_json::json!({"responder": "file:///etc/passwd"});
    std::fs::write(&config, file.to_string()).unwrap();
    let out = Command::new(BIN)
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ocsp.responder"));
}

/// The database argument of the operator commands for the test node in `dir`.
fn database_arg(dir: &std::path::Path) -> String {
    match database_for(&dir.join("node.db")) {
        signet_node::Database::Sqlite(path) => path.display().to_string(),
        signet_node::Database::Postgres(url) => url,
    }
}

fn operator(args: &[&str]) -> (bool, serde_json::Value, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (
        out.status.success(),
        serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null),
        stderr,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_lists_accepts_and_rejects_corrections_and_lists_misuse_reports() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let session = login(&node, &mari()).await;
    let mut ids = Vec::new();
    for (key, value) in [("a", "Tähe 5, Tartu"), ("b", "Tähe 6, Tartu")] {
        let (status, body) = crate::cases::post(
            &node,
            "/v1/corrections",
            &session,
            Some(key),
            &crate::cases::mari_address(value),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(
            body["receipt"]["case"]["correction"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let report = serde_json::json!({"usageIndex": 0, "comment": "Seda päringut ei teinud mina"});
    assert_eq!(
        crate::cases::post(&node, "/v1/reports", &session, None, &report)
            .await
            .0,
        201
    );
    let db = database_arg(dir.path());

    let (ok, list, err) = operator(&["correction", "list", "--database", &db]);
    assert!(ok, "{err}");
    let corrections = list["corrections"].as_array().unwrap();
    assert_eq!(corrections.len(), 2, "{list}");
    assert!(corrections.iter().all(|c| c["status"] == "pending"));
    assert!(!err.contains(MARI), "no personal code in the logs: {err}");

    let (ok, accepted, err) = operator(&[
        "correction",
        "accept",
        &ids[0],
        "--value",
        "Tähe 5-1, Tartu",
        "--database",
        &db,
    ]);
    assert!(ok, "{err}");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["acceptedValue"], "Tähe 5-1, Tartu");
    assert_eq!(accepted["recordUpdated"], true);
    let (ok, rejected, err) = operator(&[
        "correction",
        "reject",
        &ids[1],
        "--reason",
        "Aadress on õige",
        "--database",
        &db,
    ]);
    assert!(ok, "{err}");
    assert_eq!(rejected["reason"], "Aadress on õige");
    // Deciding again, or a correction that does not exist: refused, saying why.
    let (ok, _, err) = operator(&["correction", "accept", &ids[1], "--database", &db]);
    assert!(!ok && err.contains("decided already"), "{err}");
    let (ok, _, err) = operator(&[
        "correction",
        "reject",
        "k-0",
        "--reason",
        "x",
        "--database",
        &db,
    ]);
    assert!(!ok && err.contains("no correction k-0"), "{err}");

    // The running node logs both decisions: Mari's holdings show the accepted value.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (_, list, _) = operator(&["correction", "list", "--database", &db]);
        if list["corrections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["decisionNotLoggedYet"] == false)
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{list}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, holdings) = get(&node, "/v1/holdings", Some(&session)).await;
    assert_eq!(
        holdings["records"][0]["values"]["address"]["value"],
        "Tähe 5-1, Tartu"
    );

    let (ok, reports, err) = operator(&["report", "list", "--database", &db]);
    assert!(ok, "{err}");
    assert_eq!(
        reports["reports"][0]["comment"],
        "Seda päringut ei teinud mina"
    );
    // Without a database it says how to name one.
    let (ok, _, err) = operator(&["report", "list"]);
    assert!(!ok && err.contains("--config"), "{err}");
    node.stop().await;
}
