//! Corrections and misuse reports: filed with signed receipts, retried by idempotency key, the
//! operator's decisions reaching the person's stream, and each person kept to their own.

use std::time::Duration;

use signet_core::Clock as _;
use signet_data::Timestamp;
use signet_data::correction::{Case, CaseChange, Correction, CorrectionStatus, SignedCaseReceipt};
use signet_data::entry::Outcome;
use signet_data::holdings::FieldValue;
use signet_node::RunningNode;
use signet_node::operator::Operator;

use crate::consents::receipt_key;
use crate::support::*;

/// `POST path` with the session and an idempotency key; status and body.
pub async fn post(
    node: &RunningNode,
    path: &str,
    session: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut req = client()
        .post(format!("{}{path}", base(node)))
        .bearer_auth(session)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    json(req.send().await.unwrap()).await
}

pub fn mari_address(value: &str) -> serde_json::Value {
    serde_json::json!({
        "dataSet": "population",
        "record": format!("rr-{MARI}"),
        "field": "address",
        "proposedValue": value,
        "explanation": "Kolisin märtsis",
    })
}

fn correction_of(receipt: &SignedCaseReceipt) -> &Correction {
    match &receipt.receipt.case {
        Case::Correction(c) => c,
        Case::MisuseReport(r) => panic!("a report: {r:?}"),
    }
}

fn operator(dir: &std::path::Path) -> Operator {
    Operator::open(&database_for(&dir.join("node.db"))).unwrap()
}

fn now() -> Timestamp {
    Timestamp::from_system(signet_core::SystemClock.now())
}

