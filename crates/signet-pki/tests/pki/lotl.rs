//! The LOTL walk (pinned signers → pivots → LOTL → national lists) and the trust data cache, on
//! lists the testkit generates and serves from memory.

use std::collections::HashMap;

use signet_pki::Cert;
use signet_pki::lotl::{self, ListSource, LotlError};
use signet_pki::trust_store::TrustStore;
use signet_pki::tsl::TrustedList;
use signet_testkit::lotl::{TEST_EE_URL, TEST_LOTL_URL, TEST_PIVOT_URL, TrustWorld, lotl};
use signet_testkit::{ListSigner, Role, TestPki, TrustedListOptions};

use crate::support::{cert, days};

struct Map(HashMap<String, Vec<u8>>);

impl ListSource for Map {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        self.0
            .get(url)
            .cloned()
            .ok_or_else(|| "not served".to_owned())
    }
}

fn served(world: &TrustWorld, url: &str) -> Vec<u8> {
    use signet_core::Fetch as _;
    world.fetch.get(url, "*/*").unwrap().body
}

fn pin(signer: &ListSigner) -> Vec<Cert> {
    vec![Cert::from_der(&signer.cert).unwrap()]
}

fn source(entries: &[(&str, &[u8])]) -> Map {
    Map(entries
        .iter()
        .map(|(u, b)| ((*u).to_owned(), b.to_vec()))
        .collect())
}

#[test]
fn the_walk_goes_from_the_pinned_signer_through_the_pivot_to_the_lotl() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let current = served(&world, TEST_LOTL_URL);
    let pivot = served(&world, TEST_PIVOT_URL);
    let walked = lotl::walk(
        &current,
        &pin(&world.oj),
        &source(&[(TEST_PIVOT_URL, &pivot)]),
    )
    .unwrap();
    assert_eq!(walked.list.sequence_number, 11);
    assert_eq!(walked.pivots.len(), 1);
    assert_eq!(walked.signers, pin(&world.lotl_signer));
    // Without the pivot the pinned signer cannot reach the new key.
    let err = lotl::walk(&current, &pin(&world.oj), &source(&[])).unwrap_err();
    assert!(
        matches!(&err, LotlError::Lotl { reason } if reason.contains("not a pinned signer") && reason.contains("not read")),
        "{err}"
    );
    // Pins newer than the pivot: the LOTL verifies directly, the pivot is not even read.
    let walked = lotl::walk(&current, &pin(&world.lotl_signer), &source(&[])).unwrap();
    assert!(walked.pivots.is_empty() && walked.notes.is_empty());
    // Anchored on the notice the LOTL names after its pivot, the same pins must go through the
    // pivot, which they do not verify: refused.
    let anchor = lotl::Anchor {
        certs: pin(&world.lotl_signer),
        oj_uri: Some(signet_testkit::lotl::TEST_OJ_URI.to_owned()),
    };
    let err = lotl::walk_from(&current, &anchor, &source(&[(TEST_PIVOT_URL, &pivot)])).unwrap_err();
    assert!(matches!(err, LotlError::BrokenPivotChain { .. }), "{err}");
    let anchor = lotl::Anchor {
        certs: pin(&world.oj),
        oj_uri: Some(signet_testkit::lotl::TEST_OJ_URI.to_owned()),
    };
    let walked = lotl::walk_from(&current, &anchor, &source(&[(TEST_PIVOT_URL, &pivot)])).unwrap();
    assert_eq!(walked.pivots.len(), 1);
    // Pins from a notice this LOTL does not name (a LOTL older than the pins, replayed): refused,
    // even though the pins would verify it directly.
    let unnamed = lotl::Anchor {
        certs: pin(&world.lotl_signer),
        oj_uri: Some("https://eur-lex.europa.eu/eli/C/2099/1/oj".to_owned()),
    };
    let err = lotl::walk_from(&current, &unnamed, &source(&[])).unwrap_err();
    assert!(
        matches!(&err, LotlError::Lotl { reason } if reason.contains("does not name the Official Journal notice")),
        "{err}"
    );

    // The national list verifies with the signer the LOTL names for EE, and anchors the PKI.
    let pointers = lotl::national_pointers(&walked.list);
    assert_eq!(
        pointers.len(),
        1,
        "the PDF pointer and the LOTL's own are not lists"
    );
    let ee = lotl::verify_national(&served(&world, TEST_EE_URL), pointers[0]).unwrap();
    assert_eq!(ee.territory, "EE");
    assert!(ee.anchors(pki.now()).contains(&cert(&pki, Role::IssuingCa)));
}

