//! Official queries over mutual TLS: a member certificate is required at the handshake, and it
//! must be the certificate of the member the query names.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use signet_core::SystemClock;
use signet_node::{OfficialTls, RunningNode};
use signet_testkit::TestKey;
use signet_testkit::x509::{CertSpec, Extensions, issue, name, oid};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use x509_cert::der::asn1::{ObjectIdentifier, OctetString};
use x509_cert::der::{Encode as _, flagset::FlagSet};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{KeyUsages, SubjectAltName};

use crate::support::*;

const KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");

pub(crate) struct Issued {
    der: Vec<u8>,
    key: TestKey,
}

fn pkcs8_der(key: &TestKey) -> Vec<u8> {
    let pem = key.to_pkcs8_pem().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn ca(cn: &str) -> (x509_cert::name::Name, Issued) {
    let key = TestKey::p256();
    let subject = name(&[(oid::COUNTRY, "EE"), (oid::COMMON_NAME, cn)]).unwrap();
    let mut ext = Extensions::default();
    ext.basic_constraints(true, None)
        .unwrap()
        .key_usage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)
        .unwrap()
        .subject_key_id(&key)
        .unwrap();
    let cert = issue(
        spec(subject.clone(), 1, ext),
        &key.spki().unwrap(),
        &subject,
        &key,
    )
    .unwrap();
    (
        subject,
        Issued {
            der: cert.to_der().unwrap(),
            key,
        },
    )
}

fn spec(subject: x509_cert::name::Name, serial: u64, ext: Extensions) -> CertSpec {
    let now = signet_core::Clock::now(&SystemClock);
    CertSpec {
        subject,
        serial,
        not_before: now - Duration::from_secs(3600),
        not_after: now + Duration::from_secs(86_400),
        extensions: ext.0,
    }
}

fn leaf(
    ca_name: &x509_cert::name::Name,
    ca: &Issued,
    cn: &str,
    serial: u64,
    server: bool,
) -> Issued {
    let key = TestKey::p256();
    let mut ext = Extensions::default();
    let usage: FlagSet<KeyUsages> = KeyUsages::DigitalSignature.into();
    ext.basic_constraints(false, None)
        .unwrap()
        .key_usage(usage)
        .unwrap()
        .ext_key_usage(
            false,
            &[if server {
                KP_SERVER_AUTH
            } else {
                oid::KP_CLIENT_AUTH
            }],
        )
        .unwrap()
        .subject_key_id(&key)
        .unwrap()
        .authority_key_id(&ca.key)
        .unwrap();
    if server {
        let san = SubjectAltName(vec![GeneralName::IpAddress(
            OctetString::new(vec![127, 0, 0, 1]).unwrap(),
        )]);
        ext.0.push(Extension {
            extn_id: SUBJECT_ALT_NAME,
            critical: false,
            extn_value: OctetString::new(san.to_der().unwrap()).unwrap(),
        });
    }
    let subject = name(&[(oid::COUNTRY, "EE"), (oid::COMMON_NAME, cn)]).unwrap();
    let cert = issue(
        spec(subject, serial, ext),
        &key.spki().unwrap(),
        ca_name,
        &ca.key,
    )
    .unwrap();
    Issued {
        der: cert.to_der().unwrap(),
        key,
    }
}

pub(crate) struct Federation {
    member_ca: Issued,
    node: Issued,
    pub(crate) police: Issued,
    not_a_member: Issued,
    foreign: Issued,
}

pub(crate) fn federation() -> Federation {
    let (ca_name, member_ca) = ca("Signet test X-Road members");
    let node = leaf(&ca_name, &member_ca, "rr.signet.test", 10, true);
    let police = leaf(&ca_name, &member_ca, "EE/GOV/70008747/polis", 11, false);
    let not_a_member = leaf(&ca_name, &member_ca, "EE/COM/12345678/snoop", 12, false);
    let (other_name, other_ca) = ca("Someone else's CA");
    let foreign = leaf(&other_name, &other_ca, "EE/GOV/70008747/polis", 13, false);
    Federation {
        member_ca,
        node,
        police,
        not_a_member,
        foreign,
    }
}

pub(crate) async fn start(f: &Federation, dir: &std::path::Path) -> RunningNode {
    start_with(f, dir, signet_node::Limits::default()).await
}

