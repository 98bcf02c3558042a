//! A data set whose consents need the person's qualified signature: a change is refused
//! without one, accepted as `consent.json` in an ASiC-E container signed at B-LT by the
//! session's person, and refused when signed by someone else or tampered with.

use std::path::Path;

use signet_asic::InputFile;
use signet_asic::session::{self, RawSigner};
use signet_asic::xades::sign::Services;
use signet_core::{BaselineLevel, SystemClock};
use signet_data::consent::SignedReceipt;
use signet_pki::ocsp::OcspPolicy;
use signet_pki::{Cert, PathValidator, TrustAnchors};
use signet_testkit::{LoopbackFetch, Role};

use crate::consents::*;
use crate::support::*;

/// `request` as `consent.json` in an ASiC-E container signed at B-LT with `role`'s key.
fn signed_container(dir: &Path, request: &serde_json::Value, role: Role) -> Vec<u8> {
    let pki = pki();
    let file = dir.join("consent.json");
    std::fs::write(&file, request.to_string()).unwrap();
    let out = dir.join(format!("consent-{role:?}.asice"));
    let _ = std::fs::remove_file(&out);
    let root = Cert::from_der(pki.der(Role::Root)).unwrap();
    let anchors = TrustAnchors::new([root]);
    let validator = PathValidator::new(
        &anchors,
        [Cert::from_der(pki.der(Role::IssuingCa)).unwrap()],
    );
    let fetch = LoopbackFetch::default();
    let tsa = pki.tsa_url();
    let services = Services {
        fetch: &fetch,
        clock: &SystemClock,
        tsa_url: Some(&tsa),
        validator: &validator,
        ocsp_policy: OcspPolicy::default(),
    };
    let signer = Cert::from_der(pki.der(role)).unwrap();
    let mut token = move |digest: &[u8], _| {
        pki.get(role)
            .key
            .sign_digest_raw(digest)
            .map_err(|e| e.to_string())
    };
    let token: &mut RawSigner<'_> = &mut token;
    session::sign_new(
        &out,
        &[InputFile::from_path(&file).unwrap()],
        &signer,
        BaselineLevel::B_LT,
        &services,
        token,
    )
    .unwrap();
    std::fs::read(out).unwrap()
}

async fn post_signed(
    node: &signet_node::RunningNode,
    session: &str,
    container: Vec<u8>,
) -> (u16, serde_json::Value) {
    json(
        client()
            .post(format!("{}/v1/consents", base(node)))
            .bearer_auth(session)
            .header("content-type", "application/vnd.etsi.asic-e+zip")
            .body(container)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consent_that_requires_a_signature_is_accepted_only_signed_by_the_person() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = health_config(dir.path());
    config
        .access
        .data_sets
        .get_mut("cardiology")
        .unwrap()
        .consent_requires_signature = true;
    let node = signet_node::start(config).await.unwrap();
    let session = login(&node, &mari()).await;
    let grant = grant_dentist_cardiology();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();

    // Without a signature: refused.
    let (status, body) = change(&node, &session, None, &grant).await;
    assert_eq!(
        (status, &body["error"]),
        (422, &serde_json::json!("signature_required"))
    );

    // Signed by someone else (Jaan Kask's signing certificate): refused.
    let jaan = signed_container(&work, &grant, Role::RsaSigning);
    let (status, body) = post_signed(&node, &session, jaan).await;
    assert_eq!(
        (status, &body["error"]),
        (403, &serde_json::json!("signature_not_yours")),
        "{body}"
    );

    // Tampered: consent.json changed after signing (the recipient's code), or any byte of the
    // signature.
    let mari_signed = signed_container(&work, &grant, Role::Signing);
    let text = grant.to_string();
    let at = mari_signed
        .windows(text.len())
        .position(|w| w == text.as_bytes())
        .expect("consent.json is stored uncompressed");
    let mut tampered = mari_signed.clone();
    let digit = at + text.find("10137319").unwrap() + 7;
    tampered[digit] = b'8';
    let (status, body) = post_signed(&node, &session, tampered).await;
    assert!(
        status == 422 || body["error"] == "bad_container",
        "{status} {body}"
    );
    // The signature entry (deflated): a byte of its compressed data flipped.
    let name = b"META-INF/signatures0.xml";
    let sig_at = mari_signed
        .windows(name.len())
        .position(|w| w == name)
        .unwrap();
    let mut tampered = mari_signed.clone();
    tampered[sig_at + name.len() + 200] ^= 0x01;
    let (status, body) = post_signed(&node, &session, tampered).await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert_eq!(
        query(&node, DENTIST, MARI, "cardiology", None).await.0,
        403,
        "nothing changed"
    );

    // Signed by Mari herself: accepted, receipted, and in force.
    let (status, body) = post_signed(&node, &session, mari_signed).await;
    assert_eq!(status, 201, "{body}");
    let receipt: SignedReceipt = serde_json::from_value(body).unwrap();
    receipt.verify(&receipt_key(&node), &pinned(&node)).unwrap();
    assert_eq!(query(&node, DENTIST, MARI, "cardiology", None).await.0, 200);
    node.stop().await;
}
