//! Authorization per data set, the person's consents, and changing them with receipts: a real
//! node over HTTP on loopback.

use std::path::Path;
use std::sync::Arc;

use signet_core::SystemClock;
use signet_data::consent::{ChangeKind, ConsentStatus, Decision, SignedReceipt};
use signet_data::entry::{OrgType, Organization, Outcome, PersonCode};
use signet_data::holdings::{DataSet, Field, FieldKind, FieldValue, Localized, Record};
use signet_data::note::NoteVerifier;
use signet_node::access::{
    AccessRule, ConsentDefault, DataSetAccess, Effect, Relation, Representation, Treatment,
};
use signet_node::{Member, NodeConfig, NodeError, RunningNode};

use crate::support::*;

pub const DENTIST: &str = "EE/COM/10137319/hambaravi";
pub const CARDIOLOGY: &str = "EE/COM/10876543/kardio";
/// Another subsystem of the tax board, whose organisation a deny rule names.
pub const TAX_OTHER: &str = "EE/GOV/70000349/muu";
/// A ministry outside every rule of the cardiology data set.
pub const MINISTRY: &str = "EE/GOV/70001234/sotsiaalministeerium";

fn member(client: &str, code: &str, name: &str) -> Member {
    Member {
        client: client.into(),
        organization: Organization {
            org_type: if client.contains("/COM/") {
                OrgType::Com
            } else {
                OrgType::Gov
            },
            code: code.into(),
            name: name.into(),
            system_name: None,
        },
        may_hide: false,
        portal: false,
        certificate: None,
    }
}

fn cardiology() -> DataSet {
    let text = |s: &str| Localized {
        et: s.into(),
        en: s.into(),
        ru: s.into(),
    };
    DataSet {
        id: "cardiology".into(),
        title: text("Kardioloogia"),
        categories: vec!["health".into()],
        fields: vec![Field {
            id: "diagnosis".into(),
            title: text("Diagnoos"),
            kind: FieldKind::Text,
        }],
        last_change: None,
        legal_basis: Localized::same("TTKS § 59¹"),
        retention: Localized::same("30 aastat"),
    }
}

/// The test node with a cardiology data set (closed unless the person opens it) that
/// health-care providers treating the person may query; the dentist and the cardiology clinic
/// treat Mari, nobody treats Liisa; Mari represents Liisa; a deny rule names the tax board.
pub fn health_config(dir: &Path) -> NodeConfig {
    let mut config = config(&dir.join("node.db"), Arc::new(SystemClock));
    config.members.extend([
        member(DENTIST, "10137319", "Tähe Hambakliinik OÜ"),
        member(CARDIOLOGY, "10876543", "Südamekliinik AS"),
        member(TAX_OTHER, "70000349", "Maksu- ja Tolliamet"),
        member(MINISTRY, "70001234", "Sotsiaalministeerium"),
    ]);
    config.seed.data_sets.push(cardiology());
    for person in [MARI, LIISA] {
        config.seed.records.push((
            PersonCode::new(person).unwrap(),
            Record {
                data_set: "cardiology".into(),
                id: format!("kard-{person}"),
                updated: "2026-03-01T10:00:00Z".parse().unwrap(),
                values: [(
                    "diagnosis".to_owned(),
                    FieldValue::Text("I10 Hüpertensioon".into()),
                )]
                .into_iter()
                .collect(),
            },
        ));
    }
    let access = &mut config.access;
    access.categories.insert(
        "health-care provider".into(),
        vec!["EE/COM/10137319".into(), "EE/COM/10876543".into()],
    );
    for provider in ["EE/COM/10137319", "EE/COM/10876543"] {
        access.relations.treats.push(Treatment {
            provider: provider.into(),
            person: PersonCode::new(MARI).unwrap(),
        });
    }
    access.relations.represents.push(Representation {
        representative: PersonCode::new(MARI).unwrap(),
        person: PersonCode::new(LIISA).unwrap(),
    });
    access.data_sets.insert(
        "cardiology".into(),
        DataSetAccess {
            rules: vec![
                AccessRule {
                    id: "no-tax-board".into(),
                    effect: Effect::Deny,
                    members: vec!["EE/GOV/70000349".into()],
                    ..AccessRule::default()
                },
                AccessRule {
                    id: "treating-providers".into(),
                    categories: vec!["health-care provider".into()],
                    relation: Some(Relation::Treats),
                    ..AccessRule::default()
                },
                AccessRule {
                    id: "police-in-proceedings".into(),
                    members: vec!["EE/GOV/70008747".into()],
                    require_issue: true,
                    legal_basis: Some("Politseiseadus § 30".into()),
                    ..AccessRule::default()
                },
            ],
            default: ConsentDefault::Closed,
            consent_requires_signature: false,
        },
    );
    config
}

