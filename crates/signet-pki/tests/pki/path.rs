//! Path validation of every test PKI variant at a fixed time.

use signet_core::{FixedClock, Indication, SubIndication};
use signet_pki::{PathProblem, Purpose, ValidationTime};
use signet_testkit::{Role, TestPki};

use crate::support::{anchors, cert, days, validator};

fn check(
    pki: &TestPki,
    role: Role,
    purpose: Purpose,
    time: ValidationTime,
    expected: (Indication, Option<SubIndication>),
) -> signet_pki::PathReport {
    let anchors = anchors(pki);
    let report = validator(pki, &anchors).validate(&cert(pki, role), purpose, time);
    assert_eq!(
        (report.indication, report.sub_indication),
        expected,
        "{role:?} for {purpose:?}: {:#?}",
        report.findings
    );
    report
}

fn at_generation(pki: &TestPki) -> ValidationTime {
    let clock = FixedClock::new(pki.now());
    ValidationTime::now(&clock)
}

const PASSED: (Indication, Option<SubIndication>) = (Indication::TotalPassed, None);

fn indet(sub: SubIndication) -> (Indication, Option<SubIndication>) {
    (Indication::Indeterminate, Some(sub))
}

fn failed(sub: SubIndication) -> (Indication, Option<SubIndication>) {
    (Indication::TotalFailed, Some(sub))
}

#[test]
fn every_variant_gets_its_sub_indication() {
    let pki = TestPki::start().unwrap();
    let t = at_generation(&pki);
    use Purpose::*;
    use SubIndication::*;
    let cases = [
        (Role::Signing, Signature, PASSED),
        (Role::RsaSigning, Signature, PASSED),
        (Role::Unqualified, Signature, PASSED),
        (Role::Revoked, Signature, PASSED), // revocation is the OCSP client's part
        (Role::Authentication, Authentication, PASSED),
        (
            Role::Authentication,
            Signature,
            indet(ChainConstraintsFailure),
        ),
        (
            Role::WrongKeyUsage,
            Signature,
            indet(ChainConstraintsFailure),
        ),
        (Role::Expired, Signature, indet(OutOfBoundsNoPoe)),
        (Role::NotYetValid, Signature, failed(NotYetValid)),
        (Role::SelfSigned, Signature, indet(NoCertificateChainFound)),
        (
            Role::UnknownIssuer,
            Signature,
            indet(NoCertificateChainFound),
        ),
        (
            Role::BadSignature,
            Signature,
            indet(CertificateChainGeneralFailure),
        ),
        (
            Role::UnknownCriticalExtension,
            Signature,
            indet(CertificateChainGeneralFailure),
        ),
        (Role::Tsa, TimeStamping, PASSED),
        (
            Role::TsaWithoutEku,
            TimeStamping,
            indet(ChainConstraintsFailure),
        ),
        (Role::Signing, TimeStamping, indet(ChainConstraintsFailure)),
        (Role::OcspResponder, OcspSigning, PASSED),
        (Role::RogueOcspResponder, OcspSigning, PASSED), // a valid cert; authorisation is OCSP's
        (Role::Tsa, OcspSigning, indet(ChainConstraintsFailure)),
    ];
    for (role, purpose, expected) in cases {
        check(&pki, role, purpose, t, expected);
    }
}

#[test]
fn the_qualified_signer_has_its_qc_statements_and_the_unqualified_one_none() {
    let pki = TestPki::start().unwrap();
    let t = at_generation(&pki);
    let report = check(&pki, Role::Signing, Purpose::Signature, t, PASSED);
    let qc = report.qc_statements().expect("qcStatements");
    assert!(
        qc.compliance && qc.sscd && qc.qualified_esign_in_qscd(),
        "{qc:?}"
    );
    assert_eq!(report.chain.len(), 3);
    assert_eq!(report.issuer().unwrap(), &cert(&pki, Role::IssuingCa));
    let summaries = report.summaries();
    assert!(
        summaries[0].subject.contains("PNOEE-38001085718"),
        "{summaries:?}"
    );
    assert!(
        cert(&pki, Role::Signing)
            .ocsp_urls()
            .contains(&pki.ocsp_url())
    );

    let report = check(&pki, Role::Unqualified, Purpose::Signature, t, PASSED);
    assert!(report.qc_statements().is_none());
}

