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
    assert!(
        probe.is_ok(),
        "xmlsec1 cannot run: `cargo xtask setup` installs it (xmlsec1)"
    );
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

mod qualification {
    use signet_pki::qualification::{Assert, Criterion, Qualifier, assess};
    use signet_pki::tsl::{SVC_CA_QC, TrustedList};
    use signet_testkit::{Role, TestPki, TrustedListOptions, qualifier_uri};

    use crate::support::{cert, days};

    fn list_with(pki: &TestPki, qualifiers: &[&str]) -> TrustedList {
        let mut options = TrustedListOptions::default();
        options.ca_qualifiers = qualifiers.iter().map(|q| qualifier_uri(q)).collect();
        let tl = pki.trusted_list_with(&options).unwrap();
        TrustedList::verify(
            tl.xml.as_bytes(),
            &[signet_pki::Cert::from_der(&tl.signer).unwrap()],
        )
        .unwrap()
    }

    fn assess_with(
        pki: &TestPki,
        qualifiers: &[&str],
        role: Role,
    ) -> signet_pki::qualification::Assessment {
        let list = list_with(pki, qualifiers);
        let ca = list
            .service_of_type(&cert(pki, Role::IssuingCa), SVC_CA_QC)
            .unwrap();
        assess(&cert(pki, role), ca.service, pki.now())
    }

    #[test]
    fn without_qualifiers_the_certificate_speaks_for_itself() {
        let pki = TestPki::start().unwrap();
        let signing = assess_with(&pki, &[], Role::Signing);
        assert!(signing.qualified_esig_in_qscd(), "{signing:?}");
        assert!(signing.applied.is_empty());
        let unqualified = assess_with(&pki, &[], Role::Unqualified);
        assert_eq!(unqualified.qualified, Some(false));
        assert!(!unqualified.qualified_esig_in_qscd());
    }

    #[test]
    fn qcnoqscd_takes_the_key_out_of_the_qscd() {
        let pki = TestPki::start().unwrap();
        let a = assess_with(&pki, &["QCNoQSCD"], Role::Signing);
        assert_eq!(a.applied, vec![Qualifier::NoQscd]);
        assert_eq!((a.qualified, a.qscd), (Some(true), Some(false)));
        assert!(!a.qualified_esig_in_qscd());
    }

    #[test]
    fn notqualified_overrules_qccompliance() {
        let pki = TestPki::start().unwrap();
        let a = assess_with(&pki, &["NotQualified"], Role::Signing);
        assert_eq!(a.qualified, Some(false));
        assert!(a.notes.iter().any(|n| n.contains("NotQualified")), "{a:?}");
    }

    #[test]
    fn qcstatement_and_qcwithqscd_qualify_a_certificate_without_qc_statements() {
        let pki = TestPki::start().unwrap();
        let plain = assess_with(&pki, &[], Role::Unqualified);
        assert_eq!((plain.qualified, plain.qscd), (Some(false), Some(false)));
        let a = assess_with(
            &pki,
            &["QCStatement", "QCWithQSCD", "QCForESig"],
            Role::Unqualified,
        );
        assert!(a.qualified_esig_in_qscd(), "{a:?}");
    }

    #[test]
    fn qcforeseal_on_a_service_for_signatures_only_is_not_qualified() {
        let pki = TestPki::start().unwrap();
        let a = assess_with(&pki, &["QCForESeal"], Role::Signing);
        assert_eq!(a.qualified, Some(false), "{a:?}");
        assert!(a.purposes.is_empty());
    }

    #[test]
    fn conflicting_qualifiers_are_not_determinable() {
        let pki = TestPki::start().unwrap();
        let a = assess_with(&pki, &["QCWithQSCD", "QCNoQSCD"], Role::Signing);
        assert_eq!(a.qscd, None);
        assert!(!a.qualified_esig_in_qscd());
        let a = assess_with(&pki, &["QCStatement", "NotQualified"], Role::Signing);
        assert_eq!(a.qualified, None);
    }

