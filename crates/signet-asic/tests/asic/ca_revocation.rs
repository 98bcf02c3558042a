//! With the root as the only trust anchor, the issuing CA is a CA below the anchor: a B-LT
//! signature carries the root's CRL (CRLValues), and the CA's revocation decides the result.

use std::time::Duration;

use signet_asic::Container;
use signet_core::{BaselineLevel, Clock as _, Fetch as _, Indication, SubIndication, SystemClock};
use signet_pki::TrustAnchors;
use signet_testkit::{LoopbackFetch, Role};

use crate::common::{Setup, rebuild};

fn signature_xml(path: &std::path::Path) -> String {
    let c = Container::open(path).unwrap();
    String::from_utf8(c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap()).unwrap()
}

/// A B-T container extended to B-LT by hand (as a tool that does not check the CA would):
/// the signer's OCSP answer and `crl` as the CA's revocation data.
fn b_lt_with_crl(s: &Setup, bt: &std::path::Path, crl: Vec<u8>, name: &str) -> std::path::PathBuf {
    let fetch = LoopbackFetch::default();
    let signer = s.cert(Role::Signing);
    let ca = s.cert(Role::IssuingCa);
    let answer = signet_pki::ocsp::check_certificate(
        &fetch,
        &SystemClock,
        &signer,
        &ca,
        None,
        &Default::default(),
    )
    .unwrap();
    let xml = signet_asic::xades::sign::embed_validation_data_with_crls(
        &signature_xml(bt),
        &[ca.der()],
        &answer.der,
        &[crl],
    )
    .unwrap();
    let c = Container::open(bt).unwrap();
    let bytes = rebuild(&c, &[], Some(xml.as_bytes()), &[]);
    let out = s.path(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

fn root_crl(s: &Setup) -> Vec<u8> {
    let a = LoopbackFetch::default()
        .get(&s.pki.root_crl_url(), "application/pkix-crl")
        .unwrap();
    assert_eq!(a.status, 200);
    a.body
}

#[test]
fn a_root_anchored_b_lt_signature_carries_the_ca_crl_and_is_total_passed() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let out = s.path("lt.asice");
    s.try_sign_new_root_anchored(&out, &files, Role::Signing, BaselineLevel::B_LT)
        .unwrap();
    let xml = signature_xml(&out);
    assert_eq!(
        xml.matches("<xades:EncapsulatedCRLValue").count(),
        1,
        "{xml}"
    );
    let report = s.validate_root_anchored(&out);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures[0].level.as_deref(), Some("B-LT"));

    // Without the CRL the issuing CA's status is unknown offline: never valid.
    let start = xml.find("<xades:CRLValues>").unwrap();
    let end = xml.find("</xades:CRLValues>").unwrap() + "</xades:CRLValues>".len();
    let mut stripped = xml.clone();
    stripped.replace_range(start..end, "");
    let c = Container::open(&out).unwrap();
    let bare = s.path("bare.asice");
    std::fs::write(&bare, rebuild(&c, &[], Some(stripped.as_bytes()), &[])).unwrap();
    let report = s.validate_root_anchored(&bare);
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(report.sub_indication, Some(SubIndication::TryLater));
    assert!(
        report.signatures[0]
            .errors
            .iter()
            .any(|e| e.contains("no usable revocation information for CA certificate")),
        "{report:#?}"
    );
}

#[test]
fn a_ca_revoked_before_signing_refuses_b_lt_and_makes_a_signature_indeterminate() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let bt = s.path("bt.asice");
    s.try_sign_new_root_anchored(&bt, &files, Role::Signing, BaselineLevel::B_T)
        .unwrap();
    s.pki
        .revoke_in_root_crl(
            Role::IssuingCa,
            SystemClock.now() - Duration::from_secs(60),
            "CACompromise",
        )
        .unwrap();

    // Signet refuses to extend a signature whose CA is revoked.
    let refused = s.path("refused.asice");
    let err = s
        .try_sign_new_root_anchored(&refused, &files, Role::Signing, BaselineLevel::B_LT)
        .unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
    assert!(!refused.exists(), "no container is written");

    // A signature carrying the root's CRL that lists its CA (revoked before the time-stamp).
    let lt = b_lt_with_crl(&s, &bt, root_crl(&s), "revoked-ca.asice");
    let report = s.validate_root_anchored(&lt);
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(report.sub_indication, Some(SubIndication::RevokedCaNoPoe));
    let errors = &report.signatures[0].errors;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Signet Test ESTEID2018") && e.contains("was revoked")),
        "{errors:?}"
    );
}

