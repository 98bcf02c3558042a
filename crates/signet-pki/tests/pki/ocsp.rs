//! The OCSP client against OpenSSL's own responder logic, served on loopback by the testkit.

use std::time::Duration;

use signet_core::{Clock as _, FixedClock, Indication, SubIndication, SystemClock};
use signet_pki::ocsp::{
    self, CertificateStatus, CrlReason, ListedResponder, Nonce, OcspAnswer, OcspError, OcspPolicy,
    OcspRequest, Responder,
};
use signet_pki::tsl::TrustedList;
use signet_pki::{PathProblem, Purpose, ValidationTime};
use signet_testkit::{LoopbackFetch, OcspMode, Role, TestPki, TrustedListOptions};

use crate::support::{anchors, cert, days, validator};

/// Asks the responder about `role` with the clock at `offset` from the real time (the responder
/// stamps its answers with the real time).
fn ask_at(
    pki: &TestPki,
    role: Role,
    policy: &OcspPolicy,
    clock: &FixedClock,
) -> Result<OcspAnswer, OcspError> {
    ocsp::check_certificate(
        &LoopbackFetch::default(),
        clock,
        &cert(pki, role),
        &cert(pki, Role::IssuingCa),
        None,
        policy,
    )
}

fn ask(pki: &TestPki, role: Role) -> Result<OcspAnswer, OcspError> {
    ask_at(
        pki,
        role,
        &OcspPolicy::default(),
        &FixedClock::new(SystemClock.now()),
    )
}

#[test]
fn good_from_the_delegated_responder() {
    let pki = TestPki::start().unwrap();
    let answer = ask(&pki, Role::Signing).unwrap();
    assert_eq!(answer.status, CertificateStatus::Good);
    assert!(
        matches!(&answer.responder, Responder::Delegated { subject, nocheck: true } if subject.contains("Signet Test OCSP")),
        "{:?}",
        answer.responder
    );
    assert!(answer.next_update.is_some());
    assert_eq!(
        answer.verdict(ValidationTime::Current(answer.this_update)),
        (Indication::TotalPassed, None)
    );
    assert!(pki.requests_served() >= 1);
}

#[test]
fn good_from_the_issuing_ca_itself() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::IssuingCa);
    let answer = ask(&pki, Role::Authentication).unwrap();
    assert_eq!(answer.status, CertificateStatus::Good);
    assert_eq!(answer.responder, Responder::IssuingCa);
}

#[test]
fn revoked_with_its_revocation_time() {
    let pki = TestPki::start().unwrap();
    let answer = ask(&pki, Role::Revoked).unwrap();
    assert_eq!(
        answer.status,
        CertificateStatus::Revoked {
            time: pki.revocation_time(),
            reason: Some(CrlReason::KeyCompromise),
        }
    );
    let now = SystemClock.now();
    assert_eq!(
        answer.verdict(ValidationTime::Current(now)),
        (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe))
    );
    assert_eq!(
        answer.verdict(ValidationTime::Proven(now)),
        (Indication::TotalFailed, Some(SubIndication::Revoked))
    );
    // Proven to exist before the revocation: still good.
    assert_eq!(
        answer.verdict(ValidationTime::Proven(pki.revocation_time() - days(1))),
        (Indication::TotalPassed, None)
    );

    // In a path report, the revocation decides and says when.
    let anchors = anchors(&pki);
    let mut report = validator(&pki, &anchors).validate(
        &cert(&pki, Role::Revoked),
        Purpose::Signature,
        ValidationTime::Proven(now),
    );
    assert!(report.passed());
    report.add_revocation(&Ok(answer));
    assert_eq!(
        (report.indication, report.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::Revoked))
    );
    let message = report.findings[0].problem.to_string();
    assert!(matches!(
        report.findings[0].problem,
        PathProblem::Revoked { .. }
    ));
    assert!(
        message.contains("was revoked on 20") && message.contains("KeyCompromise"),
        "{message}"
    );
}

#[test]
fn unknown_is_never_good() {
    let pki = TestPki::start().unwrap();
    let answer = ask(&pki, Role::NotInResponderDatabase).unwrap();
    assert_eq!(answer.status, CertificateStatus::Unknown);
    let (indication, sub) = answer.verdict(ValidationTime::Current(SystemClock.now()));
    assert_eq!(indication, Indication::Indeterminate);
    assert_eq!(sub, Some(SubIndication::CertificateChainGeneralFailure));
}

