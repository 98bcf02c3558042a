//! The RFC 3161 client against `openssl ts -reply`, served on loopback by the testkit.

use std::time::Duration;

use signet_core::{Clock as _, FixedClock, SubIndication, SystemClock};
use signet_pki::Cert;
use signet_pki::crypto::HashAlg;
use signet_pki::signed_data::CmsError;
use signet_pki::tsl::TrustedList;
use signet_pki::tsp::{self, TspError, VerifiedTimestamp};
use signet_pki::{PathValidator, TrustAnchors};
use signet_testkit::{LoopbackFetch, Role, TestPki, TrustedListOptions, TsaMode};

use crate::support::{anchors, cert, intermediates};

fn digest() -> Vec<u8> {
    HashAlg::Sha384.digest(b"the signature value being time-stamped")
}

fn stamp(pki: &TestPki, anchors: &TrustAnchors) -> Result<VerifiedTimestamp, TspError> {
    let validator = PathValidator::new(anchors, intermediates(pki));
    tsp::request_timestamp(
        &LoopbackFetch::default(),
        &FixedClock::new(SystemClock.now()),
        &pki.tsa_url(),
        HashAlg::Sha384,
        &digest(),
        &validator,
    )
}

#[test]
fn a_good_token_verifies() {
    let pki = TestPki::start().unwrap();
    let anchors = anchors(&pki);
    let stamp = stamp(&pki, &anchors).unwrap();
    let now = SystemClock.now();
    let skew = Duration::from_secs(120);
    assert!(
        stamp.gen_time <= now + skew && stamp.gen_time + skew >= now,
        "{stamp:?}"
    );
    assert!(stamp.tsa.subject.contains("Signet Test TSA"), "{stamp:?}");
    assert_eq!(stamp.accuracy, Some(Duration::from_secs(1)));
    assert_eq!(stamp.policy.to_string(), "1.3.6.1.4.1.99999.1.1");

    // The embedded token verifies again on its own, for the same hash only.
    let validator = PathValidator::new(&anchors, intermediates(&pki));
    let again = tsp::verify(&stamp.token, HashAlg::Sha384, &digest(), &validator, now).unwrap();
    assert_eq!(again.gen_time, stamp.gen_time);
    let other = HashAlg::Sha384.digest(b"another document");
    let err = tsp::verify(&stamp.token, HashAlg::Sha384, &other, &validator, now).unwrap_err();
    assert!(matches!(err, TspError::ImprintMismatch { .. }), "{err}");
    // Checked by a clock an hour behind, genTime is in the future.
    let err = tsp::verify(
        &stamp.token,
        HashAlg::Sha384,
        &digest(),
        &validator,
        now - Duration::from_secs(3600),
    )
    .unwrap_err();
    assert!(matches!(err, TspError::GenTimeInTheFuture { .. }), "{err}");
}

