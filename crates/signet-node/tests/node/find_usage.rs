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
    assert_eq!(usages[0]["action"], "getRecords population");

    // Paging, and a representative asking about another person (userCode).
    let (_, body) = find(&node, "v2/findUsage?offset=1&limit=1", Some(MARI), PORTAL).await;
    assert_eq!(
        (
            body["totalUsages"].as_u64(),
            body["usages"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    let (_, body) = find(
        &node,
        &format!("v2/findUsage?userCode={LIISA}"),
        Some(MARI),
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
    assert_eq!(
        (
            body["totalUsages"].as_u64(),
            body["returnedUsages"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let responses = body["dataResponses"].as_array().unwrap();
    assert_eq!(responses[0]["purpose"], "Teine");
    assert_eq!(responses[0]["outcome"]["result"], "refusedByConsent");
    assert_eq!(responses[1]["target"]["code"], "70008747");
    assert_eq!(responses[1]["initiatorPerson"]["code"], "EE47101010033");
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