#[test]
fn a_wrong_nonce_is_rejected() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::WrongNonce);
    assert_eq!(
        ask(&pki, Role::Signing).unwrap_err(),
        OcspError::NonceMismatch
    );
}

#[test]
fn a_missing_nonce_is_rejected_unless_the_policy_allows_it() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::NoNonce);
    assert_eq!(
        ask(&pki, Role::Signing).unwrap_err(),
        OcspError::NonceMissing
    );
    let relaxed = OcspPolicy {
        require_nonce: false,
        ..OcspPolicy::default()
    };
    let answer = ask_at(
        &pki,
        Role::Signing,
        &relaxed,
        &FixedClock::new(SystemClock.now()),
    )
    .unwrap();
    assert_eq!(answer.status, CertificateStatus::Good);
}

#[test]
fn stale_expired_and_future_answers_are_rejected() {
    let pki = TestPki::start().unwrap();
    // Checked five minutes after it was made: thisUpdate older than the 2 minutes allowed.
    let later = FixedClock::new(SystemClock.now());
    later.advance(Duration::from_secs(5 * 60));
    let err = ask_at(&pki, Role::Signing, &OcspPolicy::default(), &later).unwrap_err();
    assert!(matches!(err, OcspError::Stale { .. }), "{err}");
    assert_eq!(err.sub_indication(), SubIndication::TryLater);
    assert!(err.to_string().contains("at most 120 s old"), "{err}");

    // A lenient age, but 30 minutes later the responder's nextUpdate (10 minutes) plus the
    // 15 minutes of skew have passed.
    let lenient = OcspPolicy {
        max_age: Duration::from_secs(3600),
        ..OcspPolicy::default()
    };
    let much_later = FixedClock::new(SystemClock.now());
    much_later.advance(Duration::from_secs(30 * 60));
    let err = ask_at(&pki, Role::Signing, &lenient, &much_later).unwrap_err();
    assert!(matches!(err, OcspError::Expired { .. }), "{err}");

    // A checker whose clock is 20 minutes behind sees an answer from the future.
    let behind = FixedClock::new(SystemClock.now() - Duration::from_secs(20 * 60));
    let err = ask_at(&pki, Role::Signing, &OcspPolicy::default(), &behind).unwrap_err();
    assert!(matches!(err, OcspError::FromTheFuture { .. }), "{err}");
}

#[test]
fn answers_signed_by_unauthorised_keys_are_rejected() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    let err = ask(&pki, Role::Signing).unwrap_err();
    assert!(
        matches!(&err, OcspError::UnauthorisedResponder { responder, reason } if responder.contains("Signet Rogue OCSP") && reason.contains("not issued by")),
        "{err}"
    );
    assert_eq!(
        err.sub_indication(),
        SubIndication::CertificateChainGeneralFailure
    );

    pki.set_ocsp_mode(OcspMode::TsaKey);
    let err = ask(&pki, Role::Signing).unwrap_err();
    assert!(
        matches!(err, OcspError::UnauthorisedResponder { .. }),
        "{err}"
    );

    // In a report, a rejected answer is missing revocation information: INDETERMINATE.
    let anchors = anchors(&pki);
    let mut report = validator(&pki, &anchors).validate(
        &cert(&pki, Role::Signing),
        Purpose::Signature,
        ValidationTime::Current(SystemClock.now()),
    );
    report.add_revocation(&Err(err));
    assert_eq!(report.indication, Indication::Indeterminate);
    assert!(matches!(
        report.findings[0].problem,
        PathProblem::NoRevocationData { .. }
    ));
}

