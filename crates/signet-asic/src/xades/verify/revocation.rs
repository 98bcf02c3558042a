//! The signer's revocation status, from the OCSP answers of `RevocationValues/OCSPValues`,
//! judged as EN 319 102-1 and the validation policy (sections 1 and 5) say, as PAdES does:
//!
//! - every embedded answer is verified; one that is no evidence (bad signature, unauthorised
//!   responder, for another certificate, malformed…) is listed in the report with the reason,
//!   never silently dropped;
//! - of the answers that verify, one saying `revoked` decides (as a CRL listing a certificate
//!   wins over one that does not), otherwise the first in document order;
//! - the status is judged at the best-signature-time: the signature time-stamp's genTime, or
//!   for a BDOC time-mark signature the OCSP answer's producedAt. Revoked after it, the signature
//!   passes with the revocation shown; revoked at or before it, TOTAL-FAILED / REVOKED; revoked
//!   with no proof of existence (no time-stamp), INDETERMINATE / REVOKED_NO_POE.

use std::time::{Duration, SystemTime};

use der::Decode as _;
use serde::Serialize;
use signet_core::{Indication, SubIndication};
use signet_pki::crypto::HashAlg;
use signet_pki::ocsp::{CertificateStatus, ListedResponder, OcspAnswer, OcspPolicy, Responder};
use signet_pki::time::Utc;
use signet_pki::tsl::TrustedList;
use signet_pki::{Cert, ValidationTime};

use super::{Checker, OCSP_LATE, Unsigned};

/// One `EncapsulatedOCSPValue` of the signature.
#[derive(Debug, Clone)]
pub(super) struct EncapsulatedOcsp {
    /// The element's Id.
    pub(super) id: Option<String>,
    /// The DER, or `None` when the text is not base64.
    pub(super) der: Option<Vec<u8>>,
}

/// What one embedded OCSP answer is, in the report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OcspFact {
    /// The `EncapsulatedOCSPValue`'s Id, or its position (`#1` is the first) when it has none.
    pub id: String,
    /// Whether this answer decided the signer's revocation status.
    pub used: bool,
    /// `good`, `revoked` or `unknown`, for an answer that verified.
    pub status: Option<String>,
    /// producedAt, for an answer that verified.
    pub produced_at: Option<String>,
    /// Who signed it, for an answer that verified.
    pub responder: Option<String>,
    /// revocationTime, for a `revoked` answer.
    pub revoked_at: Option<String>,
    /// revocationReason, when the responder gave one.
    pub revocation_reason: Option<String>,
    /// Why the answer is no evidence about the signer, for one that did not verify.
    pub rejected: Option<String>,
}

fn responder_name(r: &Responder) -> String {
    match r {
        Responder::IssuingCa => "the issuing CA".to_owned(),
        Responder::Delegated { subject, .. } => subject.clone(),
        Responder::TrustedList {
            subject, territory, ..
        } => format!("{subject} (trusted list {territory})"),
        other => format!("{other:?}"),
    }
}

fn status_name(s: &CertificateStatus) -> &'static str {
    match s {
        CertificateStatus::Good => "good",
        CertificateStatus::Revoked { .. } => "revoked",
        _ => "unknown",
    }
}

