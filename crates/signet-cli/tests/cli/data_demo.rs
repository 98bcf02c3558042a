//! `signet data` against the demo federation over TLS with a demo person's software token,
//! and `usage --follow` printing each new entry verified (split from data.rs).
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::data::*;

/// The demo federation as a person meets it: its nodes.json copied into Signet's data folder,
/// a demo person's certificate turned into a PKCS#12 file by OpenSSL, everything over TLS.
#[test]
fn the_demo_federation_end_to_end_over_tls_with_a_demo_persons_software_token() {
    use signet_node::client::{OfficialClient, OfficialQuery};
    use signet_node::demo::{DemoOptions, start_demo};

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let demo = dir.path().join("demo");
    let fed = runtime()
        .block_on(start_demo(DemoOptions {
            dir: demo.clone(),
            person_anchors: Vec::new(),
            person_intermediates: Vec::new(),
            person_tls: true,
            port_base: None,
            clock: Arc::new(signet_core::SystemClock),
            checkpoint_interval: Duration::from_millis(50),
        }))
        .unwrap();
    fed.write_files(&demo).unwrap();
    std::fs::create_dir_all(data_dir(&home)).unwrap();
    std::fs::copy(demo.join("nodes.json"), data_dir(&home).join("nodes.json")).unwrap();

    let juri = "EE37605030299";
    let p12 = dir.path().join("juri.p12");
    let out = Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey"])
        .arg(demo.join(format!("people/{juri}.key")))
        .arg("-in")
        .arg(demo.join(format!("people/{juri}.pem")))
        .arg("-out")
        .arg(&p12)
        .arg("-passout")
        .arg(format!("pass:{PASSWORD}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rr = fed.node("rr").unwrap();
    let url = rr.url.clone();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let login = signet(
        &home,
        &[
            "data",
            "login",
            "--node",
            &url,
            "--token",
            &token_arg(&p12),
            "--pin-stdin",
            "--json",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(login.code, 0, "{}{}", login.stdout, login.stderr);
    assert_eq!(login.json()["name"], "JÜRI ÕUNAPUU");
    let token = token_arg(&p12);
    let logged_in = |args: &[&str]| -> Run {
        let mut all = args.to_vec();
        all.extend(["--token", &token, "--pin-stdin", "--json"]);
        signet(&home, &all, &secrets(&[PASSWORD]))
    };
    let holdings = logged_in(&["data", "holdings", "--node", &url]);
    assert_eq!(holdings.code, 0, "{}", holdings.stdout);
    let body = holdings.json();
    assert_eq!(
        body["records"][0]["values"]["name"]["value"],
        "Jüri Õunapuu"
    );
    // The demo's legal basis and retention in each language.
    let set = &body["dataSets"][0];
    assert_eq!(
        set["legalBasis"]["en"], "Population Register Act § 21",
        "{set:#}"
    );
    assert_eq!(
        set["retention"]["ru"], "75 лет после смерти человека",
        "{set:#}"
    );
    let english = signet(
        &home,
        &[
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--lang",
            "en",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(english.code, 0, "{}{}", english.stdout, english.stderr);
    assert!(
        english.stdout.contains(
            "legal basis: Population Register Act § 21; kept: 75 years after the person's death"
        ) && !english.stdout.contains("seadus"),
        "{}",
        english.stdout
    );

    // The Transport Administration queries Jüri at the Population Register over mutual TLS.
    let identity = fed.identity("transport").unwrap();
    let official = rr.node.official_addr().unwrap();
    let answer = runtime().block_on(async {
        let mut client = OfficialClient::connect(official, "127.0.0.1", &identity)
            .await
            .unwrap();
        client
            .get_records(&OfficialQuery {
                provider: "EE/GOV/70000562/rr".into(),
                client: "EE/GOV/70001490/transpordiamet".into(),
                person: juri.into(),
                data_set: "population".into(),
                purpose: "Juhiloa väljastamine".into(),
                user_id: "EE47101010033".into(),
                user_name: Some("Tõnis Sõõrd".into()),
                legal_basis: Some("Liiklusseadus § 100".into()),
                issue: None,
                query_id: "demo-1".into(),
            })
            .await
            .unwrap()
    });
    assert_eq!(answer.status, 200);

    // Jüri's Signet sees the entry, verified, and keeps the checkpoint.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let verified = loop {
        let run = logged_in(&["data", "verify", "--node", &url]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let body = run.json();
        if body["entries"].as_array().is_some_and(|e| !e.is_empty()) {
            break body;
        }
        assert!(std::time::Instant::now() < deadline, "{body}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(verified["verified"], true);
    let entry = &verified["entries"][0]["entry"];
    assert_eq!(entry["purpose"], "Juhiloa väljastamine");
    assert_eq!(entry["receiver"]["name"], "Transpordiamet");
    assert_eq!(entry["initiatorPerson"]["name"], "Tõnis Sõõrd");
    runtime().block_on(fed.stop());
}

/// `signet data usage --follow --json`: the backlog, then each new entry as a JSON line, each
/// verified, the stored checkpoint advancing with them.
#[test]
fn usage_follow_prints_each_new_entry_verified_as_a_json_line() {
    use std::io::BufRead as _;

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    let login = signet(
        &home,
        &[
            "data",
            "login",
            "--node",
            &url,
            "--token",
            &token_arg(&p12),
            "--pin-stdin",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    wait_for_size(node.addr(), 1);

    // No keyring: the vault is kept with a passphrase, the first line; the session kept by the
    // login serves the backlog and the stream.
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(["data", "usage", "--node", &url, "--follow", "--json"])
        .args(["--token", &token_arg(&p12), "--pin-stdin"])
        .env("XDG_DATA_HOME", &home)
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A password line too, which the kept session leaves unread.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(secrets(&[PASSWORD]).as_bytes())
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let next = |what: &str| -> serde_json::Value {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let backlog = next("the backlog");
    assert_eq!(backlog["index"], 0);
    assert_eq!(backlog["entry"]["purpose"], "Kontroll");

    assert_eq!(official_query(node.addr(), "J%C3%A4relevalve"), 200);
    let live = next("the live entry");
    assert_eq!(live["index"], 1);
    assert_eq!(live["entry"]["purpose"], "Järelevalve");
    assert_eq!(live["entry"]["subject"], MARI);
    let _ = child.kill();
    let _ = child.wait();
    stop(node);

    // The checkpoint that covered the streamed entry is the stored one now, in the vault.
    let stored = open_passphrase_vault(&home)
        .latest_checkpoint(&signet_vault::LogId::new(LOG_ORIGIN).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.tree_size, 2);
    let note = String::from_utf8(stored.signed_note).unwrap();
    assert_eq!(note.lines().nth(1), Some("2"), "{note}");
    assert!(!data_dir(&home).join("data/checkpoints.json").exists());
}
