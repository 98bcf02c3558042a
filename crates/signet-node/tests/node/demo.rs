//! The demo federation: five agencies on loopback, officials over mutual TLS, the demo people's
//! records; an official's query reaches the person's stream with a valid proof.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use signet_core::SystemClock;
use signet_data::PinnedLog;
use signet_data::demo::DEMO_PEOPLE;
use signet_node::client::{OfficialClient, OfficialQuery};
use signet_node::demo::{AGENCIES, DemoFederation, DemoOptions, start_demo};
use signet_pki::Cert;
use signet_testkit::Role;

use crate::support::*;

async fn federation(dir: &std::path::Path) -> DemoFederation {
    start_demo(DemoOptions {
        dir: dir.to_owned(),
        person_anchors: vec![Cert::from_der(pki().der(Role::Root)).unwrap()],
        person_intermediates: vec![Cert::from_der(pki().der(Role::IssuingCa)).unwrap()],
        person_tls: false,
        port_base: None,
        clock: Arc::new(SystemClock),
        checkpoint_interval: Duration::from_millis(50),
    })
    .await
    .unwrap()
}

fn query(at: &str, by: &str, person: &str, data_set: &str, purpose: &str) -> OfficialQuery {
    let provider = |id: &str| {
        AGENCIES
            .iter()
            .find(|a| a.id == id)
            .unwrap()
            .xroad
            .to_owned()
    };
    OfficialQuery {
        provider: provider(at),
        client: provider(by),
        person: person.into(),
        data_set: data_set.into(),
        purpose: purpose.into(),
        user_id: "EE47101010033".into(),
        user_name: Some("Viive Võõras".into()),
        legal_basis: Some("Politseiseadus § 30".into()),
        issue: Some("menetlus-2026-117".into()),
        query_id: format!("q-{person}-{data_set}-{by}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officials_mtls_query_in_the_demo_reaches_the_persons_stream_with_a_valid_proof() {
    let dir = tempfile::tempdir().unwrap();
    let fed = federation(dir.path()).await;
    assert_eq!(fed.nodes.len(), 5);
    let rr = fed.node("rr").unwrap();
    let mari = DEMO_PEOPLE[0];
    assert_eq!(mari.code, MARI);
    // The test PKI issues its certificates to the first demo person.
    assert_eq!(format!("EE{}", signet_testkit::PERSONAL_CODE), mari.code);

    // Mari logs in to the Population Register and subscribes.
    let n = nonce(&rr.node).await;
    let (status, body) = post_login(
        &rr.node,
        &n,
        &token(&crate::support::mari(), &rr.origin, &n),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let session = body["session"].as_str().unwrap().to_owned();
    let (status, holdings) = get(&rr.node, "/v1/holdings", Some(&session)).await;
    assert_eq!(status, 200);
    assert_eq!(
        holdings["records"][0]["values"]["address"]["value"],
        "Tähe 4, 50103 Tartu"
    );
    let mut stream = EventStream::open(&rr.node, &session, None).await;

    // The police query her record over mutual TLS, keeping the connection for a second query.
    let addr = rr.node.official_addr().unwrap();
    let mut police = OfficialClient::connect(addr, "127.0.0.1", &fed.identity("ppa").unwrap())
        .await
        .unwrap();
    let answer = police
        .get_records(&query(
            "rr",
            "ppa",
            MARI,
            "population",
            "Liiklusjärelevalve",
        ))
        .await
        .unwrap();
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let zanna = DEMO_PEOPLE
        .iter()
        .find(|p| p.given_name == "Žanna")
        .unwrap();
    let answer2 = police
        .get_records(&query(
            "rr",
            "ppa",
            zanna.code,
            "population",
            "Isikutuvastus",
        ))
        .await
        .unwrap();
    assert_eq!(answer2.status, 200);
    let records: serde_json::Value = serde_json::from_slice(&answer2.body).unwrap();
    assert_eq!(
        records["records"][0]["values"]["nativeName"]["value"],
        "Жанна Шишкина"
    );

    let event = stream.next().await;
    let pinned = PinnedLog {
        origin: rr.node.log_origin().to_owned(),
        verifier: rr.node.verifier().clone(),
    };
    let item = verify_item(&pinned, &event.data).unwrap();
    assert_eq!(Some(item.index), answer.usage_index);
    assert_eq!(item.entry.subject.as_str(), MARI);
    assert_eq!(item.entry.purpose, "Liiklusjärelevalve");
    assert_eq!(item.entry.receiver.name, "Politsei- ja Piirivalveamet");
    assert_eq!(
        item.entry
            .initiator_person
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("Viive Võõras")
    );
    // Žanna's query is not Mari's business.
    assert!(
        stream
            .next_within(Duration::from_millis(500))
            .await
            .is_none()
    );

    // Mari's consent rule: the tax board gets none of her prescriptions; the refusal is logged.
    let tis = fed.node("tis").unwrap();
    let mut tax = OfficialClient::connect(
        tis.node.official_addr().unwrap(),
        "127.0.0.1",
        &fed.identity("emta").unwrap(),
    )
    .await
    .unwrap();
    let refused = tax
        .get_records(&query(
            "tis",
            "emta",
            MARI,
            "prescriptions",
            "Maksukontroll",
        ))
        .await
        .unwrap();
    assert_eq!(refused.status, 403);
    assert!(refused.usage_index.is_some());
    drop(stream);
    fed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_writes_signets_list_of_nodes_and_official_query_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let fed = federation(dir.path()).await;
    fed.write_files(dir.path()).unwrap();
    let nodes: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("nodes.json")).unwrap())
            .unwrap();
    let listed = nodes["nodes"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    for (listing, n) in listed.iter().zip(&fed.nodes) {
        let key = signet_data::NoteVerifier::parse(listing["logKey"].as_str().unwrap()).unwrap();
        assert_eq!(key.name(), n.node.log_origin());
        assert_eq!(listing["url"], n.url.as_str());
    }

    let federation = dir.path().join("federation.json");
    let run = move |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_signet-node"))
            .args(["official", "query", "--federation"])
            .arg(&federation)
            .args(args)
            .env("RUST_LOG", "off")
            .output()
            .unwrap()
    };
    let out = tokio::task::spawn_blocking(move || {
        (
            run(&[
                "--as",
                "transport",
                "--at",
                "rr",
                "--person",
                "EE37605030299",
                "--data-set",
                "population",
                "--purpose",
                "Juhiloa väljastamine",
            ]),
            run(&[
                "--as",
                "emta",
                "--at",
                "tis",
                "--person",
                MARI,
                "--data-set",
                "prescriptions",
                "--purpose",
                "Maksukontroll",
            ]),
        )
    })
    .await
    .unwrap();
    let served: serde_json::Value = serde_json::from_slice(&out.0.stdout).unwrap();
    assert!(out.0.status.success(), "{served}");
    assert_eq!(served["status"], 200);
    assert_eq!(
        served["answer"]["records"][0]["values"]["name"]["value"],
        "Jüri Õunapuu"
    );
    let refused: serde_json::Value = serde_json::from_slice(&out.1.stdout).unwrap();
    assert_eq!(out.1.status.code(), Some(1));
    assert_eq!(refused["status"], 403);
    fed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_pkis_responder_is_asked_and_a_revoked_demo_card_does_not_log_in() {
    use p384::pkcs8::DecodePrivateKey as _;
    let dir = tempfile::tempdir().unwrap();
    let fed = federation(dir.path()).await;
    let rr = fed.node("rr").unwrap();
    let card = |code: &str| {
        let (_, issued) = fed.people.iter().find(|(p, _)| p.code == code).unwrap();
        Person {
            cert: issued.der.clone(),
            key: signet_testkit::TestKey::P384(
                p384::ecdsa::SigningKey::from_pkcs8_der(&issued.key_pkcs8).unwrap(),
            ),
        }
    };
    // The demo cards name the demo PKI's responder.
    let cert = Cert::from_der(&fed.people[1].1.der).unwrap();
    assert_eq!(cert.ocsp_urls(), vec![fed.ocsp_url.clone()]);

    let juri = DEMO_PEOPLE.iter().find(|p| p.given_name == "Jüri").unwrap();
    let ulle = DEMO_PEOPLE.iter().find(|p| p.given_name == "Ülle").unwrap();
    for person in [juri, ulle] {
        let n = nonce(&rr.node).await;
        let (status, body) =
            post_login(&rr.node, &n, &token(&card(person.code), &rr.origin, &n)).await;
        assert_eq!(status, 200, "{}: {body}", person.code);
    }
    // Jüri's card is revoked: refused at every node; Ülle's still logs in.
    assert!(fed.revoke(juri.code));
    assert!(!fed.revoke("EE00000000000"));
    for node in &fed.nodes {
        let n = nonce(&node.node).await;
        let (status, body) =
            post_login(&node.node, &n, &token(&card(juri.code), &node.origin, &n)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("token_refused")),
            "{}: {body}",
            node.agency.id
        );
        assert!(
            body["message"].as_str().unwrap().contains("revoked"),
            "{body}"
        );
    }
    let n = nonce(&rr.node).await;
    let (status, body) = post_login(&rr.node, &n, &token(&card(ulle.code), &rr.origin, &n)).await;
    assert_eq!(status, 200, "{body}");
    fed.stop().await;
}
