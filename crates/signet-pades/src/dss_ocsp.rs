//! The signer's OCSP answer among the DSS's `/OCSPs`: a verified "revoked" answer, else the first
//! "good" one produced after the signature time-stamp; every other answer *about the signer's certificate* that is no evidence (unsigned
//! status, bad signature, unauthorised responder, malformed…) is named with the reason, never
//! dropped silently. Answers about other certificates (other signers, the TSA) are not the
//! signature's business and are passed over without a word.
//!
//! And a signer revoked after the best-signature-time passes (EN 319 102-1,
//! `OcspAnswer::verdict`): [`revoked_after`] is the remark naming the revocation.

use std::time::{Duration, SystemTime};

use der::Decode as _;
use signet_pki::Cert;
use signet_pki::ocsp::{self, CertificateStatus, OcspAnswer, OcspError, OcspPolicy};
use signet_pki::path::ValidationTime;
use signet_pki::time::Utc;

/// What the DSS says about the signer.
#[derive(Debug, Default)]
pub(crate) struct DssOcsp {
    /// The answer used.
    pub(crate) answer: Option<OcspAnswer>,
    /// Its DER.
    pub(crate) der: Option<Vec<u8>>,
    /// One remark for each answer about the signer that is no evidence.
    pub(crate) rejected: Vec<String>,
}

/// How much earlier than the signature time-stamp a "good" answer may be produced (the TSA's and
/// the responder's clocks differ a little); anything older says nothing about the signer when
/// the signature was made.
const GOOD_BEFORE_TIMESTAMP: Duration = Duration::from_secs(60);

/// Verifies the DSS `answers` about `signer` (issued by `issuer`). Stored answers are judged at
/// their own time: the validation time `at`, else the `proven` signing time (a day of skew for
/// time-stamps and answers minutes apart). With a `signature_timestamp`, a "good" answer produced
/// before it is no evidence (anyone may put an old answer, taken before a revocation, into the
/// DSS); a verified "revoked" answer decides over "good" ones, and the time of its revocation is
/// then judged against the best-signature-time.
pub(crate) fn select(
    answers: &[Vec<u8>],
    signer: &Cert,
    issuer: Option<&Cert>,
    policy: &OcspPolicy,
    at: SystemTime,
    proven: SystemTime,
    signature_timestamp: Option<SystemTime>,
) -> DssOcsp {
    let mut out = DssOcsp::default();
    let Some(issuer) = issuer else {
        return out;
    };
    let policy = OcspPolicy {
        max_age: Duration::from_secs(100 * 365 * 86_400),
        clock_skew: Duration::from_secs(86_400),
        ..policy.clone()
    };
    let mut good: Option<(OcspAnswer, Vec<u8>)> = None;
    let mut revoked: Option<(OcspAnswer, Vec<u8>)> = None;
    for (n, der) in answers.iter().enumerate() {
        let outcome = ocsp::verify_stored(der, signer, issuer, &policy, at)
            .or_else(|_| ocsp::verify_stored(der, signer, issuer, &policy, proven));
        match outcome {
            Ok(answer) if matches!(answer.status, CertificateStatus::Revoked { .. }) => {
                if revoked.is_none() {
                    revoked = Some((answer, der.clone()));
                }
            }
            Ok(answer) => match signature_timestamp {
                Some(ts) if answer.produced_at + GOOD_BEFORE_TIMESTAMP < ts => {
                    out.rejected.push(format!(
                        "DSS OCSP answer {} says the signer's certificate was good, but it was produced on {}, before the signature time-stamp of {}: it does not show the certificate was good when the signature was made, and was not used",
                        n + 1,
                        Utc(answer.produced_at),
                        Utc(ts)
                    ));
                }
                _ => {
                    if good.is_none() {
                        good = Some((answer, der.clone()));
                    }
                }
            },
            Err(OcspError::NoMatchingResponse { .. }) => {}
            Err(e) if about(der, signer) => out.rejected.push(format!(
                "DSS OCSP answer {} about the signer's certificate is not evidence and was not used: {e}",
                n + 1
            )),
            Err(_) => {}
        }
    }
    if let Some((answer, der)) = revoked.or(good) {
        out.answer = Some(answer);
        out.der = Some(der);
    }
    out
}

/// Whether some SingleResponse of `der` names `signer`'s serial number (read without verifying).
fn about(der: &[u8], signer: &Cert) -> bool {
    use x509_ocsp::{BasicOcspResponse, OcspResponse};
    let Ok(response) = OcspResponse::from_der(der) else {
        // Not even an OCSP response: nothing tells whom it is about, so it is named.
        return true;
    };
    let Some(bytes) = response.response_bytes else {
        // An unsigned error status (tryLater, unauthorized…): about no one in particular.
        return false;
    };
    BasicOcspResponse::from_der(bytes.response.as_bytes()).map_or(true, |basic| {
        basic
            .tbs_response_data
            .responses
            .iter()
            .any(|r| &r.cert_id.serial_number == signer.serial())
    })
}

/// For an answer saying the signer was revoked after the proven `time`, which therefore passes:
/// the remark naming the revocation.
pub(crate) fn revoked_after(answer: &OcspAnswer, time: ValidationTime) -> Option<String> {
    match (&answer.status, time) {
        (
            CertificateStatus::Revoked {
                time: revoked,
                reason,
            },
            ValidationTime::Proven(bst),
        ) if *revoked > bst => Some(format!(
            "the signer's certificate was revoked on {}{}, after the best-signature-time {}: the signature was made before the revocation",
            Utc(*revoked),
            reason.map(|r| format!(" ({r:?})")).unwrap_or_default(),
            Utc(bst)
        )),
        _ => None,
    }
}