#[test]
fn expiry_depends_on_what_is_known_about_the_time() {
    let pki = TestPki::start().unwrap();
    let now = pki.now();
    // The present: nothing proves the signature is older, so undecided.
    check(
        &pki,
        Role::Expired,
        Purpose::Signature,
        ValidationTime::Current(now),
        indet(SubIndication::OutOfBoundsNoPoe),
    );
    // A proven time after expiry: failed, with both dates in the message.
    let report = check(
        &pki,
        Role::Expired,
        Purpose::Signature,
        ValidationTime::Proven(now),
        failed(SubIndication::Expired),
    );
    let message = report.findings[0].problem.to_string();
    assert!(matches!(
        report.findings[0].problem,
        PathProblem::Expired { .. }
    ));
    assert!(
        message.contains("expired on 20") && message.contains(", validation time 20"),
        "{message}"
    );
    // Within its validity period it passes.
    check(
        &pki,
        Role::Expired,
        Purpose::Signature,
        ValidationTime::Proven(now - days(60)),
        PASSED,
    );
    // And the not-yet-valid one passes once its time has come.
    let later = FixedClock::new(now);
    later.advance(days(31));
    check(
        &pki,
        Role::NotYetValid,
        Purpose::Signature,
        ValidationTime::now(&later),
        PASSED,
    );
}

#[test]
fn findings_explain_themselves() {
    let pki = TestPki::start().unwrap();
    let t = at_generation(&pki);
    let report = check(
        &pki,
        Role::Authentication,
        Purpose::Signature,
        t,
        indet(SubIndication::ChainConstraintsFailure),
    );
    let message = report.findings[0].problem.to_string();
    assert!(
        message.contains("not for electronic signatures")
            && message.contains("nonRepudiation needed"),
        "{message}"
    );
    let report = check(
        &pki,
        Role::UnknownIssuer,
        Purpose::Signature,
        t,
        indet(SubIndication::NoCertificateChainFound),
    );
    assert!(report.chain.is_empty());
    assert!(
        report.findings[0]
            .problem
            .to_string()
            .contains("Signet Untrusted CA"),
        "{:?}",
        report.findings
    );
}

#[test]
fn an_end_entity_cannot_issue_certificates() {
    use signet_testkit::x509::{CertSpec, Extensions, issue, name, oid};
    let pki = TestPki::start().unwrap();
    let signer = pki.get(Role::Signing);
    let key = signet_testkit::TestKey::p384();
    let mut ext = Extensions::default();
    ext.basic_constraints(false, None)
        .unwrap()
        .key_usage(signet_testkit::x509::KeyUsages::NonRepudiation.into())
        .unwrap();
    let forged = issue(
        CertSpec {
            subject: name(&[(oid::COMMON_NAME, "Forged")]).unwrap(),
            serial: 7,
            not_before: pki.now() - days(1),
            not_after: pki.now() + days(10),
            extensions: ext.0,
        },
        &key.spki().unwrap(),
        &signer.cert.tbs_certificate.subject,
        &signer.key,
    )
    .unwrap();
    let forged = signet_pki::Cert::from_der(&der::Encode::to_der(&forged).unwrap()).unwrap();
    let anchors = anchors(&pki);
    let mut intermediates = crate::support::intermediates(&pki);
    intermediates.push(cert(&pki, Role::Signing));
    let report = signet_pki::PathValidator::new(&anchors, intermediates).validate(
        &forged,
        Purpose::Signature,
        at_generation(&pki),
    );
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::CertificateChainGeneralFailure)
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f.problem, PathProblem::NotCa { .. })),
        "{:#?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f.problem, PathProblem::PathTooLong { .. })),
        "{:#?}",
        report.findings
    );
}

#[test]
fn debug_output_carries_no_personal_code() {
    let pki = TestPki::start().unwrap();
    for role in [Role::Signing, Role::Authentication, Role::SelfSigned] {
        let shown = format!("{:?}", cert(&pki, role));
        assert!(
            !shown.contains("PNOEE")
                && !shown.contains(signet_testkit::PERSONAL_CODE)
                && !shown.contains("38203030013"),
            "{role:?}: {shown}"
        );
    }
}