/// The receipts of `path` (`/v1/corrections`, `/v1/reports`) once there are `n`.
async fn receipts_when(
    node: &RunningNode,
    path: &str,
    session: &str,
    n: usize,
) -> Vec<SignedCaseReceipt> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, body) = get(node, path, Some(session)).await;
        assert_eq!(status, 200, "{body}");
        let receipts: Vec<SignedCaseReceipt> =
            serde_json::from_value(body["receipts"].clone()).unwrap();
        if receipts.len() >= n {
            return receipts;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {n} receipts: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn mari_address_now(node: &RunningNode, session: &str) -> serde_json::Value {
    let (_, holdings) = get(node, "/v1/holdings", Some(session)).await;
    holdings["records"][0]["values"]["address"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_is_receipted_and_its_acceptance_reaches_the_stream_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let pinned = pinned(&node);
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, None).await;

    let (status, body) = post(
        &node,
        "/v1/corrections",
        &session,
        Some("c-1"),
        &mari_address("Tähe 5, Tartu"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let filed: SignedCaseReceipt = serde_json::from_value(body.clone()).unwrap();
    // The receipt verifies offline against the receipt key and the pinned log key: its entry is
    // included at its log index.
    filed.verify(&receipt_key(&node), &pinned).unwrap();
    assert!(
        filed.verify(node.verifier(), &pinned).is_err(),
        "not the log key"
    );
    assert_eq!(filed.receipt.change, CaseChange::Filed);
    let c = correction_of(&filed).clone();
    assert_eq!(c.status, CorrectionStatus::Pending);
    assert_eq!(
        c.current_value,
        Some(FieldValue::Text("Tähe 4, Tartu".into()))
    );
    assert_eq!(c.history[0].log_index, filed.receipt.log_index);
    let logged = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert_eq!(logged.index, filed.receipt.log_index);
    assert!(matches!(
        &logged.entry.outcome,
        Outcome::CorrectionRequested { correction, .. } if *correction == c.id
    ));

    // Retried: the same receipt, one correction, one entry; the same key for another request
    // is a conflict.
    let (status, again) = post(
        &node,
        "/v1/corrections",
        &session,
        Some("c-1"),
        &mari_address("Tähe 5, Tartu"),
    )
    .await;
    assert_eq!((status, &again), (200, &body));
    let (status, other) = post(
        &node,
        "/v1/corrections",
        &session,
        Some("c-1"),
        &mari_address("Tähe 6, Tartu"),
    )
    .await;
    assert_eq!(
        (status, &other["error"]),
        (409, &serde_json::json!("idempotency_key_reused"))
    );
    let (_, list) = get(&node, "/v1/corrections", Some(&session)).await;
    assert_eq!(list["corrections"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["receipts"], serde_json::json!([body]));
    let (_, usage) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(usage["entries"].as_array().unwrap().len(), 1);

    // The operator accepts it: the record changes at once, and the decision reaches Mari's
    // stream as an entry of her log, with its own receipt.
    let listed = operator(dir.path()).corrections().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].correction.id, c.id);
    let accepted = operator(dir.path()).accept(&c.id, None, now()).unwrap();
    assert!(accepted.record_updated);
    let decision = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert_eq!(
        decision.entry.outcome,
        Outcome::CorrectionAccepted {
            correction: c.id.clone(),
            value: "Tähe 5, Tartu".into(),
        }
    );
    assert_eq!(
        mari_address_now(&node, &session).await,
        serde_json::json!({"kind": "text", "value": "Tähe 5, Tartu"})
    );
    let receipts = receipts_when(&node, "/v1/corrections", &session, 2).await;
    receipts[1].verify(&receipt_key(&node), &pinned).unwrap();
    assert_eq!(receipts[1].receipt.change, CaseChange::Accepted);
    assert_eq!(receipts[1].receipt.log_index, decision.index);
    let now_accepted = correction_of(&receipts[1]);
    assert_eq!(now_accepted.status, CorrectionStatus::Accepted);
    assert_eq!(now_accepted.history.len(), 2);
    // The filing receipt still shows the correction as it was filed.
    assert_eq!(
        correction_of(&receipts[0]).status,
        CorrectionStatus::Pending
    );
    // A decision is final.
    let err = operator(dir.path())
        .reject(&c.id, "Vale aadress", now())
        .unwrap_err();
    assert!(err.to_string().contains("decided already"), "{err}");

    // A restart, with the seed written again, keeps the accepted value.
    node.stop().await;
    let node = node_in(dir.path()).await;
    let session = login(&node, &mari()).await;
    assert_eq!(
        mari_address_now(&node, &session).await,
        serde_json::json!({"kind": "text", "value": "Tähe 5, Tartu"})
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_reaches_the_stream_even_when_made_while_the_node_was_down() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let session = login(&node, &mari()).await;
    let (status, body) = post(
        &node,
        "/v1/corrections",
        &session,
        None,
        &mari_address("Kuu 1, Tartu"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let filed: SignedCaseReceipt = serde_json::from_value(body).unwrap();
    let id = correction_of(&filed).id.clone();
    node.stop().await;

    // The operator's refusals say what to do.
    let op = operator(dir.path());
    let err = op.reject("k-nope", "Ei", now()).unwrap_err();
    assert!(err.to_string().contains("correction list"), "{err}");
    let err = op.reject(&id, "Vale\u{202E}aadress", now()).unwrap_err();
    assert!(err.to_string().contains("U+202E"), "{err}");
    let rejected = op
        .reject(&id, "Rahvastikuregistris on Tähe 4", now())
        .unwrap();
    assert_eq!(rejected.status, CorrectionStatus::Rejected);
    assert!(op.corrections().unwrap()[0].decision_not_logged_yet);
    drop(op);

    // The node logs it when it starts, and Mari's stream gets it.
    let node = node_in(dir.path()).await;
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, Some(filed.receipt.log_index)).await;
    let decision = verify_item(&pinned(&node), &stream.next().await.data).unwrap();
    assert_eq!(
        decision.entry.outcome,
        Outcome::CorrectionRejected {
            correction: id.clone(),
            reason: "Rahvastikuregistris on Tähe 4".into(),
        }
    );
    let receipts = receipts_when(&node, "/v1/corrections", &session, 2).await;
    receipts[1]
        .verify(&receipt_key(&node), &pinned(&node))
        .unwrap();
    assert_eq!(receipts[1].receipt.change, CaseChange::Rejected);
    assert!(!operator(dir.path()).corrections().unwrap()[0].decision_not_logged_yet);
    // The record is as it was.
    assert_eq!(
        mari_address_now(&node, &session).await,
        serde_json::json!({"kind": "text", "value": "Tähe 4, Tartu"})
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misuse_report_is_receipted_logged_and_listed_for_the_data_protection_officer() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let pinned = pinned(&node);
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, None).await;
    let _query = stream.next().await;
    let report =
        serde_json::json!({"usageIndex": 0, "comment": "Ma ei ole politseiga asju ajanud"});
    let (status, body) = post(&node, "/v1/reports", &session, Some("r-1"), &report).await;
    assert_eq!(status, 201, "{body}");
    let filed: SignedCaseReceipt = serde_json::from_value(body.clone()).unwrap();
    filed.verify(&receipt_key(&node), &pinned).unwrap();
    let Case::MisuseReport(r) = &filed.receipt.case else {
        panic!("{filed:?}")
    };
    assert_eq!(r.usage_index, 0);
    let logged = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert_eq!(logged.index, filed.receipt.log_index);
    assert!(matches!(
        logged.entry.outcome,
        Outcome::MisuseReported { usage_index: 0, .. }
    ));
    // Retried: the same receipt, one report.
    let (status, again) = post(&node, "/v1/reports", &session, Some("r-1"), &report).await;
    assert_eq!((status, &again), (200, &body));
    let (_, list) = get(&node, "/v1/reports", Some(&session)).await;
    assert_eq!(list["reports"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["receipts"], serde_json::json!([body]));
    // The data protection officer's list.
    let reports = operator(dir.path()).reports().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].comment, "Ma ei ole politseiga asju ajanud");
    assert_eq!(reports[0].history[0].log_index, filed.receipt.log_index);
    // A comment with a bidirectional override, or an entry that does not exist: refused.
    let bad = serde_json::json!({"usageIndex": 0, "comment": "a\u{202E}b"});
    assert_eq!(
        post(&node, "/v1/reports", &session, None, &bad).await.0,
        400
    );
    let missing = serde_json::json!({"usageIndex": 99, "comment": "?"});
    assert_eq!(
        post(&node, "/v1/reports", &session, None, &missing).await.0,
        404
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_can_neither_read_nor_file_another_persons_corrections_reports_or_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    let mari_session = login(&node, &mari()).await;
    let liisa_session = login(&node, &liisa()).await;
    let (status, _) = post(
        &node,
        "/v1/corrections",
        &mari_session,
        Some("same-key"),
        &mari_address("Tähe 5, Tartu"),
    )
    .await;
    assert_eq!(status, 201);
    let report = serde_json::json!({"usageIndex": 0, "comment": "Kes see oli?"});
    assert_eq!(
        post(&node, "/v1/reports", &mari_session, None, &report)
            .await
            .0,
        201
    );

    // Liisa sees none of Mari's cases or receipts.
    for path in ["/v1/corrections", "/v1/reports"] {
        let (status, body) = get(&node, path, Some(&liisa_session)).await;
        assert_eq!(status, 200);
        assert_eq!(body["subject"], LIISA);
        assert_eq!(body["receipts"], serde_json::json!([]), "{path}");
        assert!(!body.to_string().contains(MARI), "{path}: {body}");
        let (status, body) = get(
            &node,
            &format!("{path}?subject={MARI}"),
            Some(&liisa_session),
        )
        .await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    // She cannot file in Mari's name, nor correct Mari's record or report Mari's entry as her
    // own: "no such record", "no such entry", as for ones that do not exist.
    let mut for_mari = mari_address("Liisa's idea");
    for_mari["subject"] = MARI.into();
    assert_eq!(
        post(&node, "/v1/corrections", &liisa_session, None, &for_mari)
            .await
            .0,
        403
    );
    let (status, body) = post(
        &node,
        "/v1/corrections",
        &liisa_session,
        None,
        &mari_address("Liisa's idea"),
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (404, &serde_json::json!("no_such_record"))
    );
    let (status, body) = post(&node, "/v1/reports", &liisa_session, None, &report).await;
    assert_eq!(
        (status, &body["error"]),
        (404, &serde_json::json!("no_such_entry"))
    );
    // The same idempotency key as Mari's is Liisa's own: no receipt of Mari's comes back.
    let liisa_record = serde_json::json!({
        "dataSet": "population", "record": format!("rr-{LIISA}"), "field": "address",
        "proposedValue": "Õie 3, Pärnu", "explanation": "Kolisin",
    });
    let (status, body) = post(
        &node,
        "/v1/corrections",
        &liisa_session,
        Some("same-key"),
        &liisa_record,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["receipt"]["subject"], LIISA);
    // A field the data set does not have, or text with control characters: refused.
    let mut no_field = liisa_record.clone();
    no_field["field"] = "shoeSize".into();
    assert_eq!(
        post(&node, "/v1/corrections", &liisa_session, None, &no_field)
            .await
            .0,
        400
    );
    let mut control = liisa_record;
    control["explanation"] = "a\u{0007}b".into();
    assert_eq!(
        post(&node, "/v1/corrections", &liisa_session, None, &control)
            .await
            .0,
        400
    );
    node.stop().await;
}
