//! The node's benchmark (`signet-node bench`, run by `cargo xtask bench node` in release):
//!
//! 1. a node on SQLite with officials on mutual TLS, seeded with one record for each of
//!    `persons` people;
//! 2. every person logs in with a Web eID token (their own authentication certificate from a CA
//!    made for the run) and subscribes to their stream of usage entries (server-sent events);
//! 3. **throughput**: officials on `connections` keep-alive mutual-TLS connections make
//!    `queries` logged queries as fast as the node answers;
//! 4. **latency**: officials make `latency_queries` queries at a steady `rate` per second; for
//!    each, the time from sending the query to the entry (with its proof) arriving on the
//!    subscribed person's stream;
//! 5. steps 3 and 4 again with `slow_clients` slow clients attached to the persons' listener,
//!    each sending one header byte every ten seconds ([`crate::bench_slow`]).
//!
//! Every query is decided as in production: the data set admits the police by an authorization
//! rule, is closed by default, and each person holds two consent records — a permit for the
//! police (which serves the query) and a deny for another organisation — so every query reads
//! and weighs the person's consents. A query that is not served fails the benchmark.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::bench_slow::SlowClients;
use std::time::{Duration, Instant};

use axum::body::Body;
use ed25519_dalek::SigningKey;
use futures_util::StreamExt as _;
use hyper_util::rt::TokioIo;
use p384::ecdsa::signature::Signer as _;
use p384::pkcs8::DecodePrivateKey as _;
use signet_core::Clock;
use signet_data::consent::{ConsentRecord, ConsentStatus, Decision, Recipient, Scope};
use signet_data::entry::{OrgType, Organization, PersonCode};
use signet_data::holdings::{DataSet, Field, FieldKind, FieldValue, Localized, Record};
use signet_data::webeid::{AuthSigner, JwsAlgorithm, Nonce, Origin, create_token};
use signet_pki::{Cert, TrustAnchors};

use crate::certs::{DemoCa, Issued};
use crate::client::{OfficialClient, OfficialIdentity, OfficialQuery};
use crate::{Member, NodeConfig, NodeError, OfficialTls, Seed, lock};

const ORIGIN: &str = "https://bench.signet.test";
const PROVIDER: &str = "EE/GOV/70000562/rr";
const POLICE: &str = "EE/GOV/70008747/ppa";
const PURPOSE: &str = "Koormustest";
/// Consent records seeded for each person.
const CONSENTS_PER_PERSON: usize = 2;

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Where the database goes.
    pub dir: PathBuf,
    /// Subscribed persons.
    pub persons: usize,
    /// Queries for the throughput phase.
    pub queries: usize,
    /// Keep-alive mutual-TLS connections of officials.
    pub connections: usize,
    /// Queries for the latency phase.
    pub latency_queries: usize,
    /// Their rate, per second.
    pub rate: u32,
    /// Slow clients attached for the second measurement (none: only the first).
    pub slow_clients: usize,
    /// The checkpoint interval.
    pub checkpoint_interval: Duration,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

/// What was measured.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    /// Subscribed persons.
    pub persons: usize,
    /// Time to log them in and subscribe, seconds.
    pub login_seconds: f64,
    /// Consent records each person holds (all weighed on each query).
    pub consents_per_person: usize,
    /// Keep-alive connections.
    pub connections: usize,
    /// Latency-phase rate, per second.
    pub rate: u32,
    /// Without slow clients, then with them.
    pub phases: Vec<PhaseReport>,
}

