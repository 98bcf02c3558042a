//! Sessions, isolation between people, login refusals and bad input.

use std::time::Duration;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_session_is_401_everywhere_a_person_reads() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    for path in ["/v1/holdings", "/v1/usage", "/v1/usage/stream"] {
        let (status, _) = get(&node, path, None).await;
        assert_eq!(status, 401, "{path}");
        let (status, _) = get(&node, path, Some("made-up-session")).await;
        assert_eq!(status, 401, "{path}");
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_never_sees_another_persons_data() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let pinned = pinned(&node);
    let mari_session = login(&node, &mari()).await;
    let liisa_session = login(&node, &liisa()).await;
    let mut mari_stream = EventStream::open(&node, &mari_session, None).await;
    let mut liisa_stream = EventStream::open(&node, &liisa_session, None).await;

    // Liisa is queried first, then Mari.
    assert_eq!(
        official_query(&node, POLICE, LIISA, Some("Kontroll"))
            .await
            .0,
        200
    );
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("Kontroll"))
            .await
            .0,
        200
    );

    let m = verify_item(&pinned, &mari_stream.next().await.data).unwrap();
    assert_eq!(m.entry.subject.as_str(), MARI);
    let l = verify_item(&pinned, &liisa_stream.next().await.data).unwrap();
    assert_eq!(l.entry.subject.as_str(), LIISA);
    assert!(
        mari_stream
            .next_within(Duration::from_millis(500))
            .await
            .is_none()
    );
    assert!(
        liisa_stream
            .next_within(Duration::from_millis(500))
            .await
            .is_none()
    );

    for (session, me, other) in [(&mari_session, MARI, LIISA), (&liisa_session, LIISA, MARI)] {
        let (_, holdings) = get(&node, "/v1/holdings", Some(session)).await;
        let text = holdings.to_string();
        assert!(
            text.contains(&format!("rr-{me}")) && !text.contains(other),
            "{text}"
        );
        let (_, usage) = get(&node, "/v1/usage", Some(session)).await;
        let entries = usage["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert!(!usage.to_string().contains(other));
        // Resuming from the start also shows only one's own.
        let mut s = EventStream::open(&node, session, Some(0)).await;
        if let Some(e) = s.next_within(Duration::from_millis(500)).await {
            assert_eq!(e.data["entry"]["subject"], me);
        }
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_unknown_and_expired_nonces_and_other_origins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = fixed_clock();
    let node = signet_node::start(config(&dir.path().join("node.db"), clock.clone()))
        .await
        .unwrap();
    let person = mari();

    // Replay: the same nonce and token twice.
    let n = nonce(&node).await;
    let t = token(&person, ORIGIN, &n);
    assert_eq!(post_login(&node, &n, &t).await.0, 200);
    let (status, body) = post_login(&node, &n, &t).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("nonce_replayed"))
    );

    // A nonce the node never issued.
    let made_up = signet_data::webeid::Nonce::from_random([5; 32]);
    let (status, body) = post_login(&node, &made_up, &token(&person, ORIGIN, &made_up)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("nonce_unknown"))
    );

    // Expired: issued more than five minutes ago.
    let n = nonce(&node).await;
    clock.advance(Duration::from_secs(301));
    let (status, body) = post_login(&node, &n, &token(&person, ORIGIN, &n)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("nonce_expired"))
    );

    // A token made for another site.
    let n = nonce(&node).await;
    let (status, body) = post_login(&node, &n, &token(&person, "https://evil.example", &n)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_refused")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains(ORIGIN));

    // A token signed over another nonce.
    let n = nonce(&node).await;
    let other = nonce(&node).await;
    let (status, _) = post_login(&node, &n, &token(&person, ORIGIN, &other)).await;
    assert_eq!(status, 401);

    // Sessions expire.
    let session = login(&node, &person).await;
    assert_eq!(get(&node, "/v1/holdings", Some(&session)).await.0, 200);
    clock.advance(Duration::from_secs(901));
    let (status, body) = get(&node, "/v1/holdings", Some(&session)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("session_expired"))
    );
    node.stop().await;
}

