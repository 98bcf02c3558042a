//! The session token `signet data login` gets from a node: kept only in the encrypted vault (its
//! key in the system keyring, or on a machine without one derived from the vault's passphrase),
//! never in plain text anywhere in the data folder.
//!
//! A recording relay sits between the CLI and a real signet-node on loopback HTTP, so the tests
//! learn the tokens the node issued (and which ones the CLI sent back) without any help from
//! Signet. The `keyring_` tests need a Secret Service: crates/signet-vault/tests/keyring-session.sh
//! (run by `cargo xtask test`) runs them in a private D-Bus session with gnome-keyring.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use signet_node::RunningNode;

use crate::data::{
    NO_BUS, PASSWORD, Run, VAULT_PASSPHRASE, config, data_dir, open_passphrase_vault, p12, secrets,
    signet, signet_with_keyring, start, start_with, stop, token_arg,
};

/// What went over one relayed connection, one direction.
type Stream = Arc<Mutex<Vec<u8>>>;

/// A TCP relay to a node that keeps every byte both ways.
struct Recorder {
    addr: SocketAddr,
    to_node: Arc<Mutex<Vec<Stream>>>,
    from_node: Arc<Mutex<Vec<Stream>>>,
}

impl Recorder {
    fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let to_node: Arc<Mutex<Vec<Stream>>> = Arc::default();
        let from_node: Arc<Mutex<Vec<Stream>>> = Arc::default();
        let (up, down) = (Arc::clone(&to_node), Arc::clone(&from_node));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(target) else {
                    return;
                };
                relay(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    &up,
                );
                relay(server, client, &down);
            }
        });
        Self {
            addr,
            to_node,
            from_node,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn streams(list: &Mutex<Vec<Stream>>) -> Vec<Vec<u8>> {
        list.lock()
            .unwrap()
            .iter()
            .map(|s| s.lock().unwrap().clone())
            .collect()
    }

    /// Every session token the node issued (`"session":"…"` in its answers), in order.
    fn issued(&self) -> Vec<String> {
        values_after(&Self::streams(&self.from_node), b"\"session\":\"", b'"')
    }

    /// Every bearer token the CLI sent.
    fn sent(&self) -> Vec<String> {
        values_after(&Self::streams(&self.to_node), b"Bearer ", b'\r')
    }
}

