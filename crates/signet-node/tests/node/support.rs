//! A node per test, the test PKI's people, and a small client.

use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use sha2::Digest as _;
use signet_core::{Clock, FixedClock, SystemClock};
use signet_data::Timestamp;
use signet_data::consent::{ConsentRecord, ConsentStatus, Decision, Recipient, Scope};
use signet_data::entry::{OrgType, Organization, PersonCode, Salt, UsageEntry};
use signet_data::holdings::{DataSet, Field, FieldKind, FieldValue, Localized, Record};
use signet_data::merkle::Hash;
use signet_data::webeid::{AuthSigner, AuthToken, JwsAlgorithm, Nonce, Origin, create_token};
use signet_data::{Checkpoint, Known, LogError, PinnedLog};
use signet_node::access::organization_of;
use signet_node::{AccessPolicy, Database, Member, NodeConfig, RunningNode, Seed};
use signet_pki::{Cert, TrustAnchors};
use signet_testkit::x509::{CertSpec, Extensions, issue, name, oid};
use signet_testkit::{Role, TestKey, TestPki};
use x509_cert::der::Encode as _;
use x509_cert::ext::pkix::KeyUsages;

pub const ORIGIN: &str = "https://rr.signet.test";
pub const LOG_ORIGIN: &str = "rr.signet.test/usage";
pub const PROVIDER: &str = "EE/GOV/70000562/rr";
pub const POLICE: &str = "EE/GOV/70008747/polis";
pub const TAX: &str = "EE/GOV/70000349/emta";
pub const STRANGER: &str = "EE/COM/12345678/snoop";
pub const PORTAL: &str = "EE/GOV/70006317/riigiportaal-citizen";
/// Mari Tamm, the test PKI's authentication certificate.
pub const MARI: &str = "EE38001085718";
/// Liisa Liht, whose authentication certificate the tests issue.
pub const LIISA: &str = "EE49403136526";
/// The longest a test node lets a member hide a query from the person.
pub const MAX_HIDDEN: Duration = Duration::from_secs(30 * 86_400);
/// How long a test waits for an event (latency is the benchmark's job).
pub const WAIT: Duration = Duration::from_secs(20);

pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::start().expect("test PKI"))
}

/// A person's authentication certificate and key.
pub struct Person {
    pub cert: Vec<u8>,
    pub key: TestKey,
}

impl AuthSigner for Person {
    type Error = Infallible;
    fn certificate(&self) -> &[u8] {
        &self.cert
    }
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::ES384
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Infallible> {
        let der = self.key.sign(message).unwrap();
        Ok(p384::ecdsa::Signature::from_der(&der)
            .unwrap()
            .to_bytes()
            .to_vec())
    }
}

pub fn mari() -> Person {
    let auth = pki().get(Role::Authentication);
    let TestKey::P384(key) = &auth.key else {
        panic!("the authentication key is P-384")
    };
    Person {
        cert: auth.der.clone(),
        key: TestKey::P384(key.clone()),
    }
}

/// Liisa Liht's authentication certificate, issued by the test PKI's issuing CA; not in the
/// OCSP responder's database.
pub fn liisa() -> Person {
    liisa_with_serial(0x004C_115A)
}

/// Liisa Liht's authentication certificate with the serial number `serial`.
pub fn liisa_with_serial(serial: u64) -> Person {
    person_with(serial, "LIHT", "LIISA", "49403136526")
}

/// An authentication certificate for `given surname` with personal code `code` (11 digits).
pub fn person_with(serial: u64, surname: &str, given: &str, code: &str) -> Person {
    person_with_ocsp(serial, surname, given, code, &pki().ocsp_url())
}

/// As [`person_with`], naming `ocsp_url` as its OCSP responder.
pub fn person_with_ocsp(
    serial: u64,
    surname: &str,
    given: &str,
    code: &str,
    ocsp_url: &str,
) -> Person {
    let ca = pki().get(Role::IssuingCa);
    let key = TestKey::p384();
    let mut ext = Extensions::default();
    ext.basic_constraints(false, None)
        .unwrap()
        .key_usage(KeyUsages::DigitalSignature.into())
        .unwrap()
        .ext_key_usage(false, &[oid::KP_CLIENT_AUTH])
        .unwrap()
        .subject_key_id(&key)
        .unwrap()
        .authority_key_id(&ca.key)
        .unwrap()
        .ocsp_url(ocsp_url)
        .unwrap();
    let now = pki().now();
    let subject = name(&[
        (oid::COUNTRY, "EE"),
        (oid::COMMON_NAME, &format!("{surname},{given},{code}")),
        (oid::SURNAME, surname),
        (oid::GIVEN_NAME, given),
        (oid::SERIAL_NUMBER, &format!("PNOEE-{code}")),
    ])
    .unwrap();
    let cert = issue(
        CertSpec {
            subject,
            serial,
            not_before: now - Duration::from_secs(86_400),
            not_after: now + Duration::from_secs(365 * 86_400),
            extensions: ext.0,
        },
        &key.spki().unwrap(),
        &ca.cert.tbs_certificate.subject,
        &ca.key,
    )
    .unwrap();
    Person {
        cert: cert.to_der().unwrap(),
        key,
    }
}