/// One throughput and latency measurement.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseReport {
    /// Slow clients started for it.
    pub slow_clients: usize,
    /// Of them, connected when the measurement began and when it ended.
    pub slow_open_at_start: usize,
    /// When it ended.
    pub slow_open_at_end: usize,
    /// Slow connections the node closed during it (each came back at once).
    pub slow_cut_off: u64,
    /// Header bytes they sent during it.
    pub slow_bytes: u64,
    /// Throughput-phase queries, each served.
    pub queries: usize,
    /// Logged queries per second.
    pub queries_per_second: f64,
    /// Group commits (syncs) during the throughput phase.
    pub syncs: u64,
    /// Latency-phase queries.
    pub latency_queries: usize,
    /// Events received of them.
    pub events_received: usize,
    /// Query → stream latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Largest, milliseconds.
    pub max_ms: f64,
}

fn failed(what: &str, e: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("benchmark: {what}: {e}"))
}

fn code(i: usize) -> String {
    format!("3{:010}", 100_000 + i)
}

struct BenchPerson {
    cert: Vec<u8>,
    key: p384::ecdsa::SigningKey,
}

impl AuthSigner for BenchPerson {
    type Error = std::convert::Infallible;
    fn certificate(&self) -> &[u8] {
        &self.cert
    }
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::ES384
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Self::Error> {
        let signature: p384::ecdsa::Signature = self.key.sign(message);
        Ok(signature.to_bytes().to_vec())
    }
}

/// One HTTP/1.1 request on a fresh connection; the status and body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, Vec<u8>), NodeError> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| failed("connecting", e))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| failed("HTTP", e))?;
    tokio::spawn(conn);
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, Body::from))
        .map_err(|e| failed("a request", e))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| failed("a request", e))?;
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(Body::new(resp.into_body()), 1 << 20)
        .await
        .map_err(|e| failed("an answer", e))?;
    Ok((status, bytes.to_vec()))
}

async fn login(addr: SocketAddr, person: &BenchPerson) -> Result<String, NodeError> {
    let (status, body) = request(addr, "POST", "/v1/auth/challenge", Some("{}".into())).await?;
    let body: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| failed("the challenge", e))?;
    if status != 200 {
        return Err(failed("the challenge", body));
    }
    let nonce = Nonce::parse(body["nonce"].as_str().unwrap_or_default())
        .map_err(|e| failed("the nonce", e))?;
    let origin = Origin::parse(ORIGIN).map_err(|e| failed("the origin", e))?;
    let Ok(token) = create_token(person, &origin, &nonce, None);
    let login = serde_json::json!({"nonce": nonce.as_str(), "authToken": token});
    let (status, body) = request(addr, "POST", "/v1/auth/login", Some(login.to_string())).await?;
    let body: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| failed("the login", e))?;
    if status != 200 {
        return Err(failed("the login", body));
    }
    body["session"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| failed("the login", "no session"))
}

type Arrivals = Arc<Mutex<HashMap<u64, Instant>>>;

/// Subscribes with `session` and records when each event arrives, until the stream ends.
async fn subscribe(addr: SocketAddr, session: String, arrivals: Arrivals) -> Result<(), NodeError> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| failed("connecting", e))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| failed("HTTP", e))?;
    tokio::spawn(conn);
    let req = hyper::Request::get("/v1/usage/stream")
        .header("host", "127.0.0.1")
        .header("authorization", format!("Bearer {session}"))
        .body(Body::empty())
        .map_err(|e| failed("a request", e))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| failed("subscribing", e))?;
    if resp.status().as_u16() != 200 {
        return Err(failed("subscribing", resp.status()));
    }
    tokio::spawn(async move {
        let mut stream = Body::new(resp.into_body()).into_data_stream();
        let mut buffer = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            let at = Instant::now();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if let Some(id) = block
                    .lines()
                    .find_map(|l| l.strip_prefix("id:"))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    lock(&arrivals).insert(id, at);
                }
            }
        }
    });
    Ok(())
}

