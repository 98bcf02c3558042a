//! The key in a real Secret Service (gnome-keyring in a private D-Bus session).
//!
//! Ignored by default: `bash crates/signet-vault/tests/keyring-session.sh` (run by
//! `cargo xtask test`) starts the session and runs them.

#![cfg(target_os = "linux")]

use std::sync::Arc;

use signet_core::FixedClock;
use signet_vault::{KeyStore as _, KeyringStore, LogId, Vault, VaultError};

/// An account of its own per test, so that tests can run in parallel in one keyring.
fn store(account: &str) -> KeyringStore {
    KeyringStore::secret_service(&format!("test-{account}-{}", std::process::id())).unwrap()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::from_unix(1_767_225_600))
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn the_key_lives_in_the_secret_service_across_reopens_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let log = LogId::new("log").unwrap();
    let mut vault = Vault::open(&path, Box::new(store("reopen")), clock()).unwrap();
    vault.put_checkpoint(&log, 1, &[1; 32], b"note").unwrap();
    drop(vault);

    let stored = store("reopen")
        .load()
        .unwrap()
        .expect("the key is in the keyring");
    assert_eq!(stored.generation, 1);

    let mut vault = Vault::open(&path, Box::new(store("reopen")), clock()).unwrap();
    vault.rotate_key().unwrap();
    vault.put_checkpoint(&log, 2, &[2; 32], b"note").unwrap();
    drop(vault);
    let rotated = store("reopen").load().unwrap().unwrap();
    assert!(rotated.current != stored.current);
    assert!(rotated.pending.is_none());
    assert_eq!(rotated.generation, 2);

    let vault = Vault::open(&path, Box::new(store("reopen")), clock()).unwrap();
    assert_eq!(vault.checkpoints(&log).unwrap().len(), 2);
    vault.wipe().unwrap();
    assert!(
        store("reopen").load().unwrap().is_none(),
        "wiping deletes the keyring entry"
    );
    assert!(!path.exists());
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn a_deleted_keyring_entry_is_a_missing_key_and_the_file_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let mut vault = Vault::open(&path, Box::new(store("missing")), clock()).unwrap();
    vault.put_setting("language", "et").unwrap();
    drop(vault);
    store("missing").forget().unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Vault::open(&path, Box::new(store("missing")), clock()).unwrap_err();
    assert!(matches!(err, VaultError::KeyMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("ee.signet.vault"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(store("missing").load().unwrap().is_none());
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn a_rolled_back_copy_is_caught_by_the_generation_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let log = LogId::new("log").unwrap();
    let mut vault = Vault::open(&path, Box::new(store("rollback")), clock()).unwrap();
    vault.put_checkpoint(&log, 1, &[1; 32], b"note").unwrap();
    drop(vault);
    let copy = std::fs::read(&path).unwrap();
    let mut vault = Vault::open(&path, Box::new(store("rollback")), clock()).unwrap();
    vault.put_checkpoint(&log, 2, &[2; 32], b"note").unwrap();
    drop(vault);
    std::fs::write(&path, &copy).unwrap();
    let err = Vault::open(&path, Box::new(store("rollback")), clock()).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::RolledBack {
                found: 1,
                expected: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), copy);
    store("rollback").forget().unwrap();
}

#[test]
fn without_a_session_bus_the_keyring_is_unavailable_not_a_file() {
    // With a bus address that leads nowhere there is no Secret Service, and the error says so
    // instead of falling back to a key file. (A child process: the address is read at connect.)
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "keyring::probe_without_bus",
            "--ignored",
            "--nocapture",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/signet-test-bus",
        )
        .env("SIGNET_PROBE_WITHOUT_BUS", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("KEYRING UNAVAILABLE"), "{text}");
}

#[test]
#[ignore = "a helper run by without_a_session_bus_the_keyring_is_unavailable_not_a_file"]
fn probe_without_bus() {
    if std::env::var_os("SIGNET_PROBE_WITHOUT_BUS").is_none() {
        return;
    }
    match KeyringStore::secret_service("probe") {
        Err(VaultError::KeyringUnavailable { .. }) => println!("KEYRING UNAVAILABLE"),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(store) => match store.load() {
            Err(VaultError::KeyringUnavailable { .. }) => println!("KEYRING UNAVAILABLE"),
            other => panic!("a keyring answered without a bus: {other:?}"),
        },
    }
}
