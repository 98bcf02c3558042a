//! The signer's revocation against the best-signature-time, and DSS OCSP answers that are no
//! evidence: a signer revoked after the signature time-stamp passes with the revocation named,
//! and an answer about the signer from an unauthorised responder is named with the reason.

use std::time::Duration;

use signet_core::{Clock as _, Fetch as _, Indication, SubIndication, SystemClock};
use signet_pades::ltv::{self, ValidationData};
use signet_pades::sign::SignOptions;
use signet_pki::ocsp::{Nonce, OcspRequest};
use signet_testkit::{LoopbackFetch, OcspMode, Role, TestPki};

use crate::support::{self, Level};

fn signature(report: &signet_pades::validate::Report) -> &signet_pades::validate::SignatureReport {
    report
        .signatures
        .iter()
        .find(|s| s.kind == "signature")
        .unwrap()
}

fn bt(pki: &TestPki) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = support::blank_pdf(dir.path(), false);
    support::sign(pki, Role::Signing, &pdf, Level::T, &SignOptions::default())
}

/// The responder's raw answer about the signer (not verified).
fn raw_ocsp(pki: &TestPki) -> Vec<u8> {
    let request = OcspRequest::new(
        &support::cert(pki, Role::Signing),
        &support::cert(pki, Role::IssuingCa),
        Nonce::Random,
    )
    .unwrap();
    let answer = LoopbackFetch::default()
        .post(&pki.ocsp_url(), "application/ocsp-request", request.der())
        .unwrap();
    assert_eq!(answer.status, 200);
    answer.body
}

/// `pdf` with a DSS revision holding `ocsps`, the issuing CA and the root's CRL.
fn with_dss(pki: &TestPki, pdf: &[u8], ocsps: Vec<Vec<u8>>) -> Vec<u8> {
    let crl = LoopbackFetch::default()
        .get(&pki.root_crl_url(), "application/pkix-crl")
        .unwrap()
        .body;
    let data = ValidationData {
        certs: vec![pki.der(Role::IssuingCa).to_vec()],
        ocsps,
        crls: vec![crl],
    };
    ltv::add_dss(pdf, &data, &[]).unwrap()
}

#[test]
fn a_signer_revoked_after_the_time_stamp_passes_with_the_revocation_named() {
    let pki = TestPki::start().unwrap();
    let bt = bt(&pki);
    // The responder's database holds whole seconds: the revocation lands after genTime.
    std::thread::sleep(Duration::from_millis(2100));
    pki.revoke(Role::Signing, SystemClock.now(), "keyCompromise")
        .unwrap();
    let lt = with_dss(&pki, &bt, vec![raw_ocsp(&pki)]);
    let report = support::validate(&pki, &lt);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::TotalPassed, "{sig:#?}");
    assert!(
        sig.warnings.iter().any(|w| w.contains("revoked on")
            && w.contains("KeyCompromise")
            && w.contains("after the best-signature-time")),
        "{sig:#?}"
    );

    // Revoked before the time-stamp: TOTAL-FAILED / REVOKED, as before.
    let pki = TestPki::start().unwrap();
    let bt = self::bt(&pki);
    pki.revoke(
        Role::Signing,
        SystemClock.now() - Duration::from_secs(3600),
        "keyCompromise",
    )
    .unwrap();
    let lt = with_dss(&pki, &bt, vec![raw_ocsp(&pki)]);
    let report = support::validate(&pki, &lt);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::TotalFailed, "{sig:#?}");
    assert_eq!(sig.sub_indication, Some(SubIndication::Revoked));
}

#[test]
fn a_dss_ocsp_answer_from_an_unauthorised_responder_is_named_with_the_reason() {
    let pki = TestPki::start().unwrap();
    let bt = bt(&pki);
    let genuine = raw_ocsp(&pki);
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    let rogue = raw_ocsp(&pki);
    pki.set_ocsp_mode(OcspMode::Delegated);

    let lt = with_dss(&pki, &bt, vec![rogue.clone(), genuine]);
    let report = support::validate(&pki, &lt);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::TotalPassed, "{sig:#?}");
    assert!(
        sig.warnings.iter().any(|w| w.contains("DSS OCSP answer 1")
            && w.contains("Signet Rogue OCSP")
            && w.contains("may not answer")),
        "{sig:#?}"
    );

    // Alone: no revocation data offline (INDETERMINATE), and the reason is shown.
    let alone = with_dss(&pki, &bt, vec![rogue]);
    let report = support::validate(&pki, &alone);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::Indeterminate, "{sig:#?}");
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("DSS OCSP answer 1") && w.contains("Signet Rogue OCSP")),
        "{sig:#?}"
    );
}

#[test]
fn an_old_good_answer_from_before_the_time_stamp_is_no_evidence_and_revoked_decides() {
    let pki = TestPki::start().unwrap();
    // A "good" answer anyone could have asked for while the certificate was still good…
    let old_good = raw_ocsp(&pki);
    std::thread::sleep(Duration::from_secs(62));
    // …then the card is revoked, and the stolen key signs with a time-stamp afterwards.
    pki.revoke(
        Role::Signing,
        SystemClock.now() - Duration::from_secs(1),
        "keyCompromise",
    )
    .unwrap();
    let bt = bt(&pki);
    let replayed = with_dss(&pki, &bt, vec![old_good.clone()]);
    let report = support::validate(&pki, &replayed);
    let sig = signature(&report);
    assert_ne!(sig.indication, Indication::TotalPassed, "{sig:#?}");
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("before the signature time-stamp") && w.contains("not used")),
        "{sig:#?}"
    );
    // The genuine answer after it, the old one first: "revoked" decides.
    let both = with_dss(&pki, &bt, vec![old_good, raw_ocsp(&pki)]);
    let report = support::validate(&pki, &both);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::TotalFailed, "{sig:#?}");
    assert_eq!(sig.sub_indication, Some(SubIndication::Revoked), "{sig:#?}");
}