fn seed(persons: usize) -> Result<Seed, NodeError> {
    let text = |s: &str| Localized {
        et: s.into(),
        en: s.into(),
        ru: s.into(),
    };
    let mut seed = Seed {
        data_sets: vec![DataSet {
            id: "population".into(),
            title: text("Rahvastikuregister"),
            categories: vec!["identity".into()],
            fields: vec![Field {
                id: "address".into(),
                title: text("Aadress"),
                kind: FieldKind::Text,
            }],
            last_change: None,
            legal_basis: Localized::same("Rahvastikuregistri seadus § 21"),
            retention: Localized::same("75 aastat"),
        }],
        ..Seed::default()
    };
    for i in 0..persons {
        let person = PersonCode::new(&format!("EE{}", code(i))).map_err(|e| failed("a code", e))?;
        // The person lets the police see it for the benchmark's purpose, and keeps a bank out.
        let consent = |id: String, recipient: &str, decision| ConsentRecord {
            id,
            subject: person.clone(),
            provider: PROVIDER.into(),
            scope: Scope::DataSet("population".into()),
            recipient: Recipient::Member(recipient.into()),
            purpose: Some(PURPOSE.into()),
            legal_basis: None,
            valid_from: signet_data::Timestamp::from_unix(1_700_000_000),
            valid_until: None,
            decision,
            status: ConsentStatus::Active,
            history: Vec::new(),
        };
        seed.consents.push(consent(
            format!("bench-deny-{i}"),
            "EE/COM/10137319",
            Decision::Deny,
        ));
        seed.consents.push(consent(
            format!("bench-permit-{i}"),
            &crate::access::organization_of(POLICE),
            Decision::Permit,
        ));
        seed.records.push((
            person,
            Record {
                data_set: "population".into(),
                id: format!("rr-{i}"),
                updated: signet_data::Timestamp::from_unix(1_780_000_000),
                values: [(
                    "address".to_owned(),
                    FieldValue::Text(format!("Tähe {i}, Tartu")),
                )]
                .into_iter()
                .collect(),
            },
        ));
    }
    Ok(seed)
}

fn query(i: usize) -> OfficialQuery {
    OfficialQuery {
        provider: PROVIDER.into(),
        client: POLICE.into(),
        person: format!("EE{}", code(i)),
        data_set: "population".into(),
        purpose: PURPOSE.into(),
        user_id: "EE47101010033".into(),
        user_name: Some("Viive Võõras".into()),
        legal_basis: Some("Politseiseadus § 30".into()),
        issue: None,
        query_id: format!("bench-{i}"),
    }
}

/// The police may query the population register under the Police Act, as every query says;
/// closed by default, so only the person's consent serves it.
fn bench_access() -> crate::AccessPolicy {
    let mut policy = crate::AccessPolicy::default();
    policy.data_sets.insert(
        "population".into(),
        crate::access::DataSetAccess {
            rules: vec![crate::access::AccessRule {
                id: "police-supervision".into(),
                members: vec![crate::access::organization_of(POLICE)],
                legal_basis: Some("Politseiseadus § 30".into()),
                ..crate::access::AccessRule::default()
            }],
            default: crate::access::ConsentDefault::Closed,
            ..crate::access::DataSetAccess::default()
        },
    );
    policy
}

/// The open files the benchmark needs: both ends of every connection (it is client and server
/// in one process), and some for the database and the rest.
fn files_needed(options: &BenchOptions) -> u64 {
    let connections = options.persons + options.slow_clients + options.connections.max(1);
    2 * connections as u64 + 256
}

/// The soft limit of open files of this process (Linux), if it can be read.
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.split_whitespace().nth(3)?;
    if soft == "unlimited" {
        return Some(u64::MAX);
    }
    soft.parse().ok()
}