fn relay(mut from: TcpStream, mut to: TcpStream, streams: &Mutex<Vec<Stream>>) {
    let stream: Stream = Arc::default();
    streams.lock().unwrap().push(Arc::clone(&stream));
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = to.shutdown(Shutdown::Write);
                    return;
                }
                Ok(n) => {
                    stream.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

fn values_after(streams: &[Vec<u8>], marker: &[u8], end: u8) -> Vec<String> {
    let mut out = Vec::new();
    for bytes in streams {
        let mut rest = &bytes[..];
        while let Some(at) = rest.windows(marker.len()).position(|w| w == marker) {
            rest = &rest[at + marker.len()..];
            let len = rest.iter().position(|b| *b == end).unwrap_or(rest.len());
            out.push(String::from_utf8(rest[..len].to_vec()).unwrap());
            rest = &rest[len..];
        }
    }
    out
}

/// Lists `node`, reached through `url` (the recorder), in Signet's list of nodes.
fn list_node_at(home: &Path, node: &RunningNode, url: &str) {
    let dir = data_dir(home);
    std::fs::create_dir_all(&dir).unwrap();
    let list = serde_json::json!({"nodes": [{
        "url": url,
        "origin": crate::data::ORIGIN,
        "logKey": node.verifier().to_text(),
    }]});
    std::fs::write(dir.join("nodes.json"), list.to_string()).unwrap();
}

/// Every file under `dir`, with its bytes.
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

/// Fails when any file in Signet's data folder holds `token`, or any 12 characters of it.
fn assert_nowhere_in_plain_text(home: &Path, token: &str) {
    assert!(
        token.len() >= 32,
        "a node's token is 43 characters: {}",
        token.len()
    );
    let found = files(&data_dir(home));
    assert!(!found.is_empty());
    for (path, bytes) in found {
        for piece in token.as_bytes().windows(12) {
            assert!(
                !bytes.windows(piece.len()).any(|w| w == piece),
                "{} holds part of the session token",
                path.display()
            );
        }
    }
}

fn login(home: &Path, url: &str, p12: &Path, keyring: bool) -> Run {
    let args = [
        "data",
        "login",
        "--node",
        url,
        "--token",
        &token_arg(p12),
        "--pin-stdin",
        "--json",
    ];
    if keyring {
        signet_with_keyring(home, &args, &format!("{PASSWORD}\n"))
    } else {
        // No keyring: the vault's passphrase is the first line.
        signet(home, &args, &secrets(&[PASSWORD]))
    }
}

/// `signet data holdings --node URL --token … --pin-stdin --json` without a keyring.
fn holdings(home: &Path, url: &str, p12: &Path, stdin: &str) -> Run {
    signet(
        home,
        &[
            "data",
            "holdings",
            "--node",
            url,
            "--token",
            &token_arg(p12),
            "--pin-stdin",
            "--json",
        ],
        stdin,
    )
}

/// Every file in the data folder but the log files, with its bytes.
fn vault_files(home: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let logs = data_dir(home).join("logs");
    let mut found: Vec<_> = files(&data_dir(home))
        .into_iter()
        .filter(|(path, _)| !path.starts_with(&logs))
        .collect();
    found.sort();
    found
}

#[test]
fn without_a_keyring_the_session_is_kept_in_the_passphrase_vault_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let relay = Recorder::start(node.addr());
    let url = relay.url();
    list_node_at(&home, &node, &url);

    // The vault's passphrase first on standard input, then the PKCS#12 password.
    let run = login(&home, &url, &p12, false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body = run.json();
    assert_eq!(body["sessionKept"], true, "{body}");
    assert!(body.get("sessionNotKept").is_none(), "{body}");
    assert!(!run.stderr.contains("not kept"), "{}", run.stderr);
    let issued = relay.issued();
    assert_eq!(issued.len(), 1, "{issued:?}");

    // The passphrase file marks the vault: cost, salt and generation, never the key or the
    // passphrase.
    let data = data_dir(&home);
    let marker = std::fs::read_to_string(data.join("vault.db.passphrase")).unwrap();
    assert!(
        marker.starts_with("signet-vault-passphrase 1\nargon2id 65536 3 4\nsalt "),
        "{marker}"
    );
    let vault = std::fs::read(data.join("vault.db")).unwrap();
    assert!(!vault.starts_with(b"SQLite format 3\0"));

    // The next command, another process: only the vault's passphrase on standard input, no
    // password line. The kept session serves it; no second login.
    let served = holdings(&home, &url, &p12, &secrets(&[]));
    assert_eq!(served.code, 0, "{}{}", served.stdout, served.stderr);
    assert_eq!(served.json()["records"][0]["id"], "rr-1");
    // `verify` opens the vault twice (sessions, then the kept receipts): asked once.
    let verify = signet(
        &home,
        &["data", "verify", "--node", &url, "--pin-stdin", "--json"],
        &secrets(&[]),
    );
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(relay.issued().len(), 1, "no second login");
    assert_eq!(relay.sent(), [issued[0].clone(), issued[0].clone()]);

    // At rest: in the vault, encrypted; neither the token nor the passphrase anywhere in plain
    // text (the log files included).
    assert_nowhere_in_plain_text(&home, &issued[0]);
    assert_nowhere_in_plain_text(&home, VAULT_PASSPHRASE);
    assert!(!data.join("data/sessions").exists());
    let mut vault = open_passphrase_vault(&home);
    let kept = vault.session(&url, Duration::ZERO).unwrap().unwrap();
    assert_eq!(kept.token.expose(), issued[0]);
    vault.wipe().unwrap();
    stop(node);
}

#[test]
fn without_a_keyring_a_wrong_vault_passphrase_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let relay = Recorder::start(node.addr());
    let url = relay.url();
    list_node_at(&home, &node, &url);
    assert_eq!(login(&home, &url, &p12, false).code, 0);
    let before = vault_files(&home);
    assert_eq!(before.len(), 3, "nodes.json, vault.db, vault.db.passphrase");

    // A wrong passphrase, then the password: refused before any login, the password line
    // unread, nothing written.
    let wrong = holdings(
        &home,
        &url,
        &p12,
        &format!("not the vault's passphrase\n{PASSWORD}\n"),
    );
    assert_eq!(wrong.code, 65, "{}{}", wrong.stdout, wrong.stderr);
    let error = &wrong.json()["error"];
    assert_eq!(error["code"], "INVALID_INPUT");
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with("the passphrase is wrong"), "{message}");
    assert!(message.contains("the vault was not changed"), "{message}");
    assert!(
        !error["recommendation"].as_str().unwrap().is_empty(),
        "{error}"
    );
    // Standard error says nothing more than the error: no SQLCipher noise.
    assert!(
        !wrong.stderr.contains("hmac") && !wrong.stderr.contains("decrypting"),
        "{}",
        wrong.stderr
    );
    assert_eq!(relay.issued().len(), 1, "no login with a wrong passphrase");
    assert!(relay.sent().is_empty());
    assert_eq!(vault_files(&home), before, "the vault is unchanged");

    // Nor is a missing passphrase taken as a new one: standard input ends.
    let none = holdings(&home, &url, &p12, "");
    assert_eq!(none.code, 65, "{}", none.stdout);
    assert!(
        none.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ended before the passphrase of Signet's vault was given"),
        "{}",
        none.stdout
    );
    assert_eq!(vault_files(&home), before);

    // The right one still opens it, with the session kept before.
    let served = holdings(&home, &url, &p12, &secrets(&[]));
    assert_eq!(served.code, 0, "{}{}", served.stdout, served.stderr);
    assert_eq!(relay.issued().len(), 1);
    stop(node);
}

