//! The passphrase path, for laptops without a keyring.

use std::path::Path;
use std::sync::Arc;

use signet_vault::{Argon2Cost, KeyStore, LogId, Passphrase, PassphraseStore, Vault, VaultError};

use crate::support::Scene;

fn store(scene: &Scene, passphrase: &str) -> PassphraseStore {
    PassphraseStore::new(
        Passphrase::new(passphrase).unwrap(),
        PassphraseStore::file_beside(&scene.path()),
        Argon2Cost::TESTS_ONLY,
    )
}

fn open(scene: &Scene, passphrase: &str) -> Result<Vault, VaultError> {
    Vault::open(
        scene.path(),
        Box::new(store(scene, passphrase)),
        scene.clock.clone(),
    )
}

#[test]
fn the_right_passphrase_opens_and_a_wrong_one_does_not() {
    let scene = Scene::new();
    let mut vault = open(&scene, "correct horse battery staple").unwrap();
    vault
        .put_checkpoint(&LogId::new("log").unwrap(), 1, &[1; 32], b"note")
        .unwrap();
    drop(vault);

    let file = PassphraseStore::file_beside(&scene.path());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("signet-vault-passphrase 1\n"), "{text}");
    assert!(text.contains("generation 1\n"), "{text}");
    assert!(!text.contains("correct horse"));

    let before = std::fs::read(scene.path()).unwrap();
    let err = open(&scene, "Correct horse battery staple").unwrap_err();
    assert!(matches!(err, VaultError::WrongKey { .. }), "{err:?}");
    assert_eq!(std::fs::read(scene.path()).unwrap(), before);

    let vault = open(&scene, "correct horse battery staple").unwrap();
    assert_eq!(vault.generation(), 1);
}

#[test]
fn rotation_changes_the_salt_and_keeps_the_passphrase() {
    let scene = Scene::new();
    let mut vault = open(&scene, "pw").unwrap();
    let before = std::fs::read_to_string(PassphraseStore::file_beside(&scene.path())).unwrap();
    vault.rotate_key().unwrap();
    drop(vault);
    let after = std::fs::read_to_string(PassphraseStore::file_beside(&scene.path())).unwrap();
    assert_ne!(
        before.lines().nth(2),
        after.lines().nth(2),
        "the salt changes"
    );
    assert!(!after.contains("pending"));
    open(&scene, "pw").unwrap();
}

#[test]
fn a_missing_passphrase_file_is_a_missing_key() {
    let scene = Scene::new();
    drop(open(&scene, "pw").unwrap());
    std::fs::remove_file(PassphraseStore::file_beside(&scene.path())).unwrap();
    let err = open(&scene, "pw").unwrap_err();
    assert!(matches!(err, VaultError::KeyMissing { .. }), "{err:?}");
    assert!(!Path::new(&PassphraseStore::file_beside(&scene.path())).exists());
}

#[test]
fn a_damaged_passphrase_file_is_reported() {
    let scene = Scene::new();
    drop(open(&scene, "pw").unwrap());
    std::fs::write(PassphraseStore::file_beside(&scene.path()), "nonsense").unwrap();
    let err = open(&scene, "pw").unwrap_err();
    assert!(
        matches!(err, VaultError::PassphraseFileDamaged { .. }),
        "{err:?}"
    );
}

#[test]
fn the_recommended_cost_is_rfc_9106s() {
    let cost = Argon2Cost::RECOMMENDED;
    assert_eq!(
        (cost.memory_kib, cost.iterations, cost.parallelism),
        (65_536, 3, 4)
    );
    let scene = Scene::new();
    assert!(store(&scene, "pw").load().unwrap().is_none());
}

#[test]
fn an_older_copy_is_caught_by_the_generation_in_the_passphrase_file() {
    let scene = Scene::new();
    let log = LogId::new("log").unwrap();
    let mut vault = open(&scene, "pw").unwrap();
    vault.put_checkpoint(&log, 1, &[1; 32], b"note").unwrap();
    drop(vault);
    let copy = std::fs::read(scene.path()).unwrap();
    let mut vault = open(&scene, "pw").unwrap();
    vault.put_checkpoint(&log, 2, &[2; 32], b"note").unwrap();
    drop(vault);
    std::fs::write(scene.path(), &copy).unwrap();
    let err = open(&scene, "pw").unwrap_err();
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
    assert_eq!(std::fs::read(scene.path()).unwrap(), copy);
}

#[test]
fn wiping_deletes_the_passphrase_file_and_any_leftover() {
    let scene = Scene::new();
    let vault = open(&scene, "pw").unwrap();
    let file = PassphraseStore::file_beside(&scene.path());
    let mut leftover = file.clone().into_os_string();
    leftover.push(".tmp");
    std::fs::write(&leftover, "left by a crash").unwrap();
    vault.wipe().unwrap();
    assert!(crate::support::files(scene.dir.path()).is_empty());
}

#[test]
fn one_store_shared_between_opens_keeps_the_generation_and_the_file() {
    // signet-api keeps the store that opened the vault for the rest of the run.
    let scene = Scene::new();
    let shared = Arc::new(store(&scene, "correct horse battery staple"));
    assert_eq!(shared.file(), PassphraseStore::file_beside(&scene.path()));
    let log = LogId::new("log").unwrap();
    for size in 1..=2 {
        let mut vault = Vault::open(
            scene.path(),
            Box::new(Arc::clone(&shared)),
            scene.clock.clone(),
        )
        .unwrap();
        vault
            .put_checkpoint(&log, size, &[u8::try_from(size).unwrap(); 32], b"note")
            .unwrap();
    }
    let vault = open(&scene, "correct horse battery staple").unwrap();
    assert_eq!(vault.generation(), 2);
    assert_eq!(vault.checkpoints(&log).unwrap().len(), 2);
}
