//! The Data Tracker's findUsage v2 and v3, as the state portal calls them.

use crate::support::*;

async fn find(
    node: &signet_node::RunningNode,
    path: &str,
    user_id: Option<&str>,
    client_id: &str,
) -> (u16, serde_json::Value) {
    let mut req = client()
        .get(format!("{}/r1/{PROVIDER}/findUsage/{path}", base(node)))
        .header("X-Road-Client", client_id);
    if let Some(u) = user_id {
        req = req.header("X-Road-UserId", u);
    }
    json(req.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_usage_v2_and_v3_return_the_persons_entries_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Esimene")).await.0,
        200
    );
    assert_eq!(
        official_query(&node, POLICE, LIISA, Some("Liisa")).await.0,
        200
    );
    assert_eq!(official_query(&node, TAX, MARI, Some("Teine")).await.0, 403);

    let (status, body) = find(&node, "v2/findUsage", Some(MARI), PORTAL).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalUsages"], 2);
    let usages = body["usages"].as_array().unwrap();
    assert_eq!(usages[0]["receiverCode"], "70000349");
    assert_eq!(usages[1]["receiverCode"], "70008747");
    assert_eq!(usages[1]["receiverName"], "Politsei- ja Piirivalveamet");
    assert!(usages[0]["logtime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(usages[0]["action"], "Päring: Rahvastikuregister");

    // Paging (the first findUsage call is itself an entry now, the newest).
    let (_, body) = find(&node, "v2/findUsage?offset=2&limit=1", Some(MARI), PORTAL).await;
    assert_eq!(
        (
            body["totalUsages"].as_u64(),
            body["usages"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );
    assert_eq!(body["usages"][0]["receiverCode"], "70008747");
    let (_, body) = find(
        &node,
        &format!("v2/findUsage?userCode={LIISA}"),
        Some(LIISA),
        PORTAL,
    )
    .await;
    assert_eq!(body["totalUsages"], 1);

    let (status, body) = find(
        &node,
        "v3/findUsage?processingType=DATA_RESPONSE",
        Some(MARI),
        PORTAL,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The two official queries and the two findUsage calls before this one.
    assert_eq!(
        (
            body["totalUsages"].as_u64(),
            body["returnedUsages"].as_u64()
        ),
        (Some(4), Some(4))
    );
    let responses = body["dataResponses"].as_array().unwrap();
    assert_eq!(responses[0]["action"], "findUsage v2");
    assert_eq!(responses[2]["purpose"], "Teine");
    assert_eq!(responses[2]["outcome"]["result"], "refusedByConsent");
    assert_eq!(responses[3]["target"]["code"], "70008747");
    assert_eq!(responses[3]["initiatorPerson"]["code"], "EE47101010033");
    let (_, body) = find(
        &node,
        "v3/findUsage?processingType=DATA_REQUEST",
        Some(MARI),
        PORTAL,
    )
    .await;
    assert_eq!(body["totalUsages"], 0);

    let (status, body) = find(&node, "v2/heartbeat", None, PORTAL).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("OK")));
    let (status, body) = find(&node, "v2/usagePeriod", None, PORTAL).await;
    assert_eq!(status, 200);
    assert!(body["periodStart"].is_string());

    // Refusals: no X-Road-UserId, a stranger, bad parameters.
    assert_eq!(find(&node, "v2/findUsage", None, PORTAL).await.0, 400);
    assert_eq!(
        find(&node, "v2/findUsage", Some(MARI), STRANGER).await.0,
        403
    );
    for bad in [
        "limit=0",
        "limit=10001",
        "offset=-1",
        "periodStart=yesterday",
        "processingType=X",
        "userCode=38001085718",
        "what=1",
    ] {
        assert_eq!(
            find(&node, &format!("v3/findUsage?{bad}"), Some(MARI), PORTAL)
                .await
                .0,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        find(
            &node,
            "v2/findUsage?processingType=DATA_RESPONSE",
            Some(MARI),
            PORTAL
        )
        .await
        .0,
        400
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_usage_answers_only_the_persons_own_role_and_is_itself_logged() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    assert_eq!(
        official_query(&node, POLICE, LIISA, Some("Kontroll"))
            .await
            .0,
        200
    );

    // Mari (through the portal, or any member) asking about Liisa: refused, and not logged.
    for client_id in [PORTAL, POLICE] {
        let (status, body) = find(
            &node,
            &format!("v2/findUsage?userCode={LIISA}"),
            Some(MARI),
            client_id,
        )
        .await;
        assert_eq!(
            (status, body["type"].as_str()),
            (403, Some("Client.NotAuthorized")),
            "{body}"
        );
        let (status, _) = find(
            &node,
            &format!("v3/findUsage?userCode={LIISA}"),
            Some(MARI),
            client_id,
        )
        .await;
        assert_eq!(status, 403);
    }
    // An initiator that is not a personal code.
    assert_eq!(
        find(&node, "v2/findUsage", Some("admin"), PORTAL).await.0,
        400
    );

    // Liisa asking about herself: answered, and the call is an entry in her log, with the
    // portal as the recipient and Liisa as the initiator.
    let (status, body) = find(
        &node,
        &format!("v2/findUsage?userCode={LIISA}"),
        Some(LIISA),
        PORTAL,
    )
    .await;
    assert_eq!((status, body["totalUsages"].as_u64()), (200, Some(1)));
    wait_for_size(&node, 2).await;
    let session = login(&node, &liisa()).await;
    let (_, usage) = get(&node, "/v1/usage", Some(&session)).await;
    let entries = usage["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{usage}");
    let logged = verify_item(&pinned(&node), &entries[1]).unwrap();
    assert_eq!(logged.entry.action, "findUsage v2");
    assert_eq!(logged.entry.subject.as_str(), LIISA);
    assert_eq!(logged.entry.receiver.code, "70006317");
    assert_eq!(
        logged.entry.initiator_person.unwrap().code.as_deref(),
        Some(LIISA)
    );
    // Mari's log has none of it.
    let session = login(&node, &mari()).await;
    let (_, usage) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(usage["entries"].as_array().unwrap().len(), 0, "{usage}");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_portal_member_may_call_find_usage() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    assert_eq!(
        official_query(&node, TAX, MARI, Some("Kontroll")).await.0,
        403
    );
    // The police naming Mari as its user (X-Road-UserId is the member's own word): refused,
    // in v2 and v3, and nothing is logged.
    for path in ["v2/findUsage", "v3/findUsage"] {
        let (status, body) = find(&node, path, Some(MARI), POLICE).await;
        assert_eq!(
            (status, body["type"].as_str()),
            (403, Some("Client.NotAuthorized")),
            "{path}: {body}"
        );
    }
    // The portal may.
    let (status, body) = find(&node, "v2/findUsage", Some(MARI), PORTAL).await;
    assert_eq!((status, body["totalUsages"].as_u64()), (200, Some(1)));
    wait_for_size(&node, 2).await;
    let session = login(&node, &mari()).await;
    let (_, usage) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(usage["entries"].as_array().unwrap().len(), 2, "{usage}");
    node.stop().await;
}