#[test]
fn on_a_terminal_the_vault_s_passphrase_is_asked_without_echo_and_again_when_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let relay = Recorder::start(node.addr());
    let url = relay.url();
    list_node_at(&home, &node, &url);
    assert_eq!(login(&home, &url, &p12, false).code, 0);

    let (code, screen) = crate::terminal::signet_on_terminal_with_env(
        &[
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token_arg(&p12),
            "--json",
        ],
        &[
            ("DBUS_SESSION_BUS_ADDRESS", NO_BUS),
            ("XDG_DATA_HOME", home.to_str().unwrap()),
            ("RUST_LOG", "off"),
        ],
        None,
        &["not the vault's passphrase", VAULT_PASSPHRASE],
    );
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        screen.matches("Passphrase of Signet's vault: ").count(),
        2,
        "{screen}"
    );
    assert!(
        screen.contains("That passphrase does not open Signet's vault; try again."),
        "{screen}"
    );
    assert!(
        !screen.contains(VAULT_PASSPHRASE) && !screen.contains("not the vault's"),
        "typed without echo: {screen}"
    );
    assert!(screen.contains("rr-1"), "{screen}");
    assert_eq!(relay.issued().len(), 1, "the kept session served it");
    stop(node);
}

#[test]
fn without_its_keyring_a_keyring_vault_is_left_alone_and_nothing_is_kept() {
    // A vault made where a keyring was (no passphrase file beside it), used where none is: it
    // is neither opened nor replaced by a passphrase vault; the session is used and not kept.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let relay = Recorder::start(node.addr());
    let url = relay.url();
    list_node_at(&home, &node, &url);
    let keyring_vault = vec![0x5a_u8; 8192];
    std::fs::write(data_dir(&home).join("vault.db"), &keyring_vault).unwrap();

    // No passphrase is asked: the first line is the password.
    let run = signet(
        &home,
        &[
            "data",
            "login",
            "--node",
            &url,
            "--token",
            &token_arg(&p12),
            "--pin-stdin",
            "--json",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body = run.json();
    assert_eq!(body["sessionKept"], false, "{body}");
    let why = body["sessionNotKept"].as_str().unwrap();
    for part in [
        "not kept",
        "never in plain text",
        "system keyring that is not available here",
        "does not replace that vault",
    ] {
        assert!(why.contains(part), "{why}");
    }
    // One line for people on standard error too, without the keyring library's own words.
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("not kept"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains(why), "{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);

    assert_eq!(
        std::fs::read(data_dir(&home).join("vault.db")).unwrap(),
        keyring_vault
    );
    assert!(!data_dir(&home).join("vault.db.passphrase").exists());
    let issued = relay.issued();
    assert_eq!(issued.len(), 1);
    assert_nowhere_in_plain_text(&home, &issued[0]);
    stop(node);
}

#[test]
fn a_plaintext_session_file_of_an_earlier_version_is_overwritten_then_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let url = crate::data::list_node(&home, &node);
    let old_token = "b1d-Plaintext-Session-Token-From-Signet-0.1-x7Q";
    let sessions = data_dir(&home).join("data/sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let text = serde_json::json!({
        "url": url, "session": old_token, "expiresAt": "2099-01-01T00:00:00Z"
    })
    .to_string();
    let old = sessions.join("0123456789abcdef.json");
    let leftover = sessions.join(".0123456789abcdef.json.tmp");
    std::fs::write(&old, &text).unwrap();
    std::fs::write(&leftover, &text).unwrap();
    // A second name for the file's bytes, outside the folder: what the overwrite left there.
    let inode = dir.path().join("old-session-inode");
    std::fs::hard_link(&old, &inode).unwrap();

    let run = signet(
        &home,
        &[
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token_arg(&p12),
            "--pin-stdin",
            "--json",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!old.exists() && !leftover.exists());
    assert!(!sessions.exists(), "the emptied folder is removed");
    let left = std::fs::read(&inode).unwrap();
    assert_eq!(left.len(), text.len());
    assert!(
        left.iter().all(|b| *b == 0),
        "overwritten with zeros before deletion"
    );
    assert_nowhere_in_plain_text(&home, old_token);
    stop(node);
}

fn open_vault(home: &Path) -> signet_vault::Vault {
    let data = data_dir(home);
    let store =
        signet_vault::KeyringStore::secret_service(&signet_api::vault::keyring_account(&data))
            .unwrap();
    signet_vault::Vault::open(
        data.join(signet_api::vault::VAULT_FILE),
        Box::new(store),
        Arc::new(signet_core::SystemClock),
    )
    .unwrap()
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn keyring_a_session_survives_between_commands_encrypted_in_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let relay = Recorder::start(node.addr());
    let url = relay.url();
    list_node_at(&home, &node, &url);

    let run = login(&home, &url, &p12, true);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["sessionKept"], true, "{}", run.stdout);
    assert!(run.json().get("sessionNotKept").is_none());
    let issued = relay.issued();
    assert_eq!(issued.len(), 1);

    // Another process, no token and no password: only the kept session can serve it (the
    // default token, the card, cannot be asked for a PIN without a terminal).
    let holdings = signet_with_keyring(&home, &["data", "holdings", "--node", &url, "--json"], "");
    assert_eq!(holdings.code, 0, "{}{}", holdings.stdout, holdings.stderr);
    assert_eq!(holdings.json()["records"][0]["id"], "rr-1");
    let verify = signet_with_keyring(&home, &["data", "verify", "--node", &url, "--json"], "");
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(relay.issued().len(), 1, "no second login");
    assert_eq!(relay.sent(), [issued[0].clone(), issued[0].clone()]);

    // At rest: in the vault, encrypted; nowhere in plain text.
    assert_nowhere_in_plain_text(&home, &issued[0]);
    let file = std::fs::read(data_dir(&home).join("vault.db")).unwrap();
    assert!(!file.starts_with(b"SQLite format 3\0"));
    let mut vault = open_vault(&home);
    let kept = vault.session(&url, Duration::ZERO).unwrap().unwrap();
    assert_eq!(kept.token.expose(), issued[0]);
    vault.wipe().unwrap();
    stop(node);
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn keyring_an_expired_session_is_refused_and_purged() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let mut cfg = config(&dir.path().join("node.db"), false);
    cfg.session_lifetime = Duration::from_secs(2);
    let node = start_with(cfg);
    let relay = Recorder::start(node.addr());
    let url = relay.url();
    list_node_at(&home, &node, &url);

    let run = login(&home, &url, &p12, true);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["sessionKept"], true);
    assert_eq!(
        open_vault(&home).session_nodes().unwrap(),
        vec![url.clone()]
    );

    std::thread::sleep(Duration::from_secs(3));
    // Expired: not sent, so the command has to log in, and without the password it cannot.
    let refused = signet_with_keyring(
        &home,
        &[
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token_arg(&p12),
            "--pin-stdin",
            "--json",
        ],
        "",
    );
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(relay.sent().is_empty(), "the expired token was sent");
    let vault = open_vault(&home);
    assert!(vault.session_nodes().unwrap().is_empty(), "purged");
    vault.wipe().unwrap();
    stop(node);
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn keyring_consent_receipts_are_kept_in_the_vault_and_verified_offline() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let url = crate::data::list_node(&home, &node);
    assert_eq!(login(&home, &url, &p12, true).code, 0);
    let restrict = [
        "data",
        "consents",
        "restrict",
        "--data-set",
        "population",
        "--to",
        "EE/GOV/70008747",
        "--idempotency-key",
        "k-1",
        "--node",
        &url,
        "--json",
    ];
    let changed = signet_with_keyring(&home, &restrict, "");
    assert_eq!(changed.code, 0, "{}{}", changed.stdout, changed.stderr);
    assert_eq!(changed.json()["receiptKept"], true, "{}", changed.stdout);
    // A retry gives the same receipt, kept once.
    assert_eq!(signet_with_keyring(&home, &restrict, "").code, 0);
    let verify = signet_with_keyring(&home, &["data", "verify", "--node", &url, "--json"], "");
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(verify.json()["receiptsVerified"], 1, "{}", verify.stdout);

    // Offline: the node is gone, the vault's receipt still verifies against the pinned keys.
    stop(node);
    let offline = [
        "data",
        "consents",
        "receipts",
        "--offline",
        "--node",
        &url,
        "--json",
    ];
    let kept = signet_with_keyring(&home, &offline, "");
    assert_eq!(kept.code, 0, "{}{}", kept.stdout, kept.stderr);
    let body = kept.json();
    assert_eq!(body["receipts"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["receipts"][0], changed.json()["receipt"]);

    // A receipt changed in the vault no longer verifies.
    let mut vault = open_vault(&home);
    let mut forged = changed.json()["receipt"].clone();
    forged["receipt"]["consent"]["decision"] = "permit".into();
    let consent = vault.consents().unwrap().pop().unwrap();
    vault
        .put_consent_receipt(&consent.id, forged.to_string().as_bytes())
        .unwrap();
    drop(vault);
    let refused = signet_with_keyring(&home, &offline, "");
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("does not verify"),
        "{}",
        refused.stdout
    );
    open_vault(&home).wipe().unwrap();
}

