//! Alarms about an agency's log, with a real signet-node in process whose SQLite database the
//! test changes behind its back, and a real SQLCipher vault: an entry deleted from the node is
//! flagged and still shown from the vault's copy; an entry changed fails its proof; a node
//! restarted as a compromised one that re-signs its rewritten log shows two checkpoints for one
//! size, both kept as evidence. Each alarm is raised once and stays until dismissed.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::sync::Arc;

use keyring_core::CredentialStore;
use signet_api::Context;
use signet_api::alarms::{AlarmKind, AlarmView};
use signet_api::card::{Pin, PinKind, PinState};
use signet_api::token::TokenSpec;
use signet_node::RunningNode;
use signet_testkit::TestPki;
use signet_vault::KeyringStore;
use zeroize::Zeroizing;

mod support;
use support::{ORIGIN, PASSWORD, node_config, official_query, p12, wait_for_size};

struct Scene {
    pki: TestPki,
    dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    context: Context,
}

impl Scene {
    fn new() -> Self {
        let pki = TestPki::start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let keyring: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let context = Context::new(&data)
            .with_key_store(move |account| Ok(Box::new(KeyringStore::new(&keyring, account)?)));
        Self {
            pki,
            dir,
            runtime,
            context,
        }
    }

    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("node.db")
    }

    /// Starts the node (a compromised one that signs its rewritten log when `rewritten`), lists
    /// it, and logs Mari in.
    fn start(&self, rewritten: bool) -> (RunningNode, String) {
        let mut config = node_config(&self.pki, &self.db());
        config.accept_rewritten_log = rewritten;
        let node = self.runtime.block_on(signet_node::start(config)).unwrap();
        let url = self.log_in(&self.context, &node);
        (node, url)
    }

    /// Lists `node` in `context`'s data folder and logs Mari in there.
    fn log_in(&self, context: &Context, node: &RunningNode) -> String {
        let url = format!("http://{}", node.addr());
        std::fs::write(
            context.data_dir().join("nodes.json"),
            serde_json::json!({"nodes": [{"url": url, "origin": ORIGIN, "logKey": node.verifier().to_text(), "name": "Rahvastikuregister"}]})
                .to_string(),
        )
        .unwrap();
        let spec = TokenSpec::P12 {
            file: p12(&self.pki, self.dir.path()),
        };
        let mut ask = |kind: PinKind, _: Option<PinState>| {
            Ok(Pin::new(kind, Zeroizing::new(PASSWORD.to_owned())).unwrap())
        };
        signet_api::data::login(context, &url, &spec, &mut ask).unwrap();
        url
    }

    fn access_log(&self) -> signet_api::dashboard::AccessLogView {
        access_log(&self.context)
    }

    fn alarms(&self) -> Vec<AlarmView> {
        signet_api::alarms::alarms(&self.context).unwrap()
    }

    fn stop(&self, node: RunningNode) {
        self.runtime.block_on(node.stop());
    }
}

fn access_log(context: &Context) -> signet_api::dashboard::AccessLogView {
    let (_handle, job) = signet_api::job::channel(|_| {});
    signet_api::dashboard::access_log(context, &job).unwrap()
}

/// A data folder of another computer, with its own keyring.
fn other_computer(dir: &Path) -> Context {
    std::fs::create_dir_all(dir).unwrap();
    let keyring: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
    Context::new(dir)
        .with_key_store(move |account| Ok(Box::new(KeyringStore::new(&keyring, account)?)))
}

fn sql(db: &Path, statement: &str) {
    let changed = rusqlite::Connection::open(db)
        .unwrap()
        .execute(statement, [])
        .unwrap();
    assert_eq!(changed, 1, "{statement}");
}

#[test]
fn asking_for_alarms_or_the_saved_copy_before_any_data_was_read_makes_no_vault() {
    let scene = Scene::new();
    assert!(scene.alarms().is_empty());
    assert!(
        signet_api::dashboard::cached(&scene.context)
            .unwrap()
            .is_none()
    );
    assert!(
        !signet_api::vault::exists(&scene.context),
        "the window's start made a vault (and would ask a person without a keyring for a passphrase)"
    );
}

