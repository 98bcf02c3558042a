//! The signer's OCSP answer among the DSS's `/OCSPs`: the first that is evidence is used, as
//! before; every other answer *about the signer's certificate* that is no evidence (unsigned
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

/// Verifies the DSS `answers` about `signer` (issued by `issuer`). Stored answers are judged at
/// their own time: the validation time `at`, else the `proven` signing time (a day of skew for
/// time-stamps and answers minutes apart).
pub(crate) fn select(
    answers: &[Vec<u8>],
    signer: &Cert,
    issuer: Option<&Cert>,
    policy: &OcspPolicy,
    at: SystemTime,
    proven: SystemTime,
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
    for (n, der) in answers.iter().enumerate() {
        let outcome = ocsp::verify_stored(der, signer, issuer, &policy, at)
            .or_else(|_| ocsp::verify_stored(der, signer, issuer, &policy, proven));
        match outcome {
            Ok(answer) => {
                if out.answer.is_none() {
                    out.answer = Some(answer);
                    out.der = Some(der.clone());
                }
            }
            Err(OcspError::NoMatchingResponse { .. }) => {}
            Err(e) if about(der, signer) => out.rejected.push(format!(
                "DSS OCSP answer {} about the signer's certificate is not evidence and was not used: {e}",
                n + 1
            )),
            Err(_) => {}
        }
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
