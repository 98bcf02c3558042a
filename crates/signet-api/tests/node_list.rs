//! Signet's list of nodes is checked before anything is sent: plain http only to an exact
//! loopback host, and a login token only for the node's own origin (another origin only for a
//! node on this machine, as the demo federation's).
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use signet_api::Context;
use signet_api::card::{Pin, PinKind, PinState};
use signet_api::token::TokenSpec;

const KEY: &str = "rr.signet.test/usage+1c2f4c5e+AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh";

fn login_error(listing: serde_json::Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let url = listing["url"].as_str().unwrap().to_owned();
    std::fs::write(
        dir.path().join("nodes.json"),
        serde_json::json!({ "nodes": [listing] }).to_string(),
    )
    .unwrap();
    let context = Context::new(dir.path());
    let spec = TokenSpec::P12 {
        file: dir.path().join("never-opened.p12"),
    };
    let mut ask = |_: PinKind, _: Option<PinState>| -> Result<Pin, signet_api::ApiError> {
        panic!("no secret may be asked for a listing that is refused")
    };
    signet_api::data::login(&context, &url, &spec, &mut ask)
        .unwrap_err()
        .to_string()
}

#[test]
fn listings_are_refused_before_any_secret_or_request() {
    // Hosts that only start like loopback.
    for url in [
        "http://127.0.0.1.evil.example:9",
        "http://localhost.evil.example",
        "http://127.0.0.1@evil.example",
    ] {
        let e = login_error(
            serde_json::json!({"url": url, "origin": "https://rr.signet.test", "logKey": KEY}),
        );
        assert!(
            e.contains("plain http only on loopback") || e.contains("is not a node address"),
            "{url}: {e}"
        );
    }
    // A listing naming another site's origin.
    let e = login_error(
        serde_json::json!({"url": "https://rr.signet.test", "origin": "https://bank.example", "logKey": KEY}),
    );
    assert!(e.contains("names the origin https://bank.example"), "{e}");
}
