//! The issuing CA's revocation (the root's CRL) decides PAdES validation: a signature made
//! after the CA was revoked is never valid, one made before stays valid with the revocation
//! noted, and a CRL that is not evidence (bad signature, stale) leaves it INDETERMINATE.

use std::time::{Duration, SystemTime};

use signet_core::{Clock as _, Indication, SubIndication, SystemClock};
use signet_pades::ltv::{self, ValidationData};
use signet_pades::sign::SignOptions;
use signet_pades::validate::Verdict;
use signet_testkit::{LoopbackFetch, Role, TestPki};

use crate::support::{self, Level};

fn signed(pki: &TestPki, level: Level) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = support::blank_pdf(dir.path(), false);
    support::sign(pki, Role::Signing, &pdf, level, &SignOptions::default())
}

fn signature(report: &signet_pades::validate::Report) -> &signet_pades::validate::SignatureReport {
    report
        .signatures
        .iter()
        .find(|s| s.kind == "signature")
        .unwrap()
}

fn root_crl(pki: &TestPki) -> Vec<u8> {
    use signet_core::Fetch as _;
    let answer = LoopbackFetch::default()
        .get(&pki.root_crl_url(), "application/pkix-crl")
        .unwrap();
    assert_eq!(answer.status, 200);
    answer.body
}

/// A later DSS revision carrying `crl` (as a validator or another tool adds fresh data).
fn with_dss_crl(pdf: &[u8], crl: Vec<u8>) -> Vec<u8> {
    let data = ValidationData {
        crls: vec![crl],
        ..ValidationData::default()
    };
    ltv::add_dss(pdf, &data, &[]).unwrap()
}

fn a_minute_before(t: SystemTime) -> SystemTime {
    t - Duration::from_secs(60)
}

#[test]
fn b_lt_signed_by_signet_passes_with_the_ca_checked_against_the_embedded_root_crl() {
    let pki = TestPki::start().unwrap();
    let pdf = signed(&pki, Level::Lt);
    let served = pki.requests_served();
    let report = support::validate(&pki, &pdf);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::TotalPassed);
    assert!(
        sig.revocation
            .iter()
            .any(|r| r.source == "crl" && r.status == "good"),
        "the issuing CA judged by the DSS's root CRL: {sig:#?}"
    );
    assert_eq!(pki.requests_served(), served, "offline: nothing fetched");
}

#[test]
fn a_ca_revoked_before_the_signature_makes_it_indeterminate_revoked_ca_no_poe() {
    let pki = TestPki::start().unwrap();
    let lt = signed(&pki, Level::Lt);
    let bt = signed(&pki, Level::T);
    // The CA's key was compromised a minute before these signatures were time-stamped.
    pki.revoke_in_root_crl(
        Role::IssuingCa,
        a_minute_before(SystemClock.now()),
        "CACompromise",
    )
    .unwrap();

    // Offline, with the root's new CRL added to the DSS: it lists the CA.
    let pdf = with_dss_crl(&lt, root_crl(&pki));
    let report = support::validate(&pki, &pdf);
    assert_eq!(report.verdict, Verdict::Indeterminate, "{report:#?}");
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::RevokedCaNoPoe),
        "{sig:#?}"
    );
    assert!(
        sig.errors
            .iter()
            .any(|e| e.contains("CA certificate CN=Signet Test ESTEID2018")
                && e.contains("was revoked on")
                && e.contains("(CaCompromise)")),
        "the report names the revoked CA and the reason: {:?}",
        sig.errors
    );

    // Online, a B-T file (no revocation data): the root's CRL is fetched and lists the CA.
    let report = support::validate_online(&pki, &bt);
    let sig = signature(&report);
    assert_ne!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::RevokedCaNoPoe),
        "{sig:#?}"
    );
}

#[test]
fn a_ca_revoked_after_the_time_stamp_passes_with_the_revocation_noted() {
    let pki = TestPki::start().unwrap();
    let lt = signed(&pki, Level::Lt);
    std::thread::sleep(Duration::from_millis(2_100));
    pki.revoke_in_root_crl(Role::IssuingCa, SystemClock.now(), "superseded")
        .unwrap();
    let pdf = with_dss_crl(&lt, root_crl(&pki));
    let report = support::validate(&pki, &pdf);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::TotalPassed, "{sig:#?}");
    assert!(
        sig.revocation
            .iter()
            .any(|r| r.source == "crl" && r.status.contains("after the validation time")),
        "{sig:#?}"
    );
}

#[test]
fn crls_that_are_not_evidence_leave_the_ca_unchecked() {
    let pki = TestPki::start().unwrap();
    let bt = signed(&pki, Level::T);
    // Offline, no CRL at all: TRY_LATER, never valid.
    let report = support::validate(&pki, &bt);
    assert_eq!(report.verdict, Verdict::Indeterminate, "{report:#?}");

    // A stale root CRL (nextUpdate an hour ago) in the DSS, validated online but with the
    // distribution point unreachable (a fetch that reaches nothing): not evidence.
    let now = SystemClock.now();
    let stale = pki
        .root_crl_with_times(
            now - Duration::from_secs(86_400),
            now - Duration::from_secs(3_600),
        )
        .unwrap();
    let lt_stale = {
        let mut data = ltv::collect(
            &LoopbackFetch::default(),
            &SystemClock,
            &[support::cert(&pki, Role::Signing)],
            &[support::cert(&pki, Role::IssuingCa)],
            &Default::default(),
        )
        .unwrap();
        data.crls = vec![stale];
        ltv::add_dss(&bt, &data, &[]).unwrap()
    };
    let report = support::validate(&pki, &lt_stale);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::Indeterminate, "{sig:#?}");
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::TryLater),
        "{sig:#?}"
    );
    assert!(
        sig.errors.iter().any(|e| e
            .contains("no usable revocation information for CA certificate")
            && e.contains("outdated")),
        "{:?}",
        sig.errors
    );

    // A CRL whose signature was damaged.
    let mut damaged = root_crl(&pki);
    let last = damaged.len() - 3;
    damaged[last] ^= 0x55;
    let lt_damaged = {
        let mut data = ltv::collect(
            &LoopbackFetch::default(),
            &SystemClock,
            &[support::cert(&pki, Role::Signing)],
            &[support::cert(&pki, Role::IssuingCa)],
            &Default::default(),
        )
        .unwrap();
        data.crls = vec![damaged];
        ltv::add_dss(&bt, &data, &[]).unwrap()
    };
    let report = support::validate(&pki, &lt_damaged);
    let sig = signature(&report);
    assert_eq!(sig.indication, Indication::Indeterminate, "{sig:#?}");
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::CertificateChainGeneralFailure),
        "{sig:#?}"
    );
    assert!(
        sig.errors
            .iter()
            .any(|e| e.contains("signature was not made by the issuer")),
        "{:?}",
        sig.errors
    );
}