/// Runs the benchmark.
pub async fn run(options: BenchOptions) -> Result<BenchReport, NodeError> {
    let needed = files_needed(&options);
    if let Some(limit) = open_file_limit()
        && limit < needed
    {
        return Err(failed(
            "open files",
            format!(
                "{needed} are needed and the limit is {limit}: raise it first (`ulimit -n {needed}`; \
                 `cargo xtask bench node` does), or attach fewer persons or slow clients"
            ),
        ));
    }
    let now = options.clock.now();
    let ca = DemoCa::new("Signet benchmark CA", now)?;
    let server = ca.server(
        "rr.signet.test",
        &["rr.signet.test"],
        &["127.0.0.1".parse().map_err(|e| failed("an address", e))?],
        2,
    )?;
    let member: Issued = ca.client(POLICE, 3)?;
    let config = NodeConfig {
        database: options.dir.join("bench.db").into(),
        listen: "127.0.0.1:0".parse().map_err(|e| failed("an address", e))?,
        origin: Origin::parse(ORIGIN).map_err(|e| failed("the origin", e))?,
        agency_name: "Rahvastikuregister".into(),
        provider: PROVIDER.into(),
        log_origin: "bench.signet.test/usage".into(),
        log_key: SigningKey::from_bytes(&crate::random::<32>()?),
        anchors: TrustAnchors::new([Cert::from_der(&ca.der).map_err(|e| failed("the CA", e))?]),
        intermediates: Vec::new(),
        ocsp: None,
        access: bench_access(),
        receipt_key: SigningKey::from_bytes(&crate::random::<32>()?),
        max_hidden: Duration::from_secs(365 * 86_400),
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
            certificate: Some(member.der.clone()),
        }],
        official_tls: Some(OfficialTls {
            listen: "127.0.0.1:0".parse().map_err(|e| failed("an address", e))?,
            certificate_chain: vec![server.der.clone(), ca.der.clone()],
            private_key_pkcs8: server.key_pkcs8.clone(),
            client_roots: vec![ca.der.clone()],
        }),
        loopback_officials_without_tls: false,
        person_tls: None,
        seed: seed(options.persons)?,
        checkpoint_interval: options.checkpoint_interval,
        session_lifetime: Duration::from_secs(3600),
        clock: Arc::clone(&options.clock),
        // Every benchmark person holds a stream and a connection open.
        // the default cap of connections holds them and the slow clients, unless there are
        // more of them than it allows.
        limits: crate::Limits {
            streams_total: options.persons.saturating_mul(2).max(16),
            max_connections: crate::Limits::default().max_connections.max(
                options
                    .persons
                    .saturating_add(options.slow_clients)
                    .saturating_add(options.connections)
                    .saturating_add(256),
            ),
            ..crate::Limits::default()
        },
        accept_rewritten_log: false,
    };
    let node = crate::start(config).await?;
    let addr = node.addr();
    let official = node
        .official_addr()
        .ok_or_else(|| failed("the node", "no official listener"))?;

    // Persons log in and subscribe.
    let arrivals: Arrivals = Arc::default();
    let started = Instant::now();
    for i in 0..options.persons {
        let issued = ca.person("BENCH", "ISIK", &code(i), 1000 + i as u64)?;
        let person = BenchPerson {
            key: p384::ecdsa::SigningKey::from_pkcs8_der(&issued.key_pkcs8)
                .map_err(|e| failed("a key", e))?,
            cert: issued.der,
        };
        let session = login(addr, &person).await?;
        subscribe(addr, session, Arc::clone(&arrivals)).await?;
    }
    let login_seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        persons = options.persons,
        seconds = login_seconds,
        "persons subscribed"
    );

    let identity = OfficialIdentity {
        certificate_chain: vec![member.der.clone()],
        private_key_pkcs8: member.key_pkcs8.clone(),
        roots: vec![ca.der.clone()],
    };
    let mut clients = Vec::new();
    for _ in 0..options.connections.max(1) {
        clients.push(OfficialClient::connect(official, "127.0.0.1", &identity).await?);
    }

    let mut phases = vec![measure(&node, clients, &options, &arrivals, None).await?];
    if options.slow_clients > 0 {
        let slow = SlowClients::attach(addr, options.slow_clients).await;
        tracing::info!(open = slow.open(), "slow clients attached");
        // Long enough for each to have sent a byte.
        tokio::time::sleep(crate::bench_slow::BYTE_INTERVAL).await;
        let mut clients = Vec::new();
        for _ in 0..options.connections.max(1) {
            clients.push(OfficialClient::connect(official, "127.0.0.1", &identity).await?);
        }
        phases.push(measure(&node, clients, &options, &arrivals, Some(&slow)).await?);
    }
    let report = BenchReport {
        persons: options.persons,
        login_seconds,
        consents_per_person: CONSENTS_PER_PERSON,
        connections: options.connections.max(1),
        rate: options.rate,
        phases,
    };
    node.stop().await;
    Ok(report)
}