#[test]
#[ignore = "needs a Secret Service: run by crates/signet-vault/tests/keyring-session.sh"]
fn keyring_receipts_of_every_kind_are_kept_and_verified_offline() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let db = dir.path().join("node.db");
    let node = start(&db, false);
    let url = crate::data::list_node(&home, &node);
    assert_eq!(login(&home, &url, &p12, true).code, 0);
    let keyring = |args: &[&str]| {
        let mut all = vec!["data"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--node", &url, "--json"]);
        signet_with_keyring(&home, &all, "")
    };
    let filed = keyring(&crate::cases::CORRECT);
    assert_eq!(filed.code, 0, "{}{}", filed.stdout, filed.stderr);
    assert_eq!(filed.json()["receiptKept"], true, "{}", filed.stdout);
    let id = filed.json()["receipt"]["receipt"]["case"]["correction"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reported = keyring(&["report", "--entry", "0", "--comment", "Kes see oli?"]);
    assert_eq!(reported.code, 0, "{}{}", reported.stdout, reported.stderr);
    let restrict = keyring(&[
        "consents",
        "restrict",
        "--data-set",
        "population",
        "--to",
        "EE/GOV/70008747",
    ]);
    assert_eq!(restrict.code, 0, "{}{}", restrict.stdout, restrict.stderr);

    // The agency rejects the correction; listing the corrections keeps the decision's receipt.
    signet_node::operator::Operator::open(&db.clone().into())
        .unwrap()
        .reject(
            &id,
            "Rahvastikuregistris on Tähe 4",
            signet_data::Timestamp::from_system(signet_core::Clock::now(&signet_core::SystemClock)),
        )
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while keyring(&["corrections"]).json()["receipts"]
        .as_array()
        .unwrap()
        .len()
        < 2
    {
        assert!(std::time::Instant::now() < deadline, "no decision receipt");
        std::thread::sleep(Duration::from_millis(100));
    }
    let verify = keyring(&["verify"]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(verify.json()["receiptsVerified"], 4, "{}", verify.stdout);

    // Offline: the node is gone; every kind of receipt still verifies against the pinned keys,
    // a retried listing kept none twice.
    stop(node);
    let kept = signet_with_keyring(&home, &["data", "receipts", "--json"], "");
    assert_eq!(kept.code, 0, "{}{}", kept.stdout, kept.stderr);
    let body = kept.json();
    assert_eq!(body["verified"], true);
    let kinds: Vec<(String, String)> = body["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("correction".to_owned(), "filed".to_owned()),
            ("misuseReport".to_owned(), "filed".to_owned()),
            ("consent".to_owned(), "restricted".to_owned()),
            ("correction".to_owned(), "rejected".to_owned()),
        ]
    );
    assert_eq!(body["receipts"][0]["receipt"], filed.json()["receipt"]);

    // A receipt changed in the vault no longer verifies.
    let mut vault = open_vault(&home);
    let mut forged = filed.json()["receipt"].clone();
    forged["receipt"]["case"]["correction"]["proposedValue"] = "Kuu 1, Tartu".into();
    let agency = signet_vault::AgencyId::new(crate::data::LOG_ORIGIN).unwrap();
    vault
        .put_receipt(&agency, "correction", &id, forged.to_string().as_bytes())
        .unwrap();
    drop(vault);
    let refused = signet_with_keyring(&home, &["data", "receipts", "--json"], "");
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("does not verify"),
        "{}",
        refused.stdout
    );
    open_vault(&home).wipe().unwrap();
}
