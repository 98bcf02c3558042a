//! `signet-node`: run the reference agency node.
//!
//! ```text
//! signet-node keygen --out node.key          # a checkpoint key; prints the verifier key to pin
//! signet-node serve --config node.json       # serve until Ctrl-C
//! signet-node demo --dir signet-demo         # five agencies on loopback
//! signet-node official query --as ppa --at rr --person EE38001085718 --data-set population --purpose …
//! signet-node correction list|accept ID [--value V]|reject ID --reason R --database rr.db
//! signet-node report list --config node.json  # misuse reports, for the data protection officer
//! ```
//!
//! Officials connect over mutual TLS when `officialTls` is configured; persons over TLS when
//! `personTls` is (without it the node listens on loopback only).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use ed25519_dalek::SigningKey;
use serde::Deserialize;
use signet_core::Clock as _;
use signet_core::SystemClock;
use signet_data::consent::ConsentRecord;
use signet_data::demo::DEMO_PEOPLE;
use signet_data::entry::{Organization, PersonCode};
use signet_data::holdings::{DataSet, Record};
use signet_data::note::NoteSigner;
use signet_data::webeid::Origin;
use signet_node::client::{OfficialClient, OfficialIdentity, OfficialQuery};
use signet_node::demo::{DemoOptions, start_demo};
use signet_node::ocsp::HttpFetch;
use signet_node::{
    AccessPolicy, Database, Member, NodeConfig, OcspCheck, OfficialTls, PersonTls, Seed,
};
use signet_pki::ocsp::OcspPolicy;
use signet_pki::{Cert, TrustAnchors};

mod operator_cli;

#[derive(Debug, Parser)]
#[command(
    name = "signet-node",
    version,
    about = "The reference agency node of Signet's data side"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make a checkpoint key and print the verifier key people pin.
    Keygen {
        /// Where to write the key (32 bytes, hexadecimal); refuses to overwrite.
        #[arg(long)]
        out: PathBuf,
        /// The checkpoint origin (the key's name), e.g. `rr.example/usage`.
        #[arg(long)]
        origin: String,
    },
    /// Serve until interrupted.
    Serve {
        /// The configuration file (JSON).
        #[arg(long)]
        config: PathBuf,
    },
    /// Run a demonstration federation on loopback: Population Register, Health Information
    /// System, Tax and Customs Board, Transport Administration, Police and Border Guard, seeded
    /// with records about the demo people. Writes nodes.json (for Signet), federation.json,
    /// ca.pem and the member certificates into --dir.
    Demo {
        /// Where the databases, log keys and written files go.
        #[arg(long, default_value = "signet-demo")]
        dir: PathBuf,
        /// Trust this CA for persons' authentication certificates (PEM or DER; repeatable):
        /// the ESTEID roots, or a test PKI's root.
        #[arg(long)]
        person_ca: Vec<PathBuf>,
        /// Intermediate CAs of persons' certificates (repeatable).
        #[arg(long)]
        person_intermediate: Vec<PathBuf>,
        /// Serve persons over plain HTTP instead of TLS.
        #[arg(long)]
        plain_http: bool,
        /// The first port; each agency takes two (persons, officials), the demo PKI's OCSP
        /// responder the eleventh. Free ports by default.
        #[arg(long)]
        port_base: Option<u16>,
        /// Revoke this demo person's card (`EE…`, repeatable): its login is refused.
        #[arg(long)]
        revoke: Vec<String>,
    },
    /// Act as an official of a member organisation.
    #[command(subcommand)]
    Official(OfficialCommand),
    /// Corrections people asked for: list them, accept or reject one (on the node's database;
    /// the running node logs the decision and tells the person).
    #[command(subcommand)]
    Correction(operator_cli::CorrectionCommand),
    /// Misuse reports people filed, for the data protection officer.
    #[command(subcommand)]
    Report(operator_cli::ReportCommand),
    /// Measure logged official queries per second and query-to-stream latency (run it in
    /// release: `cargo xtask bench node`). Prints one JSON document.
    #[command(hide = true)]
    Bench {
        /// Where the database goes (a fresh folder).
        #[arg(long)]
        dir: PathBuf,
        /// Subscribed persons.
        #[arg(long, default_value_t = 1000)]
        persons: usize,
        /// Queries of the throughput phase.
        #[arg(long, default_value_t = 20_000)]
        queries: usize,
        /// Officials' keep-alive mutual-TLS connections.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Queries of the latency phase.
        #[arg(long, default_value_t = 5_000)]
        latency_queries: usize,
        /// Their rate per second.
        #[arg(long, default_value_t = 1_000)]
        rate: u32,
        /// Slow clients (one header byte every 10 s) attached for a second measurement; 0
        /// measures only without them.
        #[arg(long, default_value_t = 1_000)]
        slow_clients: usize,
    },
}

