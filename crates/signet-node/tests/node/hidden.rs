//! Queries hidden from the person until a date: refused without a reason or a date or beyond the
//! node's longest period; nothing of them served before the date (no placeholder on the usage
//! pages or the stream, nothing in findUsage) while the log's size counts them; from the date on
//! served with the checkpoint they were logged under, proven consistent with the newer one.

use std::time::Duration;

use signet_core::Clock as _;
use signet_data::entry::UsageEntry;
use signet_data::merkle::Hash;
use signet_data::{Checkpoint, Known, Timestamp};

use crate::support::*;

async fn hidden_query(
    node: &signet_node::RunningNode,
    client_id: &str,
    reason: Option<&str>,
    until: Option<&str>,
) -> (u16, serde_json::Value) {
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
    json(req.send().await.unwrap()).await
}

fn in_secs(clock: &signet_core::FixedClock, secs: u64) -> String {
    Timestamp::from_system(clock.now() + Duration::from_secs(secs)).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_query_needs_a_reason_and_a_date_within_the_nodes_longest_period() {
    let dir = tempfile::tempdir().unwrap();
    let clock = fixed_clock();
    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let reason = Some("j%C3%A4litustoiming");
    let hour = in_secs(&clock, 3600);
    // Only a member allowed to hide may.
    assert_eq!(hidden_query(&node, TAX, reason, Some(&hour)).await.0, 403);
    // Without a reason, without a date, a date that is not a date, a date gone by, or beyond
    // the longest period (30 days on the test node): refused, and nothing is logged.
    let too_far = in_secs(&clock, MAX_HIDDEN.as_secs() + 60);
    let past = in_secs(&clock, 0);
    for (r, until, says) in [
        (None, Some(hour.as_str()), "Hidden-Reason"),
        (Some("%20"), Some(hour.as_str()), "Hidden-Reason"),
        (reason, None, "Hidden-Until"),
        (reason, Some("soon"), "RFC 3339"),
        (reason, Some(past.as_str()), "not in the future"),
        (reason, Some(too_far.as_str()), "30 days"),
    ] {
        let (status, body) = hidden_query(&node, POLICE, r, until).await;
        assert_eq!(status, 400, "{r:?} {until:?}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{r:?} {until:?}: {body}"
        );
    }
    // The longest period itself is allowed.
    let longest = in_secs(&clock, MAX_HIDDEN.as_secs());
    assert_eq!(
        hidden_query(&node, POLICE, reason, Some(&longest)).await.0,
        200
    );
    wait_for_size(&node, 1).await;
    let (_, checkpoint) = json(
        client()
            .get(format!("{}/v1/checkpoint", base(&node)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let size = Checkpoint::parse_text(checkpoint.as_str().unwrap().split("\n\n").next().unwrap())
        .unwrap()
        .size;
    assert_eq!(size, 1, "only the allowed query is logged");
    node.stop().await;
}

async fn find_usage_total(node: &signet_node::RunningNode) -> u64 {
    let (status, found) = json(
        client()
            .get(format!(
                "{}/r1/{PROVIDER}/findUsage/v2/findUsage",
                base(node)
            ))
            .header("X-Road-Client", PORTAL)
            .header("X-Road-UserId", MARI)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert!(!found.to_string().contains("Kriminaalmenetlus"), "{found}");
    found["totalUsages"].as_u64().unwrap()
}

/// The size of the checkpoint note `note`.
fn size_of(note: &str) -> u64 {
    Checkpoint::parse_text(note.split("\n\n").next().unwrap())
        .unwrap()
        .size
}

/// Verifies a served item of an entry that was hidden: its checkpoint is an earlier one, proven
/// consistent with the trusted `latest` by the node's consistency proof, and the entry is
/// included in it. The earlier checkpoint's size.
async fn verify_disclosed(
    node: &signet_node::RunningNode,
    latest: &Checkpoint,
    item: &serde_json::Value,
) -> u64 {
    let pinned = pinned(node);
    let note = item["checkpoint"].as_str().unwrap();
    let earlier_size = size_of(note);
    let (status, body) = get(
        node,
        &format!("/v1/consistency?from={earlier_size}&to={}", latest.size),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let proof: Vec<Hash> = serde_json::from_value(body["proof"].clone()).unwrap();
    let earlier = pinned
        .verify_earlier(latest, note.as_bytes(), &proof)
        .unwrap();
    // The entry is in the earlier tree (and so, by consistency, in the trusted one).
    verify_item(&pinned, item).unwrap();
    earlier.size
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_query_is_invisible_until_its_date_then_proven_against_the_older_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let clock = fixed_clock();
    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let pinned = pinned(&node);
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, None).await;

    // 0: an ordinary query; 1: hidden for an hour; 2: an ordinary query again.
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    wait_for_size(&node, 1).await;
    let until = in_secs(&clock, 3600);
    let (status, body) =
        hidden_query(&node, POLICE, Some("j%C3%A4litustoiming"), Some(&until)).await;
    assert_eq!(status, 200, "{body}");
    wait_for_size(&node, 2).await;
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    wait_for_size(&node, 3).await;

    // The stream skips it: 0, then 2.
    assert_eq!(stream.next().await.id.as_deref(), Some("0"));
    let next = stream.next().await;
    assert_eq!(next.id.as_deref(), Some("2"), "{:?}", next.data);
    // The usage pages skip it, with no placeholder; the log's size counts it.
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let indices: Vec<u64> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, [0, 2]);
    assert_eq!(body["treeSize"], 3);
    let text = body.to_string();
    assert!(
        !text.contains("Kriminaalmenetlus") && !text.contains("hidden"),
        "{text}"
    );
    // findUsage neither shows nor counts it (it counts 0 and 2), and a misuse report of
    // entry 1 is "no such entry", as for an entry that does not exist.
    assert_eq!(find_usage_total(&node).await, 2);
    let report = serde_json::json!({"usageIndex": 1, "comment": "Mis see on?"});
    let (status, body) = json(
        client()
            .post(format!("{}/v1/reports", base(&node)))
            .bearer_auth(&session)
            .header("content-type", "application/json")
            .body(report.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (404, &serde_json::json!("no_such_entry"))
    );
    // Nothing more came on the stream (the findUsage entry, 3, is Mari's own).
    let next = stream.next().await;
    assert_eq!(next.id.as_deref(), Some("3"));
    assert!(
        stream
            .next_within(Duration::from_millis(300))
            .await
            .is_none()
    );

    // Its date comes: it is sent on the stream as a disclosure, with the checkpoint of size 2
    // it was logged under.
    clock.advance(Duration::from_secs(3601));
    let disclosed = stream.next().await;
    assert_eq!(disclosed.id, None, "a disclosure moves no Last-Event-ID");
    assert_eq!(disclosed.data["index"], 1);
    let entry: UsageEntry = serde_json::from_value(disclosed.data["entry"].clone()).unwrap();
    assert_eq!(entry.purpose, "Kriminaalmenetlus");
    assert_eq!(entry.hidden_reason.as_deref(), Some("jälitustoiming"));
    let latest = pinned
        .advance(
            Known::FirstVisit,
            get(&node, "/v1/usage", Some(&login(&node, &mari()).await))
                .await
                .1["checkpoint"]
                .as_str()
                .unwrap()
                .as_bytes(),
            &[],
        )
        .unwrap();
    assert_eq!(verify_disclosed(&node, &latest, &disclosed.data).await, 2);

    // The usage pages serve it from now on, proven against the same earlier checkpoint, while
    // the others are proven against the latest; so does findUsage.
    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries[1]["index"], 1);
    assert_eq!(entries[1]["checkpoint"], disclosed.data["checkpoint"]);
    assert_eq!(entries[0]["checkpoint"], body["checkpoint"]);
    assert_eq!(verify_disclosed(&node, &latest, &entries[1]).await, 2);
    assert_eq!(find_usage_total(&node).await, 4);

    // After a restart it is still served with the checkpoint it was logged under.
    node.stop().await;
    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(
        body["entries"][1]["checkpoint"],
        disclosed.data["checkpoint"]
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_query_stays_hidden_across_a_restart_until_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let clock = fixed_clock();
    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let until = in_secs(&clock, 600);
    assert_eq!(
        hidden_query(&node, POLICE, Some("j%C3%A4litustoiming"), Some(&until))
            .await
            .0,
        200
    );
    wait_for_size(&node, 1).await;
    node.stop().await;

    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let session = login(&node, &mari()).await;
    let mut stream = EventStream::open(&node, &session, None).await;
    assert!(
        stream
            .next_within(Duration::from_millis(300))
            .await
            .is_none(),
        "nothing before the date"
    );
    clock.advance(Duration::from_secs(601));
    let disclosed = stream.next().await;
    assert_eq!(disclosed.data["index"], 0);
    verify_item(&pinned(&node), &disclosed.data).unwrap();
    node.stop().await;
}
