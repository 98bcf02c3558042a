//! ASiC-S containers with a time-stamp token (what DigiDoc4 makes when it archives a document):
//! made here with the test PKI's TSA (OpenSSL `ts`) and Signet's ZIP writer, and judged by
//! libdigidocpp 4.3 too.

use std::path::Path;

use signet_asic::asics::{self, TST_LEVEL};
use signet_asic::xades::verify::Trust;
use signet_core::{Clock as _, Indication, SubIndication, SystemClock};
use signet_pki::crypto::HashAlg;
use signet_pki::{Cert, TrustAnchors};
use signet_testkit::Role;

use crate::common::Setup;

/// An ASiC-S container at `out`: mimetype (STORED), `name` with `data`, and the token.
fn write_asics(out: &Path, name: &str, data: &[u8], token: &[u8], mimetype: &str) {
    let mut w =
        signet_asic::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()), SystemClock.now());
    w.add("mimetype", &mut mimetype.as_bytes(), false, &mut |_| {})
        .unwrap();
    w.add(name, &mut &data[..], true, &mut |_| {}).unwrap();
    w.add("META-INF/timestamp.tst", &mut &token[..], true, &mut |_| {})
        .unwrap();
    std::fs::write(out, w.finish().unwrap().into_inner()).unwrap();
}

fn token_over(s: &Setup, data: &[u8]) -> Vec<u8> {
    s.with_services(|services| {
        signet_pki::tsp::request_timestamp(
            services.fetch,
            services.clock,
            services.tsa_url.unwrap(),
            HashAlg::Sha256,
            &HashAlg::Sha256.digest(data),
            services.validator,
        )
        .unwrap()
        .token
    })
}

fn list_trust(s: &Setup) -> Trust<'_> {
    Trust {
        anchors: TrustAnchors::default(),
        list: Some(&s.list),
        now: SystemClock.now(),
    }
}

#[test]
fn a_time_stamped_asics_is_total_passed_and_names_its_tsa_and_time() {
    let s = Setup::new();
    let data = b"An old contract, archived.\n";
    let token = token_over(&s, data);
    let out = s.path("archived.asics");
    write_asics(&out, "leping.txt", data, &token, asics::MIMETYPE);
    assert!(asics::is_asics(&out));
    assert!(
        signet_asic::Container::open(&out).is_err(),
        "not an ASiC-E container"
    );

    let report = asics::validate(&out, &list_trust(&s)).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    let tst = &report.signatures[0];
    assert_eq!(tst.level.as_deref(), Some(TST_LEVEL));
    assert_eq!(tst.covers, ["leping.txt"]);
    assert!(tst.timestamp_time.is_some());
    let tsa = Cert::from_der(s.pki.der(Role::Tsa)).unwrap();
    assert_eq!(
        tst.signer.as_deref(),
        Some(tsa.subject().to_string().as_str())
    );
    assert_eq!(report.data_files[0].name, "leping.txt");

    // Trusted through the root alone: the TSA's revocation cannot be known offline.
    let root_only = Trust {
        anchors: s.root_anchor(),
        list: None,
        now: SystemClock.now(),
    };
    let report = asics::validate(&out, &root_only).unwrap();
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    // Nothing trusted: INDETERMINATE, never passed.
    let nothing = Trust {
        anchors: TrustAnchors::default(),
        list: None,
        now: SystemClock.now(),
    };
    let report = asics::validate(&out, &nothing).unwrap();
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
}

#[test]
fn a_changed_data_file_is_total_failed() {
    let s = Setup::new();
    let token = token_over(&s, b"pay 100 EUR");
    let out = s.path("changed.asics");
    write_asics(&out, "order.txt", b"pay 900 EUR", &token, asics::MIMETYPE);
    let report = asics::validate(&out, &list_trust(&s)).unwrap();
    assert_eq!(report.indication, Indication::TotalFailed, "{report:#?}");
    assert_eq!(report.sub_indication, Some(SubIndication::HashFailure));
    assert!(report.signatures[0].errors[0].contains("message imprint"));
}

#[test]
fn malformed_asics_containers_are_refused() {
    let s = Setup::new();
    let token = token_over(&s, b"x");
    // Two data files.
    let out = s.path("two.asics");
    let mut w =
        signet_asic::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()), SystemClock.now());
    w.add(
        "mimetype",
        &mut asics::MIMETYPE.as_bytes(),
        false,
        &mut |_| {},
    )
    .unwrap();
    w.add("a.txt", &mut &b"x"[..], true, &mut |_| {}).unwrap();
    w.add("b.txt", &mut &b"y"[..], true, &mut |_| {}).unwrap();
    w.add("META-INF/timestamp.tst", &mut &token[..], true, &mut |_| {})
        .unwrap();
    std::fs::write(&out, w.finish().unwrap().into_inner()).unwrap();
    let err = asics::validate(&out, &list_trust(&s)).unwrap_err();
    assert!(err.to_string().contains("exactly one data file"), "{err}");
    // The data file in a folder.
    let sub = s.path("sub.asics");
    write_asics(&sub, "docs/a.txt", b"x", &token, asics::MIMETYPE);
    let err = asics::validate(&sub, &list_trust(&s)).unwrap_err();
    assert!(err.to_string().contains("in a folder"), "{err}");
    // A token that is not a token.
    let junk = s.path("junk.asics");
    write_asics(&junk, "a.txt", b"x", b"not DER", asics::MIMETYPE);
    let report = asics::validate(&junk, &list_trust(&s)).unwrap();
    assert_eq!(report.indication, Indication::TotalFailed, "{report:#?}");
    // An ASiC-E mimetype is not ASiC-S.
    let e = s.path("e.asics");
    write_asics(&e, "a.txt", b"x", &token, "application/vnd.etsi.asic-e+zip");
    assert!(!asics::is_asics(&e));
}

#[test]
fn libdigidocpp_agrees_on_the_generated_asics_containers() {
    let s = Setup::new();
    let data = b"An old contract, archived.\n";
    let token = token_over(&s, data);
    let good = s.path("good.asics");
    write_asics(&good, "leping.txt", data, &token, asics::MIMETYPE);
    let bad = s.path("bad.asics");
    write_asics(
        &bad,
        "leping.txt",
        b"A changed contract.\n",
        &token,
        asics::MIMETYPE,
    );
    let st = crate::libdigidocpp::statuses(&s, &good).unwrap();
    assert_eq!(st.len(), 1, "{st:?}");
    assert!(st[0].starts_with("Valid "), "libdigidocpp: {st:?}");
    let st = crate::libdigidocpp::statuses(&s, &bad).unwrap();
    assert!(st[0].starts_with("Invalid "), "libdigidocpp: {st:?}");
}

#[test]
fn an_asics_made_by_libdigidocpp_is_total_passed() {
    let s = Setup::new();
    let file = s.write("vana.txt", b"An old document.\n");
    let out = s.path("ldd.asics");
    let key = crate::libdigidocpp::p12(&s, Role::Signing);
    crate::libdigidocpp::peer(
        &s,
        "sign",
        &[
            "--p12",
            key.to_str().unwrap(),
            "--password",
            "test",
            "--profile",
            "time-stamp-token",
            out.to_str().unwrap(),
            file.path.to_str().unwrap(),
        ],
    );
    assert!(asics::is_asics(&out));
    let report = asics::validate(&out, &list_trust(&s)).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures[0].covers, ["vana.txt"]);
}