#[test]
fn a_token_for_another_imprint_is_rejected() {
    let pki = TestPki::start().unwrap();
    pki.set_tsa_mode(TsaMode::AlterImprint);
    let err = stamp(&pki, &anchors(&pki)).unwrap_err();
    assert!(matches!(err, TspError::ImprintMismatch { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("the time-stamp is for another hash: expected 2.16.840.1.101.3.4.2.2 "),
        "{err}"
    );
}

#[test]
fn a_token_signed_without_the_time_stamping_eku_is_rejected() {
    let pki = TestPki::start().unwrap();
    pki.set_tsa_mode(TsaMode::SignerWithoutEku);
    let err = stamp(&pki, &anchors(&pki)).unwrap_err();
    match &err {
        TspError::TsaCertificate {
            sub_indication,
            reason,
            ..
        } => {
            assert_eq!(*sub_indication, SubIndication::ChainConstraintsFailure);
            assert!(
                reason.contains("not for time-stamping") && reason.contains("timeStamping needed"),
                "{reason}"
            );
        }
        other => panic!("expected a TSA certificate failure, got {other}"),
    }
}

#[test]
fn a_tsa_outside_the_trust_anchors_is_rejected() {
    let pki = TestPki::start().unwrap();
    let strangers = TrustAnchors::new([cert(&pki, Role::UnknownCa)]);
    let err = stamp(&pki, &strangers).unwrap_err();
    assert!(
        matches!(
            err,
            TspError::TsaCertificate {
                sub_indication: SubIndication::NoCertificateChainFound,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_refusal_is_an_error() {
    let pki = TestPki::start().unwrap();
    pki.set_tsa_mode(TsaMode::Reject);
    let err = stamp(&pki, &anchors(&pki)).unwrap_err();
    assert!(matches!(err, TspError::Rejected { .. }), "{err}");
}

#[test]
fn a_tampered_token_is_rejected() {
    let pki = TestPki::start().unwrap();
    let anchors = anchors(&pki);
    let stamp = stamp(&pki, &anchors).unwrap();
    let validator = PathValidator::new(&anchors, intermediates(&pki));
    // The hashed message sits inside the TSTInfo: change its first octet.
    let at = stamp
        .token
        .windows(digest().len())
        .position(|w| w == digest().as_slice())
        .expect("the imprint is in the token");
    let mut token = stamp.token.clone();
    token[at] ^= 0x01;
    let mut changed = digest();
    changed[0] ^= 0x01;
    let err = tsp::verify(
        &token,
        HashAlg::Sha384,
        &changed,
        &validator,
        SystemClock.now(),
    )
    .unwrap_err();
    assert_eq!(err, TspError::Signature(CmsError::DigestMismatch), "{err}");
}

#[test]
fn a_token_naming_another_authority_is_rejected() {
    let pki = TestPki::start().unwrap();
    pki.set_tsa_mode(TsaMode::OtherTsaName);
    let err = stamp(&pki, &anchors(&pki)).unwrap_err();
    assert!(
        matches!(&err, TspError::TsaNameMismatch { named, signer } if named.contains("Somebody Else") && signer.contains("Signet Test TSA")),
        "{err}"
    );
}

fn verified_list(pki: &TestPki, options: &TrustedListOptions) -> TrustedList {
    let tl = pki.trusted_list_with(options).unwrap();
    TrustedList::verify(tl.xml.as_bytes(), &[Cert::from_der(&tl.signer).unwrap()]).unwrap()
}

#[test]
fn a_tsa_listed_as_tsa_qtst_is_trusted_from_the_list_and_reported_qualified() {
    let pki = TestPki::start().unwrap();
    let token = stamp(&pki, &anchors(&pki)).unwrap().token;
    let list = verified_list(&pki, &TrustedListOptions::default());
    let now = SystemClock.now();
    // No root, no intermediates: the list alone vouches for the TSA.
    let stamp =
        tsp::verify_with_trusted_list(&token, HashAlg::Sha384, &digest(), &list, &[], now).unwrap();
    let qualified = stamp.qualified.expect("reported as qualified");
    assert_eq!(qualified.service, "Signet Test TSA");
    assert_eq!(qualified.provider, "Signet Test CA provider");
    assert_eq!(qualified.territory, "EE");
    assert!(qualified.granted_since < stamp.gen_time);
    // The other checks still apply.
    let other = HashAlg::Sha384.digest(b"another document");
    let err = tsp::verify_with_trusted_list(&token, HashAlg::Sha384, &other, &list, &[], now)
        .unwrap_err();
    assert!(matches!(err, TspError::ImprintMismatch { .. }), "{err}");
    // Trust from anchors is not reported as qualified.
    let root = anchors(&pki);
    let validator = PathValidator::new(&root, intermediates(&pki));
    let plain = tsp::verify(&token, HashAlg::Sha384, &digest(), &validator, now).unwrap();
    assert_eq!(plain.qualified, None);
}

#[test]
fn a_tsa_absent_from_the_list_is_not_trusted() {
    let pki = TestPki::start().unwrap();
    let token = stamp(&pki, &anchors(&pki)).unwrap().token;
    let mut options = TrustedListOptions::default();
    options.tsa = false;
    let list = verified_list(&pki, &options);
    // Even with the root's intermediates at hand, a chain to a CA/QC or OCSP/QC entry is no
    // TSA/QTST service.
    let err = tsp::verify_with_trusted_list(
        &token,
        HashAlg::Sha384,
        &digest(),
        &list,
        &intermediates(&pki),
        SystemClock.now(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, TspError::TsaNotOnTrustedList { tsa, territory } if tsa.contains("Signet Test TSA") && territory == "EE"),
        "{err}"
    );
    assert!(
        err.to_string().contains("not a qualified TSA/QTST service"),
        "{err}"
    );
}

#[test]
fn a_list_that_is_unverified_or_stale_gives_no_tsa_trust() {
    let pki = TestPki::start().unwrap();
    let token = stamp(&pki, &anchors(&pki)).unwrap().token;
    let tl = pki.trusted_list().unwrap();
    let unverified = TrustedList::parse_unverified(tl.xml.as_bytes()).unwrap();
    let now = SystemClock.now();
    let err =
        tsp::verify_with_trusted_list(&token, HashAlg::Sha384, &digest(), &unverified, &[], now)
            .unwrap_err();
    assert!(
        matches!(err, TspError::TrustedListNotUsable { .. }),
        "{err}"
    );
    let list = verified_list(&pki, &TrustedListOptions::default());
    let after_next_update = now + crate::support::days(200);
    let err = tsp::verify_with_trusted_list(
        &token,
        HashAlg::Sha384,
        &digest(),
        &list,
        &[],
        after_next_update,
    )
    .unwrap_err();
    assert!(
        matches!(err, TspError::TrustedListNotUsable { .. }),
        "{err}"
    );
}

#[test]
fn a_tsa_service_not_granted_at_gen_time_is_not_trusted() {
    let pki = TestPki::start().unwrap();
    let token = stamp(&pki, &anchors(&pki)).unwrap().token;
    let tl = pki.trusted_list().unwrap();
    // The TSA service withdrawn a day before genTime (in the parsed list: the signed one
    // cannot be changed without its key), on a list taken as verified.
    let mut list =
        TrustedList::verify(tl.xml.as_bytes(), &[Cert::from_der(&tl.signer).unwrap()]).unwrap();
    let tsa = list
        .providers
        .iter_mut()
        .flat_map(|p| p.services.iter_mut())
        .find(|s| s.service_type == signet_pki::tsl::SVC_TSA_QTST)
        .unwrap();
    tsa.statuses.insert(
        0,
        (
            "withdrawn".to_owned(),
            SystemClock.now() - crate::support::days(1),
        ),
    );
    let err = tsp::verify_with_trusted_list(
        &token,
        HashAlg::Sha384,
        &digest(),
        &list,
        &[],
        SystemClock.now(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, TspError::TsaServiceNotGranted { status, .. } if status == "withdrawn"),
        "{err}"
    );
}

/// The TSA certificate itself is not listed, but the root it chains to is, as a TSA/QTST
/// service: trusted and qualified through that service. Listed as a CA/QC only, it would not be.
#[test]
fn a_tsa_chaining_to_a_listed_tsa_qtst_service_is_trusted() {
    let pki = TestPki::start().unwrap();
    let token = stamp(&pki, &anchors(&pki)).unwrap().token;
    let mut options = TrustedListOptions::default();
    options.tsa = false;
    options.extra_tsa = vec![Role::Root];
    let list = verified_list(&pki, &options);
    let stamp = tsp::verify_with_trusted_list(
        &token,
        HashAlg::Sha384,
        &digest(),
        &list,
        &[],
        SystemClock.now(),
    )
    .unwrap();
    assert_eq!(
        stamp.qualified.map(|q| q.service).as_deref(),
        Some("Signet Test listed TSA Root")
    );
}

/// The TSA certificate's revocation by the root's CRL, at genTime.
#[test]
fn the_tsa_certificate_is_judged_by_the_root_crl() {
    use signet_pki::crl::CrlSource;
    let pki = TestPki::start().unwrap();
    let anchors = anchors(&pki);
    let stamp = stamp(&pki, &anchors).unwrap();
    let validator = PathValidator::new(&anchors, intermediates(&pki));
    let fetch = LoopbackFetch::default();
    let online = CrlSource {
        stored: &[],
        online: Some((&fetch, &SystemClock)),
        now: SystemClock.now(),
    };
    tsp::check_tsa_revocation(&stamp.token, &validator, &online, stamp.gen_time).unwrap();

    // Offline without a CRL: unknown, TRY_LATER.
    let offline = CrlSource {
        stored: &[],
        online: None,
        now: SystemClock.now(),
    };
    let err =
        tsp::check_tsa_revocation(&stamp.token, &validator, &offline, stamp.gen_time).unwrap_err();
    assert!(
        matches!(&err, TspError::TsaRevocationUnknown { sub_indication, .. } if *sub_indication == SubIndication::TryLater),
        "{err}"
    );

    // Revoked after genTime: still no proof (no proof that the token existed before).
    pki.revoke_in_root_crl(Role::Tsa, SystemClock.now(), "keyCompromise")
        .unwrap();
    let err =
        tsp::check_tsa_revocation(&stamp.token, &validator, &online, stamp.gen_time).unwrap_err();
    assert!(
        matches!(&err, TspError::TsaRevoked { subject, .. } if subject.contains("Signet Test TSA")),
        "{err}"
    );

    // A TSA that is itself the anchor has nothing to check.
    let tsa_anchor = TrustAnchors::new([cert(&pki, Role::Tsa)]);
    let v = PathValidator::new(&tsa_anchor, []);
    tsp::check_tsa_revocation(&stamp.token, &v, &offline, stamp.gen_time).unwrap();
}