#[test]
fn a_removed_entry_a_changed_entry_and_a_rewritten_log_each_raise_one_alarm_kept_until_dismissed() {
    let scene = Scene::new();
    let (node, _) = scene.start(false);
    for purpose in ["Kontroll-1", "Kontroll-2", "Kontroll-3"] {
        assert_eq!(official_query(node.addr(), purpose), 200);
    }
    wait_for_size(node.addr(), 3);
    let first = scene.access_log();
    assert_eq!(first.entries.len(), 3, "{first:?}");
    assert!(first.entries.iter().all(|e| e.verified && !e.removed));
    // Each names what it released: the data set, by its id at the agency.
    assert!(
        first.entries.iter().all(|e| e.data_sets == ["population"]),
        "{first:?}"
    );
    assert!(scene.alarms().is_empty());

    // The agency deletes the second query from its database: it is no longer served.
    sql(&scene.db(), "DELETE FROM entries WHERE idx = 1");
    for _ in 0..2 {
        let log = scene.access_log();
        assert_eq!(
            log.entries.len(),
            3,
            "the removed entry is still shown: {log:?}"
        );
        let removed: Vec<_> = log.entries.iter().filter(|e| e.removed).collect();
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].index, 1);
        assert_eq!(removed[0].purpose.as_deref(), Some("Kontroll-2"));
        assert_eq!(
            removed[0].data_sets,
            ["population"],
            "the vault's copy keeps it"
        );
        assert!(!removed[0].verified);
    }
    let alarms = scene.alarms();
    assert_eq!(alarms.len(), 1, "seen twice, raised once: {alarms:?}");
    assert_eq!(alarms[0].kind, AlarmKind::EntryRemoved);
    assert_eq!(alarms[0].agency, "Rahvastikuregister");
    assert_eq!(alarms[0].entry.as_ref().unwrap().index, 1);

    // The agency changes the third query's purpose: its proof fails.
    let changed = rusqlite::Connection::open(scene.db())
        .unwrap()
        .query_row("SELECT entry FROM entries WHERE idx = 2", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .unwrap();
    let changed = String::from_utf8(changed)
        .unwrap()
        .replace("Kontroll-3", "Kontroll-X");
    rusqlite::Connection::open(scene.db())
        .unwrap()
        .execute(
            "UPDATE entries SET entry = ?1 WHERE idx = 2",
            [changed.as_bytes()],
        )
        .unwrap();
    let log = scene.access_log();
    assert!(log.problems.iter().any(|p| p.tampered), "{log:?}");
    let alarms = scene.alarms();
    assert_eq!(alarms.len(), 2, "{alarms:?}");
    let proof = alarms
        .iter()
        .find(|a| a.kind == AlarmKind::ProofFailed)
        .unwrap();
    assert_eq!(proof.checkpoints, 1);
    let folder = scene.dir.path().join("evidence");
    std::fs::create_dir_all(&folder).unwrap();
    let saved = signet_api::alarms::save_evidence(&scene.context, &proof.id, &folder).unwrap();
    let evidence: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(evidence["alarm"]["kind"], "proofFailed");
    assert!(
        evidence["item"]["entry"].to_string().contains("Kontroll-X"),
        "{evidence}"
    );
    assert!(
        evidence["checkpoints"][0]
            .as_str()
            .unwrap()
            .contains("rr.signet.test/usage")
    );
    // Saved again: another file, the first one kept.
    let again = signet_api::alarms::save_evidence(&scene.context, &proof.id, &folder).unwrap();
    assert_ne!(again, saved);
    assert!(saved.exists());
    scene.stop(node);

    // Restarted as a compromised node that re-signs its rewritten log: after one more query it
    // signs a checkpoint of the size the person kept, with another root.
    let (node, _) = scene.start(true);
    assert_eq!(official_query(node.addr(), "Kontroll-4"), 200);
    wait_for_size(node.addr(), 3);
    let log = scene.access_log();
    assert!(log.problems.iter().any(|p| p.tampered), "{log:?}");
    scene.stop(node);
    let alarms = scene.alarms();
    let two = alarms
        .iter()
        .find(|a| a.kind == AlarmKind::TwoCheckpoints)
        .unwrap_or_else(|| panic!("{alarms:?}"));
    assert_eq!(two.checkpoints, 2, "both signed checkpoints are kept");
    let saved = signet_api::alarms::save_evidence(&scene.context, &two.id, &folder).unwrap();
    let evidence: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    let notes = evidence["checkpoints"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_ne!(notes[0], notes[1]);
    for note in notes {
        assert!(
            note.as_str()
                .unwrap()
                .starts_with("rr.signet.test/usage\n3\n"),
            "{note}"
        );
    }

    // Dismissed, an alarm is no longer shown; the others stay.
    let before = alarms.len();
    signet_api::alarms::dismiss(&scene.context, &two.id).unwrap();
    assert_eq!(scene.alarms().len(), before - 1);
    assert!(signet_api::alarms::dismiss(&scene.context, "0123").is_err());
}

/// A node that shows two computers of the same person different histories (a split view):
/// each alone sees a consistent log, but when one's vault is imported into the other the two
/// checkpoints signed for one size meet, and an alarm keeps both. A node listed under another
/// key proves nothing: no alarm.
#[test]
fn a_vault_import_that_meets_another_history_of_a_log_raises_an_alarm() {
    let scene = Scene::new();
    let (node, _) = scene.start(false);
    for purpose in ["Kontroll-1", "Kontroll-2", "Kontroll-3"] {
        assert_eq!(official_query(node.addr(), purpose), 200);
    }
    wait_for_size(node.addr(), 3);
    assert!(access_log(&scene.context).problems.is_empty());
    scene.stop(node);

    // The node rewrites its log and re-signs it; the other computer has never seen the log
    // before, so it cannot tell.
    sql(&scene.db(), "DELETE FROM entries WHERE idx = 1");
    let mut config = node_config(&scene.pki, &scene.db());
    config.accept_rewritten_log = true;
    let node = scene.runtime.block_on(signet_node::start(config)).unwrap();
    assert_eq!(official_query(node.addr(), "Kontroll-4"), 200);
    wait_for_size(node.addr(), 3);
    let laptop = other_computer(&scene.dir.path().join("laptop"));
    scene.log_in(&laptop, &node);
    let seen = access_log(&laptop);
    assert!(seen.problems.is_empty(), "{seen:?}");
    assert!(signet_api::alarms::alarms(&laptop).unwrap().is_empty());
    scene.stop(node);

    let exports = scene.dir.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let passphrase = signet_vault::Passphrase::new("seven horses strong").unwrap();
    let export = signet_api::vault_transfer::export_at(
        &scene.context,
        &exports,
        &passphrase,
        signet_vault::Argon2Cost::TESTS_ONLY,
    )
    .unwrap();

    // Listed under another key, the desk's checkpoint is not the node's: nothing is raised.
    let listed = std::fs::read(laptop.data_dir().join("nodes.json")).unwrap();
    let other_key = signet_data::NoteSigner::new(
        "rr.signet.test/usage",
        ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
    )
    .unwrap()
    .verifier()
    .to_text();
    let mut wrong: serde_json::Value = serde_json::from_slice(&listed).unwrap();
    wrong["nodes"][0]["logKey"] = other_key.into();
    std::fs::write(laptop.data_dir().join("nodes.json"), wrong.to_string()).unwrap();
    let imported = signet_api::vault_transfer::import(&laptop, &export, &passphrase).unwrap();
    assert_eq!(imported.alarms, 0);
    assert!(signet_api::alarms::alarms(&laptop).unwrap().is_empty());

    // Listed as it is, the two signed checkpoints of size 3 are the node's split view.
    std::fs::write(laptop.data_dir().join("nodes.json"), &listed).unwrap();
    let imported = signet_api::vault_transfer::import(&laptop, &export, &passphrase).unwrap();
    assert_eq!(imported.alarms, 1);
    let alarms = signet_api::alarms::alarms(&laptop).unwrap();
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(alarms[0].kind, AlarmKind::TwoCheckpoints);
    assert_eq!(alarms[0].agency, "Rahvastikuregister");
    assert_eq!(alarms[0].checkpoints, 2);
    // Imported again: the same alarm, not a second one, and not counted again.
    let again = signet_api::vault_transfer::import(&laptop, &export, &passphrase).unwrap();
    assert_eq!(again.alarms, 0);
    assert_eq!(signet_api::alarms::alarms(&laptop).unwrap().len(), 1);
}

#[test]
fn the_listener_tells_a_new_query_and_stops_when_cancelled_though_its_streams_are_quiet() {
    let scene = Scene::new();
    let (node, _) = scene.start(false);
    let (handle, job) = signet_api::job::channel(|_| {});
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        let listening = s.spawn(|| {
            let on_new = |entry: signet_api::dashboard::AccessEntryView| {
                let _ = tx.send(entry.purpose);
            };
            signet_api::dashboard::listen(&scene.context, &job, &on_new, &|_| {})
        });
        // The streams are open once the first visit is over.
        std::thread::sleep(std::time::Duration::from_secs(2));
        assert_eq!(official_query(node.addr(), "Kontroll-kuulaja"), 200);
        let told = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
        assert_eq!(told.as_deref(), Some("Kontroll-kuulaja"));
        // Nothing more comes: cancelled, the listener returns within one of the node's
        // keep-alives (15 s), not at the next entry.
        let cancelled = std::time::Instant::now();
        handle.cancel();
        listening.join().unwrap().unwrap();
        assert!(
            cancelled.elapsed() < std::time::Duration::from_secs(25),
            "the listener took {:?} to stop",
            cancelled.elapsed()
        );
    });
    scene.stop(node);
}