fn text(et: &str, en: &str, ru: &str) -> Localized {
    Localized {
        et: et.into(),
        en: en.into(),
        ru: ru.into(),
    }
}

fn org(code: &str, name: &str, org_type: OrgType) -> Organization {
    Organization {
        org_type,
        code: code.into(),
        name: name.into(),
        system_name: None,
    }
}

pub fn seed() -> Seed {
    let population = DataSet {
        id: "population".into(),
        title: text(
            "Rahvastikuregister",
            "Population register",
            "Регистр народонаселения",
        ),
        categories: vec!["identity".into(), "address".into()],
        fields: vec![
            Field {
                id: "name".into(),
                title: text("Nimi", "Name", "Имя"),
                kind: FieldKind::Text,
            },
            Field {
                id: "address".into(),
                title: text("Aadress", "Address", "Адрес"),
                kind: FieldKind::Text,
            },
        ],
        last_change: None,
        legal_basis: Localized::same("Rahvastikuregistri seadus § 2"),
        retention: Localized::same("75 aastat pärast surma"),
    };
    let record = |person: &str, name: &str, address: &str| {
        (
            PersonCode::new(person).unwrap(),
            Record {
                data_set: "population".into(),
                id: format!("rr-{person}"),
                updated: "2026-03-01T10:00:00Z".parse().unwrap(),
                values: [
                    ("name".to_owned(), FieldValue::Text(name.into())),
                    ("address".to_owned(), FieldValue::Text(address.into())),
                ]
                .into_iter()
                .collect(),
            },
        )
    };
    Seed {
        data_sets: vec![population],
        records: vec![
            record(MARI, "Mari Tamm", "Tähe 4, Tartu"),
            record(LIISA, "Liisa Liht", "Õie 2, Pärnu"),
        ],
        consents: vec![ConsentRecord {
            id: "mari-denies-emta".into(),
            subject: PersonCode::new(MARI).unwrap(),
            provider: PROVIDER.into(),
            scope: Scope::DataSet("population".into()),
            recipient: Recipient::Member(organization_of(TAX)),
            purpose: None,
            legal_basis: None,
            valid_from: Timestamp::from_unix(0),
            valid_until: None,
            decision: Decision::Deny,
            status: ConsentStatus::Active,
            history: Vec::new(),
        }],
    }
}

/// Whether this run tests the PostgreSQL back end (`SIGNET_NODE_TEST_BACKEND=postgres`, set by
/// `cargo xtask test` for its second run of this suite).
pub fn on_postgres() -> bool {
    std::env::var("SIGNET_NODE_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// The PostgreSQL server's URL (`SIGNET_TEST_POSTGRES_URL`); a PostgreSQL run without it fails.
pub fn postgres_url() -> String {
    std::env::var("SIGNET_TEST_POSTGRES_URL").expect(
        "SIGNET_NODE_TEST_BACKEND=postgres needs SIGNET_TEST_POSTGRES_URL (cargo xtask test starts a cluster and sets both)",
    )
}

/// The database of a test node: SQLite at `db`, or on PostgreSQL a database of its own named
/// after `db` (created when missing, so a node restarted on the same `db` finds its data).
pub fn database_for(db: &Path) -> Database {
    if !on_postgres() {
        return Database::Sqlite(db.to_owned());
    }
    let server = postgres_url();
    let digest = sha2::Sha256::digest(db.as_os_str().as_encoded_bytes());
    let name: String = std::iter::once("signet_test_".to_owned())
        .chain(digest.iter().take(8).map(|b| format!("{b:02x}")))
        .collect();
    let admin = server.clone();
    let create = name.clone();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        match client.batch_execute(&format!("CREATE DATABASE {create}")) {
            Ok(()) => {}
            Err(e) if e.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(e) => panic!("creating the test database: {e}"),
        }
    })
    .join()
    .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    Database::Postgres(format!("{base}/{name}"))
}