impl Checker<'_, '_, '_> {
    /// Verifies every embedded OCSP answer about `signer` (each listed in the report), and
    /// returns the one that decides, after the checks that do not depend on its status: the
    /// responder's certificate, a time-mark's nonce, the order against the time-stamp. The
    /// status itself is judged by [`Self::judge_signer_status`] once the best-signature-time
    /// is known.
    pub(super) fn check_revocation(
        &mut self,
        signer: &Cert,
        issuer: Option<&Cert>,
        unsigned: &Unsigned,
        value: Option<&[u8]>,
        time_mark: bool,
        ts_time: Option<SystemTime>,
    ) -> Option<OcspAnswer> {
        if unsigned.ocsp.is_empty() {
            return None;
        }
        let Some(issuer) = issuer else {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::NoCertificateChainFound,
                format!("Could not find the signing certificate's issuer ({}) in the certificate store or the signature", signer.issuer()),
            );
            return None;
        };
        let policy = OcspPolicy {
            clock_skew: Duration::from_secs(365 * 86_400),
            max_age: Duration::from_secs(100 * 365 * 86_400),
            require_nonce: false,
            listed_responders: self
                .trust
                .list
                .map(|l| ListedResponder::from_list(l, self.trust.now))
                .unwrap_or_default(),
        };
        let at = ts_time.unwrap_or(self.trust.now);
        let mut verified: Vec<(usize, OcspAnswer)> = Vec::new();
        let mut rejected: Vec<(String, signet_pki::ocsp::OcspError)> = Vec::new();
        for (n, value) in unsigned.ocsp.iter().enumerate() {
            let id = value.id.clone().unwrap_or_else(|| format!("#{}", n + 1));
            let outcome = match &value.der {
                None => Err(signet_pki::ocsp::OcspError::Malformed {
                    offset: None,
                    kind: "the EncapsulatedOCSPValue is not base64".to_owned(),
                }),
                // The responder is judged when it answered (producedAt).
                Some(der) => signet_pki::ocsp::verify_stored(
                    der,
                    signer,
                    issuer,
                    &policy,
                    ocsp_produced_at(der).unwrap_or(at),
                ),
            };
            match outcome {
                Ok(answer) => {
                    self.report.revocation.push(OcspFact {
                        id,
                        used: false,
                        status: Some(status_name(&answer.status).to_owned()),
                        produced_at: Some(Utc(answer.produced_at).to_string()),
                        responder: Some(responder_name(&answer.responder)),
                        revoked_at: match answer.status {
                            CertificateStatus::Revoked { time, .. } => Some(Utc(time).to_string()),
                            _ => None,
                        },
                        revocation_reason: match answer.status {
                            CertificateStatus::Revoked {
                                reason: Some(r), ..
                            } => Some(format!("{r:?}")),
                            _ => None,
                        },
                        rejected: None,
                    });
                    verified.push((self.report.revocation.len() - 1, answer));
                }
                Err(e) => {
                    self.report.revocation.push(OcspFact {
                        id: id.clone(),
                        used: false,
                        status: None,
                        produced_at: None,
                        responder: None,
                        revoked_at: None,
                        revocation_reason: None,
                        rejected: Some(e.to_string()),
                    });
                    rejected.push((id, e));
                }
            }
        }
        let chosen = if time_mark {
            // A time-mark is the answer whose nonce is this signature's value: any other answer
            // (which anyone may append to the unsigned RevocationValues) is not the time-mark,
            // and must not decide the status or the proven time.
            verified
                .iter()
                .position(|(_, a)| value.is_some_and(|v| tm_nonce_matches(&a.der, v)))
                .or_else(|| (!verified.is_empty()).then_some(0))
        } else {
            verified
                .iter()
                .position(|(_, a)| matches!(a.status, CertificateStatus::Revoked { .. }))
                .or_else(|| (!verified.is_empty()).then_some(0))
        };
        let Some(chosen) = chosen else {
            // None is evidence: each reason is shown; the first decides the sub-indication
            // (TRY_LATER for time problems, CERTIFICATE_CHAIN_GENERAL_FAILURE otherwise).
            for (id, e) in &rejected {
                self.report.fail(
                    Indication::Indeterminate,
                    e.sub_indication(),
                    format!("OCSP response {id}: not usable for the signer: {e}"),
                );
            }
            return None;
        };
        let (fact, answer) = verified.swap_remove(chosen);
        self.report.revocation[fact].used = true;
        for (id, e) in &rejected {
            self.report.warnings.push(format!(
                "OCSP response {id} is not evidence and was not used: {e}"
            ));
        }
        self.report.ocsp_produced_at = Some(Utc(answer.produced_at).to_string());
        if let Responder::Delegated { subject, .. } = &answer.responder
            && let Some(expired) =
                responder_expired(&answer.der, subject, self.trust.now, self.trust.list)
        {
            // Not named by the trusted list, so trusted only through its certificate, which
            // has expired: libdigidocpp's OCSP_basic_verify refuses it the same way.
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::TryLater,
                format!("OCSP responder {subject}: its certificate expired at {} and the trusted list does not name it", Utc(expired)),
            );
        }
        if time_mark {
            // BDOC 2.1: the nonce is DigestInfo { alg, hash(SignatureValue) }.
            let ok = value.is_some_and(|v| tm_nonce_matches(&answer.der, v));
            if !ok {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    "Calculated signature hash doesn't match to OCSP responder nonce field",
                );
            }
        } else if let Some(ts) = ts_time
            // The order matters for an answer that vouches for the signer: one saying it was
            // already revoked at the time-stamp proves that whenever it was produced (REVOKED
            // then decides, not TIMESTAMP_ORDER_FAILURE).
            && !matches!(answer.status, CertificateStatus::Revoked { time, .. } if time <= ts)
        {
            if answer.produced_at < ts {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::TimestampOrderFailure,
                    format!(
                        "TimeStamp time is greater than OCSP producedAt: the OCSP answer ({}) is older than the time-stamp ({})",
                        Utc(answer.produced_at),
                        Utc(ts)
                    ),
                );
            } else if answer.produced_at.duration_since(ts).unwrap_or_default() > OCSP_LATE {
                self.report.warnings.push(format!(
                    "TimeStamp time and OCSP producedAt are over 15m off ({} and {})",
                    Utc(ts),
                    Utc(answer.produced_at)
                ));
            }
        }
        Some(answer)
    }

    /// Judges the signer's status in `answer` at `at`, the best-signature-time when proven
    /// (EN 319 102-1; `OcspAnswer::verdict`): a revocation after a proven time passes with a
    /// warning naming it.
    pub(super) fn judge_signer_status(
        &mut self,
        answer: &OcspAnswer,
        at: ValidationTime,
        time_mark: bool,
    ) {
        let proof = if time_mark {
            "the OCSP time-mark (producedAt)"
        } else {
            "the signature time-stamp"
        };
        match answer.status {
            CertificateStatus::Good => {}
            CertificateStatus::Revoked { time, reason } => {
                let reason = reason.map(|r| format!(" ({r:?})")).unwrap_or_default();
                let revoked = format!("Certificate status: revoked on {}{reason}", Utc(time));
                match (answer.verdict(at), at) {
                    ((_, None), ValidationTime::Proven(bst)) => self.report.warnings.push(format!(
                        "{revoked}, after the best-signature-time {} proven by {proof}: the signature was made before the revocation",
                        Utc(bst)
                    )),
                    ((indication, Some(sub)), ValidationTime::Proven(bst)) => self.report.fail(
                        indication,
                        sub,
                        format!(
                            "{revoked}, at or before the best-signature-time {} proven by {proof}",
                            Utc(bst)
                        ),
                    ),
                    ((indication, sub), ValidationTime::Current(_)) => self.report.fail(
                        indication,
                        sub.unwrap_or(SubIndication::RevokedNoPoe),
                        format!("{revoked}, and no time-stamp proves that the signature existed before the revocation"),
                    ),
                }
            }
            _ => self.report.fail(
                Indication::Indeterminate,
                SubIndication::CertificateChainGeneralFailure,
                "Certificate status: unknown",
            ),
        }
    }
}