#[test]
fn a_tampered_answer_fails_its_signature() {
    let pki = TestPki::start().unwrap();
    let signer = cert(&pki, Role::Signing);
    let issuer = cert(&pki, Role::IssuingCa);
    let request = OcspRequest::new(&signer, &issuer, Nonce::Random).unwrap();
    let response = signet_core::Fetch::post(
        &LoopbackFetch::default(),
        &pki.ocsp_url(),
        "application/ocsp-request",
        request.der(),
    )
    .unwrap();
    let now = SystemClock.now();
    let policy = OcspPolicy::default();
    assert!(
        request
            .check_response(&response.body, &issuer, &policy, now)
            .is_ok()
    );
    // producedAt's last digit of seconds sits inside the signed data: change one byte of it.
    let mut tampered = response.body.clone();
    let at = tampered
        .windows(2)
        .position(|w| w == [0x18, 0x0f])
        .expect("a GeneralizedTime in the answer");
    tampered[at + 2 + 13] ^= 0x01;
    let err = request
        .check_response(&tampered, &issuer, &policy, now)
        .unwrap_err();
    assert!(
        matches!(
            err,
            OcspError::BadSignature(_) | OcspError::Malformed { .. }
        ),
        "{err}"
    );
    // An answer to another request (other nonce) is not evidence for this one.
    let other = OcspRequest::new(&signer, &issuer, Nonce::Random).unwrap();
    assert_eq!(
        other
            .check_response(&response.body, &issuer, &policy, now)
            .unwrap_err(),
        OcspError::NonceMismatch
    );
    // Nor is an answer about another certificate.
    let third = OcspRequest::new(&cert(&pki, Role::Authentication), &issuer, Nonce::Omit).unwrap();
    assert!(matches!(
        third.check_response(&response.body, &issuer, &policy, now),
        Err(OcspError::NoMatchingResponse { .. })
    ));
}

#[test]
fn responder_addresses_from_certificates_are_restricted() {
    let pki = TestPki::start().unwrap();
    let err = ocsp::check_certificate(
        &LoopbackFetch::default(),
        &SystemClock,
        &cert(&pki, Role::Signing),
        &cert(&pki, Role::IssuingCa),
        Some("file:///etc/passwd"),
        &OcspPolicy::default(),
    )
    .unwrap_err();
    assert!(matches!(err, OcspError::UnusableUrl { .. }), "{err}");
    let err = ocsp::check_certificate(
        &LoopbackFetch::default(),
        &SystemClock,
        &cert(&pki, Role::Root),
        &cert(&pki, Role::Root),
        None,
        &OcspPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(err, OcspError::NoResponderUrl);
}

#[test]
fn a_stored_answer_verifies_offline_by_its_time() {
    let pki = TestPki::start().unwrap();
    let live = ask(&pki, Role::Revoked).unwrap();
    let signer = cert(&pki, Role::Revoked);
    let issuer = cert(&pki, Role::IssuingCa);
    let policy = OcspPolicy {
        max_age: days(1),
        ..OcspPolicy::default()
    };
    let stored =
        ocsp::verify_stored(&live.der, &signer, &issuer, &policy, live.this_update).unwrap();
    assert_eq!(stored.status, live.status);
    // The same answer says nothing about another certificate.
    let err = ocsp::verify_stored(
        &live.der,
        &cert(&pki, Role::Signing),
        &issuer,
        &policy,
        live.this_update,
    )
    .unwrap_err();
    assert!(matches!(err, OcspError::NoMatchingResponse { .. }), "{err}");
    // And a day and a half later it is too old for this policy.
    let err = ocsp::verify_stored(
        &live.der,
        &signer,
        &issuer,
        &policy,
        live.this_update + days(1) + days(1) / 2,
    )
    .unwrap_err();
    assert!(
        matches!(err, OcspError::Stale { .. } | OcspError::Expired { .. }),
        "{err}"
    );
}

#[test]
fn validate_certificate_combines_the_path_and_its_revocation() {
    use signet_pki::{Revocation, validate_certificate};
    let pki = TestPki::start().unwrap();
    let anchors = anchors(&pki);
    let validator = validator(&pki, &anchors);
    let fetch = LoopbackFetch::default();
    let clock = FixedClock::new(SystemClock.now());
    let policy = OcspPolicy::default();
    let online = Revocation::Online {
        fetch: &fetch,
        clock: &clock,
        policy: &policy,
    };
    let proven = ValidationTime::Proven(clock.now());
    let check = |role: Role, revocation: Revocation<'_>| {
        let report = validate_certificate(
            &validator,
            &cert(&pki, role),
            Purpose::Signature,
            proven,
            revocation,
        );
        (report.indication, report.sub_indication)
    };
    assert_eq!(
        check(Role::Signing, online),
        (Indication::TotalPassed, None)
    );
    assert_eq!(
        check(Role::Revoked, online),
        (Indication::TotalFailed, Some(SubIndication::Revoked))
    );
    assert_eq!(
        check(Role::NotInResponderDatabase, online),
        (
            Indication::Indeterminate,
            Some(SubIndication::CertificateChainGeneralFailure)
        )
    );
    // The answer used is part of the report's facts.
    let report = validate_certificate(
        &validator,
        &cert(&pki, Role::Signing),
        Purpose::Signature,
        proven,
        online,
    );
    assert_eq!(
        report.revocation.as_ref().map(|a| a.status),
        Some(CertificateStatus::Good)
    );
    // A path that fails is not looked up.
    let served = pki.requests_served();
    assert_eq!(
        check(Role::UnknownIssuer, online),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound)
        )
    );
    assert_eq!(pki.requests_served(), served);
    // Offline without a stored answer: undecided, never good.
    assert_eq!(
        check(Role::Signing, Revocation::Offline(None)),
        (Indication::Indeterminate, Some(SubIndication::TryLater))
    );
    // Offline with the stored answer.
    let stored = ask(&pki, Role::Revoked).unwrap();
    assert_eq!(
        check(Role::Revoked, Revocation::Offline(Some(&stored))),
        (Indication::TotalFailed, Some(SubIndication::Revoked))
    );
    // Only when the policy says revocation is not required does the path alone decide.
    assert_eq!(
        check(Role::Revoked, Revocation::NotRequired),
        (Indication::TotalPassed, None)
    );
    // A responder that cannot be reached: try later.
    drop(stored);
    let unreachable = ocsp::check_certificate(
        &fetch,
        &clock,
        &cert(&pki, Role::Signing),
        &cert(&pki, Role::IssuingCa),
        Some("http://127.0.0.1:9/ocsp"),
        &policy,
    )
    .unwrap_err();
    assert!(matches!(unreachable, OcspError::Fetch(_)), "{unreachable}");
    assert_eq!(unreachable.sub_indication(), SubIndication::TryLater);
}

