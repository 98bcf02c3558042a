//! Trusted lists: the libdigidocpp test list (committed, see tests/data/tsl/PROVENANCE.md) and
//! the list the testkit generates and signs.

use signet_pki::{Cert, PathValidator, Purpose, ValidationTime};
use signet_testkit::{Role, TestPki};

use crate::support::{cert, days};
use signet_pki::tsl::{SVC_CA_QC, TrustedList, TslError};
use signet_pki::xmldsig::XmlDsigError;

const EE_T: &[u8] = include_bytes!("../data/tsl/ldd_EE_T.xml");
const EE_T_SIGNER: &[u8] = include_bytes!("../data/tsl/ldd_TSL.crt");

fn pinned() -> Vec<Cert> {
    Cert::from_file_bytes(EE_T_SIGNER).unwrap()
}

#[test]
fn the_libdigidocpp_test_list_parses_and_verifies_with_its_pinned_signer() {
    let list = TrustedList::verify(EE_T, &pinned()).unwrap();
    assert_eq!(list.territory, "EE_T");
    assert_eq!(list.sequence_number, 34);
    assert!(!list.providers.is_empty());
    let at = signet_pki::time::parse_rfc3339("2026-11-01T00:00:00Z").unwrap();
    assert!(!list.services(SVC_CA_QC, at).is_empty());
    assert!(list.anchors(at).iter().count() > 0);
}

fn at(text: &str) -> std::time::SystemTime {
    signet_pki::time::parse_rfc3339(text).unwrap()
}

/// The real EU LOTL (sequence 388) verifies with the signer certificates published in the
/// Official Journal; the real Estonian list (sequence 68) verifies with the certificates the LOTL
/// names for it. Both are past their NextUpdate today: parsed and verified, never trusted now.
#[test]
fn the_real_lotl_and_estonian_list_parse_and_verify_but_are_stale() {
    let oj = Cert::from_file_bytes(include_bytes!("../data/tsl/eu-lotl-oj-signers.pem")).unwrap();
    let lotl = TrustedList::verify(include_bytes!("../data/tsl/eu-lotl.xml"), &oj).unwrap();
    assert_eq!((lotl.territory.as_str(), lotl.sequence_number), ("EU", 388));
    assert!(lotl.pointers.len() > 30);
    let ee_pointer = lotl
        .pointers
        .iter()
        .find(|p| p.territory.as_deref() == Some("EE") && p.location.ends_with(".xml"))
        .unwrap();
    assert_eq!(
        ee_pointer.location,
        "https://sr.riik.ee/tsl/estonian-tsl.xml"
    );

    let ee = TrustedList::verify(
        include_bytes!("../data/tsl/tsl-ee.xml"),
        &ee_pointer.signers,
    )
    .unwrap();
    assert_eq!((ee.territory.as_str(), ee.sequence_number), ("EE", 68));
    assert_eq!(ee.unreadable_certificates, 0);
    let today = at("2026-11-27T00:00:00Z");
    assert!(!ee.is_fresh_at(today) && !lotl.is_fresh_at(today));
    assert_eq!(
        ee.anchors(today).iter().count(),
        0,
        "a stale list is never trusted"
    );
    // When it was current, its qualified CAs (ESTEID2018 among them) were anchors.
    let then = ee.issued;
    assert!(ee.is_fresh_at(then));
    let cas = ee.services(SVC_CA_QC, then);
    assert!(
        cas.iter().any(|s| s.service.name.contains("ESTEID2018")),
        "{:?}",
        cas.iter().map(|s| &s.service.name).collect::<Vec<_>>()
    );
    assert!(ee.anchors(then).iter().count() >= cas.len());
}

#[test]
fn a_changed_byte_breaks_the_list() {
    let text = std::str::from_utf8(EE_T).unwrap();
    let changed = text.replacen(
        "Information System Authority",
        "Information System Authorit7",
        1,
    );
    let err = TrustedList::verify(changed.as_bytes(), &pinned()).unwrap_err();
    assert!(
        matches!(err, TslError::Xml(XmlDsigError::DigestMismatch { .. })),
        "{err:?}"
    );
}

#[test]
fn the_real_list_is_refused_with_another_pinned_signer() {
    let pki = TestPki::start().unwrap();
    let tl = pki.trusted_list().unwrap();
    let err = TrustedList::verify(EE_T, &[Cert::from_der(&tl.signer).unwrap()]).unwrap_err();
    assert!(matches!(err, TslError::UnknownSigner { .. }), "{err:?}");
    // Parsing alone still works, and gives no anchors.
    let list = TrustedList::parse_unverified(EE_T).unwrap();
    assert_eq!(list.anchors(pki.now()).iter().count(), 0);
}

