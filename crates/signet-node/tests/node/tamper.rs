//! A node whose database was changed afterwards: the honest node refuses to start; a
//! compromised one that signs the rewritten log is caught by the person's stored checkpoint.

use std::path::Path;
use std::sync::Arc;

use signet_core::SystemClock;
use signet_data::{Checkpoint, LogError, NoteError};
use signet_node::NodeError;

use crate::support::*;

/// Makes three queries about Mari and returns the checkpoint her Signet stores.
async fn history(db_dir: &Path) -> Checkpoint {
    let node = node_in(db_dir).await;
    let pinned = pinned(&node);
    for _ in 0..3 {
        assert_eq!(
            official_query(&node, POLICE, MARI, Some("Kontroll"))
                .await
                .0,
            200
        );
    }
    wait_for_size(&node, 3).await;
    let session = login(&node, &mari()).await;
    let (_, body) = get(&node, "/v1/usage", Some(&session)).await;
    let item = verify_item(&pinned, &body["entries"][2]).unwrap();
    node.stop().await;
    assert_eq!(item.checkpoint.size, 3);
    item.checkpoint
}

async fn rewritten_history_is_caught(sqlite: &str, pg: &str) -> LogError {
    let dir = tempfile::tempdir().unwrap();
    let stored = history(dir.path()).await;
    tamper_database(dir.path(), sqlite, pg);

    // The honest node notices and refuses to start.
    let err = signet_node::start(config(&dir.path().join("node.db"), Arc::new(SystemClock)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, NodeError::LogDoesNotMatchCheckpoint { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(LOG_ORIGIN));

    // A compromised node signs the rewritten log and carries on.
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    cfg.accept_rewritten_log = true;
    let node = signet_node::start(cfg).await.unwrap();
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    wait_for_size(&node, 3).await;
    let err = advance(&node, &pinned(&node), &stored).await.unwrap_err();
    node.stop().await;
    err
}

fn assert_rewritten(err: &LogError) {
    let LogError::HistoryRewritten {
        log,
        old_size,
        new_size,
        ..
    } = err
    else {
        panic!("expected history rewritten, got {err}");
    };
    assert_eq!(log, LOG_ORIGIN);
    assert_eq!(*old_size, 3);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "history rewritten: the log {LOG_ORIGIN} at size {new_size}"
        )),
        "{message}"
    );
    assert!(message.contains("size 3"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_entry_is_caught() {
    let err = rewritten_history_is_caught(
        "UPDATE entries SET entry = CAST(replace(CAST(entry AS TEXT), 'Kontroll', 'Uudishimu') AS BLOB) WHERE idx = 1;",
        "UPDATE entries SET entry = convert_to(replace(convert_from(entry, 'UTF8'), 'Kontroll', 'Uudishimu'), 'UTF8') WHERE idx = 1;",
    )
    .await;
    assert_rewritten(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_entry_is_caught() {
    let sql = "DELETE FROM entries WHERE idx = 0;";
    let err = rewritten_history_is_caught(sql, sql).await;
    assert_rewritten(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reordered_entries_are_caught() {
    let sql = "UPDATE entries SET idx = 100 WHERE idx = 0; UPDATE entries SET idx = 0 WHERE idx = 2; UPDATE entries SET idx = 2 WHERE idx = 100;";
    let err = rewritten_history_is_caught(sql, sql).await;
    assert_rewritten(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_signed_by_another_key_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let stored = history(dir.path()).await;
    let mut cfg = config(&dir.path().join("node.db"), Arc::new(SystemClock));
    cfg.log_key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    cfg.accept_rewritten_log = true;
    let node = signet_node::start(cfg).await.unwrap();
    // The person pins the original key, not what this node presents.
    let original = signet_data::PinnedLog {
        origin: LOG_ORIGIN.into(),
        verifier: signet_data::NoteSigner::new(
            LOG_ORIGIN,
            ed25519_dalek::SigningKey::from_bytes(&[42; 32]),
        )
        .unwrap()
        .verifier()
        .clone(),
    };
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );
    wait_for_size(&node, 4).await;
    let err = advance(&node, &original, &stored).await.unwrap_err();
    assert!(
        matches!(
            err,
            LogError::Checkpoint {
                source: NoteError::NotSigned { .. },
                ..
            }
        ),
        "{err}"
    );
    node.stop().await;
}
