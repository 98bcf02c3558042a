//! The signer's revocation judged at the best-signature-time (EN 319 102-1, as PAdES does):
//! revoked after the signature time-stamp passes with the revocation shown, revoked before it is
//! TOTAL-FAILED / REVOKED, revoked with no time-stamp is INDETERMINATE / REVOKED_NO_POE; and an
//! embedded OCSP answer that is no evidence is reported with the reason.
//!
//! The containers are B-T (or B-B) signatures extended by hand with an OCSP answer fetched after
//! the test revoked the signer in the OCSP responder's database, as a tool that extends without
//! looking at the status would.

use std::path::{Path, PathBuf};
use std::time::Duration;

use signet_asic::Container;
use signet_core::{BaselineLevel, Clock as _, Fetch as _, Indication, SubIndication, SystemClock};
use signet_pki::ocsp::{Nonce, OcspRequest};
use signet_testkit::{LoopbackFetch, OcspMode, Role};

use crate::common::{Setup, rebuild};
use crate::libdigidocpp::statuses;

fn signature_xml(path: &Path) -> String {
    let c = Container::open(path).unwrap();
    String::from_utf8(c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap()).unwrap()
}

/// The responder's raw answer about `role` (not verified: it may come from a rogue responder).
fn raw_ocsp(s: &Setup, role: Role) -> Vec<u8> {
    let request = OcspRequest::new(&s.cert(role), &s.cert(Role::IssuingCa), Nonce::Random).unwrap();
    let answer = LoopbackFetch::default()
        .post(&s.pki.ocsp_url(), "application/ocsp-request", request.der())
        .unwrap();
    assert_eq!(answer.status, 200);
    answer.body
}

/// `signed` (B-B or B-T) with CertificateValues (the issuing CA) and RevocationValues holding
/// `extra` answers (Ids `X0`, `X1`, …) followed by `ocsp` (Id `N0`).
fn extend(s: &Setup, signed: &Path, ocsp: &[u8], extra: &[&[u8]], name: &str) -> PathBuf {
    let ca = s.cert(Role::IssuingCa);
    let mut xml =
        signet_asic::xades::sign::embed_validation_data(&signature_xml(signed), &[ca.der()], ocsp)
            .unwrap();
    let values: String = extra
        .iter()
        .enumerate()
        .map(|(i, der)| {
            format!(
                "<xades:EncapsulatedOCSPValue Id=\"X{i}\">{}</xades:EncapsulatedOCSPValue>",
                <base64ct::Base64 as base64ct::Encoding>::encode_string(der)
            )
        })
        .collect();
    let at = xml.find("<xades:OCSPValues>").unwrap() + "<xades:OCSPValues>".len();
    xml.insert_str(at, &values);
    let c = Container::open(signed).unwrap();
    let out = s.path(name);
    std::fs::write(&out, rebuild(&c, &[], Some(xml.as_bytes()), &[])).unwrap();
    out
}

fn sign(s: &Setup, level: BaselineLevel, name: &str) -> PathBuf {
    let files = [s.write("a.txt", b"one")];
    let out = s.path(name);
    s.sign_new(&out, &files, Role::Signing, level);
    out
}

#[test]
fn a_signer_revoked_after_the_time_stamp_passes_with_the_revocation_shown() {
    let s = Setup::new();
    let bt = sign(&s, BaselineLevel::B_T, "bt.asice");
    // The responder's database holds whole seconds: the revocation lands after genTime.
    std::thread::sleep(Duration::from_millis(2100));
    s.pki
        .revoke(Role::Signing, SystemClock.now(), "keyCompromise")
        .unwrap();
    let ocsp = raw_ocsp(&s, Role::Signing);
    let lt = extend(&s, &bt, &ocsp, &[], "revoked-after.asice");

    let report = s.validate(&lt);
    let sig = &report.signatures[0];
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-LT"));
    assert!(
        sig.warnings.iter().any(|w| w.contains("revoked on")
            && w.contains("KeyCompromise")
            && w.contains("after the best-signature-time")),
        "{report:#?}"
    );
    let fact = &sig.revocation[0];
    assert!(fact.used, "{fact:?}");
    assert_eq!(fact.status.as_deref(), Some("revoked"));
    assert!(fact.revoked_at.is_some(), "{fact:?}");

    // libdigidocpp refuses any revoked signer, whatever the time-stamp proves
    // ("Certificate status: revoked"): Signet follows EN 319 102-1 here, as PAdES does.
    let peer = statuses(&s, &lt).unwrap();
    assert!(
        peer[0].starts_with("Invalid") && peer[0].contains("revoked"),
        "{peer:?}"
    );
}

#[test]
fn a_signer_revoked_before_the_time_stamp_is_total_failed_revoked() {
    let s = Setup::new();
    let bt = sign(&s, BaselineLevel::B_T, "bt.asice");
    s.pki
        .revoke(
            Role::Signing,
            SystemClock.now() - Duration::from_secs(3600),
            "keyCompromise",
        )
        .unwrap();
    let ocsp = raw_ocsp(&s, Role::Signing);
    let lt = extend(&s, &bt, &ocsp, &[], "revoked-before.asice");

    let report = s.validate(&lt);
    let sig = &report.signatures[0];
    assert_eq!(report.indication, Indication::TotalFailed, "{report:#?}");
    assert_eq!(report.sub_indication, Some(SubIndication::Revoked));
    assert!(
        sig.errors[0].contains("revoked on")
            && sig.errors[0].contains("at or before the best-signature-time"),
        "{report:#?}"
    );
    let peer = statuses(&s, &lt).unwrap();
    assert!(
        peer[0].starts_with("Invalid") && peer[0].contains("revoked"),
        "{peer:?}"
    );
}

