//! The person's side of the protocol, end to end.

use signet_data::entry::Outcome;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_logs_in_and_reads_holdings() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let session = login(&node, &mari()).await;
    let (status, body) = get(&node, "/v1/holdings", Some(&session)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dataSets"][0]["id"], "population");
    assert_eq!(
        body["dataSets"][0]["title"]["ru"],
        "Регистр народонаселения"
    );
    assert_eq!(body["dataSets"][0]["lastChange"], "2026-03-01T10:00:00Z");
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0]["values"]["name"],
        serde_json::json!({"kind": "text", "value": "Mari Tamm"})
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_query_reaches_the_stream_with_a_valid_proof_and_checkpoints_stay_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let pinned = pinned(&node);
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, None).await;

    let (status, body) = official_query(&node, POLICE, MARI, Some("Liiklusj%C3%A4relevalve")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["records"][0]["values"]["address"]["value"],
        "Tähe 4, Tartu"
    );

    let event = stream.next().await;
    let first = verify_item(&pinned, &event.data).unwrap();
    assert_eq!(event.id.as_deref(), Some(first.index.to_string().as_str()));
    assert_eq!(first.entry.subject.as_str(), MARI);
    assert_eq!(first.entry.purpose, "Liiklusjärelevalve");
    assert_eq!(
        first.entry.legal_basis.as_deref(),
        Some("Politseiseadus § 30")
    );
    assert_eq!(
        first.entry.query_group_id.as_deref(),
        Some("menetlus-2026-117")
    );
    let official = first.entry.initiator_person.as_ref().unwrap();
    assert_eq!(official.name.as_deref(), Some("Viive Võõras"));
    assert_eq!(official.code.as_deref(), Some("EE47101010033"));
    assert_eq!(first.entry.receiver.code, "70008747");
    assert_eq!(
        first.entry.released[0].fields,
        vec!["name".to_owned(), "address".to_owned()]
    );
    assert_eq!(first.entry.outcome, Outcome::Served);

    // Two more queries; the stored checkpoint is consistent with the next one.
    for _ in 0..2 {
        let (status, _) = official_query(&node, POLICE, MARI, Some("Kontroll")).await;
        assert_eq!(status, 200);
    }
    let second = verify_item(&pinned, &stream.next().await.data).unwrap();
    let third = verify_item(&pinned, &stream.next().await.data).unwrap();
    assert!(first.index < second.index && second.index < third.index);
    let next = advance(&node, &pinned, &first.checkpoint).await.unwrap();
    assert!(next.size >= 3);
    advance(&node, &pinned, &next).await.unwrap();
    drop(stream);

    // Resuming with Last-Event-ID gives only what came after.
    let mut resumed = EventStream::open(&node, &session, Some(first.index)).await;
    let again = verify_item(&pinned, &resumed.next().await.data).unwrap();
    assert_eq!(again.index, second.index);
    let again = verify_item(&pinned, &resumed.next().await.data).unwrap();
    assert_eq!(again.index, third.index);

    // The list endpoint serves the same entries with proofs.
    let (status, body) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(status, 200);
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for item in entries {
        verify_item(&pinned, item).unwrap();
    }
    let (_, body) = get(
        &node,
        &format!("/v1/usage?after={}", second.index),
        Some(&session),
    )
    .await;
    assert_eq!(body["entries"].as_array().unwrap().len(), 1);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_refused_by_consent_is_logged_too() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let pinned = pinned(&node);
    let (status, body) = official_query(&node, TAX, MARI, Some("Maksukontroll")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["type"], "Server.ServiceFailed.ConsentRefused");
    assert!(body.get("records").is_none());
    wait_for_size(&node, 1).await;
    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let item = verify_item(&pinned, &body["entries"][0]).unwrap();
    assert_eq!(
        item.entry.outcome,
        Outcome::RefusedByConsent {
            rule: "mari-denies-emta".into()
        }
    );
    assert!(item.entry.released.is_empty());
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_visit_to_an_empty_log_stores_its_signed_empty_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let pinned = pinned(&node);
    let session = login(&node, &mari()).await;
    let (status, body) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(status, 200);
    assert_eq!(body["entries"], serde_json::json!([]));
    let note = body["checkpoint"].as_str().unwrap();
    let empty = pinned
        .advance(signet_data::Known::FirstVisit, note.as_bytes(), &[])
        .unwrap();
    assert_eq!(
        (empty.size, empty.root),
        (0, signet_data::merkle::empty_root())
    );
    // From the empty baseline, any later checkpoint is an extension.
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    wait_for_size(&node, 1).await;
    assert_eq!(advance(&node, &pinned, &empty).await.unwrap().size, 1);
    node.stop().await;
}
