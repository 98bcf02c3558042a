//! `signet data login|holdings|usage|verify` against a real signet-node on loopback HTTP, logging
//! in with a PKCS#12 software token that holds the test PKI's authentication certificate.

use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use signet_core::Clock as _;
use signet_data::entry::{OrgType, Organization, PersonCode};
use signet_data::holdings::{DataSet, Field, FieldKind, FieldValue, Localized, Record};
use signet_data::webeid::Origin;
use signet_node::certs::{DemoCa, pem};
use signet_node::{Member, NodeConfig, PersonTls, RunningNode, Seed};
use signet_pki::{Cert, TrustAnchors};
use signet_testkit::{Role, TestPki};

pub(crate) const ORIGIN: &str = "https://rr.signet.test";
pub(crate) const LOG_ORIGIN: &str = "rr.signet.test/usage";
const PROVIDER: &str = "EE/GOV/70000562/rr";
const POLICE: &str = "EE/GOV/70008747/polis";
pub(crate) const MARI: &str = "EE38001085718";
pub(crate) const PASSWORD: &str = "Mari parool 7";
/// The passphrase of the vault `signet` keeps its data in here: there is no system keyring, so
/// the vault is kept with a passphrase, and with `--pin-stdin` it is the first line of standard
/// input ([`secrets`]).
pub(crate) const VAULT_PASSPHRASE: &str = "the tests' vault, seven horses strong";

/// Standard input for `--pin-stdin` on a machine without a keyring: the vault's passphrase, then
/// one line each of `lines` (the PINs or passwords).
pub(crate) fn secrets(lines: &[&str]) -> String {
    let mut text = format!("{VAULT_PASSPHRASE}\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

pub(crate) fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::start().unwrap())
}

pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub(crate) fn config(db: &Path, rewritten: bool) -> NodeConfig {
    let pki = pki();
    let text = |et: &str, en: &str, ru: &str| Localized {
        et: et.into(),
        en: en.into(),
        ru: ru.into(),
    };
    let population = DataSet {
        id: "population".into(),
        title: text(
            "Rahvastikuregister",
            "Population register",
            "Регистр народонаселения",
        ),
        categories: vec!["identity".into()],
        fields: vec![Field {
            id: "address".into(),
            title: text("Aadress", "Address", "Адрес"),
            kind: FieldKind::Text,
        }],
        last_change: None,
        legal_basis: text(
            "Rahvastikuregistri seadus § 2",
            "Population Register Act § 2",
            "Закон о регистре народонаселения § 2",
        ),
        retention: text("75 aastat", "75 years", "75 лет"),
    };
    NodeConfig {
        database: db.into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        origin: Origin::parse(ORIGIN).unwrap(),
        agency_name: "Siseministeerium (Rahvastikuregister)".into(),
        provider: PROVIDER.into(),
        log_origin: LOG_ORIGIN.into(),
        log_key: ed25519_dalek::SigningKey::from_bytes(&[42; 32]),
        receipt_key: ed25519_dalek::SigningKey::from_bytes(&[43; 32]),
        max_hidden: Duration::from_secs(30 * 86_400),
        access: signet_node::AccessPolicy::default().permit(
            "population",
            "police",
            &["EE/GOV/70008747/polis"],
        ),
        anchors: TrustAnchors::new([Cert::from_der(pki.der(Role::Root)).unwrap()]),
        intermediates: vec![Cert::from_der(pki.der(Role::IssuingCa)).unwrap()],
        ocsp: None,
        official_tls: None,
        loopback_officials_without_tls: true,
        person_tls: None,
        members: vec![Member {
            client: POLICE.into(),
            organization: Organization {
                org_type: OrgType::Gov,
                code: "70008747".into(),
                name: "Politsei- ja Piirivalveamet".into(),
                system_name: None,
            },
            may_hide: false,
            portal: false,
            certificate: None,
        }],
        seed: Seed {
            data_sets: vec![population],
            records: vec![(
                PersonCode::new(MARI).unwrap(),
                Record {
                    data_set: "population".into(),
                    id: "rr-1".into(),
                    updated: "2026-03-01T10:00:00Z".parse().unwrap(),
                    values: [(
                        "address".to_owned(),
                        FieldValue::Text("Tähe 4, Tartu".into()),
                    )]
                    .into_iter()
                    .collect(),
                },
            )],
            consents: Vec::new(),
        },
        checkpoint_interval: Duration::from_millis(50),
        session_lifetime: Duration::from_secs(900),
        clock: Arc::new(signet_core::SystemClock),
        limits: signet_node::Limits::default(),
        accept_rewritten_log: rewritten,
    }
}