pub async fn health_node(dir: &Path) -> RunningNode {
    signet_node::start(health_config(dir)).await.unwrap()
}

/// An official query for `data_set`; `issue` is `X-Road-Issue`.
pub async fn query(
    node: &RunningNode,
    client_id: &str,
    person: &str,
    data_set: &str,
    issue: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = client()
        .get(format!(
            "{}/r1/{PROVIDER}/getRecords/{person}/{data_set}",
            base(node)
        ))
        .header("X-Road-Client", client_id)
        .header("X-Road-PDU-Purpose", "Ravi")
        .header("X-Road-PDU-Legal-Basis", "Politseiseadus%20%C2%A7%2030");
    if let Some(i) = issue {
        req = req.header("X-Road-Issue", i);
    }
    json(req.send().await.unwrap()).await
}

/// A consent change; status and body.
pub async fn change(
    node: &RunningNode,
    session: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut req = client()
        .post(format!("{}/v1/consents", base(node)))
        .bearer_auth(session)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    json(req.send().await.unwrap()).await
}

pub fn grant_dentist_cardiology() -> serde_json::Value {
    serde_json::json!({
        "action": "grant",
        "scope": {"dataSet": "cardiology"},
        "recipient": {"member": "EE/COM/10137319"},
    })
}

/// The receipt verifier people pin for the test node.
pub fn receipt_key(node: &RunningNode) -> NoteVerifier {
    node.receipt_verifier().clone()
}