/// A node with the official mutual-TLS listener and `limits`.
pub(crate) async fn start_with(
    f: &Federation,
    dir: &std::path::Path,
    limits: signet_node::Limits,
) -> RunningNode {
    let mut cfg = config(&dir.join("node.db"), Arc::new(SystemClock));
    cfg.limits = limits;
    cfg.official_tls = Some(OfficialTls {
        listen: "127.0.0.1:0".parse().unwrap(),
        certificate_chain: vec![f.node.der.clone()],
        private_key_pkcs8: pkcs8_der(&f.node.key),
        client_roots: vec![f.member_ca.der.clone()],
    });
    for member in &mut cfg.members {
        if member.client == POLICE {
            member.certificate = Some(f.police.der.clone());
        }
    }
    signet_node::start(cfg).await.unwrap()
}

/// A TLS connection to the official listener with `identity` as the client certificate.
pub(crate) async fn connect(
    addr: SocketAddr,
    f: &Federation,
    identity: Option<&Issued>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(f.member_ca.der.clone()))
        .unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match identity {
        Some(id) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(id.der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8_der(&id.key))),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let server = ServerName::try_from("127.0.0.1").unwrap();
    connector
        .connect(server, tcp)
        .await
        .map_err(|e| e.to_string())
}

/// One official query over TLS with `identity` as the client certificate; the HTTP status, or
/// the TLS error.
pub(crate) async fn query(
    addr: SocketAddr,
    f: &Federation,
    identity: Option<&Issued>,
    client_id: &str,
) -> Result<u16, String> {
    let mut tls = connect(addr, f, identity).await?;
    let request = format!(
        "GET /r1/{PROVIDER}/getRecords/{MARI}/population HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Road-Client: {client_id}\r\nX-Road-PDU-Purpose: Kontroll\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response)
        .await
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split(' ')
        .nth(1)
        .ok_or_else(|| format!("no status line in {text:?}"))?;
    status
        .parse()
        .map_err(|_| format!("bad status in {text:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officials_need_their_member_certificate() {
    let f = federation();
    let dir = tempfile::tempdir().unwrap();
    let node = start(&f, dir.path()).await;
    let addr = node.official_addr().unwrap();

    // The police with its own certificate: served, and logged for Mari.
    assert_eq!(query(addr, &f, Some(&f.police), POLICE).await, Ok(200));
    wait_for_size(&node, 1).await;
    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let item = verify_item(&pinned(&node), &body["entries"][0]).unwrap();
    assert_eq!(item.entry.receiver.code, "70008747");

    // No certificate, or one from another CA: refused at TLS.
    assert!(query(addr, &f, None, POLICE).await.is_err());
    assert!(query(addr, &f, Some(&f.foreign), POLICE).await.is_err());

    // A certificate of the member CA that is not the police's: refused, whatever it claims.
    assert_eq!(
        query(addr, &f, Some(&f.not_a_member), POLICE).await,
        Ok(403)
    );
    // The police's certificate naming another member: refused.
    assert_eq!(query(addr, &f, Some(&f.police), TAX).await, Ok(403));

    // The plain listener no longer answers official queries.
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        404
    );
    // Only the one served query was logged.
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(body["entries"].as_array().unwrap().len(), 1);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_routes_never_go_on_the_person_listener() {
    let f = federation();
    let dir = tempfile::tempdir().unwrap();
    // Persons over TLS (a person-facing deployment) and no mutual-TLS listener: refused, rather
    // than serving official queries on the person listener with the member named by a header.
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    cfg.person_tls = Some(signet_node::PersonTls {
        certificate_chain: vec![f.node.der.clone()],
        private_key_pkcs8: pkcs8_der(&f.node.key),
    });
    let refused = signet_node::start(cfg).await.unwrap_err();
    assert!(refused.to_string().contains("mutual TLS"), "{refused}");

    // Listening beyond loopback without one: refused too.
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    cfg.listen = "0.0.0.0:0".parse().unwrap();
    let refused = signet_node::start(cfg).await.unwrap_err();
    assert!(refused.to_string().contains("mutual TLS"), "{refused}");

    // With the mutual-TLS listener, the plain listener has none of the official routes.
    let node = start(&f, dir.path()).await;
    for path in [
        format!("/r1/{PROVIDER}/getRecords/{MARI}/population"),
        format!("/r1/{PROVIDER}/findUsage/v2/findUsage"),
        format!("/r1/{PROVIDER}/findUsage/v3/findUsage"),
        format!("/r1/{PROVIDER}/findUsage/v2/usagePeriod"),
        format!("/r1/{PROVIDER}/findUsage/v2/heartbeat"),
    ] {
        let resp = client()
            .get(format!("{}{path}", base(&node)))
            .header("X-Road-Client", POLICE)
            .header("X-Road-UserId", MARI)
            .header("X-Road-PDU-Purpose", "x")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "{path}");
    }
    node.stop().await;
}
