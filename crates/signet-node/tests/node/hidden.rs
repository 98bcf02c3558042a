//! Queries hidden from the person for a while: committed at access time, shown as placeholders,
//! disclosed later and checked against the commitment.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use signet_core::Clock as _;
use signet_data::entry::{Salt, UsageEntry, commitment};
use signet_data::merkle::Hash;
use signet_data::{Known, Timestamp};

use crate::support::*;

async fn hidden_query(
    node: &signet_node::RunningNode,
    client_id: &str,
    reason: Option<&str>,
    until: Option<&str>,
) -> u16 {
    let mut req = client()
        .get(format!(
            "{}/r1/{PROVIDER}/getRecords/{MARI}/population",
            base(node)
        ))
        .header("X-Road-Client", client_id)
        .header("X-Road-PDU-Purpose", "Kriminaalmenetlus")
        .header("X-Road-PDU-Hidden", "true");
    if let Some(r) = reason {
        req = req.header("X-Road-PDU-Hidden-Reason", r);
    }
    if let Some(u) = until {
        req = req.header("X-Road-PDU-Hidden-Until", u);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_query_is_a_placeholder_until_disclosed_and_then_matches_its_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let clock = fixed_clock();
    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let pinned = pinned(&node);
    let until = Timestamp::from_system(clock.now() + Duration::from_secs(3600)).to_string();

    // Only a member allowed to hide may, and only with a reason.
    assert_eq!(
        hidden_query(&node, TAX, Some("j%C3%A4litustoiming"), Some(&until)).await,
        403
    );
    assert_eq!(hidden_query(&node, POLICE, None, Some(&until)).await, 400);
    assert_eq!(
        hidden_query(&node, POLICE, Some("j%C3%A4litustoiming"), Some("soon")).await,
        400
    );
    assert_eq!(
        hidden_query(&node, POLICE, Some("j%C3%A4litustoiming"), Some(&until)).await,
        200
    );
    wait_for_size(&node, 1).await;

    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let placeholder = &body["entries"][0];
    assert_eq!(placeholder["hidden"], true);
    assert_eq!(placeholder["hiddenUntil"], until.as_str());
    assert!(placeholder.get("entry").is_none() && placeholder.get("salt").is_none());
    assert!(!body.to_string().contains("Kriminaalmenetlus"));
    let checkpoint = pinned
        .advance(
            Known::FirstVisit,
            placeholder["checkpoint"].as_str().unwrap().as_bytes(),
            &[],
        )
        .unwrap();
    let committed: Hash = serde_json::from_value(placeholder["commitment"].clone()).unwrap();
    let proof: Vec<Hash> = serde_json::from_value(placeholder["proof"].clone()).unwrap();
    pinned
        .verify_commitment(&checkpoint, 0, &committed, &proof)
        .unwrap();

    // The Data Tracker does not show it either.
    let (_, found) = json(
        client()
            .get(format!(
                "{}/r1/{PROVIDER}/findUsage/v2/findUsage",
                base(&node)
            ))
            .header("X-Road-Client", PORTAL)
            .header("X-Road-UserId", MARI)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(found["totalUsages"], 0);

    // Two hours later it is disclosed, and it is the entry committed at access time.
    clock.advance(Duration::from_secs(7200));
    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let item = &body["entries"][0];
    let entry: UsageEntry = serde_json::from_value(item["entry"].clone()).unwrap();
    assert_eq!(entry.hidden_reason.as_deref(), Some("jälitustoiming"));
    assert_eq!(entry.purpose, "Kriminaalmenetlus");
    let salt: [u8; 32] = STANDARD
        .decode(item["salt"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(
        commitment(&entry.canonical_bytes().unwrap(), &Salt(salt)),
        committed
    );
    verify_item(&pinned, item).unwrap();
    node.stop().await;
}