#[test]
fn a_chain_of_two_pivots_is_followed_and_a_broken_one_refused() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let third = ListSigner::new("Signet Test LOTL Signer 3", pki.now(), 0x7201).unwrap();
    let pivot10 = served(&world, TEST_PIVOT_URL);
    let pivot11_url = "https://lotl.signet.test/eu-lotl-pivot-11.xml";
    // Pivot 11, signed by the key pivot 10 announced, announces a third key.
    let mut spec = world.lotl_spec(11, &[TEST_PIVOT_URL]);
    spec.pointers[0].signers = vec![third.cert.clone()];
    let pivot11 = lotl(&spec, &world.lotl_signer).unwrap();
    let mut spec = world.lotl_spec(12, &[pivot11_url, TEST_PIVOT_URL]);
    spec.pointers[0].signers = vec![third.cert.clone()];
    let current = lotl(&spec, &third).unwrap();
    let walked = lotl::walk(
        current.as_bytes(),
        &pin(&world.oj),
        &source(&[
            (TEST_PIVOT_URL, &pivot10),
            (pivot11_url, pivot11.as_bytes()),
        ]),
    )
    .unwrap();
    assert_eq!(walked.pivots.len(), 2);
    assert_eq!(walked.pivots[0].0, TEST_PIVOT_URL, "oldest first");
    assert_eq!(walked.signers, pin(&third));

    // Pivot 11 signed by the old key instead: the chain from pivot 10 is broken.
    let mut spec = world.lotl_spec(11, &[TEST_PIVOT_URL]);
    spec.pointers[0].signers = vec![third.cert.clone()];
    let forged = lotl(&spec, &world.oj).unwrap();
    let err = lotl::walk(
        current.as_bytes(),
        &pin(&world.oj),
        &source(&[(TEST_PIVOT_URL, &pivot10), (pivot11_url, forged.as_bytes())]),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LotlError::BrokenPivotChain { url, .. } if url == pivot11_url),
        "{err}"
    );
    // A missing second pivot breaks it too.
    let err = lotl::walk(
        current.as_bytes(),
        &pin(&world.oj),
        &source(&[(TEST_PIVOT_URL, &pivot10)]),
    )
    .unwrap_err();
    assert!(matches!(err, LotlError::BrokenPivotChain { .. }), "{err}");
}

#[test]
fn a_lotl_signed_by_an_unannounced_key_or_a_tampered_national_list_is_refused() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let stranger = ListSigner::new("Signet Test Stranger", pki.now(), 0x7202).unwrap();
    let spec = world.lotl_spec(11, &[TEST_PIVOT_URL]);
    let current = lotl(&spec, &stranger).unwrap();
    let pivot = served(&world, TEST_PIVOT_URL);
    let err = lotl::walk(
        current.as_bytes(),
        &pin(&world.oj),
        &source(&[(TEST_PIVOT_URL, &pivot)]),
    )
    .unwrap_err();
    assert!(matches!(err, LotlError::Lotl { .. }), "{err}");

    let walked = lotl::walk(
        &served(&world, TEST_LOTL_URL),
        &pin(&world.oj),
        &source(&[(TEST_PIVOT_URL, &pivot)]),
    )
    .unwrap();
    let pointer = lotl::national_pointers(&walked.list)[0];
    let ee = String::from_utf8(served(&world, TEST_EE_URL)).unwrap();
    let tampered = ee.replacen("Signet Test OCSP", "Signet Test 0CSP", 1);
    let err = lotl::verify_national(tampered.as_bytes(), pointer).unwrap_err();
    assert!(matches!(err, LotlError::National { .. }), "{err}");
    // A list of another territory at the EE pointer.
    let mut options = TrustedListOptions::default();
    options.territory = "LV".to_owned();
    let lv = pki
        .trusted_list_signed_by(&options, &world.ee_signer)
        .unwrap();
    let err = lotl::verify_national(lv.as_bytes(), pointer).unwrap_err();
    assert!(matches!(err, LotlError::WrongTerritory { .. }), "{err}");
    // A list issued before its signer's certificate was valid (signers here: from 30 days ago).
    let mut options = TrustedListOptions::default();
    options.issued = Some(pki.now() - days(60));
    let early = pki
        .trusted_list_signed_by(&options, &world.ee_signer)
        .unwrap();
    let err = lotl::verify_national(early.as_bytes(), pointer).unwrap_err();
    assert!(matches!(err, LotlError::SignerNotValid { .. }), "{err}");
}

