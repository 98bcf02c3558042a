//! A rough measurement, not a test (ignored; run it in release):
//! `cargo nextest run --release -p signet-node --run-ignored only bench`.
//!
//! Logged official queries per second on SQLite, and the time from an official's query to the
//! entry (with its proof) arriving on the subscribed person's stream, with many persons
//! subscribed. Officials use keep-alive plain HTTP on loopback here (the header-named member
//! mode), not mutual TLS: `cargo xtask bench node` with mTLS is still to come.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::*;

const PERSONS: usize = 1000;
const THROUGHPUT_QUERIES: usize = 4000;
const LATENCY_QUERIES: usize = 2000;
const CONCURRENCY: usize = 8;

fn code(i: usize) -> String {
    format!("3{:010}", 100_000 + i)
}

async fn query(client: &reqwest::Client, base: &str, person: &str) -> u64 {
    let resp = client
        .get(format!(
            "{base}/r1/{PROVIDER}/getRecords/EE{person}/population"
        ))
        .header("X-Road-Client", POLICE)
        .header("X-Road-PDU-Purpose", "Koormustest")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.headers()["x-signet-usage-index"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement; run in release"]
async fn bench_official_queries_and_stream_latency() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(
        &dir.path().join("node.db"),
        Arc::new(signet_core::SystemClock),
    );
    cfg.checkpoint_interval = Duration::from_millis(100);
    let node = signet_node::start(cfg).await.unwrap();
    let base = base(&node);

    // Persons log in and subscribe.
    let started = Instant::now();
    let sent: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    for i in 0..PERSONS {
        let person = person_with(0x0100_0000 + i as u64, "TEST", "ISIK", &code(i));
        let session = login(&node, &person).await;
        let mut stream = EventStream::open(&node, &session, None).await;
        let (sent, latencies) = (Arc::clone(&sent), Arc::clone(&latencies));
        tokio::spawn(async move {
            loop {
                let event = stream.next_within(Duration::from_secs(3600)).await;
                let Some(event) = event else { return };
                let index: u64 = event.id.unwrap().parse().unwrap();
                let at = Instant::now();
                if let Some(t0) = sent.lock().unwrap().get(&index) {
                    latencies.lock().unwrap().push(at - *t0);
                }
            }
        });
    }
    eprintln!(
        "{PERSONS} persons logged in and subscribed in {:?}",
        started.elapsed()
    );

    // Throughput: logged queries per second.
    let http = client();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..CONCURRENCY {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            for q in 0..THROUGHPUT_QUERIES / CONCURRENCY {
                query(&http, &base, &code((t * 7919 + q) % PERSONS)).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "throughput: {THROUGHPUT_QUERIES} logged queries in {secs:.2} s = {:.0} per second ({CONCURRENCY} keep-alive clients)",
        THROUGHPUT_QUERIES as f64 / secs
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    latencies.lock().unwrap().clear();

    // Latency: query → event on the person's stream, at a steady 500 queries per second.
    let mut tasks = Vec::new();
    for t in 0..CONCURRENCY {
        let (http, base, sent) = (http.clone(), base.clone(), Arc::clone(&sent));
        tasks.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_millis(16));
            for q in 0..LATENCY_QUERIES / CONCURRENCY {
                ticker.tick().await;
                let t0 = Instant::now();
                let index = query(&http, &base, &code((t * 104_729 + q) % PERSONS)).await;
                sent.lock().unwrap().insert(index, t0);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while latencies.lock().unwrap().len() < LATENCY_QUERIES && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
    eprintln!(
        "latency over {} of {LATENCY_QUERIES} events: p50 {:?}, p99 {:?}, max {:?}",
        l.len(),
        pct(0.50),
        pct(0.99),
        l[l.len() - 1]
    );
    node.stop().await;
}