#[derive(Debug, Subcommand)]
enum OfficialCommand {
    /// Query a person's data at a node over mutual TLS, with the member's certificate; prints
    /// the answer (JSON). Exits 0 when served, 1 when refused.
    Query {
        /// The demo federation's description (federation.json, written by `demo`).
        #[arg(long, default_value = "signet-demo/federation.json")]
        federation: PathBuf,
        /// The querying agency (`rr`, `tis`, `emta`, `transport`, `ppa`).
        #[arg(long = "as")]
        client: String,
        /// The agency queried.
        #[arg(long = "at")]
        node: String,
        /// The person, `EE38001085718`.
        #[arg(long)]
        person: String,
        /// The data set.
        #[arg(long)]
        data_set: String,
        /// Why (mandatory, logged and shown to the person).
        #[arg(long)]
        purpose: String,
        /// The official's personal code.
        #[arg(long, default_value = "EE47101010033")]
        user_id: String,
        /// The official's name.
        #[arg(long)]
        user_name: Option<String>,
        /// The law that allows the query.
        #[arg(long)]
        legal_basis: Option<String>,
        /// The case number.
        #[arg(long)]
        issue: Option<String>,
    },
}

/// The configuration file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfigFile {
    /// An SQLite file's path, or a `postgres://` URL.
    database: String,
    listen: SocketAddr,
    origin: String,
    agency_name: String,
    provider: String,
    log_origin: String,
    log_key_file: PathBuf,
    /// The key that signs receipts for consent changes (32 bytes in hexadecimal, as
    /// `signet-node keygen` writes).
    receipt_key_file: PathBuf,
    trust_anchors: Vec<PathBuf>,
    #[serde(default)]
    intermediates: Vec<PathBuf>,
    members: Vec<MemberFile>,
    /// Who may query which data set; member categories; relations; consent defaults.
    #[serde(default)]
    access: AccessPolicy,
    #[serde(default)]
    official_tls: Option<TlsFile>,
    /// TLS for persons; without it the node listens on loopback only.
    #[serde(default)]
    person_tls: Option<PersonTlsFile>,
    /// OCSP for login certificates: always checked; the responder named here, or the one each
    /// certificate names.
    #[serde(default)]
    ocsp: OcspFile,
    #[serde(default)]
    seed: Option<SeedFile>,
    #[serde(default = "default_interval_ms")]
    checkpoint_interval_ms: u64,
    #[serde(default = "default_session_secs")]
    session_lifetime_secs: u64,
    /// The longest a member may hide a query from the person, in days.
    #[serde(default = "default_max_hidden_days")]
    max_hidden_days: u64,
}

fn default_max_hidden_days() -> u64 {
    365
}

fn default_interval_ms() -> u64 {
    100
}

