//! The benchmark's machinery on a small scale (the measurement itself is `cargo xtask bench
//! node`, in release): persons log in and subscribe, officials query over keep-alive mutual TLS,
//! every query is served by the person's consent, and every latency-phase query is seen arriving
//! on its person's stream — without and with slow clients attached.

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
        slow_clients: 5,
        checkpoint_interval: Duration::from_millis(50),
        clock: Arc::new(signet_core::SystemClock),
    })
    .await
    .unwrap();
    assert_eq!(report.persons, 20);
    assert_eq!(report.consents_per_person, 2);
    assert_eq!(report.phases.len(), 2, "{report:?}");
    for phase in &report.phases {
        assert_eq!(phase.queries, 100);
        assert_eq!(phase.latency_queries, 40);
        assert_eq!(phase.events_received, 40, "{report:?}");
        assert!(phase.queries_per_second > 0.0);
        assert!(phase.syncs > 0 && phase.syncs <= 100, "{report:?}");
        assert!(phase.p50_ms <= phase.p99_ms && phase.p99_ms <= phase.max_ms);
        assert!(phase.max_ms < 20_000.0, "{report:?}");
    }
    let slow = &report.phases[1];
    assert_eq!(slow.slow_clients, 5);
    assert!(slow.slow_open_at_start > 0, "{report:?}");
}
