//! Login certificates checked through OCSP (OpenSSL's responder on loopback).

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use signet_core::SystemClock;
use signet_data::Timestamp;
use signet_node::OcspCheck;
use signet_pki::ocsp::OcspPolicy;
use signet_testkit::LoopbackFetch;
use x509_cert::der::Decode as _;

use crate::support::*;

/// OpenSSL's index time, `YYMMDDHHMMSSZ`.
fn index_time(t: Timestamp) -> String {
    let s = t.to_string();
    format!(
        "{}{}{}{}{}{}Z",
        &s[2..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..19]
    )
}

/// Marks `person`'s certificate revoked an hour ago in the responder's database.
pub(crate) fn revoke(person: &Person) {
    register(person, true);
}

/// Adds `person`'s certificate to the responder's database: valid, or revoked an hour ago.
pub(crate) fn register(person: &Person, revoked: bool) {
    let cert = x509_cert::Certificate::from_der(&person.cert).unwrap();
    let tbs = &cert.tbs_certificate;
    let serial: String = tbs
        .serial_number
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let expiry = index_time(Timestamp::from_system(
        tbs.validity.not_after.to_system_time(),
    ));
    let mut index = std::fs::OpenOptions::new()
        .append(true)
        .open(pki().dir().join("index.txt"))
        .unwrap();
    if revoked {
        let at = index_time(Timestamp::from_system(
            pki().now() - Duration::from_secs(3600),
        ));
        writeln!(
            index,
            "R\t{expiry}\t{at},keyCompromise\t{serial}\tunknown\t/CN=test-{serial}"
        )
        .unwrap();
    } else {
        writeln!(index, "V\t{expiry}\t\t{serial}\tunknown\t/CN=test-{serial}").unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_unknown_and_revoked_authentication_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    cfg.ocsp = Some(OcspCheck {
        fetch: Arc::new(LoopbackFetch::default()),
        policy: OcspPolicy::default(),
        responder: None,
    });
    let node = signet_node::start(cfg).await.unwrap();

    // Good.
    login(&node, &mari()).await;

    // Unknown to the responder: not good either.
    let n = nonce(&node).await;
    let (status, body) = post_login(&node, &n, &token(&liisa(), ORIGIN, &n)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_refused")),
        "{body}"
    );

    // Revoked.
    let revoked = liisa_with_serial(0x004C_1170);
    revoke(&revoked);
    let n = nonce(&node).await;
    let (status, body) = post_login(&node, &n, &token(&revoked, ORIGIN, &n)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_refused")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nodes_configured_responder_is_asked_whatever_the_certificate_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    cfg.ocsp = Some(OcspCheck {
        fetch: Arc::new(LoopbackFetch::default()),
        policy: OcspPolicy::default(),
        responder: Some(pki().ocsp_url()),
    });
    let node = signet_node::start(cfg).await.unwrap();
    // Certificates naming a responder that does not answer (port 9, discard).
    let elsewhere = "http://127.0.0.1:9/ocsp";
    let good = person_with_ocsp(0x004C_1181, "LIHT", "LIISA", "49403136526", elsewhere);
    register(&good, false);
    let revoked = person_with_ocsp(0x004C_1182, "LIHT", "LIISA", "49403136526", elsewhere);
    revoke(&revoked);

    let n = nonce(&node).await;
    let (status, body) = post_login(&node, &n, &token(&good, ORIGIN, &n)).await;
    assert_eq!(status, 200, "{body}");
    let n = nonce(&node).await;
    let (status, body) = post_login(&node, &n, &token(&revoked, ORIGIN, &n)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_refused")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    node.stop().await;
}