fn default_session_secs() -> u64 {
    900
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MemberFile {
    client: String,
    organization: Organization,
    #[serde(default)]
    may_hide: bool,
    /// A portal (the state portal) that may call findUsage for the people it serves.
    #[serde(default)]
    portal: bool,
    /// The member's TLS client certificate (PEM or DER file).
    #[serde(default)]
    certificate: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TlsFile {
    listen: SocketAddr,
    certificate_chain: Vec<PathBuf>,
    /// PKCS#8, PEM (`PRIVATE KEY`) or DER.
    private_key: PathBuf,
    client_roots: Vec<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OcspFile {
    /// The responder (`http://…`) asked about every login certificate.
    #[serde(default)]
    responder: Option<String>,
    /// How long to wait for it.
    #[serde(default)]
    timeout_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PersonTlsFile {
    certificate_chain: Vec<PathBuf>,
    /// PKCS#8, PEM (`PRIVATE KEY`) or DER.
    private_key: PathBuf,
}

/// The DER inside a PEM file (the first block), or the file itself when it is not PEM.
fn read_der(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    signet_pki::pem::der_of(&bytes).with_context(|| format!("{} is not valid PEM", path.display()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    data_sets: Vec<DataSet>,
    #[serde(default)]
    records: Vec<PersonRecord>,
    /// Consent records, added when the database has none of their id.
    #[serde(default)]
    consents: Vec<ConsentRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PersonRecord {
    person: PersonCode,
    record: Record,
}

fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let text = text.trim();
    if text.len() != 64 {
        bail!("{} does not hold 32 bytes in hexadecimal", path.display());
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .with_context(|| format!("{} is not hexadecimal", path.display()))?;
    }
    Ok(SigningKey::from_bytes(&seed))
}

fn read_cert(path: &Path) -> anyhow::Result<Cert> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let cert = match std::str::from_utf8(&bytes) {
        Ok(pem) if pem.contains("-----BEGIN") => Cert::from_pem(pem),
        _ => Cert::from_der(&bytes),
    };
    cert.with_context(|| format!("{} is not an X.509 certificate", path.display()))
}

fn keygen(out: &Path, origin: &str) -> anyhow::Result<()> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    let signer = NoteSigner::new(origin, key)?;
    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    // Private to its owner (the temporary file it is written as is), synced, never over a key
    // that is there.
    signet_fs::write_atomically(
        out,
        signet_fs::Placement::New,
        format!("{hex}\n").as_bytes(),
    )
    .with_context(|| format!("creating {} (it must not exist yet)", out.display()))?;
    println!("{}", signer.verifier().to_text());
    Ok(())
}

async fn serve(path: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: ConfigFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a node configuration", path.display()))?;
    if file.person_tls.is_none() && !file.listen.ip().is_loopback() {
        bail!(
            "refusing to listen on {} without TLS: configure personTls, or listen on loopback only",
            file.listen
        );
    }
    if let Some(responder) = &file.ocsp.responder
        && !responder.starts_with("http://")
    {
        bail!("ocsp.responder must be an http:// URL (OCSP answers are signed), not {responder}");
    }
    let Some(official_tls) = &file.official_tls else {
        bail!(
            "officialTls is required: official (X-Road) queries are served only on the mutual TLS listener, never on the person listener"
        );
    };
    let (a, b) = (official_tls.listen, file.listen);
    if a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
    {
        bail!("officialTls.listen ({a}) may not be the person listener ({b})");
    }
    let seed = file.seed.unwrap_or(SeedFile {
        data_sets: Vec::new(),
        records: Vec::new(),
        consents: Vec::new(),
    });
    let config = NodeConfig {
        database: Database::parse(&file.database),
        listen: file.listen,
        origin: Origin::parse(&file.origin)?,
        agency_name: file.agency_name,
        provider: file.provider,
        log_origin: file.log_origin,
        log_key: read_key(&file.log_key_file)?,
        receipt_key: read_key(&file.receipt_key_file)?,
        max_hidden: Duration::from_secs(file.max_hidden_days.saturating_mul(86_400)),
        access: file.access,
        anchors: TrustAnchors::new(
            file.trust_anchors
                .iter()
                .map(|p| read_cert(p))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        intermediates: file
            .intermediates
            .iter()
            .map(|p| read_cert(p))
            .collect::<Result<_, _>>()?,
        ocsp: Some(OcspCheck {
            fetch: Arc::new(HttpFetch {
                timeout: Duration::from_secs(file.ocsp.timeout_secs.unwrap_or(5).clamp(1, 60)),
                ..HttpFetch::default()
            }),
            policy: OcspPolicy::default(),
            responder: file.ocsp.responder.clone(),
        }),
        members: file
            .members
            .into_iter()
            .map(|m| {
                Ok(Member {
                    client: m.client,
                    organization: m.organization,
                    may_hide: m.may_hide,
                    portal: m.portal,
                    certificate: m.certificate.as_deref().map(read_der).transpose()?,
                })
            })
            .collect::<anyhow::Result<_>>()?,
        official_tls: match file.official_tls {
            Some(t) => Some(OfficialTls {
                listen: t.listen,
                certificate_chain: t
                    .certificate_chain
                    .iter()
                    .map(|p| read_der(p))
                    .collect::<Result<_, _>>()?,
                private_key_pkcs8: read_der(&t.private_key)?,
                client_roots: t
                    .client_roots
                    .iter()
                    .map(|p| read_der(p))
                    .collect::<Result<_, _>>()?,
            }),
            None => None,
        },
        loopback_officials_without_tls: false,
        person_tls: match file.person_tls {
            Some(t) => Some(PersonTls {
                certificate_chain: t
                    .certificate_chain
                    .iter()
                    .map(|p| read_der(p))
                    .collect::<Result<_, _>>()?,
                private_key_pkcs8: read_der(&t.private_key)?,
            }),
            None => None,
        },
        seed: Seed {
            data_sets: seed.data_sets,
            records: seed
                .records
                .into_iter()
                .map(|r| (r.person, r.record))
                .collect(),
            consents: seed.consents,
        },
        checkpoint_interval: Duration::from_millis(file.checkpoint_interval_ms.max(1)),
        session_lifetime: Duration::from_secs(file.session_lifetime_secs.max(1)),
        clock: Arc::new(SystemClock),
        limits: signet_node::Limits::default(),
        accept_rewritten_log: false,
    };
    let scheme = if config.person_tls.is_some() {
        "https"
    } else {
        "http"
    };
    let node = signet_node::start(config).await?;
    println!("listening on {scheme}://{}", node.addr());
    if let Some(addr) = node.official_addr() {
        println!("official queries (mutual TLS) on https://{addr}");
    }
    println!("checkpoint key to pin: {}", node.verifier().to_text());
    tokio::signal::ctrl_c().await?;
    node.stop().await;
    Ok(())
}

async fn demo(
    dir: PathBuf,
    person_ca: &[PathBuf],
    person_intermediate: &[PathBuf],
    plain_http: bool,
    port_base: Option<u16>,
    revoke: &[String],
) -> anyhow::Result<()> {
    let options = DemoOptions {
        dir: dir.clone(),
        person_anchors: person_ca
            .iter()
            .map(|p| read_cert(p))
            .collect::<Result<_, _>>()?,
        person_intermediates: person_intermediate
            .iter()
            .map(|p| read_cert(p))
            .collect::<Result<_, _>>()?,
        person_tls: !plain_http,
        port_base,
        clock: Arc::new(SystemClock),
        checkpoint_interval: Duration::from_millis(100),
    };
    let federation = start_demo(options).await?;
    for code in revoke {
        if !federation.revoke(code) {
            bail!("--revoke {code}: no demo person has that code");
        }
    }
    federation.write_files(&dir)?;
    for n in &federation.nodes {
        println!(
            "{:<42} persons {}  officials https://{}",
            n.agency.name_en,
            n.url,
            n.node
                .official_addr()
                .map(|a| a.to_string())
                .unwrap_or_default()
        );
    }
    println!(
        "\nSignet's list of nodes: {}  (copy it to Signet's data folder as nodes.json)",
        dir.join("nodes.json").display()
    );
    println!("demo PKI's OCSP responder: {}", federation.ocsp_url);
    println!("demo people:");
    for p in &DEMO_PEOPLE {
        println!(
            "  {}  {}{}",
            p.code,
            p.name(),
            p.native_name.map(|n| format!(" ({n})")).unwrap_or_default()
        );
    }
    println!(
        "\nan official's query:\n  signet-node official query --federation {} --as ppa --at rr --person {} --data-set population --purpose 'Liiklusjärelevalve'",
        dir.join("federation.json").display(),
        DEMO_PEOPLE[0].code
    );
    tokio::signal::ctrl_c().await?;
    federation.stop().await;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FederationFile {
    agencies: Vec<FederationAgency>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FederationAgency {
    id: String,
    provider: String,
    official_addr: Option<SocketAddr>,
    member_certificate: PathBuf,
    member_key: PathBuf,
    /// The data sets the agency's node holds (none listed for a member without a node).
    #[serde(default)]
    data_sets: Vec<String>,
}

async fn official_query(
    federation: &Path,
    client: &str,
    node: &str,
    mut query: OfficialQuery,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(federation).with_context(|| {
        format!(
            "reading {} (run `signet-node demo` first)",
            federation.display()
        )
    })?;
    let file: FederationFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a federation description", federation.display()))?;
    let find = |id: &str| {
        file.agencies
            .iter()
            .find(|a| a.id == id)
            .with_context(|| format!("no agency `{id}` in {}", federation.display()))
    };
    let (from, to) = (find(client)?, find(node)?);
    let ca = federation
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("ca.pem");
    let identity = OfficialIdentity {
        certificate_chain: vec![read_der(&from.member_certificate)?],
        private_key_pkcs8: read_der(&from.member_key)?,
        roots: vec![read_der(&ca)?],
    };
    let addr = to
        .official_addr
        .with_context(|| format!("`{node}` has no official listener"))?;
    if !to.data_sets.is_empty() && !to.data_sets.contains(&query.data_set) {
        bail!(
            "`{node}` holds no data set `{}`: its data sets are {}",
            query.data_set,
            to.data_sets.join(", ")
        );
    }
    query.provider.clone_from(&to.provider);
    query.client.clone_from(&from.provider);
    let stamp = SystemClock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    query.query_id = format!("{client}-{stamp}");
    let mut connection = OfficialClient::connect(addr, "127.0.0.1", &identity).await?;
    let answer = connection.get_records(&query).await?;
    let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_else(|_| {
        serde_json::Value::String(String::from_utf8_lossy(&answer.body).into_owned())
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "status": answer.status,
            "usageIndex": answer.usage_index,
            "answer": body,
        }))?
    );
    if answer.status != 200 {
        std::process::exit(1);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Args::parse().command {
        Command::Keygen { out, origin } => keygen(&out, &origin),
        Command::Correction(command) => operator_cli::correction(&command),
        Command::Report(command) => operator_cli::report(&command),
        Command::Serve { config } => serve(&config).await,
        Command::Demo {
            dir,
            person_ca,
            person_intermediate,
            plain_http,
            port_base,
            revoke,
        } => {
            demo(
                dir,
                &person_ca,
                &person_intermediate,
                plain_http,
                port_base,
                &revoke,
            )
            .await
        }
        Command::Bench {
            dir,
            persons,
            queries,
            connections,
            latency_queries,
            rate,
            slow_clients,
        } => {
            std::fs::create_dir_all(&dir)?;
            let report = signet_node::bench::run(signet_node::bench::BenchOptions {
                dir,
                persons,
                queries,
                connections,
                latency_queries,
                rate,
                slow_clients,
                checkpoint_interval: Duration::from_millis(100),
                clock: Arc::new(SystemClock),
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Official(OfficialCommand::Query {
            federation,
            client,
            node,
            person,
            data_set,
            purpose,
            user_id,
            user_name,
            legal_basis,
            issue,
        }) => {
            let query = OfficialQuery {
                provider: String::new(),
                client: String::new(),
                person,
                data_set,
                purpose,
                user_id,
                user_name,
                legal_basis,
                issue,
                query_id: String::new(),
            };
            official_query(&federation, &client, &node, query).await
        }
    }
}