async fn post_raw(
    node: &signet_node::RunningNode,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> u16 {
    client()
        .post(format!("{}{path}", base(node)))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_input_is_4xx_and_the_node_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let login_path = "/v1/auth/login";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"not json".to_vec()),
        ("application/json", b"{}".to_vec()),
        (
            "application/json",
            b"{\"nonce\": 5, \"authToken\": {}}".to_vec(),
        ),
        (
            "application/json",
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_vec(),
        ),
        ("application/json", vec![0xff, 0xfe, 0x00]),
        ("text/plain", b"{\"nonce\": \"x\"}".to_vec()),
        (
            "application/json",
            format!("{{\"nonce\": \"{}\"}}", "A".repeat(200_000)).into_bytes(),
        ),
    ];
    for (ct, body) in cases {
        let status = post_raw(&node, login_path, ct, body).await;
        assert!((400..500).contains(&status), "{status}");
    }
    let n = nonce(&node).await;
    let mut t = token(&mari(), ORIGIN, &n);
    t.unverified_certificate = "QUJD".into();
    assert_eq!(post_login(&node, &n, &t).await.0, 401);

    // Official queries without the mandatory headers, with a bad person code, from a stranger,
    // to another provider, with a header that is not percent-encoded UTF-8.
    assert_eq!(official_query(&node, POLICE, MARI, None).await.0, 400);
    assert_eq!(
        official_query(&node, POLICE, "EE123", Some("x")).await.0,
        400
    );
    assert_eq!(
        official_query(&node, STRANGER, MARI, Some("x")).await.0,
        403
    );
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("%ZZ")).await.0,
        400
    );
    assert_eq!(
        official_query(&node, POLICE, MARI, Some("%C3")).await.0,
        400
    );
    let status = client()
        .get(format!(
            "{}/r1/EE/GOV/1/other/getRecords/{MARI}/population",
            base(&node)
        ))
        .header("X-Road-Client", POLICE)
        .header("X-Road-PDU-Purpose", "x")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 404);
    let status = client()
        .get(format!(
            "{}/r1/{PROVIDER}/getRecords/{MARI}/population",
            base(&node)
        ))
        .header("X-Road-PDU-Purpose", "x")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 400);

    // Proof requests out of range.
    for q in [
        "from=0&to=0",
        "from=2&to=1",
        "from=1&to=999",
        "from=x&to=1",
        "from=1",
        "from=1&to=1&extra=2",
    ] {
        let (status, _) = get(&node, &format!("/v1/consistency?{q}"), None).await;
        assert!((400..500).contains(&status), "{q}: {status}");
    }
    let session = login(&node, &mari()).await;
    let status = client()
        .get(format!("{}/v1/usage/stream", base(&node)))
        .bearer_auth(&session)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 400);
    let (status, _) = get(&node, "/v1/usage?after=-1", Some(&session)).await;
    assert_eq!(status, 400);

    // Still alive.
    assert_eq!(get(&node, "/v1/holdings", Some(&session)).await.0, 200);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_with_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(
        &dir.path().join("node.db"),
        std::sync::Arc::new(signet_core::SystemClock),
    );
    cfg.session_lifetime = Duration::from_secs(2);
    let node = signet_node::start(cfg).await.unwrap();
    let session = login(&node, &mari()).await;
    let mut resp = client_for_streams()
        .get(format!("{}/v1/usage/stream", base(&node)))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let ended = tokio::time::timeout(WAIT, async {
        while resp.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
    assert_eq!(get(&node, "/v1/holdings", Some(&session)).await.0, 401);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_text_with_bidi_overrides_or_controls_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_in(dir.path()).await;
    let query = |header: &'static str, value: &'static str| {
        let node = &node;
        async move {
            let mut req = client()
                .get(format!(
                    "{}/r1/{PROVIDER}/getRecords/{MARI}/population",
                    base(node)
                ))
                .header("X-Road-Client", POLICE)
                .header("X-Road-UserId", "EE47101010033");
            if header != "X-Road-PDU-Purpose" {
                req = req.header("X-Road-PDU-Purpose", "Kontroll");
            }
            json(req.header(header, value).send().await.unwrap()).await
        }
    };
    for (header, value, code) in [
        // "Kontroll" with a right-to-left override in the middle.
        ("X-Road-PDU-Purpose", "Kon%E2%80%AEllortk", "U+202E"),
        ("X-Road-PDU-Purpose", "%E2%80%AAx", "U+202A"),
        (
            "X-Road-PDU-Initiator-Person-Name",
            "Viive%E2%81%A6V%C3%B5%C3%B5ras",
            "U+2066",
        ),
        (
            "X-Road-PDU-Initiator-Person-Name",
            "Viive%E2%81%A9",
            "U+2069",
        ),
        ("X-Road-PDU-Legal-Basis", "PolS%E2%80%AC", "U+202C"),
        ("X-Road-PDU-Purpose", "x%C2%85y", "U+0085"),
        ("X-Road-PDU-Purpose", "x%07y", "U+0007"),
        ("X-Road-PDU-Purpose", "x%0Ay", "U+000A"),
    ] {
        let (status, body) = query(header, value).await;
        assert_eq!(
            (status, body["type"].as_str()),
            (400, Some("Client.InvalidHeader")),
            "{header}: {value}: {body}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(header.to_ascii_lowercase().as_str()) && message.contains(code),
            "{message}"
        );
    }
    // Nothing was logged; ordinary right-to-left text (no override) is fine.
    let (status, body) = query(
        "X-Road-PDU-Initiator-Person-Name",
        "%D7%A9%D7%9C%D7%95%D7%9D",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    wait_for_size(&node, 1).await;
    let session = login(&node, &mari()).await;
    let (_, usage) = get(&node, "/v1/usage", Some(&session)).await;
    assert_eq!(usage["entries"].as_array().unwrap().len(), 1, "{usage}");
    node.stop().await;
}