    /// The criteria: nonRepudiation set, or the policy QCP-n-qscd. The authentication
    /// certificate (digitalSignature only, no such policy) is not concerned.
    #[test]
    fn qualifiers_apply_only_to_certificates_meeting_the_criteria() {
        let pki = TestPki::start().unwrap();
        let a = assess_with(&pki, &["QCStatement", "QCWithQSCD"], Role::Authentication);
        assert!(a.applied.is_empty(), "{a:?}");
        assert_eq!(a.qualified, Some(false));
    }

    #[test]
    fn a_service_not_granted_at_issuance_does_not_qualify() {
        let pki = TestPki::start().unwrap();
        let list = list_with(&pki, &[]);
        let signing = cert(&pki, Role::Signing);
        let mut service = list
            .service_of_type(&cert(&pki, Role::IssuingCa), SVC_CA_QC)
            .unwrap()
            .service
            .clone();
        // Granted only from after the certificate's notBefore.
        service.statuses = vec![("granted".to_owned(), signing.not_before() + days(1))];
        let a = assess(&signing, &service, pki.now());
        assert_eq!(a.qualified, Some(false));
        assert!(a.notes.iter().any(|n| n.contains("at issuance")), "{a:?}");
        // Withdrawn before the time judged.
        service.statuses = vec![
            ("withdrawn".to_owned(), pki.now() - days(1)),
            ("granted".to_owned(), signing.not_before() - days(1)),
        ];
        let a = assess(&signing, &service, pki.now());
        assert_eq!(a.qualified, Some(false));
        assert!(
            a.notes
                .iter()
                .any(|n| n.contains("withdrawn at the time judged")),
            "{a:?}"
        );
        assert!(assess(&signing, &service, pki.now() - days(2)).qualified_esig_in_qscd());
    }

    /// The real Estonian list's ESTEID2018 service: QCWithQSCD for digitalSignature or
    /// nonRepudiation, QCStatement and QCForESig for nonRepudiation.
    #[test]
    fn the_estonian_list_qualifications_parse() {
        let oj =
            signet_pki::Cert::from_file_bytes(include_bytes!("../data/tsl/eu-lotl-oj-signers.pem"))
                .unwrap();
        let lotl = TrustedList::verify(include_bytes!("../data/tsl/eu-lotl.xml"), &oj).unwrap();
        let pointer = lotl
            .pointers
            .iter()
            .find(|p| p.territory.as_deref() == Some("EE") && p.location.ends_with(".xml"))
            .unwrap();
        let ee = TrustedList::verify(include_bytes!("../data/tsl/tsl-ee.xml"), &pointer.signers)
            .unwrap();
        let service = ee
            .providers
            .iter()
            .flat_map(|p| &p.services)
            .find(|s| s.service_type == SVC_CA_QC && s.name.contains("ESTEID2018"))
            .unwrap();
        let with_qscd = service
            .qualifications
            .iter()
            .find(|q| q.qualifiers == vec![Qualifier::WithQscd])
            .unwrap();
        assert_eq!(with_qscd.criteria.assert, Assert::AtLeastOne);
        assert!(
            with_qscd
                .criteria
                .criteria
                .iter()
                .filter(|c| matches!(c, Criterion::KeyUsage(_)))
                .count()
                >= 2,
            "{with_qscd:?}"
        );
        assert!(
            service.qualifications.iter().any(|q| q.qualifiers
                == vec![Qualifier::QcStatement, Qualifier::ForESig]
                && q.criteria.assert == Assert::All
                && matches!(q.criteria.criteria.as_slice(), [Criterion::KeyUsage(bits), Criterion::PolicySet(policies)] if bits.len() == 1 && policies.len() == 1)),
            "{:?}",
            service.qualifications
        );
    }
}
