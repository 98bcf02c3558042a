//! `signet data correct|corrections|report|reports|receipts` against a real signet-node on
//! loopback HTTP: requests answered with receipts verified against the pinned keys, retries by
//! idempotency key, the agency's decision reaching the person, and someone else's refused.

use std::time::Duration;

use crate::data::*;

/// `signet data ARGS --node URL --token … --pin-stdin --json`.
pub(crate) fn data(home: &std::path::Path, url: &str, token: &str, args: &[&str]) -> Run {
    let mut all = vec!["data"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--node", url, "--token", token, "--pin-stdin", "--json"]);
    signet(home, &all, &secrets(&[PASSWORD]))
}

pub(crate) const CORRECT: [&str; 11] = [
    "correct",
    "--data-set",
    "population",
    "--record",
    "rr-1",
    "--field",
    "address",
    "--value",
    "Tähe 5, Tartu",
    "--explanation",
    "Kolisin märtsis",
];

fn now() -> signet_data::Timestamp {
    signet_data::Timestamp::from_system(signet_core::Clock::now(&signet_core::SystemClock))
}

#[test]
fn a_correction_is_filed_retried_decided_and_listed_with_verified_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let token = token_arg(&p12(dir.path()));
    let db = dir.path().join("node.db");
    let node = start(&db, false);
    let url = list_node(&home, &node);

    let mut args = CORRECT.to_vec();
    args.extend(["--idempotency-key", "k-1"]);
    let first = data(&home, &url, &token, &args);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let body = first.json();
    assert_eq!(body["verified"], true);
    assert_eq!(body["idempotencyKey"], "k-1");
    // No keyring on this machine: the receipt is kept in the vault, kept with a passphrase.
    assert_eq!(body["receiptKept"], true, "{body}");
    assert!(body.get("receiptNotKept").is_none(), "{body}");
    let correction = &body["receipt"]["receipt"]["case"]["correction"];
    assert_eq!(correction["status"], "pending");
    assert_eq!(correction["currentValue"]["value"], "Tähe 4, Tartu");
    let id = correction["id"].as_str().unwrap().to_owned();

    // Sent again with the same key: the same receipt, no second correction.
    let again = data(&home, &url, &token, &args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["receipt"], body["receipt"]);
    let list = data(&home, &url, &token, &["corrections"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_eq!(list.json()["corrections"].as_array().unwrap().len(), 1);

    // The agency accepts it; Signet sees the decision with its receipt, the new value in the
    // holdings, and the decision among the usage entries, verified.
    signet_node::operator::Operator::open(&db.clone().into())
        .unwrap()
        .accept(&id, None, now())
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let run = data(&home, &url, &token, &["corrections"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let listed = run.json();
        if listed["receipts"].as_array().unwrap().len() == 2 {
            break listed;
        }
        assert!(std::time::Instant::now() < deadline, "{listed}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(listed["corrections"][0]["status"], "accepted");
    assert_eq!(listed["corrections"][0]["acceptedValue"], "Tähe 5, Tartu");
    assert_eq!(listed["receipts"][1]["receipt"]["change"], "accepted");
    let holdings = data(&home, &url, &token, &["holdings"]);
    assert_eq!(
        holdings.json()["records"][0]["values"]["address"]["value"],
        "Tähe 5, Tartu"
    );
    let usage = data(&home, &url, &token, &["usage"]);
    assert_eq!(usage.code, 0, "{}", usage.stderr);
    let outcomes: Vec<String> = usage.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"]["outcome"]["result"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(outcomes, ["correctionRequested", "correctionAccepted"]);

    // A record that is not Mari's, or someone else's corrections: refused (input errors).
    let mut other = CORRECT.to_vec();
    other[4] = "rr-2";
    let refused = data(&home, &url, &token, &other);
    assert_eq!(refused.code, 65, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("no record rr-2"),
        "{}",
        refused.stdout
    );
    let theirs = data(
        &home,
        &url,
        &token,
        &["corrections", "--for", "EE49403136526"],
    );
    assert_eq!(theirs.code, 65, "{}", theirs.stdout);
    assert!(theirs.stdout.contains("403"), "{}", theirs.stdout);
    stop(node);
}

#[test]
fn a_misuse_report_is_filed_listed_and_a_missing_entry_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let token = token_arg(&p12(dir.path()));
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    wait_for_size(node.addr(), 1);

    let report = [
        "report",
        "--entry",
        "0",
        "--comment",
        "Ma ei ole politseiga asju ajanud",
    ];
    let run = data(&home, &url, &token, &report);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let body = run.json();
    assert_eq!(body["verified"], true);
    assert_eq!(
        body["receipt"]["receipt"]["case"]["misuseReport"]["usageIndex"],
        0
    );
    let listed = data(&home, &url, &token, &["reports"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(listed.json()["reports"].as_array().unwrap().len(), 1);
    assert_eq!(listed.json()["receipts"][0], body["receipt"]);

    // The text output names the report and its receipt.
    let text = signet(
        &home,
        &[
            "data",
            "reports",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("1 misuse report"), "{}", text.stdout);
    assert!(text.stdout.contains("entry #0"), "{}", text.stdout);

    let missing = data(
        &home,
        &url,
        &token,
        &["report", "--entry", "41", "--comment", "?"],
    );
    assert_eq!(missing.code, 65, "{}", missing.stdout);
    assert!(
        missing.stdout.contains("no usage entry 41"),
        "{}",
        missing.stdout
    );
    stop(node);
}

#[test]
fn receipts_need_the_vault_s_passphrase_and_say_so_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    // No keyring, no terminal, no --pin-stdin: no one to ask the vault's passphrase of, a
    // usage error (64) as for a PIN in that case (it was 65).
    let run = signet(&home, &["data", "receipts", "--node", &url, "--json"], "");
    assert_eq!(run.code, 64, "{}", run.stdout);
    let error = &run.json()["error"];
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("vault is kept with a passphrase"),
        "{error}"
    );
    assert!(message.contains("no terminal"), "{error}");
    assert!(
        error["recommendation"]
            .as_str()
            .unwrap()
            .contains("first line of standard input with --pin-stdin"),
        "{error}"
    );
    assert!(!data_dir(&home).join("vault.db").exists(), "no vault made");

    // With it on standard input: a new vault, no receipts in it yet.
    let args = ["data", "receipts", "--node", &url, "--pin-stdin", "--json"];
    let run = signet(&home, &args, &secrets(&[]));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["receipts"].as_array().unwrap().len(), 0);
    stop(node);
}
