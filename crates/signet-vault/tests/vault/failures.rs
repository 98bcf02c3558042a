//! Each way a vault can fail to open gives its own error, and leaves every file as it was.

use signet_core::Code;
use signet_vault::{KeyStore as _, LogId, VaultError};

use crate::support::{Scene, files, raw};

/// A scene with a closed vault holding one durable record.
fn closed_vault() -> Scene {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    vault
        .put_checkpoint(&LogId::new("log").unwrap(), 1, &[1; 32], b"note")
        .unwrap();
    drop(vault);
    scene
}

/// Opens the vault expecting an error, and checks that no file and nothing in the keyring changed.
fn open_fails(scene: &Scene) -> VaultError {
    let before = files(scene.dir.path());
    let stored_before = scene.store().load().unwrap();
    let err = scene.open().expect_err("the vault should not open");
    assert_eq!(
        files(scene.dir.path()),
        before,
        "a failed open changed the files ({err})"
    );
    let stored_after = scene.store().load().unwrap();
    match (&stored_before, &stored_after) {
        (None, None) => {}
        (Some(before), Some(after)) => {
            assert!(
                before.current == after.current,
                "a failed open changed the key ({err})"
            );
            assert_eq!(before.generation, after.generation, "({err})");
            assert_eq!(before.pending.is_some(), after.pending.is_some(), "({err})");
        }
        _ => panic!("a failed open added or removed the key ({err})"),
    }
    err
}

#[test]
fn a_wrong_key_is_reported_as_such() {
    let scene = closed_vault();
    let mut slots = scene.slots();
    slots.current = signet_vault::VaultKey::random().unwrap();
    scene.store().save(&slots).unwrap();
    let err = open_fails(&scene);
    assert!(matches!(err, VaultError::WrongKey { .. }), "{err:?}");
    assert_eq!(err.code(), Code::InvalidInput);
}

