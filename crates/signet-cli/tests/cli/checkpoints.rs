//! The person's checkpoints of each node's usage log: kept in the vault (kept with a passphrase
//! here: no keyring), never in a plain file; the plain file of an earlier version is checked
//! against once and moved into the vault.

use crate::data::*;

fn verify(home: &std::path::Path, url: &str, token: &str) -> Run {
    signet(
        home,
        &[
            "data",
            "verify",
            "--node",
            url,
            "--token",
            token,
            "--pin-stdin",
        ],
        &secrets(&[PASSWORD]),
    )
}

fn latest(home: &std::path::Path) -> signet_vault::Checkpoint {
    open_passphrase_vault(home)
        .latest_checkpoint(&signet_vault::LogId::new(LOG_ORIGIN).unwrap())
        .unwrap()
        .unwrap()
}

#[test]
fn an_earlier_versions_plain_checkpoint_is_checked_against_then_moved_into_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let token = token_arg(&p12(dir.path()));
    let node = start(&dir.path().join("node.db"), false);
    for _ in 0..2 {
        assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    }
    wait_for_size(node.addr(), 2);

    // A genuine note of size 2, as an earlier Signet would have stored it in plain text.
    let earlier = dir.path().join("earlier");
    let url = list_node(&earlier, &node);
    assert_eq!(verify(&earlier, &url, &token).code, 0);
    let note = String::from_utf8(latest(&earlier).signed_note).unwrap();
    let home = dir.path().join("home");
    assert_eq!(list_node(&home, &node), url);
    let plain = data_dir(&home).join("data/checkpoints.json");
    std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
    std::fs::write(
        &plain,
        serde_json::json!({"logs": {LOG_ORIGIN: note}}).to_string(),
    )
    .unwrap();

    // The next visit is proven to extend it, and keeps the new one in the vault only.
    assert_eq!(official_query(node.addr(), "Teine%20kontroll"), 200);
    wait_for_size(node.addr(), 3);
    let run = verify(&home, &url, &token);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "verified: the log {LOG_ORIGIN} of {url} at size 3 extends the stored size 2"
        )),
        "{}",
        run.stdout
    );
    assert!(!plain.exists(), "the plain file is emptied and removed");
    assert_eq!(latest(&home).tree_size, 3);
    stop(node);
}

#[test]
fn without_the_vault_a_visit_is_not_passed_as_a_first_one() {
    // A vault made where a keyring was, used where none is: the log cannot be checked against
    // the person's earlier visits, and `verify` says so instead of calling this a first visit.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let token = token_arg(&p12(dir.path()));
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    let keyring_vault = vec![0x5a_u8; 8192];
    std::fs::write(data_dir(&home).join("vault.db"), &keyring_vault).unwrap();
    let run = signet(
        &home,
        &[
            "data",
            "verify",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--json",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    let message = run.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("cannot be checked against your earlier visits"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(data_dir(&home).join("vault.db")).unwrap(),
        keyring_vault
    );
    assert!(!data_dir(&home).join("data/checkpoints.json").exists());
    stop(node);
}