pub(crate) fn start(db: &Path, rewritten: bool) -> RunningNode {
    start_with(config(db, rewritten))
}

pub(crate) fn start_with(config: NodeConfig) -> RunningNode {
    runtime().block_on(signet_node::start(config)).unwrap()
}

/// A node serving persons over TLS with a server certificate for 127.0.0.1 from `ca`.
fn start_tls(db: &Path, ca: &DemoCa) -> RunningNode {
    let server = ca
        .server(
            "rr.signet.test",
            &["rr.signet.test"],
            &["127.0.0.1".parse().unwrap()],
            2,
        )
        .unwrap();
    let mut cfg = config(db, false);
    // Persons over TLS: no official routes on that listener.
    cfg.loopback_officials_without_tls = false;
    cfg.person_tls = Some(PersonTls {
        certificate_chain: vec![server.der, ca.der.clone()],
        private_key_pkcs8: server.key_pkcs8,
    });
    runtime().block_on(signet_node::start(cfg)).unwrap()
}

pub(crate) fn stop(node: RunningNode) {
    runtime().block_on(node.stop());
}

/// A plain HTTP/1.1 official query (the node names the member by `X-Road-Client` when it has
/// no mutual-TLS listener); the status.
pub(crate) fn official_query(addr: SocketAddr, purpose: &str) -> u16 {
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "GET /r1/{PROVIDER}/getRecords/{MARI}/population HTTP/1.1\r\nHost: {addr}\r\nX-Road-Client: {POLICE}\r\nX-Road-Id: q-{}\r\nX-Road-UserId: EE47101010033\r\nX-Road-PDU-Purpose: {purpose}\r\nConnection: close\r\n\r\n",
        std::process::id()
    )
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap()
}

