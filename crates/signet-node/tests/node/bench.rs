//! The benchmark's machinery on a small scale (the measurement itself is `cargo xtask bench
//! node`, in release): persons log in and subscribe, officials query over keep-alive mutual TLS,
//! and every latency-phase query is seen arriving on its person's stream.

use std::sync::Arc;
use std::time::Duration;

use signet_node::bench::{BenchOptions, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_runs_and_sees_every_entry_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(BenchOptions {
        dir: dir.path().to_owned(),
        persons: 20,
        queries: 100,
        connections: 4,
        latency_queries: 40,
        rate: 200,
        checkpoint_interval: Duration::from_millis(50),
        clock: Arc::new(signet_core::SystemClock),
    })
    .await
    .unwrap();
    assert_eq!(report.persons, 20);
    assert_eq!(report.queries, 100);
    assert_eq!(report.latency_queries, 40);
    assert_eq!(report.events_received, 40, "{report:?}");
    assert!(report.queries_per_second > 0.0);
    assert!(report.p50_ms <= report.p99_ms && report.p99_ms <= report.max_ms);
    assert!(report.max_ms < 20_000.0, "{report:?}");
}
