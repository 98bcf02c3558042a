//! A demonstration federation on loopback: five agencies, each a node with its own usage log,
//! seeded with records about the demo people ([`signet_data::demo::DEMO_PEOPLE`]), every agency
//! a member of every other with a member certificate from a CA made at start, and two
//! health-care providers ([`PROVIDERS`]: a dentist and a cardiology clinic) members of the
//! Health Information System. Authorization rules, relations and consents: `crate::demo_data`.
//!
//! `signet-node demo` runs it and writes what the others need into its folder: `ca.pem` (the
//! CA of every certificate), `<agency>-member.pem`/`.key` (the member certificates),
//! `people/<code>.pem`/`.key` (the demo people's authentication certificates, P-384: `openssl
//! pkcs12 -export` makes software tokens of them for `signet data login --token p12:…`),
//! `nodes.json` (Signet's list of nodes, with the pinned log keys and CA) and
//! `federation.json` (for `signet-node official query`).
//!
//! The nodes check login certificates by OCSP at the responder each certificate names: the
//! demo people's name the demo PKI's own responder on loopback (`crate::demo_ocsp`), where
//! [`DemoFederation::revoke`] revokes a card; certificates of CAs given with
//! `--person-ca` name their CA's responder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use der::Decode as _;
use ed25519_dalek::SigningKey;
use signet_core::Clock;
use signet_data::demo::{DEMO_PEOPLE, DemoPerson};
use signet_data::entry::{OrgType, Organization};
use signet_data::webeid::Origin;
use signet_pki::{Cert, TrustAnchors};

use crate::certs::{DemoCa, Issued, pem};
use crate::client::OfficialIdentity;
pub use crate::demo_data::{DemoProvider, PROVIDERS, demo_access, demo_seed};
use crate::{Member, NodeConfig, NodeError, OfficialTls, PersonTls, RunningNode};

/// One agency of the demo federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAgency {
    /// Short name: `rr`, `tis`, `emta`, `transport`, `ppa`.
    pub id: &'static str,
    /// Its name in Estonian.
    pub name: &'static str,
    /// In English.
    pub name_en: &'static str,
    /// Registry code.
    pub code: &'static str,
    /// Its X-Road subsystem (as provider and as client), `EE/GOV/70000562/rr`.
    pub xroad: &'static str,
    /// Whether it may hide its queries for a while (surveillance powers).
    pub may_hide: bool,
}

/// The five agencies.
pub const AGENCIES: [DemoAgency; 5] = [
    DemoAgency {
        id: "rr",
        name: "Siseministeerium (Rahvastikuregister)",
        name_en: "Population Register",
        code: "70000562",
        xroad: "EE/GOV/70000562/rr",
        may_hide: false,
    },
    DemoAgency {
        id: "tis",
        name: "Tervise ja Heaolu Infosüsteemide Keskus (Tervise infosüsteem)",
        name_en: "Health Information System",
        code: "70009770",
        xroad: "EE/GOV/70009770/tis",
        may_hide: false,
    },
    DemoAgency {
        id: "emta",
        name: "Maksu- ja Tolliamet",
        name_en: "Tax and Customs Board",
        code: "70000349",
        xroad: "EE/GOV/70000349/emta",
        may_hide: false,
    },
    DemoAgency {
        id: "transport",
        name: "Transpordiamet",
        name_en: "Transport Administration",
        code: "70001490",
        xroad: "EE/GOV/70001490/transpordiamet",
        may_hide: false,
    },
    DemoAgency {
        id: "ppa",
        name: "Politsei- ja Piirivalveamet",
        name_en: "Police and Border Guard Board",
        code: "70008747",
        xroad: "EE/GOV/70008747/ppa",
        may_hide: true,
    },
];

/// How to run the demo.
#[derive(Debug)]
pub struct DemoOptions {
    /// Where the databases, log keys and written files go.
    pub dir: PathBuf,
    /// Trust anchors for persons' authentication certificates (e.g. the ESTEID roots, or a test
    /// PKI's root).
    pub person_anchors: Vec<Cert>,
    /// Intermediate CAs for them.
    pub person_intermediates: Vec<Cert>,
    /// Serve persons over TLS (the demo CA's server certificate); plain HTTP otherwise.
    pub person_tls: bool,
    /// First port (person and official listener of each agency in turn); free ports when `None`.
    pub port_base: Option<u16>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// How often checkpoints are signed.
    pub checkpoint_interval: Duration,
}

/// A running demo node.
#[derive(Debug)]
pub struct DemoNode {
    /// The agency.
    pub agency: DemoAgency,
    /// The node.
    pub node: RunningNode,
    /// The persons' address.
    pub url: String,
    /// The Web eID origin.
    pub origin: String,
}

