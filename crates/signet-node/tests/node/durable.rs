//! The usage entry is durable before the official's answer leaves, and queries logged together
//! share one sync (group commit).

use std::sync::Arc;
use std::time::Duration;

use signet_core::SystemClock;
use signet_node::{Database, Limits};

use crate::support::*;

/// Whether entry `index` is committed, seen through a connection of its own (which sees only
/// committed rows).
fn committed(dir: &std::path::Path, index: u64) -> bool {
    let index = i64::try_from(index).unwrap();
    match database_for(&dir.join("node.db")) {
        Database::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.query_row(
                "SELECT count(*) FROM entries WHERE idx = ?1",
                [index],
                |row| row.get::<_, i64>(0),
            )
            .unwrap()
                == 1
        }
        Database::Postgres(url) => std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let row = client
                .query_one("SELECT count(*) FROM entries WHERE idx = $1", &[&index])
                .unwrap();
            row.get::<_, i64>(0) == 1
        })
        .join()
        .unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_leave_after_their_entry_is_synced_and_queries_share_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    // The leader waits a little for more entries, so the sixteen concurrent queries below
    // share a few syncs whatever the disk's speed; the checkpoint signer stays out of the way.
    cfg.limits = Limits {
        group_commit_delay: Duration::from_millis(300),
        ..Limits::default()
    };
    cfg.checkpoint_interval = Duration::from_secs(3600);
    let node = Arc::new(signet_node::start(cfg).await.unwrap());
    let before = node.log_syncs();

    let mut tasks = Vec::new();
    for i in 0..16 {
        let node = Arc::clone(&node);
        let dir = dir.path().to_owned();
        tasks.push(tokio::spawn(async move {
            let resp = client()
                .get(format!(
                    "{}/r1/{PROVIDER}/getRecords/{MARI}/population",
                    base(&node)
                ))
                .header("X-Road-Client", POLICE)
                .header("X-Road-Id", format!("durable-{i}"))
                .header("X-Road-PDU-Purpose", "Kontroll")
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 200);
            let index: u64 = resp.headers()["x-signet-usage-index"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            // Committed when the answer arrives.
            let committed = tokio::task::spawn_blocking(move || committed(&dir, index))
                .await
                .unwrap();
            assert!(
                committed,
                "entry {index} was answered before it was committed"
            );
            index
        }));
    }
    let mut indexes = Vec::new();
    for t in tasks {
        indexes.push(t.await.unwrap());
    }
    indexes.sort_unstable();
    assert_eq!(indexes, (0..16).collect::<Vec<_>>());
    let syncs = node.log_syncs() - before;
    assert!(
        (1..=4).contains(&syncs),
        "16 queries made {syncs} syncs: they should share them"
    );
    Arc::into_inner(node).unwrap().stop().await;
}
