//! Slow and greedy clients: header-read and idle timeouts on both listeners, the connection
//! cap, usage streams capped per session and in total, and login challenges that a flood from
//! one address cannot push out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use signet_core::SystemClock;
use signet_node::{Limits, RunningNode};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::mtls;
use crate::support::*;

/// Reads until the peer closes the connection (or it fails); how long that took, or `None` when
/// it was still open after `within`.
async fn closed_within<S: AsyncRead + Unpin>(stream: &mut S, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

async fn node_with(dir: &std::path::Path, limits: Limits) -> RunningNode {
    let mut cfg = config(&dir.join("node.db"), Arc::new(SystemClock));
    cfg.limits = limits;
    signet_node::start(cfg).await.unwrap()
}

fn short_timeouts() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_idle_connections_are_closed_on_both_listeners() {
    let f = mtls::federation();
    let dir = tempfile::tempdir().unwrap();
    let node = mtls::start_with(&f, dir.path(), short_timeouts()).await;
    let limit = Duration::from_secs(8);

    // Person listener: headers that never end.
    let mut tcp = TcpStream::connect(node.addr()).await.unwrap();
    tcp.write_all(b"GET /v1/checkpoint HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut tcp, limit).await.is_some(),
        "slow headers kept"
    );

    // Person listener: a connection that says nothing at all.
    let mut tcp = TcpStream::connect(node.addr()).await.unwrap();
    assert!(
        closed_within(&mut tcp, limit).await.is_some(),
        "silent connection kept"
    );

    // Person listener: a keep-alive connection left idle after its answer.
    let mut tcp = TcpStream::connect(node.addr()).await.unwrap();
    tcp.write_all(b"POST /v1/auth/challenge HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    tcp.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(
        closed_within(&mut tcp, limit).await.is_some(),
        "idle connection kept"
    );

    // Official listener, after the mutual-TLS handshake: slow headers, then silence.
    let addr = node.official_addr().unwrap();
    let mut tls = mtls::connect(addr, &f, Some(&f.police)).await.unwrap();
    tls.write_all(b"GET /r1/EE/GOV/70000562/rr/findUsage/v2/heartbeat HTTP/1.1\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut tls, limit).await.is_some(),
        "slow official headers kept"
    );
    let mut tls = mtls::connect(addr, &f, Some(&f.police)).await.unwrap();
    assert!(
        closed_within(&mut tls, limit).await.is_some(),
        "silent official connection kept"
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_closes_connections_past_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_with(
        dir.path(),
        Limits {
            max_connections: 3,
            ..Limits::default()
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut tcp = TcpStream::connect(node.addr()).await.unwrap();
        tcp.write_all(b"POST /v1/auth/challenge HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        let mut first = [0u8; 12];
        tcp.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        held.push(tcp);
    }
    // The fourth is closed at once.
    let mut fourth = TcpStream::connect(node.addr()).await.unwrap();
    let _ = fourth
        .write_all(b"POST /v1/auth/challenge HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await;
    // Closed, not left hanging until the header timeout: the read ends (EOF or reset) within
    // seconds, unserved.
    let mut answer = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(3), fourth.read_to_end(&mut answer)).await;
    assert!(ended.is_ok(), "a connection past the cap was left open");
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "a connection past the cap was served"
    );
    // One closed, a new one is served.
    drop(held.pop());
    let deadline = Instant::now() + WAIT;
    loop {
        let resp = client()
            .post(format!("{}/v1/auth/challenge", base(&node)))
            .send()
            .await;
        if resp.is_ok_and(|r| r.status().as_u16() == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no connection served after one closed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    node.stop().await;
}

async fn stream_status(node: &RunningNode, session: &str) -> (u16, Option<reqwest::Response>) {
    let resp = client_for_streams()
        .get(format!("{}/v1/usage/stream", base(node)))
        .bearer_auth(session)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, (status == 200).then_some(resp))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_streams_are_capped_per_session_and_in_total() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_with(
        dir.path(),
        Limits {
            streams_per_session: 2,
            streams_total: 3,
            ..Limits::default()
        },
    )
    .await;
    let mari = login(&node, &mari()).await;
    let liisa = login(&node, &liisa()).await;
    let (s1, mut first) = stream_status(&node, &mari).await;
    let (s2, _second) = stream_status(&node, &mari).await;
    assert_eq!((s1, s2), (200, 200));
    let (status, _) = stream_status(&node, &mari).await;
    assert_eq!(status, 429, "a third stream of one session");
    let (status, _liisa_stream) = stream_status(&node, &liisa).await;
    assert_eq!(status, 200);
    let (status, _) = stream_status(&node, &liisa).await;
    assert_eq!(status, 429, "a fourth stream on the node");
    // A closed stream gives its place back.
    drop(first.take());
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (status, stream) = stream_status(&node, &liisa).await;
        if status == 200 {
            drop(stream);
            break;
        }
        assert_eq!(status, 429);
        assert!(
            Instant::now() < deadline,
            "the closed stream's place was not given back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    node.stop().await;
}

async fn challenge_from(node: &RunningNode, from: [u8; 4]) -> (u16, serde_json::Value) {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    json(
        client
            .post(format!("{}/v1/auth/challenge", base(node)))
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_challenges_cannot_push_out_other_peoples_nonces() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_with(
        dir.path(),
        Limits {
            challenges_per_client: 8,
            challenges_total: 20,
            ..Limits::default()
        },
    )
    .await;
    // Mari asks first, from 127.0.0.1.
    let n = nonce(&node).await;
    // A flood from 127.0.0.2: eight, then 429.
    for i in 0..40 {
        let (status, body) = challenge_from(&node, [127, 0, 0, 2]).await;
        let expected = if i < 8 { 200 } else { 429 };
        assert_eq!(status, expected, "challenge {i}: {body}");
        if status == 429 {
            assert_eq!(body["error"], "too_many_challenges");
        }
    }
    // Floods from more addresses fill the node: refused, never evicting.
    let mut refused = 0;
    for host in 3..6 {
        for _ in 0..8 {
            if challenge_from(&node, [127, 0, 0, host]).await.0 == 429 {
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 24 - 11, "20 outstanding at most");
    // Mari's nonce is still there.
    let (status, body) = post_login(&node, &n, &token(&mari(), ORIGIN, &n)).await;
    assert_eq!(status, 200, "{body}");
    node.stop().await;
}

/// A person's changes (consents, corrections, misuse reports) are capped per hour across their
/// sessions: past the cap, 429 before anything is logged; another person is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_changes_are_capped_per_hour_and_others_are_not_affected() {
    use crate::consents::{change, grant_dentist_cardiology, health_config};
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = health_config(dir.path());
    cfg.limits = Limits {
        changes_per_person_per_hour: 3,
        ..Limits::default()
    };
    let node = signet_node::start(cfg).await.unwrap();
    let (first, second) = (login(&node, &mari()).await, login(&node, &mari()).await);
    for (i, session) in [&first, &second, &first].into_iter().enumerate() {
        let (status, body) = change(
            &node,
            session,
            Some(&format!("k-{i}")),
            &grant_dentist_cardiology(),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = change(&node, &second, Some("k-3"), &grant_dentist_cardiology()).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "too_many_changes", "{body}");
    // A correction counts too; nothing was logged for the refused requests.
    let correction = client()
        .post(format!("{}/v1/corrections", base(&node)))
        .bearer_auth(&first)
        .header("content-type", "application/json")
        .body(r#"{"dataSet":"cardiology","record":"x","field":"y","proposedValue":"z","explanation":"w"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(correction.status().as_u16(), 429);
    let (_, receipts) = get(&node, "/v1/consents/receipts", Some(&first)).await;
    assert_eq!(
        receipts["receipts"].as_array().map(Vec::len),
        Some(3),
        "{receipts}"
    );
    // Liisa is not affected.
    let liisa_session = login(&node, &liisa()).await;
    let (status, body) = change(
        &node,
        &liisa_session,
        Some("l-1"),
        &grant_dentist_cardiology(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}
