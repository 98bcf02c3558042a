//! The reference agency node of Signet's data side.
//!
//! An agency runs one node. People log in with a Web eID authentication token and see only
//! their own data: holdings, records, and the usage entries of their data with RFC 9162
//! inclusion proofs against C2SP checkpoints, live over server-sent events. Other agencies'
//! systems make official queries with X-Road style paths and headers, decided by the node's
//! authorization, then the person's consents and the data set's default ([`access`]); every
//! query, served or refused, appends a usage entry that is durable (group commit)
//! before the answer leaves. Checkpoints are signed in small batches
//! ([`NodeConfig::checkpoint_interval`]).
//!
//! Official routes exist only on the mutual-TLS listener ([`NodeConfig::official_tls`]); tests
//! may put them on the plain loopback listener with the member named by its `X-Road-Client`
//! header alone ([`NodeConfig::loopback_officials_without_tls`]). Persons connect over TLS
//! ([`NodeConfig::person_tls`]) and log in with a Web eID token whose certificate is checked by
//! OCSP ([`NodeConfig::ocsp`]). [`Limits`] bound slow and greedy clients. Storage is SQLite or PostgreSQL
//! ([`store::Database`]). [`demo`] runs a five-agency federation, [`client`] is an official's
//! side of a query, [`mod@bench`] the benchmark.
//!
//! | method and path | who | what |
//! | --- | --- | --- |
//! | `POST /v1/auth/challenge` | anyone | a fresh nonce (five minutes, single use) |
//! | `POST /v1/auth/login` | anyone | `{nonce, authToken}` → a short-lived session |
//! | `GET /v1/holdings` | person | the person's data sets and records |
//! | `GET /v1/consents`, `POST /v1/consents` | person (or representative) | the consents; grant, restrict, withdraw with a signed receipt ([`access`], `docs/consents.md`) |
//! | `GET /v1/consents/receipts` | person (or representative) | the receipts of the consent changes |
//! | `GET /v1/corrections`, `POST /v1/corrections` | person (or representative) | corrections of a record's field, filed with a signed receipt; decisions on the stream ([`operator`]) |
//! | `GET /v1/reports`, `POST /v1/reports` | person (or representative) | misuse reports of a usage entry, filed with a signed receipt |
//! | `GET /v1/usage?after=N` | person | the person's entries with inclusion proofs and the checkpoint |
//! | `GET /v1/usage/stream` | person | SSE of new entries with proofs; `Last-Event-ID` resumes |
//! | `GET /v1/checkpoint` | anyone | the latest signed checkpoint (a C2SP signed note) |
//! | `GET /v1/consistency?from=M&to=N` | anyone | the RFC 9162 consistency proof |
//! | `GET /r1/{instance}/{class}/{code}/{subsystem}/getRecords/{person}/{dataSet}` | member | an official query |
//! | `GET /r1/{…}/findUsage/v2/findUsage`, `…/v3/findUsage` | portal member | the Data Tracker service, for the person themself, logged |
//! | `GET /r1/{…}/findUsage/v2/usagePeriod`, `…/v2/heartbeat` | member | the Data Tracker service's period and heartbeat |

pub mod access;
mod auth;
pub mod bench;
mod bench_slow;
pub mod case_store;
mod cases;
pub mod certs;
pub mod client;
mod conn;
mod consents;
mod corrections;
pub mod demo;
mod demo_data;
mod demo_ocsp;
mod disclosure;
mod durable;
mod find_usage;
mod http;
pub mod ocsp;
mod official;
pub mod operator;
mod person;
pub mod pg_store;
mod rate;
mod reports;
mod signed_consent;
pub mod store;
mod tls;
mod usage_log;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ed25519_dalek::SigningKey;
use signet_core::{Clock, Fetch};
use signet_data::consent::ConsentRecord;
use signet_data::entry::{OrgType, Organization, PersonCode};
use signet_data::holdings::{DataSet, Record};
use signet_data::note::{NoteSigner, NoteVerifier};
use signet_data::webeid::{NonceStore, Origin, TokenValidator};
use signet_pki::ocsp::OcspPolicy;
use signet_pki::{Cert, TrustAnchors};
use tokio::sync::broadcast;

pub use access::AccessPolicy;
pub use store::Database;
pub use tls::{OfficialTls, PersonTls};