#[test]
fn a_revoked_tsa_certificate_makes_the_time_stamp_no_proof_of_existence() {
    let pki = TestPki::start().unwrap();
    let lt = signed(&pki, Level::Lt);
    let report = support::validate(&pki, &lt);
    assert!(signature(&report).timestamps[0].valid, "{report:#?}");
    assert!(signature(&report).best_signing_time.is_some());

    pki.revoke_in_root_crl(Role::Tsa, SystemClock.now(), "keyCompromise")
        .unwrap();
    let pdf = with_dss_crl(&lt, root_crl(&pki));
    let report = support::validate(&pki, &pdf);
    let sig = signature(&report);
    let ts = &sig.timestamps[0];
    assert!(!ts.valid, "{sig:#?}");
    let error = ts.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("Signet Test TSA") && error.contains("was revoked"),
        "{error}"
    );
    assert_eq!(sig.best_signing_time, None, "no proof of existence from it");
}

#[test]
fn a_revoked_tsa_certificate_also_voids_the_document_time_stamps() {
    let pki = TestPki::start().unwrap();
    let lta = signed(&pki, Level::Lta);
    let report = support::validate(&pki, &lta);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");

    pki.revoke_in_root_crl(Role::Tsa, SystemClock.now(), "keyCompromise")
        .unwrap();
    let pdf = with_dss_crl(&lta, root_crl(&pki));
    let report = support::validate(&pki, &pdf);
    let doc_ts = report
        .signatures
        .iter()
        .find(|s| s.kind != "signature")
        .unwrap();
    assert_eq!(doc_ts.indication, Indication::Indeterminate, "{doc_ts:#?}");
    assert_eq!(doc_ts.sub_indication, Some(SubIndication::RevokedNoPoe));
    assert!(
        doc_ts.errors.iter().any(|e| e.contains("was revoked")),
        "{doc_ts:#?}"
    );
    assert_eq!(signature(&report).best_signing_time, None, "{report:#?}");
}

/// A B-T file given a DSS with the signer's OCSP answer and `crl` as the CA's revocation data.
fn b_lt_with_only(pki: &TestPki, bt: &[u8], crl: Vec<u8>) -> Vec<u8> {
    let mut data = ltv::collect(
        &LoopbackFetch::default(),
        &SystemClock,
        &[support::cert(pki, Role::Signing)],
        &[support::cert(pki, Role::IssuingCa)],
        &Default::default(),
    )
    .unwrap();
    data.certs.push(pki.der(Role::Root).to_vec());
    data.crls = vec![crl];
    ltv::add_dss(bt, &data, &[]).unwrap()
}

/// pyHanko (adesverify, with the root as its only trust) as the independent reader of the same
/// DSS: it finds the issuing CA revoked by the embedded root CRL, as Signet does. (Its bottom
/// line stays VALID: after that finding its AdES past-signature validation reports "Failed to get
/// control time for point-in-time validation" and then accepts the signature — a difference from
/// EN 319 102-1, where a CA revoked before the best signature time is REVOKED_CA_NO_POE.)
#[test]
fn pyhanko_reads_the_embedded_crl_as_revoking_the_issuing_ca_too() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bt = signed(&pki, Level::T);
    let good = dir.path().join("good.pdf");
    std::fs::write(&good, b_lt_with_only(&pki, &bt, root_crl(&pki))).unwrap();
    let before = support::pyhanko_adesverify(&pki, &good);
    assert!(before.ok && before.out.contains(":VALID"), "{}", before.out);
    assert_eq!(
        support::validate(&pki, &std::fs::read(&good).unwrap()).verdict,
        Verdict::Valid
    );

    pki.revoke_in_root_crl(
        Role::IssuingCa,
        a_minute_before(SystemClock.now()),
        "CACompromise",
    )
    .unwrap();
    let revoked = dir.path().join("revoked-ca.pdf");
    let pdf = b_lt_with_only(&pki, &bt, root_crl(&pki));
    std::fs::write(&revoked, &pdf).unwrap();
    let after = support::pyhanko_adesverify(&pki, &revoked);
    assert!(
        after
            .out
            .contains("CRL indicates intermediate certificate 1 was revoked")
            && after.out.contains("due to the CA being compromised"),
        "{}",
        after.out
    );
    assert!(
        !before.out.contains("was revoked"),
        "the good file's CRL lists nothing: {}",
        before.out
    );
    let report = support::validate(&pki, &pdf);
    assert_eq!(
        signature(&report).sub_indication,
        Some(SubIndication::RevokedCaNoPoe),
        "{report:#?}"
    );
}