/// Mari Tamm's authentication key and certificate as a PKCS#12 file, exported by OpenSSL.
pub(crate) fn p12(dir: &Path) -> PathBuf {
    let issued = pki().get(Role::Authentication);
    let out = dir.join("mari-auth.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-out")
        .arg(&out)
        .arg("-passout")
        .arg(format!("pass:{PASSWORD}"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

/// Signet's data folder under `home` (`XDG_DATA_HOME`).
pub(crate) fn data_dir(home: &Path) -> PathBuf {
    home.join("ee.signet.Signet")
}

/// Puts `node` into Signet's list of nodes with its pinned checkpoint key.
pub(crate) fn list_node(home: &Path, node: &RunningNode) -> String {
    list_node_with(home, node, None)
}

/// The same, for a node reached over TLS with its CA pinned (`tls_ca`, a PEM file).
fn list_node_with(home: &Path, node: &RunningNode, tls_ca: Option<&Path>) -> String {
    let scheme = if tls_ca.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{}", node.addr());
    let dir = data_dir(home);
    std::fs::create_dir_all(&dir).unwrap();
    let mut listing = serde_json::json!({
        "url": url,
        "origin": ORIGIN,
        "logKey": node.verifier().to_text(),
        "receiptKey": node.receipt_verifier().to_text(),
        "name": "Rahvastikuregister",
    });
    if let Some(ca) = tls_ca {
        listing["tlsCa"] = serde_json::json!(ca);
    }
    let list = serde_json::json!({"nodes": [listing]});
    std::fs::write(dir.join("nodes.json"), list.to_string()).unwrap();
    url
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout is not one JSON document: {}", self.stdout))
    }
}

/// A session bus address that leads nowhere: no Secret Service, so no keyring (a headless
/// machine, and never the developer's own keyring).
pub(crate) const NO_BUS: &str = "unix:path=/nonexistent/signet-test-bus";

/// Runs `signet data …` with `stdin` as standard input and `home` as the data home, on a machine
/// without a keyring.
pub(crate) fn signet(home: &Path, args: &[&str], stdin: &str) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signet"));
    command.env("DBUS_SESSION_BUS_ADDRESS", NO_BUS);
    run_signet(command, home, args, stdin)
}

/// The same in this process's session bus (the private one of keyring-session.sh).
pub(crate) fn signet_with_keyring(home: &Path, args: &[&str], stdin: &str) -> Run {
    run_signet(
        Command::new(env!("CARGO_BIN_EXE_signet")),
        home,
        args,
        stdin,
    )
}

fn run_signet(mut command: Command, home: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = command
        .args(args)
        .env("XDG_DATA_HOME", home)
        .env("RUST_LOG", "off")
        // Text shows local times: UTC here, whatever the machine's zone.
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The vault `signet` made in `home` without a keyring, opened with [`VAULT_PASSPHRASE`].
pub(crate) fn open_passphrase_vault(home: &Path) -> signet_vault::Vault {
    let vault = data_dir(home).join(signet_api::vault::VAULT_FILE);
    let store = signet_vault::PassphraseStore::new(
        signet_vault::Passphrase::new(VAULT_PASSPHRASE).unwrap(),
        signet_vault::PassphraseStore::file_beside(&vault),
        signet_vault::Argon2Cost::RECOMMENDED,
    );
    signet_vault::Vault::open(vault, Box::new(store), Arc::new(signet_core::SystemClock)).unwrap()
}

pub(crate) fn token_arg(p12: &Path) -> String {
    format!("p12:{}", p12.display())
}

/// Waits until the node's checkpoint covers `size` entries.
pub(crate) fn wait_for_size(addr: SocketAddr, size: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut tcp = std::net::TcpStream::connect(addr).unwrap();
        write!(
            tcp,
            "GET /v1/checkpoint HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).unwrap();
        let signed = answer
            .split("\r\n\r\n")
            .nth(1)
            .and_then(|body| body.lines().nth(1))
            .and_then(|l| l.parse::<u64>().ok())
            .unwrap_or(0);
        if signed >= size {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint of size {size}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn data_commands_log_in_read_holdings_and_verify_the_log_across_visits() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let token = token_arg(&p12);
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    // Login with the software token: no keyring here, so the vault's passphrase comes first on
    // standard input (it makes the vault, kept with that passphrase), then the password.
    let login = signet(
        &home,
        &[
            "data",
            "login",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--json",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(login.code, 0, "{}", login.stderr);
    let body = login.json();
    assert_eq!(body["node"], url);
    assert!(body["name"].as_str().unwrap().contains("MARI"), "{body}");
    assert_eq!(body["sessionKept"], true, "{body}");

    // So the other data commands need only the vault's passphrase: the session is kept.
    let pin = secrets(&[]);
    let holdings = signet(
        &home,
        &[
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--json",
        ],
        &pin,
    );
    assert_eq!(holdings.code, 0, "{}", holdings.stderr);
    let body = holdings.json();
    assert_eq!(body["agency"], "Siseministeerium (Rahvastikuregister)");
    assert_eq!(
        body["records"][0]["values"]["address"]["value"],
        "Tähe 4, Tartu"
    );
    assert_eq!(
        body["dataSets"][0]["title"]["ru"],
        "Регистр народонаселения"
    );
    // In text, the data sets' names are in the language asked for, never a mixture.
    let english = body["dataSets"][0]["title"]["en"]
        .as_str()
        .unwrap()
        .to_owned();
    for (lang, shown, not_shown) in [
        ("ru", "Регистр народонаселения", english.as_str()),
        ("en", english.as_str(), "Регистр народонаселения"),
    ] {
        let args = [
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--lang",
            lang,
        ];
        let run = signet(&home, &args, &pin);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(shown) && !run.stdout.contains(not_shown),
            "{lang}: {}",
            run.stdout
        );
    }
    // The legal basis and the retention too: English when asked for English (they were
    // Estonian whatever the language).
    for (lang, shown, not_shown) in [
        (
            "en",
            ["legal basis: Population Register Act § 2", "kept: 75 years"],
            ["seadus", "aastat", "Закон"],
        ),
        (
            "ru",
            ["Закон о регистре народонаселения § 2", "kept: 75 лет"],
            ["seadus", "aastat", "Act"],
        ),
        (
            "et",
            ["Rahvastikuregistri seadus § 2", "kept: 75 aastat"],
            ["Act", "years", "Закон"],
        ),
    ] {
        let args = [
            "data",
            "holdings",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--lang",
            lang,
        ];
        let run = signet(&home, &args, &pin);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            shown.iter().all(|s| run.stdout.contains(s))
                && !not_shown.iter().any(|s| run.stdout.contains(s)),
            "{lang}: {}",
            run.stdout
        );
    }

    // Two official queries; the first visit verifies them and stores the checkpoint.
    for _ in 0..2 {
        assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    }
    wait_for_size(node.addr(), 2);
    let first = signet(
        &home,
        &[
            "data",
            "usage",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--json",
        ],
        &pin,
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let body = first.json();
    assert_eq!(body["firstVisit"], true);
    assert_eq!(body["log"], LOG_ORIGIN);
    assert_eq!(body["size"], 2);
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["entry"]["purpose"], "Kontroll");
    assert_eq!(entries[0]["entry"]["subject"], MARI);
    // In text, the official is named as a person reads them, and the time is RFC 3339.
    let args = [
        "data",
        "usage",
        "--node",
        &url,
        "--token",
        &token,
        "--pin-stdin",
    ];
    let text = signet(&home, &args, &pin);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let line = text.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        line.contains(", by EE47101010033: Kontroll"),
        "{}",
        text.stdout
    );
    assert!(
        line.split(' ')
            .nth(1)
            .is_some_and(|t| t.len() == 20 && t.ends_with('Z')),
        "{line}"
    );
    // The checkpoint is kept in the vault, not in a plain file.
    assert!(!data_dir(&home).join("data/checkpoints.json").exists());
    let stored = open_passphrase_vault(&home)
        .latest_checkpoint(&signet_vault::LogId::new(LOG_ORIGIN).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.tree_size, 2);

    // The next visit proves consistency with the stored checkpoint.
    assert_eq!(official_query(node.addr(), "Teine%20kontroll"), 200);
    wait_for_size(node.addr(), 3);
    let second = signet(
        &home,
        &[
            "data",
            "verify",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &pin,
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second
            .stdout
            .starts_with(&format!("verified: the log {LOG_ORIGIN} of {url} at size 3 extends the stored size 2; 3 of your entries verified")),
        "{}",
        second.stdout
    );
    stop(node);
}

#[test]
fn a_node_that_is_not_listed_is_refused_and_its_key_never_learned() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = signet(
        &home,
        &["data", "verify", "--node", "http://127.0.0.1:9", "--json"],
        "",
    );
    assert_eq!(run.code, 65, "{}", run.stdout);
    let body = run.json();
    assert_eq!(body["error"]["code"], "INVALID_INPUT");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not in Signet's list of nodes"),
        "{body}"
    );
}

#[test]
fn a_wrong_password_is_an_input_error_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
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
        ],
        &secrets(&["wrong password"]),
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("signet:"), "{}", run.stderr);
    assert!(!data_dir(&home).join("data/sessions").exists());
    let vault = open_passphrase_vault(&home);
    assert!(vault.session_nodes().unwrap().is_empty(), "no session kept");
    stop(node);
}