/// The running federation.
#[derive(Debug)]
pub struct DemoFederation {
    /// The nodes, in [`AGENCIES`] order.
    pub nodes: Vec<DemoNode>,
    /// The CA of every TLS certificate.
    pub ca: DemoCa,
    /// Each agency's member certificate, in [`AGENCIES`] order.
    pub members: Vec<Issued>,
    /// Each health-care provider's member certificate, in [`PROVIDERS`] order.
    pub providers: Vec<Issued>,
    /// Each demo person's authentication certificate and key (P-384, from [`Self::ca`], which
    /// the nodes trust for persons besides [`DemoOptions::person_anchors`]).
    pub people: Vec<(DemoPerson, Issued)>,
    /// The demo PKI's OCSP responder (`http://127.0.0.1:…/ocsp`), named in the people's
    /// certificates.
    pub ocsp_url: String,
    ocsp: Arc<crate::demo_ocsp::Responder>,
    ocsp_stop: tokio::sync::watch::Sender<bool>,
    ocsp_task: tokio::task::JoinHandle<()>,
}

impl DemoNode {
    /// The data sets the node holds (their ids, as an official's query names them).
    pub fn data_sets(&self) -> Vec<String> {
        crate::demo_data::demo_seed(&self.agency)
            .data_sets
            .into_iter()
            .map(|set| set.id)
            .collect()
    }

    /// A query the node serves about a demo person: the member that asks (an id of
    /// `federation.json`) and the data set. At the Health Information System the dentist, who
    /// treats Mari Tamm, reads her prescriptions; elsewhere another agency reads the first data
    /// set.
    pub fn example_query(&self) -> (&'static str, String) {
        let first = self.data_sets().into_iter().next().unwrap_or_default();
        match self.agency.id {
            "tis" => (crate::demo_data::PROVIDERS[0].id, "prescriptions".into()),
            "ppa" => ("rr", first),
            _ => ("ppa", first),
        }
    }
}

fn read_or_make_log_key(path: &Path) -> Result<SigningKey, NodeError> {
    let io = |e: std::io::Error| NodeError::Config(format!("{}: {e}", path.display()));
    if let Ok(text) = std::fs::read_to_string(path) {
        let text = text.trim();
        let mut seed = [0u8; 32];
        if text.len() != 64 {
            return Err(NodeError::Config(format!(
                "{} is not a log key",
                path.display()
            )));
        }
        for (i, b) in seed.iter_mut().enumerate() {
            *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .map_err(|_| NodeError::Config(format!("{} is not a log key", path.display())))?;
        }
        return Ok(SigningKey::from_bytes(&seed));
    }
    let seed = crate::random::<32>()?;
    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, format!("{hex}\n").as_bytes()).map_err(io)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes a key: private to its owner (the temporary file it is written as is), synced, in place
/// of an older one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    signet_fs::write_atomically(path, signet_fs::Placement::Replace, bytes)
}

fn organization(a: &DemoAgency) -> Organization {
    Organization {
        org_type: OrgType::Gov,
        code: a.code.into(),
        name: a.name.into(),
        system_name: a.xroad.rsplit('/').next().map(str::to_owned),
    }
}

