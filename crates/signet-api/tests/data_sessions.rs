//! Sessions with a data node, in process: a real signet-node on loopback HTTP, a real SQLCipher
//! vault whose key is in an in-memory keyring, Signet's own logging at trace level into its
//! rotating file, and a clock the test moves. (The CLI tests cover the real Secret Service and
//! the headless machine.)
//!
//! One test binary of its own: logging is set up once per process.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use keyring_core::CredentialStore;
use signet_api::Context;
use signet_api::card::{Pin, PinKind, PinState};
use signet_api::token::TokenSpec;
use signet_core::{Clock as _, FixedClock};
use signet_node::RunningNode;
use signet_testkit::TestPki;
use signet_vault::{KeyringStore, Vault};
use zeroize::Zeroizing;

mod support;
use support::{ORIGIN, PASSWORD, node_config, p12};

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out
}

/// Whether `bytes` hold `token` or any 12 characters of it (a hex dump cuts lines at 16).
fn holds_part_of(bytes: &[u8], token: &str) -> bool {
    token
        .as_bytes()
        .windows(12)
        .any(|piece| bytes.windows(12).any(|w| w == piece))
}

#[test]
fn the_session_is_kept_encrypted_never_logged_refused_when_expired_and_old_files_are_wiped() {
    let logs = tempfile::tempdir().unwrap();
    // Everything Signet's side logs, at trace level, into the real rotating file. The node's own
    // HTTP stack runs in this process too; its events are not Signet's log.
    let guard = signet_api::logging::init_with(
        &signet_api::logging::LogTarget {
            dir: Some(logs.path().to_owned()),
            stderr: false,
        },
        Some("trace,signet_node=off,hyper=off,hyper_util=off,axum=off,tower=off,tokio=off,h2=off"),
    )
    .unwrap();

    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let node: RunningNode = runtime
        .block_on(signet_node::start(node_config(
            &pki,
            &dir.path().join("node.db"),
        )))
        .unwrap();
    let url = format!("http://{}", node.addr());
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("nodes.json"),
        serde_json::json!({"nodes": [{"url": url, "origin": ORIGIN, "logKey": node.verifier().to_text()}]})
            .to_string(),
    )
    .unwrap();
    // A plain session file an earlier Signet left.
    let old_token = "b1d-Plaintext-Session-Token-From-Signet-0.1-x7Q";
    std::fs::create_dir_all(data.join("data/sessions")).unwrap();
    std::fs::write(
        data.join("data/sessions/0123456789abcdef.json"),
        serde_json::json!({"url": url, "session": old_token, "expiresAt": "2099-01-01T00:00:00Z"})
            .to_string(),
    )
    .unwrap();

    let keyring: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let clock = Arc::new(FixedClock::new(signet_core::SystemClock.now()));
    let shared = Arc::clone(&keyring);
    let context = Context::new(&data)
        .with_clock(clock.clone())
        .with_key_store(move |account| Ok(Box::new(KeyringStore::new(&shared, account)?)));
    let spec = TokenSpec::P12 {
        file: p12(&pki, dir.path()),
    };
    let asked = std::cell::Cell::new(0u32);
    let mut ask = |kind: PinKind, _: Option<PinState>| {
        asked.set(asked.get() + 1);
        Ok(Pin::new(kind, Zeroizing::new(PASSWORD.to_owned())).unwrap())
    };

    let summary = signet_api::data::login(&context, &url, &spec, &mut ask).unwrap();
    assert!(summary.session_kept);
    assert!(summary.session_not_kept.is_none());
    // What one login asks (a software token: to open the file, and to sign).
    let per_login = asked.get();
    assert!(per_login >= 1);
    let holdings = signet_api::data::holdings(&context, &url, &spec, &mut ask).unwrap();
    assert_eq!(holdings.records[0].id, "rr-1");
    // The legal basis and the retention come in each language the node offers (issue 18).
    let set = &holdings.data_sets[0];
    assert_eq!(set.legal_basis.en, "Population Register Act § 2");
    assert_eq!(set.retention.ru, "75 лет");
    let report = signet_api::data::usage(&context, &url, &spec, &mut ask).unwrap();
    assert!(report.first_visit);
    assert_eq!(
        asked.get(),
        per_login,
        "holdings and usage used the kept session"
    );
    assert!(!data.join("data/sessions").exists(), "the old file is gone");

    // The token, read back from the vault the way Signet keeps it.
    let vault_path = signet_api::vault::path(&context);
    let account = signet_api::vault::keyring_account(&data);
    let open = || {
        Vault::open(
            &vault_path,
            Box::new(KeyringStore::new(&keyring, &account).unwrap()),
            clock.clone(),
        )
        .unwrap()
    };
    let token = open()
        .session(&url, Duration::ZERO)
        .unwrap()
        .unwrap()
        .token
        .expose()
        .to_owned();
    assert_eq!(token.len(), 43, "32 bytes, base64url");

    // Nowhere in plain text in the data folder, nor in the trace-level log.
    for (path, bytes) in files(&data) {
        assert!(!holds_part_of(&bytes, &token), "{}", path.display());
        assert!(!holds_part_of(&bytes, old_token), "{}", path.display());
    }
    let summary_text = format!("{summary:?}");
    assert!(!holds_part_of(summary_text.as_bytes(), &token));

    // Expired on this laptop's clock (the node would still take it): not used, and deleted.
    clock.advance(Duration::from_secs(901));
    let asked = std::cell::Cell::new(0u32);
    let mut ask = |kind: PinKind, _: Option<PinState>| {
        asked.set(asked.get() + 1);
        Ok(Pin::new(kind, Zeroizing::new(PASSWORD.to_owned())).unwrap())
    };
    assert_eq!(open().session_nodes().unwrap(), vec![url.clone()]);
    signet_api::data::holdings(&context, &url, &spec, &mut ask).unwrap();
    assert_eq!(
        asked.get(),
        per_login,
        "the expired session was refused: logged in again"
    );
    let mut vault = open();
    let fresh = vault.session(&url, Duration::ZERO).unwrap().unwrap();
    assert_ne!(fresh.token.expose(), token, "the old session was replaced");
    let fresh = fresh.token.expose().to_owned();
    drop(vault);

    // A kept session the node no longer knows (it restarted, ended it early): refused with
    // 401, deleted, and the person logged in again, once.
    let stale = "stale-session-the-node-never-issued-0000000";
    open()
        .put_session(
            &url,
            &signet_vault::SessionToken::new(stale.to_owned()).unwrap(),
            clock.now() + Duration::from_secs(3600),
        )
        .unwrap();
    let asked = std::cell::Cell::new(0u32);
    let mut ask = |kind: PinKind, _: Option<PinState>| {
        asked.set(asked.get() + 1);
        Ok(Pin::new(kind, Zeroizing::new(PASSWORD.to_owned())).unwrap())
    };
    let holdings = signet_api::data::holdings(&context, &url, &spec, &mut ask).unwrap();
    assert_eq!(holdings.records[0].id, "rr-1");
    assert_eq!(asked.get(), per_login, "logged in again after the 401");
    let replaced = open().session(&url, Duration::ZERO).unwrap().unwrap();
    assert_ne!(replaced.token.expose(), stale);
    let replaced = replaced.token.expose().to_owned();

    // A vault that does not open (here: a file whose key is not in the keyring) is left exactly
    // as it is, and the session is not kept — nor written anywhere else.
    let damaged = dir.path().join("keyless");
    std::fs::create_dir_all(&damaged).unwrap();
    std::fs::copy(data.join("nodes.json"), damaged.join("nodes.json")).unwrap();
    let garbage = vec![0x5a_u8; 8192];
    std::fs::write(damaged.join(signet_api::vault::VAULT_FILE), &garbage).unwrap();
    let shared = Arc::clone(&keyring);
    let broken = Context::new(&damaged)
        .with_clock(clock.clone())
        .with_key_store(move |account| Ok(Box::new(KeyringStore::new(&shared, account)?)));
    let summary = signet_api::data::login(&broken, &url, &spec, &mut ask).unwrap();
    assert!(!summary.session_kept);
    let why = summary.session_not_kept.unwrap();
    assert!(
        why.contains("not kept") && why.contains("never in plain text"),
        "{why}"
    );
    assert_eq!(
        std::fs::read(damaged.join(signet_api::vault::VAULT_FILE)).unwrap(),
        garbage,
        "the vault was not touched"
    );
    let names: Vec<_> = std::fs::read_dir(&damaged)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "nothing else written: {names:?}");

    runtime.block_on(node.stop());
    drop(guard);
    let log: Vec<u8> = files(logs.path())
        .into_iter()
        .flat_map(|(_, bytes)| bytes)
        .collect();
    let text = String::from_utf8_lossy(&log);
    // The log is really at trace level, and saw the HTTP exchanges and the vault.
    assert!(text.contains("TRACE"), "{text}");
    assert!(text.contains("logged in to the data node"), "{text}");
    assert!(
        text.contains("expired data-node sessions deleted"),
        "{text}"
    );
    assert!(
        text.contains("kept in plain text was overwritten and deleted"),
        "{text}"
    );
    for secret in [
        token.as_str(),
        fresh.as_str(),
        replaced.as_str(),
        stale,
        old_token,
    ] {
        assert!(
            !holds_part_of(&log, secret),
            "the log holds a session token"
        );
    }
}