/// Two visits' worth of history, then `sql` changes the node's database; the node is started
/// as a compromised one that signs the rewritten log.
fn rewritten(sql: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let token = token_arg(&p12);
    let db = dir.path().join("node.db");
    let node = start(&db, false);
    let url = list_node(&home, &node);
    for _ in 0..3 {
        assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    }
    wait_for_size(node.addr(), 3);
    let first = signet(
        &home,
        &[
            "data",
            "verify",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &secrets(&[PASSWORD]),
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    stop(node);

    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    let node = start(&db, true);
    let url = list_node(&home, &node);
    assert_eq!(official_query(node.addr(), "Kontroll"), 200);
    wait_for_size(node.addr(), 3);
    let run = signet(
        &home,
        &[
            "data",
            "verify",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
        ],
        &secrets(&[PASSWORD]),
    );
    let again = signet(
        &home,
        &[
            "data",
            "verify",
            "--node",
            &url,
            "--token",
            &token,
            "--pin-stdin",
            "--json",
        ],
        &secrets(&[PASSWORD]),
    );
    stop(node);
    // The stored checkpoint was kept: the second attempt fails the same way.
    assert_eq!(again.code, 1, "{}", again.stderr);
    let body = again.json();
    assert_eq!(body["verified"], false);
    assert_eq!(body["problem"]["kind"], "historyRewritten");
    assert_eq!(body["problem"]["log"], LOG_ORIGIN);
    assert_eq!(body["problem"]["oldSize"], 3);
    run
}

fn assert_history_rewritten(run: &Run) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // Diagnostics may come first on standard error; the error line says what happened.
    assert!(
        run.stderr.lines().any(|l| l.starts_with(&format!(
            "signet: history rewritten: the log {LOG_ORIGIN} at size "
        ))),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("is not an extension of the log at size 3 the person stored"),
        "{}",
        run.stderr
    );
}

#[test]
fn data_verify_catches_a_changed_entry() {
    let run = rewritten(
        "UPDATE entries SET entry = CAST(replace(CAST(entry AS TEXT), 'Kontroll', 'Uudishimu') AS BLOB) WHERE idx = 1;",
    );
    assert_history_rewritten(&run);
}

#[test]
fn data_verify_catches_a_deleted_entry() {
    let run = rewritten("DELETE FROM entries WHERE idx = 0;");
    assert_history_rewritten(&run);
}

#[test]
fn data_verify_catches_reordered_entries() {
    let run = rewritten(
        "UPDATE entries SET idx = 100 WHERE idx = 0; UPDATE entries SET idx = 0 WHERE idx = 2; UPDATE entries SET idx = 2 WHERE idx = 100;",
    );
    assert_history_rewritten(&run);
}

#[test]
fn data_commands_over_tls_trust_the_pinned_ca_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let p12 = p12(dir.path());
    let now = signet_core::SystemClock.now();
    let ca = DemoCa::new("Signet test node CA", now).unwrap();
    let ca_pem = dir.path().join("node-ca.pem");
    std::fs::write(&ca_pem, pem("CERTIFICATE", &ca.der)).unwrap();
    let node = start_tls(&dir.path().join("node.db"), &ca);
    let url = list_node_with(&home, &node, Some(&ca_pem));
    assert!(url.starts_with("https://127.0.0.1:"));

    let run = signet(
        &home,
        &[
            "data",
            "verify",
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
    let body = run.json();
    assert_eq!(body["verified"], true);
    assert_eq!(body["firstVisit"], true);
    assert_eq!(body["size"], 0);
    let holdings = signet(
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
    assert_eq!(holdings.code, 0, "{}", holdings.stderr);
    assert_eq!(
        holdings.json()["records"][0]["values"]["address"]["value"],
        "Tähe 4, Tartu"
    );

    // Another CA pinned: the node's certificate is refused, nothing is sent.
    let other = DemoCa::new("Someone else", now).unwrap();
    let other_pem = dir.path().join("other-ca.pem");
    std::fs::write(&other_pem, pem("CERTIFICATE", &other.der)).unwrap();
    let home2 = dir.path().join("home2");
    let url = list_node_with(&home2, &node, Some(&other_pem));
    let run = signet(&home2, &["data", "verify", "--node", &url, "--json"], "");
    assert_eq!(run.code, 75, "{}", run.stdout);
    let message = run.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("did not answer"), "{message}");
    assert!(!data_dir(&home2).join("vault.db").exists(), "nothing kept");
    stop(node);
}

#[test]
fn a_node_whose_checkpoints_are_not_signed_by_the_pinned_key_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = start(&dir.path().join("node.db"), false);
    let url = list_node(&home, &node);
    // The person pinned another key for this log (as if the node's operator swapped it).
    let other =
        signet_data::NoteSigner::new(LOG_ORIGIN, ed25519_dalek::SigningKey::from_bytes(&[7; 32]))
            .unwrap();
    let list = serde_json::json!({"nodes": [{
        "url": url,
        "origin": ORIGIN,
        "logKey": other.verifier().to_text(),
    }]});
    std::fs::write(data_dir(&home).join("nodes.json"), list.to_string()).unwrap();
    let run = signet(&home, &["data", "verify", "--node", &url, "--json"], "");
    stop(node);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let body = run.json();
    assert_eq!(body["verified"], false);
    assert_eq!(body["problem"]["kind"], "untrustedCheckpoint");
    assert!(
        body["problem"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be trusted"),
        "{body}"
    );
    // Refused before the vault was opened: nothing kept, and no passphrase was asked.
    assert!(!data_dir(&home).join("vault.db").exists());
}
