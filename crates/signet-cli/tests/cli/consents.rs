//! `signet data consents …` against a real signet-node on loopback HTTP: changes answered with
//! receipts verified against the pinned keys, retries by idempotency key, and the official
//! queries they decide.

use crate::data::*;

fn consents(home: &std::path::Path, url: &str, token: &str, args: &[&str]) -> Run {
    let mut all = vec!["data", "consents"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--node", url, "--token", token, "--pin-stdin", "--json"]);
    signet(home, &all, &secrets(&[PASSWORD]))
}

#[test]
fn consents_are_restricted_retried_listed_withdrawn_and_receipted() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let token = token_arg(&p12(dir.path()));
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    assert_eq!(official_query(node.addr(), "Kontroll"), 200);

    // Mari closes the population register to the police.
    let restrict = [
        "restrict",
        "--data-set",
        "population",
        "--to",
        "EE/GOV/70008747",
        "--idempotency-key",
        "k-1",
    ];
    let first = consents(&home, &url, &token, &restrict);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let body = first.json();
    assert_eq!(body["verified"], true);
    assert_eq!(body["idempotencyKey"], "k-1");
    assert_eq!(body["receipt"]["receipt"]["change"], "restricted");
    let id = body["receipt"]["receipt"]["consent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(official_query(node.addr(), "Kontroll"), 403);

    // Sent again with the same key: the same receipt, no second record.
    let again = consents(&home, &url, &token, &restrict);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["receipt"], body["receipt"]);
    let list = consents(&home, &url, &token, &["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let listed = list.json();
    assert_eq!(listed["consents"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["consents"][0]["decision"], "deny");
    assert_eq!(listed["dataSets"][0]["default"], "open");

    // Withdrawn: the police are served again.
    let withdraw = consents(&home, &url, &token, &["withdraw", "--consent", &id]);
    assert_eq!(withdraw.code, 0, "{}", withdraw.stderr);
    assert_eq!(withdraw.json()["receipt"]["receipt"]["change"], "withdrawn");
    assert_eq!(official_query(node.addr(), "Kontroll"), 200);

    // Both receipts, verified against the pinned keys.
    let receipts = consents(&home, &url, &token, &["receipts"]);
    assert_eq!(receipts.code, 0, "{}", receipts.stderr);
    let r = receipts.json();
    assert_eq!(r["verified"], true);
    assert_eq!(r["receipts"].as_array().unwrap().len(), 2);

    // Someone else's consents: refused (input error).
    let other = consents(&home, &url, &token, &["list", "--for", "EE49403136526"]);
    assert_eq!(other.code, 65, "{}", other.stdout);
    assert!(
        other.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("403")
    );
    stop(node);
}

#[test]
fn a_change_without_a_pinned_receipt_key_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let token = token_arg(&p12(dir.path()));
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    let nodes = data_dir(&home).join("nodes.json");
    let mut list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&nodes).unwrap()).unwrap();
    list["nodes"][0]
        .as_object_mut()
        .unwrap()
        .remove("receiptKey");
    std::fs::write(&nodes, list.to_string()).unwrap();
    let run = consents(
        &home,
        &url,
        &token,
        &[
            "restrict",
            "--data-set",
            "population",
            "--to",
            "EE/GOV/70008747",
        ],
    );
    assert_eq!(run.code, 65, "{}", run.stdout);
    assert!(run.stdout.contains("receipt key"), "{}", run.stdout);
    assert_eq!(
        official_query(node.addr(), "Kontroll"),
        200,
        "nothing changed"
    );
    stop(node);
}