/// One measurement: throughput on `clients`, then query → stream latency at the steady rate.
async fn measure(
    node: &crate::RunningNode,
    clients: Vec<OfficialClient>,
    options: &BenchOptions,
    arrivals: &Arrivals,
    slow: Option<&SlowClients>,
) -> Result<PhaseReport, NodeError> {
    let slow_open_at_start = slow.map_or(0, SlowClients::open);
    let (cut_before, bytes_before) = slow.map_or((0, 0), |s| (s.cut_off(), s.bytes()));
    let syncs_before = node.log_syncs();
    // Throughput.
    let per = options.queries / clients.len();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (t, mut client) in clients.into_iter().enumerate() {
        let persons = options.persons;
        tasks.push(tokio::spawn(async move {
            for q in 0..per {
                let answer = client.get_records(&query((t * 7919 + q) % persons)).await?;
                if answer.status != 200 {
                    return Err(failed("a query", answer.status));
                }
            }
            Ok(client)
        }));
    }
    let mut clients = Vec::new();
    for t in tasks {
        clients.push(t.await.map_err(|e| failed("a task", e))??);
    }
    let queries = per * clients.len();
    let queries_per_second = queries as f64 / started.elapsed().as_secs_f64();
    let syncs = node.log_syncs() - syncs_before;
    tracing::info!(queries, queries_per_second, syncs, "throughput measured");
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Latency at a steady rate, spread over the connections.
    let sent: Arrivals = Arc::default();
    let interval = Duration::from_secs_f64(clients.len() as f64 / f64::from(options.rate.max(1)));
    let per = options.latency_queries / clients.len();
    let mut tasks = Vec::new();
    for (t, mut client) in clients.into_iter().enumerate() {
        let (persons, sent) = (options.persons, Arc::clone(&sent));
        tasks.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            for q in 0..per {
                ticker.tick().await;
                let t0 = Instant::now();
                let answer = client
                    .get_records(&query((t * 104_729 + q) % persons))
                    .await?;
                let index = answer
                    .usage_index
                    .ok_or_else(|| failed("a query", "no usage index"))?;
                lock(&sent).insert(index, t0);
            }
            Ok::<_, NodeError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| failed("a task", e))??;
    }
    let expected = lock(&sent).len();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut latencies: Vec<Duration>;
    loop {
        {
            let sent = lock(&sent);
            let arrivals = lock(arrivals);
            latencies = sent
                .iter()
                .filter_map(|(i, t0)| arrivals.get(i).map(|at| at.saturating_duration_since(*t0)))
                .collect();
        }
        if latencies.len() >= expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    latencies.sort();
    let ms = |d: Option<&Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        ms(latencies.get(i.min(latencies.len().saturating_sub(1))))
    };
    Ok(PhaseReport {
        slow_clients: slow.map_or(0, |_| options.slow_clients),
        slow_open_at_start,
        slow_open_at_end: slow.map_or(0, SlowClients::open),
        slow_cut_off: slow.map_or(0, |s| s.cut_off() - cut_before),
        slow_bytes: slow.map_or(0, |s| s.bytes() - bytes_before),
        queries,
        queries_per_second,
        syncs,
        latency_queries: expected,
        events_received: latencies.len(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: ms(latencies.last()),
    })
}
