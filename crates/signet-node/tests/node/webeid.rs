//! Web eID token formats matched exactly, and a web-eid:1.1 signing certificate verified as
//! issued by a trusted person CA.

use std::time::Duration;

use signet_data::webeid::{
    AuthToken, Nonce, Origin, SigningCertificateInfo, SupportedSignatureAlgorithm, create_token,
};
use signet_testkit::x509::{CertSpec, Extensions, issue};
use signet_testkit::{Role, TestKey};
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::KeyUsages;

use crate::support::*;

fn token_1_1(person: &Person, nonce: &Nonce, signing_cert: &[u8]) -> AuthToken {
    let info = SigningCertificateInfo {
        certificate: signing_cert.to_vec(),
        supported: vec![SupportedSignatureAlgorithm {
            crypto_algorithm: "ECC".into(),
            hash_function: "SHA-384".into(),
            padding_scheme: "NONE".into(),
        }],
    };
    create_token(person, &Origin::parse(ORIGIN).unwrap(), nonce, Some(&info)).unwrap()
}

/// A signing certificate with Mari's subject, the issuing CA's name and key identifier and
/// nonRepudiation, signed by a key that is not the CA's.
fn forged_signing_certificate() -> Vec<u8> {
    let ca = pki().get(Role::IssuingCa);
    let mari = x509_cert::Certificate::from_der(&mari().cert).unwrap();
    let key = TestKey::p384();
    let forger = TestKey::p384();
    let mut ext = Extensions::default();
    ext.basic_constraints(false, None)
        .unwrap()
        .key_usage(KeyUsages::NonRepudiation.into())
        .unwrap()
        .subject_key_id(&key)
        .unwrap()
        .authority_key_id(&ca.key)
        .unwrap();
    let now = pki().now();
    issue(
        CertSpec {
            subject: mari.tbs_certificate.subject.clone(),
            serial: 0x0F04_6ED0,
            not_before: now - Duration::from_secs(86_400),
            not_after: now + Duration::from_secs(365 * 86_400),
            extensions: ext.0,
        },
        &key.spki().unwrap(),
        &ca.cert.tbs_certificate.subject,
        &forger,
    )
    .unwrap()
    .to_der()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_formats_are_matched_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let person = mari();
    for format in [
        "web-eid:1",
        "web-eid:1.",
        "web-eid:1.0x",
        "web-eid:1.00",
        "web-eid:1.10x",
        "web-eid:1.0 ",
        "web-eid:10.0",
        "WEB-EID:1.0",
    ] {
        let n = nonce(&node).await;
        let mut t = token(&person, ORIGIN, &n);
        t.format = format.into();
        let (status, body) = post_login(&node, &n, &t).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("token_refused")),
            "{format}: {body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("unsupported token format"),
            "{format}: {body}"
        );
    }
    // The two formats there are.
    let n = nonce(&node).await;
    let t = token(&person, ORIGIN, &n);
    assert_eq!(t.format, "web-eid:1.0");
    assert_eq!(post_login(&node, &n, &t).await.0, 200);
    let n = nonce(&node).await;
    let t = token_1_1(&person, &n, pki().der(Role::Signing));
    assert_eq!(t.format, "web-eid:1.1");
    let (status, body) = post_login(&node, &n, &t).await;
    assert_eq!(status, 200, "{body}");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1_1_signing_certificate_must_be_issued_by_a_trusted_person_ca() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let n = nonce(&node).await;
    let t = token_1_1(&mari(), &n, &forged_signing_certificate());
    let (status, body) = post_login(&node, &n, &t).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_refused")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("trusted person CA"),
        "{body}"
    );
    node.stop().await;
}
