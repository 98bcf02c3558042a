//! What the tests with a real signet-node in process share: the node's configuration (loopback
//! HTTP, Mari Tamm's population record, the police allowed to query it), Mari's PKCS#12 file,
//! an official's query.
#![allow(dead_code, reason = "each test binary uses part of it")]

use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use signet_data::entry::{OrgType, Organization, PersonCode};
use signet_data::holdings::{DataSet, Field, FieldKind, FieldValue, Localized, Record};
use signet_data::webeid::Origin;
use signet_node::{Member, NodeConfig, Seed};
use signet_pki::{Cert, TrustAnchors};
use signet_testkit::{Role, TestPki};

pub const POLICE: &str = "EE/GOV/70008747/polis";
pub const PROVIDER: &str = "EE/GOV/70000562/rr";

pub const ORIGIN: &str = "https://rr.signet.test";
pub const PASSWORD: &str = "Mari parool 7";
pub const MARI: &str = "EE38001085718";

pub fn node_config(pki: &TestPki, db: &Path) -> NodeConfig {
    let text = |s: &str| Localized {
        et: s.into(),
        en: s.into(),
        ru: s.into(),
    };
    NodeConfig {
        database: db.into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        origin: Origin::parse(ORIGIN).unwrap(),
        agency_name: "Rahvastikuregister".into(),
        provider: PROVIDER.into(),
        log_origin: "rr.signet.test/usage".into(),
        log_key: ed25519_dalek::SigningKey::from_bytes(&[42; 32]),
        receipt_key: ed25519_dalek::SigningKey::from_bytes(&[43; 32]),
        max_hidden: std::time::Duration::from_secs(30 * 86_400),
        access: signet_node::AccessPolicy::default().permit("population", "police", &[POLICE]),
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
                legal_basis: Localized {
                    et: "RRS § 2".into(),
                    en: "Population Register Act § 2".into(),
                    ru: "Закон о регистре народонаселения § 2".into(),
                },
                retention: Localized {
                    et: "75 aastat".into(),
                    en: "75 years".into(),
                    ru: "75 лет".into(),
                },
            }],
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
        accept_rewritten_log: false,
    }
}

/// Mari's authentication key and certificate as a PKCS#12 file, exported by OpenSSL.
pub fn p12(pki: &TestPki, dir: &Path) -> PathBuf {
    let issued = pki.get(Role::Authentication);
    let out = dir.join("mari-auth.p12");
    let status = std::process::Command::new("openssl")
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
    assert!(status.status.success());
    out
}

/// An official's query of Mari's population record on `addr` (loopback, no TLS); the HTTP status.
pub fn official_query(addr: SocketAddr, purpose: &str) -> u16 {
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "GET /r1/{PROVIDER}/getRecords/{MARI}/population HTTP/1.1\r\nHost: {addr}\r\nX-Road-Client: {POLICE}\r\nX-Road-Id: q-{purpose}\r\nX-Road-UserId: EE47101010033\r\nX-Road-PDU-Purpose: {purpose}\r\nConnection: close\r\n\r\n"
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

/// Waits until the node on `addr` has signed a checkpoint of at least `size` entries.
pub fn wait_for_size(addr: SocketAddr, size: u64) {
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
            "the node did not sign a checkpoint of size {size}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