/// Why the node could not start or answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The database failed.
    #[error("database: {0}")]
    Database(String),
    /// The stored entries no longer give the root the node signed: the database was changed.
    #[error(
        "the usage log {origin} does not match its checkpoint of size {size}: {reason}; refusing to start"
    )]
    LogDoesNotMatchCheckpoint {
        /// The log's origin.
        origin: String,
        /// The checkpoint's size.
        size: u64,
        /// What differs.
        reason: String,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// The configuration is not usable.
    #[error("configuration: {0}")]
    Config(String),
    /// A broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
    /// An operator's request that cannot be done (no such correction, decided already, a
    /// value with control characters): the message says what to do.
    #[error("{0}")]
    Refused(String),
}

/// A member organisation allowed to make official queries.
#[derive(Debug, Clone)]
pub struct Member {
    /// Its X-Road client identifier, `EE/GOV/70008747/polis`.
    pub client: String,
    /// The organisation, as written into usage entries.
    pub organization: Organization,
    /// Whether it may hide its queries from the person until a date (`X-Road-PDU-Hidden-*`,
    /// at most [`NodeConfig::max_hidden`]): only agencies with surveillance powers (IKS §24)
    /// may.
    pub may_hide: bool,
    /// Whether it is a portal that shows people their own data (the state portal,
    /// `EE/GOV/70006317/riigiportaal-citizen`): only a portal may call findUsage, whose
    /// `X-Road-UserId` is the member's own word.
    pub portal: bool,
    /// Its TLS client certificate (DER), required on the official mutual-TLS listener.
    pub certificate: Option<Vec<u8>>,
}

/// What the node serves at start: data sets and records (upserted), and consent records
/// (added when the database has none of that id: a person's later changes stay).
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// Data set descriptions.
    pub data_sets: Vec<DataSet>,
    /// Records by person.
    pub records: Vec<(PersonCode, Record)>,
    /// Consent records.
    pub consents: Vec<ConsentRecord>,
}

/// OCSP checking of login certificates: a card whose certificate the responder does not call
/// good does not log in.
#[derive(Debug, Clone)]
pub struct OcspCheck {
    /// The network ([`ocsp::HttpFetch`] in `signet-node serve`).
    pub fetch: Arc<dyn Fetch>,
    /// Freshness rules.
    pub policy: OcspPolicy,
    /// The node's OCSP responder (`http://…`): every request goes there. `None` asks the
    /// responder the certificate names (authority information access).
    pub responder: Option<String>,
}

/// The node's configuration.
#[derive(Debug)]
pub struct NodeConfig {
    /// The database: an SQLite file, or PostgreSQL.
    pub database: Database,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The origin login tokens must be made for (`https://host[:port]`).
    pub origin: Origin,
    /// The agency's name, shown with its holdings.
    pub agency_name: String,
    /// The node's X-Road service provider, `EE/GOV/70000562/rr` (the first four path parts of
    /// official queries).
    pub provider: String,
    /// The checkpoint origin line, `rr.example/usage`.
    pub log_origin: String,
    /// The key that signs checkpoints (its verifier is what people pin).
    pub log_key: SigningKey,
    /// Trust anchors for authentication certificates.
    pub anchors: TrustAnchors,
    /// Intermediate CAs for authentication certificates.
    pub intermediates: Vec<Cert>,
    /// OCSP for login certificates; `None` does not ask (the certificate path is still checked).
    pub ocsp: Option<OcspCheck>,
    /// The member organisations.
    pub members: Vec<Member>,
    /// Which members may query which data set, for which purposes, on which legal basis; the
    /// member categories and relations the rules need; each data set's consent default. A data
    /// set it does not name is queried by no one.
    pub access: AccessPolicy,
    /// The key that signs receipts for consent changes, corrections and misuse reports (its
    /// verifier, named `<log origin host>/receipts`, is pinned beside the log key).
    pub receipt_key: SigningKey,
    /// The longest a member may hide a query from the person (`X-Road-PDU-Hidden-Until` at most
    /// this far after the query); a query hidden for longer, or without a reason or a date, is
    /// refused.
    pub max_hidden: Duration,
    /// The mutual-TLS listener for official queries: the only place official (X-Road) routes
    /// are served. `None` serves none, unless [`Self::loopback_officials_without_tls`].
    pub official_tls: Option<OfficialTls>,
    /// Tests and loopback development only: without [`Self::official_tls`], serve the official
    /// routes on the plain loopback listener with the member named by its `X-Road-Client`
    /// header alone. [`start`] refuses it with person TLS or a listener beyond loopback, and
    /// `signet-node serve` never sets it.
    pub loopback_officials_without_tls: bool,
    /// TLS for the person listener ([`Self::listen`]); `None` serves plain HTTP (loopback
    /// development and tests only; the binary refuses anything else).
    pub person_tls: Option<PersonTls>,
    /// Data to serve.
    pub seed: Seed,
    /// How often pending entries are covered by a new checkpoint.
    pub checkpoint_interval: Duration,
    /// How long a session lasts.
    pub session_lifetime: Duration,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Limits against slow and greedy clients.
    pub limits: Limits,
    /// Start even when the database no longer matches the signed log, and sign the rewritten
    /// log: simulates a compromised node, for tests of clients' tamper detection only.
    pub accept_rewritten_log: bool,
}