fn store(dir: &std::path::Path, world: &TrustWorld) -> TrustStore {
    TrustStore::new(dir, pin(&world.oj), TEST_LOTL_URL)
}

#[test]
fn update_caches_the_lists_and_load_verifies_them() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), &world);
    let empty = store.load(pki.now());
    assert!(empty.lists.is_empty());
    assert!(empty.warnings[0].contains("no trust data"));

    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert_eq!(report.updated, ["EU", "EE"]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let state = store.load(pki.now());
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
    assert_eq!(state.status.len(), 2);
    assert!(state.status.iter().all(|s| s.fresh));
    assert_eq!(state.status[1].location, TEST_EE_URL);
    assert!(
        state
            .anchors(pki.now())
            .contains(&cert(&pki, Role::IssuingCa))
    );

    // A cached file changed on disk is refused at load.
    let path = dir.path().join("lists/EE.xml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("Signet Test OCSP", "Signet Test 0CSP", 1),
    )
    .unwrap();
    let state = store.load(pki.now());
    assert!(state.lists.is_empty());
    assert!(
        state
            .warnings
            .iter()
            .any(|w| w.contains("cached list of EE is not used")),
        "{:?}",
        state.warnings
    );
}

#[test]
fn a_tampered_or_older_download_keeps_the_previous_copy_with_a_warning() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), &world);
    store.update(&world.fetch, pki.now()).unwrap();
    let cached = std::fs::read(dir.path().join("lists/EE.xml")).unwrap();

    let ee = String::from_utf8(served(&world, TEST_EE_URL)).unwrap();
    world.fetch.put(
        TEST_EE_URL,
        ee.replacen("Signet Test OCSP", "Signet Test 0CSP", 1),
    );
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert_eq!(report.updated, ["EU"]);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("list of EE") && w.contains("stays in use")),
        "{:?}",
        report.warnings
    );
    assert_eq!(
        std::fs::read(dir.path().join("lists/EE.xml")).unwrap(),
        cached
    );
    assert_eq!(report.state.lists.len(), 1);

    // Unparsable, or not served at all: the same.
    for body in [
        Some(&b"<html>maintenance</html>"[..]),
        Some(&[0xff, 0xfe][..]),
        None,
    ] {
        match body {
            Some(body) => world.fetch.put(TEST_EE_URL, body),
            None => world.fetch.remove(TEST_EE_URL),
        }
        let report = store.update(&world.fetch, pki.now()).unwrap();
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("list of EE") && w.contains("stays in use")),
            "{:?}",
            report.warnings
        );
        assert_eq!(
            std::fs::read(dir.path().join("lists/EE.xml")).unwrap(),
            cached
        );
        assert_eq!(report.state.list("EE").unwrap().sequence_number, 1);
    }

    // A newer list (number 3) is taken, then an older one (number 2) refused.
    let numbered = |n: u64| {
        let mut options = TrustedListOptions::default();
        options.sequence = n;
        pki.trusted_list_signed_by(&options, &world.ee_signer)
            .unwrap()
    };
    world.fetch.put(TEST_EE_URL, numbered(3));
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert_eq!(report.updated, ["EU", "EE"]);
    world.fetch.put(TEST_EE_URL, numbered(2));
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("older than the cached copy")),
        "{:?}",
        report.warnings
    );
    assert_eq!(report.state.list("EE").unwrap().sequence_number, 3);

    // A LOTL signed by a stranger, or an unreachable one: the cached LOTL stays.
    let stranger = ListSigner::new("Signet Test Stranger", pki.now(), 0x7203).unwrap();
    let forged = lotl(&world.lotl_spec(12, &[TEST_PIVOT_URL]), &stranger).unwrap();
    world.fetch.put(TEST_LOTL_URL, forged);
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert!(report.updated.iter().all(|t| t != "EU"));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("the cached LOTL of")),
        "{:?}",
        report.warnings
    );
    world.fetch.remove(TEST_LOTL_URL);
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("could not be downloaded")),
        "{:?}",
        report.warnings
    );
    assert_eq!(report.state.lotl.unwrap().list.sequence_number, 11);
}

