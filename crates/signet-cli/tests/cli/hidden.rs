//! A query hidden from the person until a date, as `signet data usage` meets it: absent before
//! the date, then shown verified against the checkpoint it was logged under (proven consistent
//! with the current one), in a visit and on the followed stream.

use std::io::{BufRead as _, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::data::*;

/// A query by the police hidden from Mari until `until`; the status.
fn hidden_query(addr: SocketAddr, until: &str) -> u16 {
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "GET /r1/EE/GOV/70000562/rr/getRecords/{MARI}/population HTTP/1.1\r\nHost: {addr}\r\nX-Road-Client: EE/GOV/70008747/polis\r\nX-Road-PDU-Purpose: Kriminaalmenetlus\r\nX-Road-PDU-Hidden: true\r\nX-Road-PDU-Hidden-Reason: j%C3%A4litustoiming\r\nX-Road-PDU-Hidden-Until: {until}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap()
}

fn indices(run: &Run) -> Vec<u64> {
    run.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_hidden_query_appears_at_its_date_proven_against_the_checkpoint_it_was_logged_under() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let mut cfg = config(&dir.path().join("node.db"), false);
    cfg.members[0].may_hide = true;
    let node = start_with(cfg);
    let url = list_node(&home, &node);
    let usage = || {
        signet(
            &home,
            &[
                "data",
                "usage",
                "--node",
                &url,
                "--token",
                &token_arg(&p12),
                "--pin-stdin",
                "--json",
            ],
            &secrets(&[PASSWORD]),
        )
    };

    assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    wait_for_size(node.addr(), 1);
    let date = signet_core::Clock::now(&signet_core::SystemClock) + Duration::from_secs(4);
    let until = signet_data::Timestamp::from_system(date).to_string();
    assert_eq!(hidden_query(node.addr(), &until), 200);
    wait_for_size(node.addr(), 2);
    assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    wait_for_size(node.addr(), 3);

    // Before the date: not there, no placeholder; the log's size counts it.
    let before = usage();
    assert_eq!(before.code, 0, "{}{}", before.stdout, before.stderr);
    assert_eq!(indices(&before), [0, 2]);
    assert_eq!(before.json()["size"], 3);
    assert!(!before.stdout.contains("Kriminaalmenetlus"));

    // Following the stream from now on: the entry comes at its date.
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
    assert_eq!(next("the backlog")["index"], 0);
    assert_eq!(next("the backlog")["index"], 2);
    let disclosed = next("the disclosure");
    assert_eq!(disclosed["index"], 1);
    assert_eq!(disclosed["loggedUnder"], 2);
    assert_eq!(disclosed["entry"]["purpose"], "Kriminaalmenetlus");
    assert!(signet_core::Clock::now(&signet_core::SystemClock) >= date - Duration::from_secs(1));
    let _ = child.kill();
    let _ = child.wait();

    // A visit after the date shows it in its place, verified against the earlier checkpoint.
    let after = usage();
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
    assert_eq!(indices(&after), [0, 1, 2]);
    let entry = &after.json()["entries"][1];
    assert_eq!(entry["loggedUnder"], 2);
    assert_eq!(entry["entry"]["hiddenReason"], "jälitustoiming");
    assert_eq!(entry["entry"]["hiddenUntil"], until.as_str());
    assert!(after.json()["entries"][0].get("loggedUnder").is_none());
    stop(node);
}