/// Limits against slow and greedy clients, on both listeners.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// A connection that reads and writes nothing for this long is closed (server-sent event
    /// streams write a keep-alive comment every 15 seconds, so keep it above that).
    pub idle_timeout: Duration,
    /// Open connections per listener; one more is closed as soon as it is accepted.
    pub max_connections: usize,
    /// Usage streams (`/v1/usage/stream`) open at once per session; past it, 429.
    pub streams_per_session: usize,
    /// Usage streams open at once on the node; past it, 429.
    pub streams_total: usize,
    /// Login challenges outstanding per client address (IPv4 address, IPv6 /64); past it,
    /// 429. A flood from one address never pushes out other people's nonces.
    pub challenges_per_client: usize,
    /// Login challenges outstanding on the node; past it, 429 (never evicting issued ones).
    pub challenges_total: usize,
    /// How long the leader of a group commit waits for more entries to join its batch before
    /// syncing (like PostgreSQL's `commit_delay`); zero syncs at once, and batches still form
    /// from the queries that arrive during a sync.
    pub group_commit_delay: Duration,
    /// Consent changes, corrections and misuse reports one person may send in an hour (all
    /// sessions together); past it, 429 `too_many_changes` (`rate`).
    pub changes_per_person_per_hour: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
            streams_per_session: 4,
            streams_total: 2048,
            challenges_per_client: 64,
            challenges_total: 50_000,
            group_commit_delay: Duration::ZERO,
            changes_per_person_per_hour: 120,
        }
    }
}

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// A new entry covered by a checkpoint, for SSE subscribers.
#[derive(Debug)]
pub(crate) struct LogEvent {
    pub index: u64,
    pub subject: String,
    pub data: String,
    /// An entry that was hidden from the person until now, sent at its date (it has an earlier
    /// index than entries already sent).
    pub disclosure: bool,
}

pub(crate) struct Session {
    pub person: PersonCode,
    pub expires: std::time::SystemTime,
}

pub(crate) struct State {
    pub log: Mutex<usage_log::UsageLog>,
    pub nonces: Mutex<auth::Challenges>,
    pub streams: Mutex<person::StreamCounts>,
    /// Each person's changes in the last hour (`rate`).
    pub changes: Mutex<rate::ChangeCounts>,
    pub limits: Limits,
    /// How many entries are durably stored (see [`durable`]).
    pub durable: AtomicU64,
    /// How many syncs (batch commits) the log made.
    pub syncs: AtomicU64,
    /// Held by the one handler committing a batch.
    pub commit_leader: Mutex<()>,
    pub sessions: Mutex<HashMap<[u8; 32], Session>>,
    pub events: broadcast::Sender<Arc<LogEvent>>,
    pub validator: TokenValidator,
    /// The person CAs (for signed consent changes, as for login).
    pub person_anchors: TrustAnchors,
    pub ocsp: Option<OcspCheck>,
    pub members: Vec<Member>,
    pub access: AccessPolicy,
    pub receipts: NoteSigner,
    /// The longest a query may be hidden from the person.
    pub max_hidden: Duration,
    /// The node's own organisation (from its provider id), the receiver of its own entries.
    pub organization: Organization,
    pub log_origin: String,
    pub official_tls: bool,
    pub provider: String,
    pub agency_name: String,
    pub session_lifetime: Duration,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State")
    }
}

