//! Sessions with agency nodes: kept encrypted until they expire, expired ones deleted.

use std::time::Duration;

use signet_core::Clock as _;
use signet_vault::{PLAINTEXT_HEADER, SessionToken};

use crate::support::{Scene, contains, files};

const TOKEN: &str = "sess-4c1d9e0b7a55f2e3-Tamm-38001085718";

fn token(text: &str) -> SessionToken {
    SessionToken::new(text.to_owned()).unwrap()
}

#[test]
fn a_session_survives_reopening_and_its_token_is_never_on_disk_in_plain_text() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    let expires = scene.clock.now() + Duration::from_secs(900);
    vault
        .put_session("http://127.0.0.1:8080", &token(TOKEN), expires)
        .unwrap();
    assert_eq!(
        vault.generation(),
        0,
        "sessions can be fetched again: NORMAL"
    );
    drop(vault);

    let mut vault = scene.open().unwrap();
    let stored = vault
        .session("http://127.0.0.1:8080", Duration::from_secs(60))
        .unwrap()
        .expect("the session is kept");
    assert_eq!(stored.token.expose(), TOKEN);
    assert_eq!(stored.expires_at, expires);
    assert!(!format!("{stored:?}").contains(TOKEN));
    assert!(
        vault
            .session("http://127.0.0.1:9999", Duration::ZERO)
            .unwrap()
            .is_none()
    );
    drop(vault);

    for (path, bytes) in files(scene.dir.path()) {
        assert!(!contains(&bytes, TOKEN.as_bytes()), "{}", path.display());
        assert!(
            !contains(&bytes, &TOKEN.as_bytes()[..16]),
            "{}",
            path.display()
        );
        assert!(!bytes.starts_with(PLAINTEXT_HEADER), "{}", path.display());
    }
}

#[test]
fn a_new_login_replaces_the_session_and_expired_ones_are_deleted() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    let now = scene.clock.now();
    vault
        .put_session(
            "https://a.example",
            &token("old-a"),
            now + Duration::from_secs(900),
        )
        .unwrap();
    vault
        .put_session(
            "https://a.example",
            &token("new-a"),
            now + Duration::from_secs(1800),
        )
        .unwrap();
    vault
        .put_session(
            "https://b.example",
            &token("b"),
            now + Duration::from_secs(100),
        )
        .unwrap();
    let a = vault
        .session("https://a.example", Duration::ZERO)
        .unwrap()
        .unwrap();
    assert_eq!(a.token.expose(), "new-a");

    // Within the margin: not handed out (it would end halfway), but kept until it expires.
    assert!(
        vault
            .session("https://b.example", Duration::from_secs(120))
            .unwrap()
            .is_none()
    );
    assert_eq!(
        vault.session_nodes().unwrap(),
        ["https://a.example", "https://b.example"]
    );

    // Expired: refused, and deleted from the vault — the other node's reading purges it too.
    scene.clock.advance(Duration::from_secs(100));
    assert!(
        vault
            .session("https://b.example", Duration::ZERO)
            .unwrap()
            .is_none()
    );
    assert_eq!(vault.session_nodes().unwrap(), ["https://a.example"]);
    scene.clock.advance(Duration::from_secs(1700));
    assert_eq!(vault.purge_expired_sessions().unwrap(), 1);
    assert!(vault.session_nodes().unwrap().is_empty());

    // Logging out (or a session the node refused) deletes it.
    let later = scene.clock.now() + Duration::from_secs(60);
    vault
        .put_session("https://a.example", &token("x"), later)
        .unwrap();
    assert!(vault.delete_session("https://a.example").unwrap());
    assert!(!vault.delete_session("https://a.example").unwrap());
    assert!(vault.put_session("", &token("x"), later).is_err());
}