#[test]
fn a_missing_keyring_entry_is_reported_as_such() {
    let scene = closed_vault();
    scene.store().forget().unwrap();
    let err = open_fails(&scene);
    assert!(matches!(err, VaultError::KeyMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("keyring"), "{err}");
    // The store is still empty: a failed open never makes a new key for an existing file.
    assert!(scene.store().load().unwrap().is_none());
}

#[test]
fn a_truncated_file_is_corrupted() {
    let scene = closed_vault();
    let bytes = std::fs::read(scene.path()).unwrap();
    std::fs::write(scene.path(), &bytes[..bytes.len() - 100]).unwrap();
    let err = open_fails(&scene);
    assert!(matches!(err, VaultError::Corrupted { .. }), "{err:?}");
    assert_eq!(err.code(), Code::Io);
}

#[test]
fn a_damaged_page_is_corrupted() {
    let scene = closed_vault();
    let mut bytes = std::fs::read(scene.path()).unwrap();
    assert!(
        bytes.len() >= 2 * 4096,
        "the vault should have more than one page"
    );
    let last = bytes.len() - 2000;
    bytes[last] ^= 0x55;
    std::fs::write(scene.path(), &bytes).unwrap();
    let err = open_fails(&scene);
    assert!(matches!(err, VaultError::Corrupted { .. }), "{err:?}");
}

#[test]
fn a_plaintext_sqlite_file_is_not_taken_for_a_vault() {
    let scene = Scene::new();
    let conn = rusqlite::Connection::open(scene.path()).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    // A key exists, so the plaintext file is the only problem.
    scene
        .store()
        .save(&signet_vault::KeySlots::new(
            signet_vault::VaultKey::random().unwrap(),
        ))
        .unwrap();
    let err = open_fails(&scene);
    assert!(
        matches!(err, VaultError::Corrupted { ref detail, .. } if detail.contains("plaintext")),
        "{err:?}"
    );
}

#[test]
fn a_vault_from_a_newer_signet_is_refused() {
    let scene = closed_vault();
    let conn = raw(&scene.path(), &scene.slots().current);
    conn.execute_batch(
        "PRAGMA user_version = 99; UPDATE meta SET value = 99 WHERE name = 'readable_by';",
    )
    .unwrap();
    drop(conn);
    let err = open_fails(&scene);
    match &err {
        VaultError::TooNew {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (99, signet_vault::SCHEMA_VERSION));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(err.code(), Code::NotImplemented);
}

#[test]
fn a_newer_vault_that_stays_readable_is_used_without_migrating() {
    let scene = closed_vault();
    let conn = raw(&scene.path(), &scene.slots().current);
    conn.execute_batch("PRAGMA user_version = 99; CREATE TABLE from_the_future (x);")
        .unwrap();
    drop(conn);
    let vault = scene.open().unwrap();
    assert_eq!(
        vault
            .latest_checkpoint(&LogId::new("log").unwrap())
            .unwrap()
            .unwrap()
            .tree_size,
        1
    );
    drop(vault);
    let conn = raw(&scene.path(), &scene.slots().current);
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

#[test]
fn an_older_copy_is_reported_as_rolled_back() {
    let scene = closed_vault();
    let copy = std::fs::read(scene.path()).unwrap();
    let mut vault = scene.open().unwrap();
    assert_eq!(vault.generation(), 1);
    vault
        .put_checkpoint(&LogId::new("log").unwrap(), 2, &[2; 32], b"note 2")
        .unwrap();
    drop(vault);
    std::fs::write(scene.path(), &copy).unwrap();
    let err = open_fails(&scene);
    match &err {
        VaultError::RolledBack {
            found, expected, ..
        } => assert_eq!((*found, *expected), (1, 2)),
        other => panic!("expected RolledBack, got {other:?}"),
    }
    assert!(err.to_string().contains("older copy"), "{err}");
}

#[test]
fn every_failure_has_its_own_message_and_a_recommendation() {
    let errors = [
        VaultError::WrongKey { path: "v".into() },
        VaultError::KeyMissing {
            path: "v".into(),
            store: "s".into(),
        },
        VaultError::Corrupted {
            path: "v".into(),
            detail: "d".into(),
        },
        VaultError::TooNew {
            path: "v".into(),
            found: 3,
            supported: 2,
        },
        VaultError::RolledBack {
            path: "v".into(),
            found: 1,
            expected: 2,
        },
        VaultError::KeyringUnavailable { reason: "r".into() },
    ];
    let recommendations: std::collections::HashSet<_> =
        errors.iter().map(VaultError::recommendation).collect();
    assert_eq!(recommendations.len(), errors.len());
    let messages: std::collections::HashSet<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), errors.len());
}

#[test]
fn a_durable_write_the_keyring_missed_is_caught_up_on_open() {
    let scene = closed_vault();
    // As after a crash between the commit and the keyring update: the store is one behind.
    let mut slots = scene.slots();
    assert_eq!(slots.generation, 1);
    slots.generation = 0;
    scene.store().save(&slots).unwrap();
    let vault = scene.open().unwrap();
    assert_eq!(vault.generation(), 1);
    assert_eq!(scene.slots().generation, 1);
}

#[test]
fn a_deleted_vault_is_not_silently_replaced_by_an_empty_one() {
    let scene = closed_vault();
    std::fs::remove_file(scene.path()).unwrap();
    let err = scene.open().unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::RolledBack {
                found: 0,
                expected: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(files(scene.dir.path()).is_empty(), "nothing was created");
    // "Forget me on this laptop" clears the way for a new vault.
    signet_vault::forget(&scene.path(), &scene.store()).unwrap();
    let vault = scene.open().unwrap();
    assert_eq!(vault.generation(), 0);
}

#[test]
fn two_connections_writing_durably_never_lower_the_generation() {
    // Two operations of one run each with the vault open (the window's listener and a screen):
    // a durable write raises the generation from the file's, not from a stale copy, so a later
    // open neither finds a lower generation nor refuses the file as rolled back.
    let scene = Scene::new();
    let log = LogId::new("log").unwrap();
    let mut first = scene.open().unwrap();
    let mut second = scene.open().unwrap();
    first.put_checkpoint(&log, 1, &[1; 32], b"note").unwrap();
    first.put_checkpoint(&log, 2, &[2; 32], b"note").unwrap();
    second.put_checkpoint(&log, 3, &[3; 32], b"note").unwrap();
    assert_eq!(second.generation(), 3);
    first.put_checkpoint(&log, 4, &[4; 32], b"note").unwrap();
    assert_eq!(first.generation(), 4);
    drop((first, second));
    assert_eq!(scene.slots().generation, 4);
    let vault = scene.open().unwrap();
    assert_eq!(vault.generation(), 4);
    assert_eq!(vault.checkpoints(&log).unwrap().len(), 4);
}