/// Locks a mutex; a poisoned one (a panic while holding it) is still used: every write to the
/// guarded state completes before anything that can panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Fills `N` random bytes from the operating system.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], NodeError> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).map_err(|e| NodeError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// A running node.
#[derive(Debug)]
pub struct RunningNode {
    addr: SocketAddr,
    official_addr: Option<SocketAddr>,
    official_shutdown: tokio::sync::watch::Sender<bool>,
    state: Arc<State>,
    official: Option<tokio::task::JoinHandle<()>>,
    verifier: NoteVerifier,
    log_origin: String,
    server: tokio::task::JoinHandle<()>,
    signer: tokio::task::JoinHandle<()>,
}

impl RunningNode {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the official mutual-TLS listener, when configured.
    pub fn official_addr(&self) -> Option<SocketAddr> {
        self.official_addr
    }

    /// How many syncs (durable batch commits of usage entries) the log has made since start:
    /// for monitoring group commit, and for tests.
    pub fn log_syncs(&self) -> u64 {
        self.state.syncs.load(Ordering::Relaxed)
    }

    /// The checkpoint verifier key people pin.
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// The receipt verifier key people pin beside the log key.
    pub fn receipt_verifier(&self) -> &NoteVerifier {
        self.state.receipts.verifier()
    }

    /// The checkpoint origin line.
    pub fn log_origin(&self) -> &str {
        &self.log_origin
    }

    /// Stops the node: no new connections, and open ones are closed.
    pub async fn stop(mut self) {
        self.signer.abort();
        let _ = self.signer.await;
        let _ = self.official_shutdown.send(true);
        if let Some(official) = self.official.take() {
            let _ = official.await;
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut self.server)
            .await
            .is_err()
        {
            self.server.abort();
            let _ = self.server.await;
        }
    }
}

/// Official routes go only on the mutual-TLS listener: header-named officials on the plain
/// listener are allowed on loopback without person TLS alone, and the mutual-TLS listener may
/// not share the person listener's address.
fn check_listeners(config: &NodeConfig) -> Result<(), NodeError> {
    if let Some(tls) = &config.official_tls {
        let (a, b) = (tls.listen, config.listen);
        let overlap = a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified();
        if a.port() != 0 && a.port() == b.port() && overlap {
            return Err(NodeError::Config(format!(
                "the mutual TLS listener for officials ({a}) may not be the person listener ({b})"
            )));
        }
    } else if config.loopback_officials_without_tls
        && (config.person_tls.is_some() || !config.listen.ip().is_loopback())
    {
        return Err(NodeError::Config(
            "official queries are served only on the mutual TLS listener (officialTls); \
             header-named officials are for plain loopback development alone"
                .into(),
        ));
    }
    Ok(())
}

/// The name of a node's receipt key: the log origin's host with `/receipts`
/// (`rr.example/usage` → `rr.example/receipts`).
pub fn receipt_key_name(log_origin: &str) -> String {
    let host = log_origin.split('/').next().unwrap_or(log_origin);
    format!("{host}/receipts")
}

/// The node's organisation from its provider id `INSTANCE/CLASS/CODE/SUBSYSTEM`.
fn own_organization(provider: &str, name: &str) -> Organization {
    let parts: Vec<&str> = provider.split('/').collect();
    let org_type = match parts.get(1).copied() {
        Some("COM") => OrgType::Com,
        Some("NGO") => OrgType::Ngo,
        Some("NEE") => OrgType::Nee,
        _ => OrgType::Gov,
    };
    Organization {
        org_type,
        code: parts.get(2).copied().unwrap_or_default().to_owned(),
        name: name.to_owned(),
        system_name: parts.get(3).map(|s| (*s).to_owned()),
    }
}

/// What the node does every checkpoint interval: logs the operators' decisions on corrections,
/// covers pending entries with a new checkpoint and sends them to subscribers, sends the hidden
/// entries whose date has come, and signs the receipts of logged case changes.
fn tick(state: &State) -> Result<(), NodeError> {
    cases::log_decisions(state)?;
    person::sign_and_publish(state)?;
    disclosure::disclose_due(state)?;
    cases::receipt_pending(state)
}