#[test]
fn an_expired_list_is_reported_and_warned_about() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let mut options = TrustedListOptions::default();
    options.issued = Some(pki.now() - days(25));
    options.next_update = Some(pki.now() - days(5));
    world.fetch.put(
        TEST_EE_URL,
        pki.trusted_list_signed_by(&options, &world.ee_signer)
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), &world);
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert_eq!(report.updated, ["EU", "EE"]);
    let state = store.load(pki.now());
    let ee = state.status.iter().find(|s| s.territory == "EE").unwrap();
    assert!(!ee.fresh);
    assert!(state.status[0].fresh, "the LOTL itself is fresh");
    assert_eq!(state.warnings.len(), 1, "{:?}", state.warnings);
    assert!(
        state.warnings[0].starts_with("trust data from ") && state.warnings[0].contains("expired"),
        "{}",
        state.warnings[0]
    );
    let list: &TrustedList = state.list("EE").unwrap();
    assert!(signet_pki::trust_store::TrustState::expiry_warning(list, pki.now()).is_some());
    assert!(
        signet_pki::trust_store::TrustState::expiry_warning(list, pki.now() - days(10)).is_none()
    );
    assert!(state.anchors(pki.now()).iter().next().is_none());
}

/// The real LOTL (number 388): its pivots are read oldest first, its pointers to national lists
/// exclude PDF copies and itself, and it announces its own signers.
#[test]
fn the_real_lotl_names_its_pivots_and_national_lists() {
    let oj = Cert::from_file_bytes(include_bytes!("../data/tsl/eu-lotl-oj-signers.pem")).unwrap();
    let list = TrustedList::verify(include_bytes!("../data/tsl/eu-lotl.xml"), &oj).unwrap();
    let pivots = lotl::pivot_uris(&list);
    assert_eq!(
        pivots.first().map(String::as_str),
        Some("https://ec.europa.eu/tools/lotl/eu-lotl-pivot-282.xml")
    );
    assert_eq!(
        pivots.last().map(String::as_str),
        Some("https://ec.europa.eu/tools/lotl/eu-lotl-pivot-378.xml")
    );
    assert_eq!(pivots.len(), 5);
    let national = lotl::national_pointers(&list);
    assert!(national.len() >= 27, "{}", national.len());
    assert!(national.iter().all(|p| !p.location.ends_with(".pdf")));
    assert!(
        national
            .iter()
            .all(|p| p.territory.as_deref() != Some("EU"))
    );
    assert_eq!(
        national
            .iter()
            .filter(|p| p.territory.as_deref() == Some("EE"))
            .count(),
        1
    );
    assert!(!lotl::announced_lotl_signers(&list).is_empty());
}

const OJ_2019: &str =
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=uriserv:OJ.C_.2019.276.01.0001.01.ENG";

/// The real pivots 282, 300, 335 and 341 (committed), served by name.
fn real_pivots(except: Option<&str>) -> Map {
    let files: [(&str, &[u8]); 4] = [
        ("282", include_bytes!("../data/tsl/eu-lotl-pivot-282.xml")),
        ("300", include_bytes!("../data/tsl/eu-lotl-pivot-300.xml")),
        ("335", include_bytes!("../data/tsl/eu-lotl-pivot-335.xml")),
        ("341", include_bytes!("../data/tsl/eu-lotl-pivot-341.xml")),
    ];
    Map(files
        .iter()
        .filter(|(n, _)| Some(*n) != except)
        .map(|(n, b)| {
            (
                format!("https://ec.europa.eu/tools/lotl/eu-lotl-pivot-{n}.xml"),
                b.to_vec(),
            )
        })
        .collect())
}

/// The real LOTL 369 is reached from the certificates of OJ C 276/2019 through its four pivots,
/// each verified with the keys the one before announced; without one of them it is refused.
#[test]
fn the_real_lotl_369_is_reached_from_the_2019_notice_through_its_four_pivots() {
    let anchor = lotl::Anchor {
        certs: Cert::from_file_bytes(include_bytes!("../data/tsl/eu-lotl-oj-c-276-2019.pem"))
            .unwrap(),
        oj_uri: Some(OJ_2019.to_owned()),
    };
    let old = include_bytes!("../data/tsl/eu-lotl-old.xml");
    let walked = lotl::walk_from(old, &anchor, &real_pivots(None)).unwrap();
    assert_eq!(walked.list.sequence_number, 369);
    let numbers: Vec<&str> = walked
        .pivots
        .iter()
        .map(|(u, _)| &u[u.len() - 7..u.len() - 4])
        .collect();
    assert_eq!(numbers, ["282", "300", "335", "341"]);
    assert!(walked.notes.is_empty(), "{:?}", walked.notes);

    let err = lotl::walk_from(old, &anchor, &real_pivots(Some("300"))).unwrap_err();
    assert!(
        matches!(&err, LotlError::BrokenPivotChain { url, .. } if url.ends_with("pivot-300.xml")),
        "{err}"
    );
    // The 2019 certificates alone do not verify LOTL 369: the pivots are needed.
    let err = lotl::walk_from(old, &anchor, &source(&[])).unwrap_err();
    assert!(matches!(err, LotlError::BrokenPivotChain { .. }), "{err}");
    // LOTL 388 also needs pivot 378, which is not committed: refused, naming it.
    let current = include_bytes!("../data/tsl/eu-lotl.xml");
    let err = lotl::walk_from(current, &anchor, &real_pivots(None)).unwrap_err();
    assert!(
        matches!(&err, LotlError::BrokenPivotChain { url, .. } if url.ends_with("pivot-378.xml")),
        "{err}"
    );
}