#[test]
fn a_b_b_signature_with_a_revoked_signer_is_indeterminate_revoked_no_poe() {
    let s = Setup::new();
    let bb = sign(&s, BaselineLevel::B_B, "bb.asice");
    // Without revocation data, offline, nothing is known: TRY_LATER.
    let bare = s.validate(&bb);
    assert_eq!(bare.indication, Indication::Indeterminate, "{bare:#?}");
    assert_eq!(bare.sub_indication, Some(SubIndication::TryLater));

    s.pki
        .revoke(
            Role::Signing,
            SystemClock.now() - Duration::from_secs(3600),
            "keyCompromise",
        )
        .unwrap();
    let ocsp = raw_ocsp(&s, Role::Signing);
    let with = extend(&s, &bb, &ocsp, &[], "bb-revoked.asice");
    let report = s.validate(&with);
    let sig = &report.signatures[0];
    assert_eq!(sig.level.as_deref(), Some("B-B"), "{report:#?}");
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(report.sub_indication, Some(SubIndication::RevokedNoPoe));
    assert!(
        sig.errors[0].contains("revoked on") && sig.errors[0].contains("no time-stamp proves"),
        "{report:#?}"
    );
    // libdigidocpp reads a signature with an OCSP answer and no time-stamp as a time-mark
    // without its policy: Invalid, "Certificate status: revoked".
    let peer = statuses(&s, &with).unwrap();
    assert!(
        peer[0].starts_with("Invalid") && peer[0].contains("Certificate status: revoked"),
        "{peer:?}"
    );
}

#[test]
fn an_ocsp_answer_that_is_no_evidence_is_reported_with_the_reason() {
    let s = Setup::new();
    let bt = sign(&s, BaselineLevel::B_T, "bt.asice");
    let genuine = raw_ocsp(&s, Role::Signing);
    let other = raw_ocsp(&s, Role::RsaSigning);
    s.pki.set_ocsp_mode(OcspMode::RogueResponder);
    let rogue = raw_ocsp(&s, Role::Signing);
    s.pki.set_ocsp_mode(OcspMode::Delegated);

    // Beside a genuine answer: the signature passes, and the two others are named with why
    // they were not used.
    let mixed = extend(&s, &bt, &genuine, &[&rogue, &other], "mixed.asice");
    let report = s.validate(&mixed);
    let sig = &report.signatures[0];
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert!(
        sig.warnings.iter().any(|w| w.contains("OCSP response X0")
            && w.contains("Signet Rogue OCSP")
            && w.contains("may not answer")),
        "{report:#?}"
    );
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("OCSP response X1")
                && w.contains("says nothing about the certificate")),
        "{report:#?}"
    );
    let used: Vec<_> = sig.revocation.iter().filter(|f| f.used).collect();
    assert_eq!(used.len(), 1, "{report:#?}");
    assert_eq!(used[0].id, "N0");
    assert_eq!(
        sig.revocation
            .iter()
            .filter(|f| f.rejected.is_some())
            .count(),
        2,
        "{report:#?}"
    );
    // libdigidocpp: Valid, without a word about the two answers it did not use.
    let peer = statuses(&s, &mixed).unwrap();
    assert!(peer[0].starts_with("Valid"), "{peer:?}");

    // Alone, the rogue answer proves nothing: INDETERMINATE with the reason, not TRY_LATER
    // (asking again would not help).
    let rogue_only = extend(&s, &bt, &rogue, &[], "rogue.asice");
    let report = s.validate(&rogue_only);
    let sig = &report.signatures[0];
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::CertificateChainGeneralFailure),
        "{report:#?}"
    );
    assert!(
        sig.errors[0].contains("OCSP response N0") && sig.errors[0].contains("Signet Rogue OCSP"),
        "{report:#?}"
    );
    assert_eq!(
        sig.revocation[0]
            .rejected
            .as_deref()
            .map(|r| r.contains("may not answer")),
        Some(true),
        "{report:#?}"
    );
    // libdigidocpp: Unknown, "Failed to verify OCSP Responder certificate".
    let peer = statuses(&s, &rogue_only).unwrap();
    assert!(
        peer[0].starts_with("Unknown") && peer[0].contains("OCSP Responder"),
        "{peer:?}"
    );
}

/// An answer saying the signer was already revoked, produced before the time-stamp (a signer who
/// signs with a certificate they know is revoked): REVOKED decides, not the order of the answer
/// and the time-stamp, which matters only for an answer vouching for the signer.
#[test]
fn a_revoked_answer_older_than_the_time_stamp_is_still_revoked() {
    let s = Setup::new();
    s.pki
        .revoke(
            Role::Signing,
            SystemClock.now() - Duration::from_secs(3600),
            "keyCompromise",
        )
        .unwrap();
    let ocsp = raw_ocsp(&s, Role::Signing);
    std::thread::sleep(Duration::from_millis(1100));
    let bt = sign(&s, BaselineLevel::B_T, "bt.asice");
    let lt = extend(&s, &bt, &ocsp, &[], "revoked-old-answer.asice");
    let report = s.validate(&lt);
    assert_eq!(report.indication, Indication::TotalFailed, "{report:#?}");
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::Revoked),
        "{report:#?}"
    );
    assert!(
        !report.signatures[0]
            .errors
            .iter()
            .any(|e| e.contains("TimeStamp time is greater")),
        "{report:#?}"
    );
    // libdigidocpp: Invalid, "Certificate status: revoked" (it names no order problem either).
    let peer = statuses(&s, &lt).unwrap();
    assert!(
        peer[0].starts_with("Invalid") && peer[0].contains("Certificate status: revoked"),
        "{peer:?}"
    );
}