/// Opens the database, rebuilds and checks the log, seeds the data, and starts serving.
pub async fn start(config: NodeConfig) -> Result<RunningNode, NodeError> {
    check_listeners(&config)?;
    let store = store::open(&config.database)?;
    for set in &config.seed.data_sets {
        store.put_data_set(set)?;
    }
    for (person, record) in &config.seed.records {
        store.put_record(person, record)?;
    }
    // A seed record does not undo a correction the agency accepted.
    operator::reapply_accepted(&store)?;
    config.access.check()?;
    for consent in &config.seed.consents {
        if store.consent(&consent.id)?.is_none() {
            store.put_consent(consent)?;
        }
    }
    let receipts = NoteSigner::new(
        &receipt_key_name(&config.log_origin),
        config.receipt_key.clone(),
    )
    .map_err(|e| NodeError::Config(format!("the receipt key: {e}")))?;
    let organization = own_organization(&config.provider, &config.agency_name);
    let signer = NoteSigner::new(&config.log_origin, config.log_key.clone())
        .map_err(|e| NodeError::Config(e.to_string()))?;
    let verifier = signer.verifier().clone();
    let log = usage_log::UsageLog::open(
        store,
        signer,
        config.log_origin.clone(),
        config.accept_rewritten_log,
        signet_data::Timestamp::from_system(config.clock.now()),
    )?;
    let durable = log.durable();
    let (events, _) = broadcast::channel(4096);
    let state = Arc::new(State {
        log: Mutex::new(log),
        nonces: Mutex::new(auth::Challenges::new(NonceStore::new())),
        streams: Mutex::new(person::StreamCounts::default()),
        changes: Mutex::new(rate::ChangeCounts::default()),
        limits: config.limits,
        durable: AtomicU64::new(durable),
        syncs: AtomicU64::new(0),
        commit_leader: Mutex::new(()),
        sessions: Mutex::new(HashMap::new()),
        events,
        person_anchors: config.anchors.clone(),
        validator: TokenValidator::new(config.anchors, config.intermediates, config.origin),
        ocsp: config.ocsp.map(|o| OcspCheck {
            fetch: match &o.responder {
                Some(responder) => Arc::new(ocsp::ConfiguredResponder {
                    inner: Arc::clone(&o.fetch),
                    responder: responder.clone(),
                }),
                None => Arc::clone(&o.fetch),
            },
            ..o
        }),
        members: config.members,
        access: config.access,
        receipts,
        max_hidden: config.max_hidden,
        organization,
        log_origin: config.log_origin.clone(),
        official_tls: config.official_tls.is_some(),
        provider: config.provider,
        agency_name: config.agency_name,
        session_lifetime: config.session_lifetime,
        clock: config.clock,
    });
    // Sign what a previous run left unsigned (and log the decisions made meanwhile) before
    // anyone asks.
    tick(&state)?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| NodeError::Listen {
            addr: config.listen,
            reason: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| NodeError::Listen {
        addr: config.listen,
        reason: e.to_string(),
    })?;
    let (official_shutdown, official_rx) = tokio::sync::watch::channel(false);
    let (official_addr, official) = match &config.official_tls {
        Some(tls) => {
            let acceptor = tls::acceptor(tls)?;
            let listener = tokio::net::TcpListener::bind(tls.listen)
                .await
                .map_err(|e| NodeError::Listen {
                    addr: tls.listen,
                    reason: e.to_string(),
                })?;
            let addr = listener.local_addr().map_err(|e| NodeError::Listen {
                addr: tls.listen,
                reason: e.to_string(),
            })?;
            let router = http::official_router(Arc::clone(&state));
            let task = tokio::spawn(conn::serve(
                listener,
                Some(acceptor),
                router,
                config.limits,
                official_rx.clone(),
            ));
            tracing::info!(%addr, "official queries over mutual TLS");
            (Some(addr), Some(task))
        }
        None => (None, None),
    };
    let app = http::router(
        Arc::clone(&state),
        config.official_tls.is_none() && config.loopback_officials_without_tls,
    );
    let acceptor = config
        .person_tls
        .as_ref()
        .map(tls::person_acceptor)
        .transpose()?;
    let server = tokio::spawn(conn::serve(
        listener,
        acceptor,
        app,
        config.limits,
        official_rx,
    ));
    let interval = config.checkpoint_interval;
    let signer_state = Arc::clone(&state);
    let signer = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let state = Arc::clone(&signer_state);
            match tokio::task::spawn_blocking(move || tick(&state)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "signing a checkpoint failed"),
                Err(e) => tracing::error!(error = %e, "the signing task failed"),
            }
        }
    });
    tracing::info!(%addr, log = %config.log_origin, "signet-node listening");
    Ok(RunningNode {
        addr,
        official_addr,
        official_shutdown,
        state,
        official,
        verifier,
        log_origin: config.log_origin,
        server,
        signer,
    })
}