#[test]
fn the_generated_list_verifies_and_anchors_the_test_pki() {
    let pki = TestPki::start().unwrap();
    let tl = pki.trusted_list().unwrap();
    let pinned = [Cert::from_der(&tl.signer).unwrap()];
    let list = TrustedList::verify(tl.xml.as_bytes(), &pinned).unwrap();
    assert!(list.is_fresh_at(pki.now()));
    let anchors = list.anchors(pki.now());
    for role in [Role::IssuingCa, Role::OcspResponder, Role::Tsa] {
        assert!(anchors.contains(&cert(&pki, role)), "{role:?}");
    }
    assert!(!anchors.contains(&cert(&pki, Role::Root)));
    let ca = list.service_of(&cert(&pki, Role::IssuingCa)).unwrap();
    assert_eq!(ca.service.service_type, SVC_CA_QC);
    assert!(ca.service.additional_information[0].ends_with("ForeSignatures"));
    // Not yet granted a year and a day before.
    assert!(list.anchors(pki.now() - days(366)).iter().next().is_none());

    // The signing certificate chains to the listed issuing CA.
    let validator = PathValidator::new(&anchors, []);
    let report = validator.validate(
        &cert(&pki, Role::Signing),
        Purpose::Signature,
        ValidationTime::Proven(pki.now()),
    );
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain.len(), 2);
}

#[test]
fn a_changed_byte_or_another_signer_breaks_the_generated_list() {
    let pki = TestPki::start().unwrap();
    let tl = pki.trusted_list().unwrap();
    let pinned = [Cert::from_der(&tl.signer).unwrap()];
    // One byte of the content: the sequence number 1 → 2.
    let changed = tl
        .xml
        .replacen("<TSLSequenceNumber>1<", "<TSLSequenceNumber>2<", 1);
    assert_ne!(changed, tl.xml);
    let err = TrustedList::verify(changed.as_bytes(), &pinned).unwrap_err();
    assert!(
        matches!(err, TslError::Xml(XmlDsigError::DigestMismatch { .. })),
        "{err:?}"
    );
    // One byte of the signed info: the digest value.
    let at = tl.xml.find("<ds:DigestValue>").unwrap() + "<ds:DigestValue>".len();
    let mut bytes = tl.xml.clone().into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let err = TrustedList::verify(&bytes, &pinned).unwrap_err();
    assert!(matches!(err, TslError::Xml(_)), "{err:?}");
    // A well-made signature by a key that is not pinned.
    let err = TrustedList::verify(tl.signed_by_another.as_bytes(), &pinned).unwrap_err();
    assert!(matches!(err, TslError::UnknownSigner { .. }), "{err:?}");
    // …which does verify with its own certificate pinned: the refusal is about trust.
    let other = [Cert::from_der(&tl.other_signer).unwrap()];
    assert!(TrustedList::verify(tl.signed_by_another.as_bytes(), &other).is_ok());
}

#[test]
fn xmlsec1_agrees_with_the_generated_list() {
    let probe = std::process::Command::new("xmlsec1")
        .arg("--version")
        .output();
    if probe.is_err() {
        eprintln!("xmlsec1 is not installed (cargo xtask setup installs it): skipped");
        return;
    }
    let pki = TestPki::start().unwrap();
    let tl = pki.trusted_list().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tl.xml"), &tl.xml).unwrap();
    std::fs::write(
        dir.path().join("signer.pem"),
        signet_testkit::pem("CERTIFICATE", &tl.signer).unwrap(),
    )
    .unwrap();
    let run = |file: &str| {
        std::process::Command::new("xmlsec1")
            .current_dir(dir.path())
            .args(["--verify", "--trusted-pem", "signer.pem", file])
            .output()
            .unwrap()
    };
    let good = run("tl.xml");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let changed = tl
        .xml
        .replacen("<TSLSequenceNumber>1<", "<TSLSequenceNumber>2<", 1);
    std::fs::write(dir.path().join("changed.xml"), changed).unwrap();
    assert!(!run("changed.xml").status.success());
}

#[test]
fn documents_with_a_doctype_are_refused() {
    let bomb = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">]><TrustServiceStatusList>&lol;</TrustServiceStatusList>";
    let err = TrustedList::parse_unverified(bomb.as_bytes()).unwrap_err();
    assert_eq!(err, TslError::Xml(XmlDsigError::Doctype));
}
