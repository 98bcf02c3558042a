//! `trust update` / `trust status` and the lists they give the validators, on the testkit's
//! LOTL (with a pivot) and EE list served from memory.
#![allow(clippy::unwrap_used, reason = "tests panic on broken fixtures")]

use std::sync::Arc;
use std::time::Duration;

use signet_api::Context;
use signet_api::trust::{self, CachedTrust, TrustSource};
use signet_core::{Code, FixedClock};
use signet_pki::Cert;
use signet_testkit::lotl::{TEST_EE_URL, TEST_LOTL_URL, TrustWorld};
use signet_testkit::{Role, TestPki, TrustedListOptions};

const DAY: Duration = Duration::from_secs(86_400);

fn source(world: &TrustWorld) -> TrustSource {
    TrustSource {
        lotl_url: TEST_LOTL_URL.to_owned(),
        pinned: vec![Cert::from_der(&world.oj.cert).unwrap()],
        anchor_uri: Some(signet_testkit::lotl::TEST_OJ_URI.to_owned()),
        territories: None,
    }
}

fn context(dir: &std::path::Path, pki: &TestPki) -> (Context, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(pki.now()));
    (Context::new(dir).with_clock(clock.clone()), clock)
}

#[test]
fn update_then_status_then_the_validators_lists() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (context, clock) = context(dir.path(), &pki);
    let source = source(&world);

    let empty = trust::status_from(&context, &source);
    assert!(empty.lists.is_empty());
    assert!(empty.warnings[0].contains("no trust data"));

    let update = trust::update_from(&context, &world.fetch, &source).unwrap();
    assert_eq!(update.updated, ["EU", "EE"]);
    assert!(update.warnings.is_empty(), "{:?}", update.warnings);
    assert!(dir.path().join("trust/lists/EE.xml").exists());

    let status = trust::status_from(&context, &source);
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["lists"][0]["territory"], "EU");
    assert_eq!(json["lists"][1]["territory"], "EE");
    assert_eq!(json["lists"][1]["fresh"], true);
    assert_eq!(json["lists"][1]["location"], TEST_EE_URL);
    assert!(json["lists"][1]["nextUpdate"].is_string());

    let cached = trust::cached_trust(&context, &source, pki.now());
    assert!(cached.warnings.is_empty());
    assert!(
        cached
            .anchors(pki.now())
            .contains(&Cert::from_der(pki.der(Role::IssuingCa)).unwrap())
    );

    let signing = Cert::from_der(pki.der(Role::Signing)).unwrap();
    assert_eq!(cached.list_of_issuer(&signing).unwrap().territory, "EE");
    let root = Cert::from_der(pki.der(Role::Root)).unwrap();
    assert!(cached.list_of_issuer(&root).is_none());

    // 200 days on, the EE list (NextUpdate now + 180 days) and the LOTL have expired.
    clock.set(pki.now() + 200 * DAY);
    let status = trust::status_from(&context, &source);
    assert!(status.lists.iter().all(|l| !l.fresh));
    assert!(
        status
            .warnings
            .iter()
            .any(|w| w.starts_with("trust data from") && w.contains("EE") && w.contains("expired")),
        "{:?}",
        status.warnings
    );
    let later = trust::cached_trust(&context, &source, pki.now() + 200 * DAY);
    let ee = later.list("EE").unwrap();
    assert!(CachedTrust::warning_for(ee, pki.now() + 200 * DAY).is_some());
    assert!(later.anchors(pki.now() + 200 * DAY).iter().next().is_none());
}

#[test]
fn a_tampered_national_list_keeps_the_previous_copy_and_warns() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (context, _) = context(dir.path(), &pki);
    let source = source(&world);
    trust::update_from(&context, &world.fetch, &source).unwrap();

    let mut options = TrustedListOptions::default();
    options.sequence = 2;
    let newer = pki
        .trusted_list_signed_by(&options, &world.ee_signer)
        .unwrap();
    world.fetch.put(
        TEST_EE_URL,
        newer.replacen("Signet Test OCSP", "Signet Test 0CSP", 1),
    );
    let update = trust::update_from(&context, &world.fetch, &source).unwrap();
    assert_eq!(update.updated, ["EU"]);
    assert!(
        update
            .warnings
            .iter()
            .any(|w| w.contains("list of EE") && w.contains("stays in use")),
        "{:?}",
        update.warnings
    );
    let ee = update
        .status
        .lists
        .iter()
        .find(|l| l.territory == "EE")
        .unwrap();
    assert_eq!(ee.sequence_number, 1);
}

#[test]
fn an_update_without_any_lotl_fails_with_a_network_error() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    world.fetch.remove(TEST_LOTL_URL);
    let dir = tempfile::tempdir().unwrap();
    let (context, _) = context(dir.path(), &pki);
    let err = trust::update_from(&context, &world.fetch, &source(&world)).unwrap_err();
    assert_eq!(err.code, Code::Network);
    assert!(err.message.contains("could not be downloaded"), "{err}");
}