#[test]
fn a_stale_ca_crl_is_not_evidence() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let bt = s.path("bt.asice");
    s.try_sign_new_root_anchored(&bt, &files, Role::Signing, BaselineLevel::B_T)
        .unwrap();
    let now = SystemClock.now();
    let stale = s
        .pki
        .root_crl_with_times(
            now - Duration::from_secs(86_400),
            now - Duration::from_secs(3_600),
        )
        .unwrap();
    let lt = b_lt_with_crl(&s, &bt, stale, "stale.asice");
    let report = s.validate_root_anchored(&lt);
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(report.sub_indication, Some(SubIndication::TryLater));
    assert!(
        report.signatures[0]
            .errors
            .iter()
            .any(|e| e.contains("outdated")),
        "{report:#?}"
    );
}

#[test]
fn a_revoked_tsa_certificate_makes_the_time_stamp_no_proof_of_existence() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let bt = s.path("bt.asice");
    s.try_sign_new_root_anchored(&bt, &files, Role::Signing, BaselineLevel::B_T)
        .unwrap();
    let good = b_lt_with_crl(&s, &bt, root_crl(&s), "good.asice");
    assert_eq!(
        s.validate_root_anchored(&good).indication,
        Indication::TotalPassed
    );

    s.pki
        .revoke_in_root_crl(Role::Tsa, SystemClock.now(), "keyCompromise")
        .unwrap();
    let lt = b_lt_with_crl(&s, &bt, root_crl(&s), "revoked-tsa.asice");
    let report = s.validate_root_anchored(&lt);
    let sig = &report.signatures[0];
    assert_eq!(report.indication, Indication::Indeterminate, "{report:#?}");
    assert_eq!(sig.timestamp_time, None, "{report:#?}");
    assert!(
        sig.errors.iter().any(|e| e.contains("SignatureTimeStamp")
            && e.contains("Signet Test TSA")
            && e.contains("was revoked")),
        "{report:#?}"
    );
}

/// A signer who trusts the issuing CA directly (as `--trust ca.pem` does) still embeds the
/// CA's CRL when the root is known, so that a verifier who trusts only the root can judge the
/// CA offline; a CA revoked in the root's CRL refuses the signature even so.
#[test]
fn a_signature_made_trusting_the_issuing_ca_directly_carries_its_crl_for_root_only_verifiers() {
    let s = Setup::new();
    let files = [s.write("a.txt", b"one")];
    let ca_and_root =
        || signet_pki::TrustAnchors::new([s.cert(Role::IssuingCa), s.cert(Role::Root)]);
    let out = s.path("ca-anchored.asice");
    s.try_sign_new_with_anchors(
        &out,
        &files,
        Role::Signing,
        BaselineLevel::B_LT,
        ca_and_root(),
    )
    .unwrap();
    let xml = signature_xml(&out);
    assert_eq!(
        xml.matches("<xades:EncapsulatedCRLValue").count(),
        1,
        "{xml}"
    );
    let report = s.validate_root_anchored(&out);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    let report = s.validate(&out);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");

    // Trusting the CA (and the TSA) without the root: signing works, and the root's CRL comes
    // with the time-stamp's path (the token carries the root), once.
    let alone = s.path("ca-alone.asice");
    s.try_sign_new_with_anchors(
        &alone,
        &files,
        Role::Signing,
        BaselineLevel::B_LT,
        signet_pki::TrustAnchors::new([s.cert(Role::IssuingCa), s.cert(Role::Tsa)]),
    )
    .unwrap();
    assert_eq!(
        signature_xml(&alone)
            .matches("<xades:EncapsulatedCRLValue")
            .count(),
        1
    );

    s.pki
        .revoke_in_root_crl(
            Role::IssuingCa,
            SystemClock.now() - Duration::from_secs(60),
            "CACompromise",
        )
        .unwrap();
    let refused = s.path("refused.asice");
    let err = s
        .try_sign_new_with_anchors(
            &refused,
            &files,
            Role::Signing,
            BaselineLevel::B_LT,
            ca_and_root(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
    assert!(!refused.exists());
}

/// Signed trusting the issuing CA directly (as a trusted list makes it: the TSA is then trusted
/// as itself too), a B-LT container still carries the root's CRL for the time-stamp's TSA, so a
/// verifier who trusts only the root — an agency checking a signed consent — judges it offline.
#[test]
fn b_lt_carries_the_crl_of_the_time_stamps_tsa_for_a_verifier_trusting_only_the_root() {
    let s = Setup::new();
    let files = [s.write("consent.json", b"{\"action\":\"withdraw\"}")];
    let out = s.path("consent.asice");
    s.try_sign_new_with_anchors(
        &out,
        &files,
        Role::Signing,
        BaselineLevel::B_LT,
        TrustAnchors::new([s.cert(Role::IssuingCa), s.cert(Role::Tsa)]),
    )
    .unwrap();
    let report = s.validate_root_anchored(&out);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
}