/// Runs `sqlite` (on SQLite) or `postgres` (on PostgreSQL) against the test node's database
/// in `dir`, as someone with access to the database would.
pub fn tamper_database(dir: &Path, sqlite: &str, pg: &str) {
    match database_for(&dir.join("node.db")) {
        Database::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sqlite)
            .unwrap(),
        Database::Postgres(url) => {
            let pg = pg.to_owned();
            std::thread::spawn(move || {
                postgres::Client::connect(&url, postgres::NoTls)
                    .unwrap()
                    .batch_execute(&pg)
                    .unwrap();
            })
            .join()
            .unwrap();
        }
    }
}

/// The test node's authorization: the police and the tax board may query the population
/// register (open unless the person closes it).
pub fn access() -> AccessPolicy {
    AccessPolicy::default().permit("population", "rr-agencies", &[POLICE, TAX])
}

pub fn config(db: &Path, clock: Arc<dyn Clock>) -> NodeConfig {
    let pki = pki();
    NodeConfig {
        database: database_for(db),
        listen: "127.0.0.1:0".parse().unwrap(),
        origin: Origin::parse(ORIGIN).unwrap(),
        agency_name: "Siseministeerium (Rahvastikuregister)".into(),
        provider: PROVIDER.into(),
        log_origin: LOG_ORIGIN.into(),
        log_key: SigningKey::from_bytes(&[42; 32]),
        receipt_key: SigningKey::from_bytes(&[43; 32]),
        max_hidden: MAX_HIDDEN,
        access: access(),
        anchors: TrustAnchors::new([Cert::from_der(pki.der(Role::Root)).unwrap()]),
        intermediates: vec![Cert::from_der(pki.der(Role::IssuingCa)).unwrap()],
        ocsp: None,
        official_tls: None,
        loopback_officials_without_tls: true,
        person_tls: None,
        members: vec![
            Member {
                client: POLICE.into(),
                organization: org("70008747", "Politsei- ja Piirivalveamet", OrgType::Gov),
                may_hide: true,
                portal: false,
                certificate: None,
            },
            Member {
                client: PORTAL.into(),
                organization: org("70006317", "Riigi Infosüsteemi Amet", OrgType::Gov),
                may_hide: false,
                portal: true,
                certificate: None,
            },
            Member {
                client: TAX.into(),
                organization: org("70000349", "Maksu- ja Tolliamet", OrgType::Gov),
                may_hide: false,
                portal: false,
                certificate: None,
            },
        ],
        seed: seed(),
        checkpoint_interval: Duration::from_millis(50),
        session_lifetime: Duration::from_secs(900),
        clock,
        limits: signet_node::Limits::default(),
        accept_rewritten_log: false,
    }
}

/// A node on a fresh database in `dir`.
pub async fn node_in(dir: &Path) -> RunningNode {
    signet_node::start(config(&dir.join("node.db"), Arc::new(SystemClock)))
        .await
        .unwrap()
}

/// A clock the test moves, starting now.
pub fn fixed_clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(SystemClock.now()))
}

