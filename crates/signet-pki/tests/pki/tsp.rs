//! The RFC 3161 client against `openssl ts -reply`, served on loopback by the testkit.

use std::time::Duration;

use signet_core::{Clock as _, FixedClock, SubIndication, SystemClock};
use signet_pki::crypto::HashAlg;
use signet_pki::signed_data::CmsError;
use signet_pki::tsp::{self, TspError, VerifiedTimestamp};
use signet_pki::{PathValidator, TrustAnchors};
use signet_testkit::{LoopbackFetch, Role, TestPki, TsaMode};

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
