//! Nothing readable reaches the disk: not in the database file, its WAL, or any other file.

use signet_core::BaselineLevel;
use signet_vault::{AgencyId, ConsentId, LogId, PLAINTEXT_HEADER, SignatureFormat, SigningOutcome};

use crate::support::{Scene, contains, files};

const MARKER: &str = "MARKER-7f3a9c-Tamm-38001085718";

fn write_markers(vault: &mut signet_vault::Vault) {
    let agency = AgencyId::new(format!("agency-{MARKER}")).unwrap();
    let log = LogId::new(format!("log-{MARKER}")).unwrap();
    let consent = ConsentId::new(format!("consent-{MARKER}")).unwrap();
    // Enough rows that SQLite has to sort and spill if temporary storage were on disk.
    for i in 0..200 {
        vault
            .put_holdings(
                &AgencyId::new(format!("agency-{i}")).unwrap(),
                format!("{MARKER} {i}").repeat(20).as_bytes(),
            )
            .unwrap();
    }
    vault.put_holdings(&agency, MARKER.as_bytes()).unwrap();
    vault.put_usage_entry(&log, 0, MARKER.as_bytes()).unwrap();
    vault
        .put_checkpoint(&log, 1, MARKER.as_bytes(), MARKER.as_bytes())
        .unwrap();
    vault
        .put_consent(&consent, &agency, MARKER.as_bytes())
        .unwrap();
    vault
        .put_consent_receipt(&consent, MARKER.as_bytes())
        .unwrap();
    vault.add_notification(MARKER, MARKER, MARKER).unwrap();
    vault
        .record_signing(
            &format!("{MARKER}.pdf"),
            &[0; 32],
            SignatureFormat::Pades,
            BaselineLevel::B_B,
            SigningOutcome::Signed,
        )
        .unwrap();
    vault.put_setting(MARKER, MARKER).unwrap();
}

fn assert_unreadable(scene: &Scene, moment: &str) {
    let files = files(scene.dir.path());
    assert!(!files.is_empty());
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, MARKER.as_bytes()),
            "{moment}: the marker is readable in {}",
            path.display()
        );
        assert!(
            !contains(bytes, PLAINTEXT_HEADER),
            "{moment}: a plaintext SQLite header is in {}",
            path.display()
        );
        assert!(
            !contains(bytes, b"CREATE TABLE"),
            "{moment}: the schema is readable in {}",
            path.display()
        );
    }
}

#[test]
fn no_marker_or_plaintext_header_in_any_file_while_open_and_after() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    write_markers(&mut vault);
    // While open, the records are in the WAL.
    let wal = scene.dir.path().join("vault.db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the WAL should hold the writes"
    );
    // A query that sorts without an index: with temp_store = MEMORY nothing spills to disk.
    let sorted = vault.all_holdings().unwrap();
    assert_eq!(sorted.len(), 201);
    assert_unreadable(&scene, "while open");
    vault.rotate_key().unwrap();
    assert_unreadable(&scene, "after a key rotation");
    drop(vault);
    assert_unreadable(&scene, "after closing");
    let vault = scene.open().unwrap();
    assert_eq!(vault.setting(MARKER).unwrap().as_deref(), Some(MARKER));
}

#[test]
fn the_journal_is_a_wal_and_closing_leaves_only_the_database() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    vault.put_setting("language", "et").unwrap();
    drop(vault);
    let names: Vec<String> = files(scene.dir.path())
        .into_iter()
        .map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["vault.db"]);
    let conn = crate::support::raw(&scene.path(), &scene.slots().current);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}