#[test]
fn a_responder_named_by_key_hash_is_found() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::ByKey);
    let answer = ask(&pki, Role::Signing).unwrap();
    assert!(
        matches!(answer.responder, Responder::Delegated { .. }),
        "{:?}",
        answer.responder
    );
}

#[test]
fn a_delegated_responder_without_its_certificate_is_not_believed() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::WithoutCertificates);
    assert_eq!(
        ask(&pki, Role::Signing).unwrap_err(),
        OcspError::ResponderNotFound
    );
}

fn listed_policy(pki: &TestPki, options: &TrustedListOptions) -> OcspPolicy {
    let tl = pki.trusted_list_with(options).unwrap();
    let list = TrustedList::verify(
        tl.xml.as_bytes(),
        &[signet_pki::Cert::from_der(&tl.signer).unwrap()],
    )
    .unwrap();
    OcspPolicy {
        listed_responders: ListedResponder::from_list(&list, SystemClock.now()),
        ..OcspPolicy::default()
    }
}

/// The rogue responder (issued by the root, not by the issuing CA) is no delegated responder,
/// but a trusted list naming it as an OCSP/QC service makes it an authorised one.
#[test]
fn a_responder_listed_as_ocsp_qc_is_authorised_though_not_delegated() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    let mut options = TrustedListOptions::default();
    options.extra_ocsp = vec![Role::RogueOcspResponder];
    let policy = listed_policy(&pki, &options);
    assert_eq!(policy.listed_responders.len(), 2);
    let clock = FixedClock::new(SystemClock.now());
    let answer = ask_at(&pki, Role::Signing, &policy, &clock).unwrap();
    assert_eq!(answer.status, CertificateStatus::Good);
    assert!(
        matches!(&answer.responder, Responder::TrustedList { subject, service, territory }
            if subject.contains("Signet Rogue OCSP") && service.contains("RogueOcspResponder") && territory == "EE"),
        "{:?}",
        answer.responder
    );
    // A revoked certificate is still revoked when the listed responder says so.
    let answer = ask_at(&pki, Role::Revoked, &policy, &clock).unwrap();
    assert!(matches!(answer.status, CertificateStatus::Revoked { .. }));

    // The delegated responder stays a delegated responder though it is listed too.
    pki.set_ocsp_mode(OcspMode::Delegated);
    let answer = ask_at(&pki, Role::Signing, &policy, &clock).unwrap();
    assert!(matches!(answer.responder, Responder::Delegated { .. }));
}