/// Whether the OCSP response's nonce is a DigestInfo of the signature value's hash (BDOC 2.1
/// time-mark).
fn tm_nonce_matches(ocsp: &[u8], value: &[u8]) -> bool {
    let Some(nonce) = ocsp_nonce(ocsp) else {
        return false;
    };
    #[derive(der::Sequence)]
    struct DigestInfo {
        algorithm: spki::AlgorithmIdentifierOwned,
        digest: der::asn1::OctetString,
    }
    let Ok(info) = DigestInfo::from_der(&nonce) else {
        return false;
    };
    let computed = if info.algorithm.oid == signet_pki::crypto::oid::SHA1 {
        use sha1::Digest as _;
        sha1::Sha1::digest(value).to_vec()
    } else if let Some(h) = HashAlg::from_oid(info.algorithm.oid) {
        h.digest(value)
    } else {
        return false;
    };
    computed == info.digest.as_bytes()
}

/// The nonce extension's value of an OCSP response (the octets inside the Nonce OCTET STRING,
/// or the raw extension value when it is not wrapped).
fn ocsp_nonce(ocsp: &[u8]) -> Option<Vec<u8>> {
    use x509_ocsp::{BasicOcspResponse, OcspResponse};
    let response = OcspResponse::from_der(ocsp).ok()?;
    let bytes = response.response_bytes?;
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).ok()?;
    let ext = basic
        .tbs_response_data
        .response_extensions?
        .into_iter()
        .find(|e| e.extn_id == der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"))?;
    let raw = ext.extn_value.as_bytes();
    Some(
        der::asn1::OctetString::from_der(raw)
            .map(|o| o.as_bytes().to_vec())
            .unwrap_or_else(|_| raw.to_vec()),
    )
}

/// When the OCSP response's own certificate of the responder `subject` expired, if before
/// `now`.
fn responder_expired(
    ocsp: &[u8],
    subject: &str,
    now: SystemTime,
    list: Option<&TrustedList>,
) -> Option<SystemTime> {
    let listed = list
        .map(|l| l.certificates_of(signet_pki::tsl::SVC_OCSP_QC))
        .unwrap_or_default();
    use x509_ocsp::{BasicOcspResponse, OcspResponse};
    let response = OcspResponse::from_der(ocsp).ok()?;
    let basic = BasicOcspResponse::from_der(response.response_bytes?.response.as_bytes()).ok()?;
    for cert in basic.certs.unwrap_or_default() {
        let der = der::Encode::to_der(&cert).ok()?;
        let cert = Cert::from_der(&der).ok()?;
        if cert.subject().to_string() == subject
            && cert.not_after() < now
            && !listed.contains(&cert)
        {
            return Some(cert.not_after());
        }
    }
    None
}

/// An OCSP response's producedAt, read without verifying it.
fn ocsp_produced_at(ocsp: &[u8]) -> Option<SystemTime> {
    use x509_ocsp::{BasicOcspResponse, OcspResponse};
    let response = OcspResponse::from_der(ocsp).ok()?;
    let basic = BasicOcspResponse::from_der(response.response_bytes?.response.as_bytes()).ok()?;
    Some(basic.tbs_response_data.produced_at.0.to_system_time())
}