/// The outcome of the person's entry at `index`, verified against its checkpoint.
async fn outcome_at(node: &RunningNode, session: &str, index: u64) -> Outcome {
    wait_for_size(node, index + 1).await;
    let (_, body) = get(node, "/v1/usage", Some(session)).await;
    let item = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["index"] == index)
        .unwrap_or_else(|| panic!("no entry {index} in {body}"));
    verify_item(&pinned(node), item).unwrap().entry.outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_outside_a_data_sets_authorization_are_refused_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let node = health_node(dir.path()).await;
    let session = login(&node, &mari()).await;
    // Another ministry: no rule admits it. Another subsystem of the tax board: the deny rule
    // for its organisation holds for every subsystem. The police without a proceeding
    // number. A dentist for a person it does not treat (Liisa).
    let cases = [
        (MINISTRY, MARI, None, "cardiology:no-rule-for-member"),
        (TAX_OTHER, MARI, None, "no-tax-board"),
        (TAX, MARI, None, "no-tax-board"),
        (POLICE, MARI, None, "police-in-proceedings"),
        (DENTIST, LIISA, None, "treating-providers"),
    ];
    let mut index = 0;
    for (client_id, person, issue, rule) in cases {
        let (status, body) = query(&node, client_id, person, "cardiology", issue).await;
        assert_eq!(status, 403, "{client_id}: {body}");
        assert_eq!(body["type"], "Client.NotAuthorized", "{client_id}");
        assert!(
            !body.to_string().contains(rule),
            "the member learns no rule"
        );
        if person == MARI {
            assert_eq!(
                outcome_at(&node, &session, index).await,
                Outcome::RefusedByAuthorization { rule: rule.into() },
                "{client_id}"
            );
        }
        index += 1;
    }
    // With a proceeding number and the legal basis the police are authorized; the data set is
    // closed by default, so Mari's consent is what refuses it now.
    let (status, body) = query(&node, POLICE, MARI, "cardiology", Some("menetlus-1")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["type"], "Server.ServiceFailed.ConsentRefused");
    assert_eq!(
        outcome_at(&node, &session, index).await,
        Outcome::RefusedByConsent {
            rule: "cardiology:closed-by-default".into()
        }
    );
    // A data set the access policy does not name is queried by no one.
    let mut config = health_config(&dir.path().join("other"));
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    config.access.data_sets.remove("population");
    let other = signet_node::start(config).await.unwrap();
    let (status, body) = official_query(&other, POLICE, MARI, Some("Kontroll")).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (403, Some("Client.NotAuthorized"))
    );
    other.stop().await;
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_naming_a_subsystem_or_an_unknown_category_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = health_config(dir.path());
    config.access.data_sets.get_mut("cardiology").unwrap().rules[0]
        .members
        .push(TAX_OTHER.into());
    let err = signet_node::start(config).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Config(m) if m.contains("never name a subsystem")),
        "{err}"
    );
    let mut config = health_config(dir.path());
    config.access.data_sets.get_mut("cardiology").unwrap().rules[1]
        .categories
        .push("astrologer".into());
    let err = signet_node::start(config).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Config(m) if m.contains("astrologer")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dentist_sees_cardiology_while_the_consent_permits_and_not_after_withdrawal() {
    let dir = tempfile::tempdir().unwrap();
    let node = health_node(dir.path()).await;
    let pinned = pinned(&node);
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, None).await;

    // Closed by default.
    let (status, body) = query(&node, DENTIST, MARI, "cardiology", None).await;
    assert_eq!(
        (status, &body["message"]),
        (403, &serde_json::json!("refused"))
    );
    let first = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert_eq!(
        first.entry.outcome,
        Outcome::RefusedByConsent {
            rule: "cardiology:closed-by-default".into()
        }
    );

    // Mari opens it to the dentist: a receipt, verified offline.
    let (status, body) = change(&node, &session, Some("k-1"), &grant_dentist_cardiology()).await;
    assert_eq!(status, 201, "{body}");
    let granted: SignedReceipt = serde_json::from_value(body).unwrap();
    granted.verify(&receipt_key(&node), &pinned).unwrap();
    assert_eq!(granted.receipt.change, ChangeKind::Granted);
    assert_eq!(granted.receipt.consent.decision, Decision::Permit);
    let consent_id = granted.receipt.consent.id.clone();
    let change_entry = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert_eq!(change_entry.index, granted.receipt.log_index);

    // Served while the consent permits, naming the consent.
    let (status, body) = query(&node, DENTIST, MARI, "cardiology", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"][0]["id"], format!("kard-{MARI}"));
    let served = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert_eq!(served.entry.outcome, Outcome::Served);
    assert_eq!(
        served.entry.consent_reference.as_deref(),
        Some(consent_id.as_str())
    );
    assert_eq!(served.entry.released[0].data_set, "cardiology");
    // The consent names the dentist alone: the cardiology clinic still meets the default.
    assert_eq!(
        query(&node, CARDIOLOGY, MARI, "cardiology", None).await.0,
        403
    );
    let _ = stream.next().await;

    // Withdrawn: refused right after, and the dentist learns only "refused".
    let withdraw = serde_json::json!({"action": "withdraw", "consent": consent_id});
    let (status, body) = change(&node, &session, Some("k-2"), &withdraw).await;
    assert_eq!(status, 201, "{body}");
    let withdrawn: SignedReceipt = serde_json::from_value(body).unwrap();
    withdrawn.verify(&receipt_key(&node), &pinned).unwrap();
    assert_eq!(withdrawn.receipt.consent.status, ConsentStatus::Withdrawn);
    assert_eq!(withdrawn.receipt.consent.history.len(), 2);
    let _ = stream.next().await;
    let (status, body) = query(&node, DENTIST, MARI, "cardiology", None).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        serde_json::json!({"type": "Server.ServiceFailed.ConsentRefused", "message": "refused", "detail": null})
    );
    let refused = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert!(refused.entry.released.is_empty());
    assert_eq!(
        refused.entry.outcome,
        Outcome::RefusedByConsent {
            rule: "cardiology:closed-by-default".into()
        }
    );

    // A restriction closes an open data set to one member: the tax board's view of the
    // population register is refused by the record's id (seeded), the police's served.
    let restrict = serde_json::json!({
        "action": "restrict",
        "scope": {"category": "identity"},
        "recipient": {"member": "EE/GOV/70008747"},
        "purpose": "Kontroll",
    });
    let (status, body) = change(&node, &session, None, &restrict).await;
    assert_eq!(status, 201, "{body}");
    let restricted: SignedReceipt = serde_json::from_value(body).unwrap();
    let (status, _) = official_query(&node, POLICE, MARI, Some("Kontroll")).await;
    assert_eq!(status, 403);
    let (status, _) = official_query(&node, POLICE, MARI, Some("Muu")).await;
    assert_eq!(status, 200, "the restriction is for one purpose");
    let index = restricted.receipt.log_index + 1;
    assert_eq!(
        outcome_at(&node, &session, index).await,
        Outcome::RefusedByConsent {
            rule: restricted.receipt.consent.id.clone()
        }
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_change_gives_the_same_receipt_and_changes_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let node = health_node(dir.path()).await;
    let session = login(&node, &mari()).await;
    let (status, first) = change(&node, &session, Some("once"), &grant_dentist_cardiology()).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = change(&node, &session, Some("once"), &grant_dentist_cardiology()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(first, again);
    let (_, list) = get(&node, "/v1/consents", Some(&session)).await;
    let granted: Vec<_> = list["consents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["decision"] == "permit")
        .collect();
    assert_eq!(granted.len(), 1, "{list}");
    wait_for_size(&node, 1).await;
    let (_, usage) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(
        usage["entries"].as_array().unwrap().len(),
        1,
        "one log entry"
    );
    let (_, receipts) = get(&node, "/v1/consents/receipts", Some(&session)).await;
    assert_eq!(receipts["receipts"], serde_json::json!([first]));
    // The same key with another request is a conflict, not a second change.
    let other = serde_json::json!({
        "action": "restrict",
        "scope": {"dataSet": "cardiology"},
        "recipient": {"category": "health-care provider"},
    });
    let (status, body) = change(&node, &session, Some("once"), &other).await;
    assert_eq!(
        (status, &body["error"]),
        (409, &serde_json::json!("idempotency_key_reused"))
    );
    // After a restart the stored receipt is still the answer.
    node.stop().await;
    let node = health_node(dir.path()).await;
    let session = login(&node, &mari()).await;
    let (status, again) = change(&node, &session, Some("once"), &grant_dentist_cardiology()).await;
    assert_eq!((status, &again), (200, &first));
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_can_neither_read_nor_change_another_persons_consents() {
    let dir = tempfile::tempdir().unwrap();
    let node = health_node(dir.path()).await;
    let mari_session = login(&node, &mari()).await;
    let liisa_session = login(&node, &liisa()).await;
    let (status, body) = change(
        &node,
        &mari_session,
        Some("m-1"),
        &grant_dentist_cardiology(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let mari_consent = body["receipt"]["consent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Liisa reads her own consents: none of Mari's, no receipts.
    let (status, list) = get(&node, "/v1/consents", Some(&liisa_session)).await;
    assert_eq!(status, 200);
    assert_eq!(list["subject"], LIISA);
    assert_eq!(list["consents"], serde_json::json!([]));
    let (_, receipts) = get(&node, "/v1/consents/receipts", Some(&liisa_session)).await;
    assert_eq!(receipts["receipts"], serde_json::json!([]));
    // Asking for Mari's, by subject, is refused.
    for path in ["/v1/consents", "/v1/consents/receipts"] {
        let (status, body) = get(
            &node,
            &format!("{path}?subject={MARI}"),
            Some(&liisa_session),
        )
        .await;
        assert_eq!(
            (status, &body["error"]),
            (403, &serde_json::json!("not_your_consents")),
            "{path}"
        );
    }
    // Withdrawing Mari's record is "no such consent"; granting in her name is refused.
    let withdraw = serde_json::json!({"action": "withdraw", "consent": mari_consent});
    let (status, _) = change(&node, &liisa_session, None, &withdraw).await;
    assert_eq!(status, 404);
    let withdraw_for_mari =
        serde_json::json!({"action": "withdraw", "consent": mari_consent, "subject": MARI});
    assert_eq!(
        change(&node, &liisa_session, None, &withdraw_for_mari)
            .await
            .0,
        403
    );
    let mut grant = grant_dentist_cardiology();
    grant["subject"] = MARI.into();
    assert_eq!(change(&node, &liisa_session, None, &grant).await.0, 403);
    // Mari's consent is untouched and still serves the dentist.
    assert_eq!(query(&node, DENTIST, MARI, "cardiology", None).await.0, 200);
    // Mari represents Liisa: she may see and change Liisa's consents.
    let (status, list) = get(
        &node,
        &format!("/v1/consents?subject={LIISA}"),
        Some(&mari_session),
    )
    .await;
    assert_eq!((status, &list["subject"]), (200, &serde_json::json!(LIISA)));
    let mut for_liisa = grant_dentist_cardiology();
    for_liisa["subject"] = LIISA.into();
    let (status, body) = change(&node, &mari_session, None, &for_liisa).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["receipt"]["subject"], LIISA);
    assert_eq!(body["receipt"]["entry"]["initiatorPerson"]["code"], MARI);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_receipt_does_not_verify() {
    let dir = tempfile::tempdir().unwrap();
    let node = health_node(dir.path()).await;
    let pinned = pinned(&node);
    let session = login(&node, &mari()).await;
    let (_, body) = change(&node, &session, None, &grant_dentist_cardiology()).await;
    let receipt: SignedReceipt = serde_json::from_value(body).unwrap();
    receipt.verify(&receipt_key(&node), &pinned).unwrap();
    // Another decision shown than the one signed.
    let mut shown = receipt.clone();
    shown.receipt.consent.decision = Decision::Deny;
    assert!(shown.verify(&receipt_key(&node), &pinned).is_err());
    // Signed by another key (the log key is not the receipt key).
    assert!(receipt.verify(&node.verifier().clone(), &pinned).is_err());
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_dentist_and_cardiology_records() {
    let dir = tempfile::tempdir().unwrap();
    let demo = signet_node::demo::start_demo(signet_node::demo::DemoOptions {
        dir: dir.path().to_owned(),
        person_anchors: Vec::new(),
        person_intermediates: Vec::new(),
        person_tls: false,
        port_base: None,
        clock: Arc::new(SystemClock),
        checkpoint_interval: std::time::Duration::from_millis(50),
    })
    .await
    .unwrap();
    let tis = demo.node("tis").unwrap();
    let identity = demo.identity("dentist").unwrap();
    let mut conn = signet_node::client::OfficialClient::connect(
        tis.node.official_addr().unwrap(),
        "127.0.0.1",
        &identity,
    )
    .await
    .unwrap();
    let mut q = signet_node::client::OfficialQuery {
        provider: "EE/GOV/70009770/tis".into(),
        client: "EE/COM/10137319/hambaravi".into(),
        person: MARI.into(),
        data_set: "cardiology".into(),
        purpose: "Ravi".into(),
        user_id: "EE47101010033".into(),
        user_name: None,
        legal_basis: None,
        issue: None,
        query_id: "demo-1".into(),
    };
    let answer = conn.get_records(&q).await.unwrap();
    assert_eq!(
        answer.status, 200,
        "Mari opened her cardiology records to her dentist"
    );
    q.person = LIISA.into();
    q.query_id = "demo-2".into();
    assert_eq!(conn.get_records(&q).await.unwrap().status, 403);
    demo.stop().await;
}