pub fn base(node: &RunningNode) -> String {
    format!("http://{}", node.addr())
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub async fn json(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

pub async fn nonce(node: &RunningNode) -> Nonce {
    let (status, body) = json(
        client()
            .post(format!("{}/v1/auth/challenge", base(node)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    Nonce::parse(body["nonce"].as_str().unwrap()).unwrap()
}

pub fn token(person: &Person, origin: &str, nonce: &Nonce) -> AuthToken {
    create_token(person, &Origin::parse(origin).unwrap(), nonce, None).unwrap()
}

pub async fn post_login(
    node: &RunningNode,
    nonce: &Nonce,
    token: &AuthToken,
) -> (u16, serde_json::Value) {
    let body = serde_json::json!({"nonce": nonce.as_str(), "authToken": token});
    json(
        client()
            .post(format!("{}/v1/auth/login", base(node)))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Logs `person` in; the session token.
pub async fn login(node: &RunningNode, person: &Person) -> String {
    let n = nonce(node).await;
    let (status, body) = post_login(node, &n, &token(person, ORIGIN, &n)).await;
    assert_eq!(status, 200, "{body}");
    body["session"].as_str().unwrap().to_owned()
}

pub async fn get(
    node: &RunningNode,
    path: &str,
    session: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = client().get(format!("{}{path}", base(node)));
    if let Some(s) = session {
        req = req.bearer_auth(s);
    }
    json(req.send().await.unwrap()).await
}

/// An official query; the status and body.
pub async fn official_query(
    node: &RunningNode,
    client_id: &str,
    person: &str,
    purpose: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = client()
        .get(format!(
            "{}/r1/{PROVIDER}/getRecords/{person}/population",
            base(node)
        ))
        .header("X-Road-Client", client_id)
        .header(
            "X-Road-Id",
            format!(
                "q-{person}-{}",
                SystemClock
                    .now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
        )
        .header("X-Road-UserId", "EE47101010033")
        .header("X-Road-Issue", "menetlus-2026-117")
        .header(
            "X-Road-PDU-Initiator-Person-Name",
            "Viive%20V%C3%B5%C3%B5ras",
        )
        .header("X-Road-PDU-Legal-Basis", "Politseiseadus%20%C2%A7%2030");
    if let Some(p) = purpose {
        req = req.header("X-Road-PDU-Purpose", p);
    }
    json(req.send().await.unwrap()).await
}

/// The pinned log of a node, as Signet's list of nodes would hold it.
pub fn pinned(node: &RunningNode) -> PinnedLog {
    PinnedLog {
        origin: node.log_origin().to_owned(),
        verifier: node.verifier().clone(),
    }
}

/// One served entry, verified against its checkpoint (first visit).
pub struct VerifiedItem {
    pub index: u64,
    pub entry: UsageEntry,
    pub checkpoint: Checkpoint,
}

pub fn verify_item(pinned: &PinnedLog, item: &serde_json::Value) -> Result<VerifiedItem, LogError> {
    let note = item["checkpoint"].as_str().unwrap();
    let checkpoint = pinned.advance(Known::FirstVisit, note.as_bytes(), &[])?;
    let index = item["index"].as_u64().unwrap();
    let entry: UsageEntry = serde_json::from_value(item["entry"].clone()).unwrap();
    let salt: [u8; 32] = STANDARD
        .decode(item["salt"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let proof: Vec<Hash> = serde_json::from_value(item["proof"].clone()).unwrap();
    pinned.verify_entry(&checkpoint, index, &entry, &Salt(salt), &proof)?;
    Ok(VerifiedItem {
        index,
        entry,
        checkpoint,
    })
}

/// Fetches the latest checkpoint and the consistency proof from `stored`, and advances.
pub async fn advance(
    node: &RunningNode,
    pinned: &PinnedLog,
    stored: &Checkpoint,
) -> Result<Checkpoint, LogError> {
    let resp = client()
        .get(format!("{}/v1/checkpoint", base(node)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let note = resp.text().await.unwrap();
    let size =
        Checkpoint::parse_text(note.split("\n\n").next().unwrap_or_default()).map_or(0, |c| c.size);
    let proof: Vec<Hash> = if size >= stored.size && stored.size > 0 {
        let (status, body) = get(
            node,
            &format!("/v1/consistency?from={}&to={size}", stored.size),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body["proof"].clone()).unwrap()
    } else {
        Vec::new()
    };
    pinned.advance(Known::Stored(stored), note.as_bytes(), &proof)
}

/// Waits until the node's checkpoint covers `size` entries.
pub async fn wait_for_size(node: &RunningNode, size: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let resp = client()
            .get(format!("{}/v1/checkpoint", base(node)))
            .send()
            .await
            .unwrap();
        if resp.status().as_u16() == 200 {
            let note = resp.text().await.unwrap();
            if Checkpoint::parse_text(note.split("\n\n").next().unwrap())
                .unwrap()
                .size
                >= size
            {
                return;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no checkpoint of size {size}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A server-sent events reader.
pub struct EventStream {
    resp: reqwest::Response,
    buffer: String,
}

/// One event: its id and data.
#[derive(Debug)]
pub struct SseEvent {
    pub id: Option<String>,
    pub data: serde_json::Value,
}

impl EventStream {
    pub async fn open(node: &RunningNode, session: &str, last_event_id: Option<u64>) -> Self {
        let mut req = client_for_streams()
            .get(format!("{}/v1/usage/stream", base(node)))
            .bearer_auth(session);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            resp,
            buffer: String::new(),
        }
    }

    /// The next event with data, within [`WAIT`].
    pub async fn next(&mut self) -> SseEvent {
        tokio::time::timeout(WAIT, self.next_inner())
            .await
            .expect("an event within the timeout")
    }

    /// The next event with data, if one comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<SseEvent> {
        tokio::time::timeout(wait, self.next_inner()).await.ok()
    }

    async fn next_inner(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if !data.is_empty() {
                    return SseEvent {
                        id,
                        data: serde_json::from_str(&data).unwrap(),
                    };
                }
                continue;
            }
            let chunk = self
                .resp
                .chunk()
                .await
                .unwrap()
                .expect("the stream stayed open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

pub fn client_for_streams() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}
