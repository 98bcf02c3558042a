//! Every kind of record goes in and comes back out, across a reopen.

use std::time::Duration;

use signet_core::{BaselineLevel, Clock as _, Code};
use signet_vault::{AgencyId, ConsentId, LogId, SignatureFormat, SigningOutcome};

use crate::support::Scene;

#[test]
fn records_survive_a_reopen() {
    let scene = Scene::new();
    let agency = AgencyId::new("ee-70000310").unwrap();
    let other = AgencyId::new("ee-70003218").unwrap();
    let log = LogId::new("rr-usage").unwrap();
    let consent = ConsentId::new("consent-1").unwrap();
    let t0 = scene.clock.now();
    {
        let mut vault = scene.open().unwrap();
        vault.put_holdings(&agency, b"{\"v\":1}").unwrap();
        scene.clock.advance(Duration::from_secs(60));
        vault.put_holdings(&agency, b"{\"v\":2}").unwrap();
        vault.put_holdings(&other, b"{}").unwrap();
        for index in [2, 0, 1] {
            vault
                .put_usage_entry(&log, index, format!("entry {index}").as_bytes())
                .unwrap();
        }
        vault
            .put_usage_entry(&log, 1, b"a second copy is ignored")
            .unwrap();
        vault.put_checkpoint(&log, 2, &[1; 32], b"note 2").unwrap();
        vault.put_checkpoint(&log, 3, &[2; 32], b"note 3").unwrap();
        vault.put_consent(&consent, &agency, b"given").unwrap();
        vault.put_consent(&consent, &agency, b"withdrawn").unwrap();
        vault
            .put_consent_receipt(&consent, b"receipt given")
            .unwrap();
        vault
            .put_consent_receipt(&consent, b"receipt withdrawn")
            .unwrap();
        let first = vault
            .add_notification(
                "usage",
                "Your data was viewed",
                "by the Population Register",
            )
            .unwrap();
        vault
            .add_notification("consent", "Consent withdrawn", "")
            .unwrap();
        assert!(vault.mark_notification_read(first).unwrap());
        vault
            .record_signing(
                "contract.pdf",
                &[9; 32],
                SignatureFormat::Pades,
                BaselineLevel::B_LT,
                SigningOutcome::Signed,
            )
            .unwrap();
        vault
            .record_signing(
                "deed.asice",
                &[8; 32],
                SignatureFormat::AsicE,
                BaselineLevel::B_T,
                SigningOutcome::Failed(Code::Network),
            )
            .unwrap();
        vault.put_setting("language", "et").unwrap();
        vault.put_setting("language", "en").unwrap();
        // Eight durable writes: two checkpoints, two consent states, two receipts, two signings.
        assert_eq!(vault.generation(), 8);
    }

    let vault = scene.open().unwrap();
    assert_eq!(vault.generation(), 8);
    let holdings = vault.holdings(&agency).unwrap().unwrap();
    assert_eq!(holdings.document, b"{\"v\":2}");
    assert_eq!(holdings.taken_at, t0 + Duration::from_secs(60));
    assert_eq!(vault.all_holdings().unwrap().len(), 2);
    assert!(
        vault
            .holdings(&AgencyId::new("nobody").unwrap())
            .unwrap()
            .is_none()
    );

    let entries = vault.usage_entries(&log, 0).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.index).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(entries[1].entry, b"entry 1");
    assert_eq!(vault.usage_entries(&log, 2).unwrap().len(), 1);

    let latest = vault.latest_checkpoint(&log).unwrap().unwrap();
    assert_eq!(
        (latest.tree_size, latest.signed_note.as_slice()),
        (3, &b"note 3"[..])
    );
    assert_eq!(vault.checkpoints(&log).unwrap().len(), 2);
    assert!(
        vault
            .latest_checkpoint(&LogId::new("other").unwrap())
            .unwrap()
            .is_none()
    );

    assert_eq!(
        vault.consent(&consent).unwrap().unwrap().record,
        b"withdrawn"
    );
    assert_eq!(vault.consents().unwrap().len(), 1);
    let receipts = vault.consent_receipts(&consent).unwrap();
    assert_eq!(
        receipts
            .iter()
            .map(|r| r.receipt.as_slice())
            .collect::<Vec<_>>(),
        [&b"receipt given"[..], b"receipt withdrawn"]
    );

    let notifications = vault.notifications().unwrap();
    assert_eq!(notifications.len(), 2);
    assert_eq!(notifications[0].title, "Consent withdrawn");
    assert!(notifications[0].read_at.is_none());
    assert!(notifications[1].read_at.is_some());
    assert_eq!(vault.unread_notifications().unwrap(), 1);

    let history = vault.signing_history().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].document_name, "contract.pdf");
    assert_eq!(history[0].level, BaselineLevel::B_LT);
    assert_eq!(history[0].outcome, SigningOutcome::Signed);
    assert_eq!(history[1].format, SignatureFormat::AsicE);
    assert_eq!(history[1].outcome, SigningOutcome::Failed(Code::Network));
    assert_eq!(history[1].signed_at, t0 + Duration::from_secs(60));

    assert_eq!(vault.setting("language").unwrap().as_deref(), Some("en"));
    assert_eq!(vault.settings().unwrap().len(), 1);
    vault.check_integrity().unwrap();
}