#[test]
fn a_responder_neither_listed_nor_delegated_stays_unauthorised() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    // The default list names only the delegated responder.
    let policy = listed_policy(&pki, &TrustedListOptions::default());
    let clock = FixedClock::new(SystemClock.now());
    let err = ask_at(&pki, Role::Signing, &policy, &clock).unwrap_err();
    assert!(
        matches!(&err, OcspError::UnauthorisedResponder { responder, reason } if responder.contains("Signet Rogue OCSP") && reason.contains("not issued by")),
        "{err}"
    );
    // Listed, but its service withdrawn before producedAt.
    let mut options = TrustedListOptions::default();
    options.extra_ocsp = vec![Role::RogueOcspResponder];
    let mut policy = listed_policy(&pki, &options);
    for listed in &mut policy.listed_responders {
        listed
            .service
            .statuses
            .insert(0, ("withdrawn".to_owned(), SystemClock.now() - days(1)));
    }
    let err = ask_at(&pki, Role::Signing, &policy, &clock).unwrap_err();
    assert!(
        matches!(&err, OcspError::UnauthorisedResponder { reason, .. } if reason.contains("was withdrawn at producedAt")),
        "{err}"
    );
    // A list used after its NextUpdate names no responders.
    let tl = pki.trusted_list_with(&options).unwrap();
    let list = TrustedList::verify(
        tl.xml.as_bytes(),
        &[signet_pki::Cert::from_der(&tl.signer).unwrap()],
    )
    .unwrap();
    assert!(ListedResponder::from_list(&list, SystemClock.now() + days(200)).is_empty());
    let unverified = TrustedList::parse_unverified(tl.xml.as_bytes()).unwrap();
    assert!(ListedResponder::from_list(&unverified, SystemClock.now()).is_empty());
}

/// A copy of `cert` with another serial number (its signature no longer verifies, which a list's
/// certificate, trusted as configured, never needs), and optionally another key.
fn reissued(cert: &signet_pki::Cert, other_key: Option<&signet_pki::Cert>) -> signet_pki::Cert {
    use der::Encode as _;
    let mut inner = cert.inner().clone();
    inner.tbs_certificate.serial_number =
        x509_cert::serial_number::SerialNumber::new(&[0x42, 0x42]).unwrap();
    if let Some(other) = other_key {
        inner.tbs_certificate.subject_public_key_info = other.spki().clone();
    }
    signet_pki::Cert::from_der(&inner.to_der().unwrap()).unwrap()
}

/// A trusted list names a responder by its key: an answer carrying a certificate the responder
/// re-issued for the same subject and key (libdigidocpp's test responder "TEST of SK OCSP
/// RESPONDER 2011" did so in 2020) is authorised; the same subject with another key is not.
#[test]
fn a_listed_responder_is_recognised_by_its_key_and_subject() {
    let pki = TestPki::start().unwrap();
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    let mut options = TrustedListOptions::default();
    options.extra_ocsp = vec![Role::RogueOcspResponder];
    let clock = FixedClock::new(SystemClock.now());
    let rogue = cert(&pki, Role::RogueOcspResponder);
    let delegated = cert(&pki, Role::OcspResponder);

    let mut policy = listed_policy(&pki, &options);
    for listed in &mut policy.listed_responders {
        if listed.certificate == rogue {
            listed.certificate = reissued(&rogue, None);
        }
    }
    assert!(
        !policy
            .listed_responders
            .iter()
            .any(|l| l.certificate == rogue)
    );
    let answer = ask_at(&pki, Role::Signing, &policy, &clock).unwrap();
    assert!(
        matches!(&answer.responder, Responder::TrustedList { subject, .. } if subject.contains("Signet Rogue OCSP")),
        "{:?}",
        answer.responder
    );

    let mut policy = listed_policy(&pki, &options);
    for listed in &mut policy.listed_responders {
        if listed.certificate == rogue {
            listed.certificate = reissued(&rogue, Some(&delegated));
        }
    }
    let err = ask_at(&pki, Role::Signing, &policy, &clock).unwrap_err();
    assert!(
        matches!(&err, OcspError::UnauthorisedResponder { responder, .. } if responder.contains("Signet Rogue OCSP")),
        "{err}"
    );
}