/// Without a notice, pins that sign the LOTL themselves need no pivot (the pre-re-anchoring set
/// also verifies pivot 282, which a pivot-first walk would then have to follow to the missing 378).
#[test]
fn unanchored_pins_that_sign_the_lotl_take_it_directly() {
    let pins = Cert::from_file_bytes(include_bytes!("../data/tsl/eu-lotl-oj-signers.pem")).unwrap();
    let walked = lotl::walk(
        include_bytes!("../data/tsl/eu-lotl.xml"),
        &pins,
        &real_pivots(None),
    )
    .unwrap();
    assert_eq!(walked.list.sequence_number, 388);
    assert!(walked.pivots.is_empty());
}

/// The anchor Signet ships (OJ C/2026/1944) verifies the real LOTL 388 directly: the LOTL names
/// that notice first, so no pivot is newer than it.
#[test]
fn the_shipped_anchor_verifies_the_real_lotl_388_without_pivots() {
    let anchor = lotl::eu_anchor();
    assert_eq!(anchor.certs.len(), 6);
    let walked = lotl::walk_from(
        include_bytes!("../data/tsl/eu-lotl.xml"),
        &anchor,
        &source(&[]),
    )
    .unwrap();
    assert_eq!(walked.list.sequence_number, 388);
    assert!(walked.pivots.is_empty() && walked.notes.is_empty());
}

#[test]
fn pivots_come_from_the_cache_and_a_damaged_one_is_downloaded_again() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), &world);
    store.update(&world.fetch, pki.now()).unwrap();
    let pivot_asked = || {
        world
            .fetch
            .requests()
            .iter()
            .filter(|u| u.as_str() == TEST_PIVOT_URL)
            .count()
    };
    assert_eq!(pivot_asked(), 1);
    store.update(&world.fetch, pki.now()).unwrap();
    assert_eq!(pivot_asked(), 1, "the cached pivot is used");

    // Damage the cached pivot: the load refuses the LOTL, the next update downloads the pivot.
    let pivots: Vec<_> = std::fs::read_dir(dir.path().join("pivots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(pivots.len(), 1);
    let text = std::fs::read_to_string(&pivots[0]).unwrap();
    std::fs::write(&pivots[0], text.replacen("Signet Test", "Signet Tost", 1)).unwrap();
    let state = store.load(pki.now());
    assert!(state.lotl.is_none());
    assert!(
        state.warnings[0].contains("the cached LOTL is not used"),
        "{:?}",
        state.warnings
    );
    let report = store.update(&world.fetch, pki.now()).unwrap();
    assert_eq!(pivot_asked(), 2);
    assert!(report.state.lotl.is_some(), "{:?}", report.warnings);
    assert!(
        report.state.warnings.is_empty(),
        "{:?}",
        report.state.warnings
    );
}

#[test]
fn a_second_pointer_for_a_territory_is_ignored() {
    let pki = TestPki::start().unwrap();
    let world = pki.trust_world().unwrap();
    let second = "https://tsl.signet.test/ee-second.xml";
    let mut spec = world.lotl_spec(11, &[TEST_PIVOT_URL]);
    spec.pointers.push(signet_testkit::TestPointer::xml(
        second,
        "EE",
        &[&world.ee_signer.cert],
    ));
    world
        .fetch
        .put(TEST_LOTL_URL, lotl(&spec, &world.lotl_signer).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let report = store(dir.path(), &world)
        .update(&world.fetch, pki.now())
        .unwrap();
    assert_eq!(report.updated, ["EU", "EE"]);
    assert_eq!(report.state.lists.len(), 1);
    assert!(!world.fetch.requests().iter().any(|u| u == second));
}