#[test]
fn marking_an_unknown_notification_read_says_so() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    assert!(
        !vault
            .mark_notification_read(signet_vault::NotificationId(42))
            .unwrap()
    );
}

#[test]
fn wiping_removes_the_key_and_every_file() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    vault.put_setting("language", "et").unwrap();
    vault.wipe().unwrap();
    assert!(crate::support::files(scene.dir.path()).is_empty());
    assert!(
        signet_vault::KeyStore::load(&scene.store())
            .unwrap()
            .is_none()
    );
    // A new, empty vault can be started in its place.
    let vault = scene.open().unwrap();
    assert!(vault.setting("language").unwrap().is_none());
}

#[test]
fn a_rewritten_checkpoint_is_refused_and_the_stored_one_kept() {
    let scene = Scene::new();
    let log = LogId::new("log").unwrap();
    let mut vault = scene.open().unwrap();
    vault.put_checkpoint(&log, 5, &[1; 32], b"note").unwrap();
    vault.put_checkpoint(&log, 5, &[1; 32], b"note").unwrap();
    let generation = vault.generation();
    let err = vault
        .put_checkpoint(&log, 5, &[2; 32], b"forged")
        .unwrap_err();
    assert!(
        matches!(
            err,
            signet_vault::VaultError::CheckpointConflict { tree_size: 5, .. }
        ),
        "{err:?}"
    );
    assert_eq!(
        vault.generation(),
        generation,
        "a refused write is not a write"
    );
    let stored = vault.checkpoints(&log).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].root_hash, [1; 32]);
    assert_eq!(stored[0].signed_note, b"note");
}

#[test]
fn receipts_of_every_kind_are_kept_per_agency_in_order() {
    let scene = Scene::new();
    let rr = AgencyId::new("rr.signet.test/usage").unwrap();
    let tis = AgencyId::new("tis.signet.test/usage").unwrap();
    {
        let mut vault = scene.open().unwrap();
        vault
            .put_receipt(&rr, "correction", "k-1", b"filed")
            .unwrap();
        vault
            .put_receipt(&tis, "misuseReport", "m-1", b"reported")
            .unwrap();
        vault
            .put_receipt(&rr, "correction", "k-1", b"accepted")
            .unwrap();
        assert!(vault.put_receipt(&rr, "", "k-1", b"x").is_err());
        assert!(vault.put_receipt(&rr, "correction", "k\n1", b"x").is_err());
    }
    let vault = scene.open().unwrap();
    let mine = vault.receipts(Some(&rr)).unwrap();
    assert_eq!(
        mine.iter()
            .map(|r| (r.kind.as_str(), r.reference.as_str(), r.receipt.as_slice()))
            .collect::<Vec<_>>(),
        [
            ("correction", "k-1", &b"filed"[..]),
            ("correction", "k-1", b"accepted")
        ]
    );
    assert_eq!(vault.receipts(None).unwrap().len(), 3);
    assert_eq!(vault.receipts(Some(&tis)).unwrap()[0].kind, "misuseReport");
}