/// Starts the federation.
pub async fn start_demo(options: DemoOptions) -> Result<DemoFederation, NodeError> {
    std::fs::create_dir_all(&options.dir)
        .map_err(|e| NodeError::Config(format!("{}: {e}", options.dir.display())))?;
    let now = options.clock.now();
    let mut ca = DemoCa::new("Signet demo federation CA", now)?;
    // The demo PKI's OCSP responder: bound first, so the people's certificates can name it.
    let (ocsp_listener, ocsp_url) =
        crate::demo_ocsp::bind(options.port_base.map_or(0, |b| b.saturating_add(10))).await?;
    ca.set_ocsp_url(&ocsp_url);
    let localhost: Vec<std::net::IpAddr> = vec![
        std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::Ipv6Addr::LOCALHOST.into(),
    ];
    let members: Vec<Issued> = AGENCIES
        .iter()
        .zip(10u64..)
        .map(|(a, serial)| ca.client(a.xroad, serial))
        .collect::<Result<_, _>>()?;
    let providers: Vec<Issued> = PROVIDERS
        .iter()
        .zip(30u64..)
        .map(|(p, serial)| ca.client(p.xroad, serial))
        .collect::<Result<_, _>>()?;
    let people: Vec<(DemoPerson, Issued)> = DEMO_PEOPLE
        .iter()
        .zip(1000u64..)
        .map(|(p, serial)| {
            ca.person(
                &p.given_name.to_uppercase(),
                &p.surname.to_uppercase(),
                &p.code[2..],
                serial,
            )
            .map(|issued| (*p, issued))
        })
        .collect::<Result<_, _>>()?;
    let serials = people
        .iter()
        .map(|(_, issued)| {
            x509_cert::Certificate::from_der(&issued.der)
                .map(|c| c.tbs_certificate.serial_number)
                .map_err(|e| NodeError::Internal(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ocsp = Arc::new(crate::demo_ocsp::Responder::new(
        &ca,
        serials,
        Arc::clone(&options.clock),
    )?);
    let (ocsp_stop, ocsp_task) = crate::demo_ocsp::spawn(ocsp_listener, Arc::clone(&ocsp));
    tracing::info!(url = %ocsp_url, "the demo PKI's OCSP responder");
    let ca_cert = Cert::from_der(&ca.der).map_err(|e| NodeError::Internal(e.to_string()))?;
    let mut person_anchors = options.person_anchors.clone();
    person_anchors.push(ca_cert);
    let mut nodes = Vec::new();
    for (i, agency) in AGENCIES.iter().enumerate() {
        let host = format!("{}.signet.demo", agency.id);
        let server = ca.server(&host, &[&host, "localhost"], &localhost, 100 + i as u64)?;
        let port = |k: u16| {
            options.port_base.map_or(0, |b| {
                b.saturating_add(2 * u16::try_from(i).unwrap_or(0) + k)
            })
        };
        let origin = format!("https://{host}");
        let config = NodeConfig {
            database: options.dir.join(format!("{}.db", agency.id)).into(),
            listen: (std::net::Ipv4Addr::LOCALHOST, port(0)).into(),
            origin: Origin::parse(&origin).map_err(|e| NodeError::Config(e.to_string()))?,
            agency_name: agency.name.into(),
            provider: agency.xroad.into(),
            log_origin: format!("{host}/usage"),
            log_key: read_or_make_log_key(&options.dir.join(format!("{}.logkey", agency.id)))?,
            anchors: TrustAnchors::new(person_anchors.clone()),
            intermediates: options.person_intermediates.clone(),
            // Each certificate's own responder: the demo people's is the demo PKI's.
            ocsp: Some(crate::OcspCheck {
                fetch: Arc::new(crate::ocsp::HttpFetch::default()),
                policy: signet_pki::ocsp::OcspPolicy::default(),
                responder: None,
            }),
            members: AGENCIES
                .iter()
                .zip(&members)
                .map(|(a, m)| Member {
                    client: a.xroad.into(),
                    organization: organization(a),
                    may_hide: a.may_hide,
                    portal: false,
                    certificate: Some(m.der.clone()),
                })
                .chain(
                    PROVIDERS
                        .iter()
                        .zip(&providers)
                        .filter(|_| agency.id == "tis")
                        .map(|(p, m)| Member {
                            client: p.xroad.into(),
                            organization: crate::demo_data::provider_organization(p),
                            may_hide: false,
                            portal: false,
                            certificate: Some(m.der.clone()),
                        }),
                )
                .collect(),
            access: demo_access(agency),
            // The police may hide a query for at most 30 days in the demo.
            max_hidden: Duration::from_secs(30 * 86_400),
            receipt_key: read_or_make_log_key(
                &options.dir.join(format!("{}.receiptkey", agency.id)),
            )?,
            official_tls: Some(OfficialTls {
                listen: (std::net::Ipv4Addr::LOCALHOST, port(1)).into(),
                certificate_chain: vec![server.der.clone(), ca.der.clone()],
                private_key_pkcs8: server.key_pkcs8.clone(),
                client_roots: vec![ca.der.clone()],
            }),
            loopback_officials_without_tls: false,
            person_tls: options.person_tls.then(|| PersonTls {
                certificate_chain: vec![server.der.clone(), ca.der.clone()],
                private_key_pkcs8: server.key_pkcs8.clone(),
            }),
            seed: demo_seed(agency),
            checkpoint_interval: options.checkpoint_interval,
            session_lifetime: Duration::from_secs(900),
            clock: Arc::clone(&options.clock),
            limits: crate::Limits::default(),
            accept_rewritten_log: false,
        };
        let node = crate::start(config).await?;
        let scheme = if options.person_tls { "https" } else { "http" };
        let url = format!("{scheme}://{}", node.addr());
        nodes.push(DemoNode {
            agency: *agency,
            node,
            url,
            origin,
        });
    }
    Ok(DemoFederation {
        nodes,
        ca,
        members,
        providers,
        people,
        ocsp_url,
        ocsp,
        ocsp_stop,
        ocsp_task,
    })
}

impl DemoFederation {
    /// The node of agency `id`.
    pub fn node(&self, id: &str) -> Option<&DemoNode> {
        self.nodes.iter().find(|n| n.agency.id == id)
    }

    /// The member identity of agency (or health-care provider) `id`, for official queries.
    pub fn identity(&self, id: &str) -> Option<OfficialIdentity> {
        let m = match AGENCIES.iter().position(|a| a.id == id) {
            Some(i) => self.members.get(i)?,
            None => self
                .providers
                .get(PROVIDERS.iter().position(|p| p.id == id)?)?,
        };
        Some(OfficialIdentity {
            certificate_chain: vec![m.der.clone()],
            private_key_pkcs8: m.key_pkcs8.clone(),
            roots: vec![self.ca.der.clone()],
        })
    }

    /// Writes `ca.pem`, the member certificates and keys, `nodes.json` (Signet's list of nodes)
    /// and `federation.json` into `dir`.
    pub fn write_files(&self, dir: &Path) -> Result<(), NodeError> {
        let io = |p: &Path, e: std::io::Error| NodeError::Config(format!("{}: {e}", p.display()));
        let ca_path = dir.join("ca.pem");
        std::fs::write(&ca_path, pem("CERTIFICATE", &self.ca.der)).map_err(|e| io(&ca_path, e))?;
        let mut listings = Vec::new();
        let mut agencies = Vec::new();
        for (n, m) in self.nodes.iter().zip(&self.members) {
            let cert = dir.join(format!("{}-member.pem", n.agency.id));
            let key = dir.join(format!("{}-member.key", n.agency.id));
            std::fs::write(&cert, pem("CERTIFICATE", &m.der)).map_err(|e| io(&cert, e))?;
            write_private(&key, pem("PRIVATE KEY", &m.key_pkcs8).as_bytes())
                .map_err(|e| io(&key, e))?;
            listings.push(serde_json::json!({
                "url": n.url,
                "origin": n.origin,
                "logKey": n.node.verifier().to_text(),
                "receiptKey": n.node.receipt_verifier().to_text(),
                "tlsCa": ca_path,
                "name": n.agency.name,
            }));
            agencies.push(serde_json::json!({
                "id": n.agency.id,
                "name": n.agency.name,
                "nameEn": n.agency.name_en,
                "provider": n.agency.xroad,
                "personUrl": n.url,
                "officialAddr": n.node.official_addr().map(|a| a.to_string()),
                "memberCertificate": cert,
                "memberKey": key,
                "dataSets": n.data_sets(),
            }));
        }
        for (p, m) in PROVIDERS.iter().zip(&self.providers) {
            let cert = dir.join(format!("{}-member.pem", p.id));
            let key = dir.join(format!("{}-member.key", p.id));
            std::fs::write(&cert, pem("CERTIFICATE", &m.der)).map_err(|e| io(&cert, e))?;
            write_private(&key, pem("PRIVATE KEY", &m.key_pkcs8).as_bytes())
                .map_err(|e| io(&key, e))?;
            agencies.push(serde_json::json!({
                "id": p.id,
                "name": p.name,
                "nameEn": p.name,
                "provider": p.xroad,
                "personUrl": null,
                "officialAddr": null,
                "memberCertificate": cert,
                "memberKey": key,
            }));
        }
        let people = dir.join("people");
        std::fs::create_dir_all(&people).map_err(|e| io(&people, e))?;
        for (p, issued) in &self.people {
            let cert = people.join(format!("{}.pem", p.code));
            let key = people.join(format!("{}.key", p.code));
            std::fs::write(&cert, pem("CERTIFICATE", &issued.der)).map_err(|e| io(&cert, e))?;
            write_private(&key, pem("PRIVATE KEY", &issued.key_pkcs8).as_bytes())
                .map_err(|e| io(&key, e))?;
        }
        let nodes = dir.join("nodes.json");
        std::fs::write(
            &nodes,
            serde_json::to_string_pretty(&serde_json::json!({"nodes": listings}))
                .map_err(|e| NodeError::Internal(e.to_string()))?,
        )
        .map_err(|e| io(&nodes, e))?;
        let federation = dir.join("federation.json");
        std::fs::write(
            &federation,
            serde_json::to_string_pretty(&serde_json::json!({"ca": ca_path, "agencies": agencies}))
                .map_err(|e| NodeError::Internal(e.to_string()))?,
        )
        .map_err(|e| io(&federation, e))?;
        Ok(())
    }

    /// Revokes the demo card of the person with `code` (`EE…`) at the demo PKI's OCSP
    /// responder: it no longer logs in. False when no demo person has that code.
    pub fn revoke(&self, code: &str) -> bool {
        let Some((_, issued)) = self.people.iter().find(|(p, _)| p.code == code) else {
            return false;
        };
        match x509_cert::Certificate::from_der(&issued.der) {
            Ok(cert) => {
                self.ocsp.revoke(&cert.tbs_certificate.serial_number);
                tracing::info!("a demo card was revoked");
                true
            }
            Err(_) => false,
        }
    }

    /// Stops every node and the OCSP responder.
    pub async fn stop(self) {
        for n in self.nodes {
            n.node.stop().await;
        }
        let _ = self.ocsp_stop.send(true);
        let _ = self.ocsp_task.await;
    }
}
