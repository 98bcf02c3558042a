//! The vault moves to another computer: an export under a passphrase, imported into a fresh
//! vault with another key, brings every record but the sessions; a wrong passphrase, a damaged
//! file or an existing output change nothing.

use std::time::Duration;

use signet_vault::{AgencyId, Argon2Cost, ConsentId, LogId, Passphrase, SessionToken};

use crate::support::Scene;

fn passphrase(text: &str) -> Passphrase {
    Passphrase::new(text).unwrap()
}

#[test]
fn an_export_imported_into_a_new_vault_brings_everything_but_the_sessions() {
    let here = Scene::new();
    let agency = AgencyId::new("ee-70000310").unwrap();
    let log = LogId::new("rr-usage").unwrap();
    let consent = ConsentId::new("consent-1").unwrap();
    let out = here.dir.path().join("signet-export.signetvault");
    {
        let mut vault = here.open().unwrap();
        vault.put_holdings(&agency, b"{\"v\":1}").unwrap();
        vault.put_usage_entry(&log, 0, b"entry 0").unwrap();
        vault.put_checkpoint(&log, 1, &[1; 32], b"note 1").unwrap();
        vault.put_consent(&consent, &agency, b"given").unwrap();
        vault
            .put_consent_receipt(&consent, b"receipt given")
            .unwrap();
        vault
            .put_receipt(&agency, "correction", "c-1", b"receipt c-1")
            .unwrap();
        vault.raise_alarm("a1", "http://rr", b"{}").unwrap();
        vault
            .put_session(
                "http://rr",
                &SessionToken::new("t".repeat(43)).unwrap(),
                signet_core::Clock::now(&*here.clock) + Duration::from_secs(600),
            )
            .unwrap();
        // Opened again, as on any later day: a vault that exists is opened without the right to
        // create files.
        drop(vault);
        let vault = here.open().unwrap();
        vault
            .export(
                &out,
                &passphrase("seven horses strong"),
                Argon2Cost::TESTS_ONLY,
            )
            .unwrap();
        // Never over an existing file.
        assert!(
            vault
                .export(&out, &passphrase("x"), Argon2Cost::TESTS_ONLY)
                .is_err()
        );
    }
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"signet-vault-export 1\nargon2id 8 1 1\nsalt "));
    for marker in [&b"receipt c-1"[..], b"entry 0", b"given"] {
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker),
            "plaintext in the export"
        );
    }

    let there = Scene::new();
    let mut vault = there.open().unwrap();
    vault
        .put_holdings(&AgencyId::new("ee-other").unwrap(), b"old")
        .unwrap();
    // This computer saw the log further on, and raised an alarm of its own: the import must
    // move neither back.
    vault.put_checkpoint(&log, 5, &[5; 32], b"note 5").unwrap();
    vault.raise_alarm("a-here", "http://rr", b"{}").unwrap();
    // And it was shown another tree of size 1 than the exporting computer: the two are
    // evidence of a split view, given back to the caller; this computer's is kept.
    vault
        .put_checkpoint(&log, 1, &[9; 32], b"note 1 here")
        .unwrap();
    // A wrong passphrase changes nothing.
    let err = vault
        .import(&out, &passphrase("seven horses wrong"))
        .unwrap_err();
    assert!(err.to_string().contains("passphrase"), "{err}");
    assert_eq!(vault.all_holdings().unwrap().len(), 1);
    // A damaged file neither.
    let damaged = there.dir.path().join("damaged");
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    assert!(
        vault
            .import(&damaged, &passphrase("seven horses strong"))
            .is_err()
    );
    assert!(
        vault
            .import(&there.dir.path().join("missing"), &passphrase("x"))
            .is_err()
    );
    assert_eq!(vault.all_holdings().unwrap().len(), 1);

    let imported = vault
        .import(&out, &passphrase("seven horses strong"))
        .unwrap();
    // Everything but the export's checkpoint of size 1, which this computer holds another of.
    assert!(imported.records >= 6, "{imported:?}");
    assert_eq!(
        imported.conflicts,
        [signet_vault::CheckpointConflict {
            log: log.to_string(),
            tree_size: 1,
            ours: b"note 1 here".to_vec(),
            theirs: b"note 1".to_vec(),
        }]
    );
    drop(vault);
    let mut vault = there.open().unwrap();
    let holdings = vault.all_holdings().unwrap();
    assert_eq!(holdings.len(), 1, "the import replaced what was there");
    assert_eq!(holdings[0].document, b"{\"v\":1}");
    assert_eq!(vault.usage_entries(&log, 0).unwrap().len(), 1);
    assert_eq!(
        vault.checkpoints(&log).unwrap().len(),
        2,
        "checkpoints are added, not replaced"
    );
    assert_eq!(vault.latest_checkpoint(&log).unwrap().unwrap().tree_size, 5);
    assert_eq!(
        vault.checkpoints(&log).unwrap()[0].root_hash,
        [9; 32].to_vec()
    );
    assert_eq!(vault.consent_receipts(&consent).unwrap().len(), 1);
    assert_eq!(vault.receipts(None).unwrap().len(), 1);
    assert_eq!(
        vault.open_alarms().unwrap().len(),
        2,
        "alarms are added, not replaced"
    );
    assert!(
        vault
            .session("http://rr", Duration::ZERO)
            .unwrap()
            .is_none(),
        "sessions stay behind"
    );
    // No scratch file is left beside either vault.
    for dir in [here.dir.path(), there.dir.path()] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                !name.starts_with(".signet-transfer-"),
                "{name} left in {}",
                dir.display()
            );
        }
    }
}
