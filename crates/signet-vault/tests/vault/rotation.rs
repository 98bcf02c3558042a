//! Key rotation: complete, and interrupted at each step.

use std::sync::atomic::AtomicUsize;

use signet_vault::{KeyStore as _, LogId, Vault};

use crate::support::{FailingStore, Scene, opens_with};

#[test]
fn a_rotated_vault_opens_with_the_new_key_only() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    vault
        .put_checkpoint(&LogId::new("log").unwrap(), 1, &[1; 32], b"note")
        .unwrap();
    let old = scene.slots().current;
    vault.rotate_key().unwrap();
    vault
        .put_checkpoint(&LogId::new("log").unwrap(), 2, &[2; 32], b"note")
        .unwrap();
    drop(vault);
    let slots = scene.slots();
    assert!(slots.pending.is_none());
    assert!(slots.current != old);
    assert!(opens_with(&scene.path(), &slots.current));
    assert!(!opens_with(&scene.path(), &old));
    let vault = scene.open().unwrap();
    assert_eq!(
        vault
            .checkpoints(&LogId::new("log").unwrap())
            .unwrap()
            .len(),
        2
    );
    vault.check_integrity().unwrap();
}

/// The store fails at its n-th save during the rotation: as if Signet died between two steps.
#[test]
fn an_interrupted_rotation_opens_with_exactly_one_key() {
    // Saves during rotate_key: 1 = the pending key, 2 = the promotion.
    for fail_at in 1..=2 {
        let scene = Scene::new();
        let mut vault = scene.open().unwrap();
        vault
            .put_checkpoint(&LogId::new("log").unwrap(), 1, &[1; 32], b"note")
            .unwrap();
        drop(vault);
        let failing = FailingStore {
            inner: scene.store(),
            saves: AtomicUsize::new(0),
            fail_at,
        };
        let mut vault = Vault::open(scene.path(), Box::new(failing), scene.clock.clone()).unwrap();
        assert!(vault.rotate_key().is_err(), "fail_at {fail_at}");
        drop(vault);

        let slots = scene.slots();
        let with_current = opens_with(&scene.path(), &slots.current);
        let with_pending = slots
            .pending
            .as_ref()
            .is_some_and(|key| opens_with(&scene.path(), key));
        assert!(
            with_current ^ with_pending,
            "fail_at {fail_at}: exactly one key must open the file"
        );

        let vault = scene.open().unwrap();
        assert_eq!(
            vault
                .checkpoints(&LogId::new("log").unwrap())
                .unwrap()
                .len(),
            1
        );
        vault.check_integrity().unwrap();
        let reconciled = scene.slots();
        assert!(
            reconciled.pending.is_none(),
            "fail_at {fail_at}: the store is reconciled"
        );
        assert!(opens_with(&scene.path(), &reconciled.current));
        drop(vault);
        assert!(scene.store().load().unwrap().is_some());
    }
}
