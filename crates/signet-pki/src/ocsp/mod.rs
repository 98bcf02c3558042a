//! OCSP client (RFC 6960): build a request with a nonce, ask the responder named in the
//! certificate, and believe the answer only after checking who signed it.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE {
//!    responseStatus         OCSPResponseStatus,
//!    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//! BasicOCSPResponse ::= SEQUENCE {
//!    tbsResponseData      ResponseData,
//!    signatureAlgorithm   AlgorithmIdentifier,
//!    signature            BIT STRING,
//!    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//! SingleResponse ::= SEQUENCE {
//!    certID                       CertID,
//!    certStatus                   CertStatus,
//!    thisUpdate                   GeneralizedTime,
//!    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//!    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! The checks, in order (trust.md section 3): the response status is `successful` (the other
//! statuses are unsigned and prove nothing); the signature verifies with the key of the issuing
//! CA itself or of a delegated responder that the same CA issued with id-kp-OCSPSigning and that
//! is valid now (section 4.2.2.2); a SingleResponse matches the CertID asked about (hash
//! algorithm, issuerNameHash, issuerKeyHash, serial); the nonce is echoed (RFC 8954); thisUpdate
//! is not in the future and not older than the policy allows, nextUpdate not passed
//! (section 4.2.2.1). Only then is the status read, and `unknown` is never good.

use std::time::{Duration, SystemTime};

use der::Encode as _;
use der::asn1::OctetString;
use signet_core::{Clock, Fetch, FetchError, Indication, SubIndication};
use x509_ocsp::{CertId, OcspRequest as RawRequest, Request, TbsRequest, Version};

use crate::asn1;
use crate::cert::Cert;
use crate::crypto::{CryptoError, HashAlg};
use crate::path::ValidationTime;
use crate::time::Utc;

mod verify;

pub use verify::verify_stored;
use verify::{Expected, same_cert_id, verify_response};

/// id-pkix-ocsp-basic.
const OCSP_BASIC: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce.
const OCSP_NONCE: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

/// The media types of RFC 6960 appendix A.
const REQUEST_TYPE: &str = "application/ocsp-request";
const RESPONSE_TYPE: &str = "application/ocsp-response";

/// How fresh an OCSP answer must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspPolicy {
    /// How far thisUpdate may be in the future, and nextUpdate in the past, for clocks that
    /// disagree.
    pub clock_skew: Duration,
    /// How old thisUpdate may be when the answer is checked.
    pub max_age: Duration,
    /// Whether the answer must echo the request's nonce.
    pub require_nonce: bool,
    /// Responders a verified trusted list names as Certstatus/OCSP/QC services: authorised
    /// besides the CA and its delegated responders while their service is granted at
    /// producedAt (see [`ListedResponder::from_list`]).
    pub listed_responders: Vec<ListedResponder>,
}

/// An OCSP responder certificate named by a verified trusted list as a Certstatus/OCSP/QC
/// service (TS 119 612 clause 5.5.1), with the service's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedResponder {
    /// The responder's certificate, as listed in ServiceDigitalIdentity.
    pub certificate: Cert,
    /// The service (name, status history).
    pub service: crate::tsl::Service,
    /// The trust service provider.
    pub provider: String,
    /// The list's SchemeTerritory.
    pub territory: String,
}

impl ListedResponder {
    /// The OCSP/QC service certificates of `list`, whatever their status (judged at each
    /// answer's producedAt); none when the list is unverified or past its NextUpdate at `at`.
    pub fn from_list(list: &crate::tsl::TrustedList, at: SystemTime) -> Vec<Self> {
        if !list.usable_at(at) {
            return Vec::new();
        }
        list.providers
            .iter()
            .flat_map(|provider| {
                provider
                    .services
                    .iter()
                    .filter(|s| s.service_type == crate::tsl::SVC_OCSP_QC)
                    .flat_map(move |service| {
                        service.certificates.iter().map(move |certificate| Self {
                            certificate: certificate.clone(),
                            service: service.clone(),
                            provider: provider.name.clone(),
                            territory: list.territory.clone(),
                        })
                    })
            })
            .collect()
    }
}

impl Default for OcspPolicy {
    /// The limits libdigidocpp and the Web eID validator use for live answers: 15 minutes of
    /// clock skew, thisUpdate at most 2 minutes old, nonce required.
    fn default() -> Self {
        Self {
            clock_skew: Duration::from_secs(15 * 60),
            max_age: Duration::from_secs(2 * 60),
            require_nonce: true,
            listed_responders: Vec::new(),
        }
    }
}

/// Why no usable OCSP answer was had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// Offline, and no stored answer is at hand.
    #[error("offline, and no stored OCSP answer for the certificate")]
    Offline,
    /// The certificate names no OCSP responder and none was given.
    #[error("the certificate names no OCSP responder")]
    NoResponderUrl,
    /// The responder URL is not http or https (attacker-supplied URLs are refused).
    #[error("the OCSP responder address {url} is not an http or https URL")]
    UnusableUrl {
        /// The address.
        url: String,
    },
    /// The request could not be sent or the answer not received.
    #[error("asking the OCSP responder failed: {0}")]
    Fetch(#[from] FetchError),
    /// The bytes are not a DER OCSP response.
    #[error("the OCSP response is malformed{}: {kind}", offset.map(|o| format!(" at byte {o}")).unwrap_or_default())]
    Malformed {
        /// Where decoding stopped, when known.
        offset: Option<u32>,
        /// What the decoder found.
        kind: String,
    },
    /// The responder answered with an unsigned error status.
    #[error("the OCSP responder refused to answer: {status}")]
    Refused {
        /// malformedRequest, internalError, tryLater, sigRequired or unauthorized.
        status: String,
    },
    /// No certificate matching the ResponderID was found.
    #[error("the OCSP response was signed by a responder whose certificate is not available")]
    ResponderNotFound,
    /// The response's signature does not verify.
    #[error("the OCSP response signature does not verify: {0}")]
    BadSignature(CryptoError),
    /// The responder is neither the issuing CA nor a delegated responder it authorised.
    #[error(
        "the OCSP response was signed by {responder}, who may not answer for this certificate: {reason}"
    )]
    UnauthorisedResponder {
        /// The responder certificate's subject.
        responder: String,
        /// What is missing.
        reason: String,
    },
    /// No SingleResponse is about the certificate asked about.
    #[error("the OCSP response says nothing about the certificate asked about (serial {serial})")]
    NoMatchingResponse {
        /// The serial asked about.
        serial: String,
    },
    /// The request had a nonce and the response none.
    #[error("the OCSP response does not echo the request's nonce")]
    NonceMissing,
    /// The response carries another nonce than the request.
    #[error("the OCSP response carries another nonce than the request (replayed or tampered)")]
    NonceMismatch,
    /// thisUpdate is too old.
    #[error("the OCSP response is stale: thisUpdate {}, checked at {}, at most {} s old accepted", Utc(*this_update), Utc(*at), max_age.as_secs())]
    Stale {
        /// thisUpdate.
        this_update: SystemTime,
        /// The time of the check.
        at: SystemTime,
        /// The policy's limit.
        max_age: Duration,
    },
    /// thisUpdate is in the future beyond the clock skew.
    #[error("the OCSP response is from the future: thisUpdate {}, checked at {}", Utc(*this_update), Utc(*at))]
    FromTheFuture {
        /// thisUpdate.
        this_update: SystemTime,
        /// The time of the check.
        at: SystemTime,
    },
    /// nextUpdate has passed.
    #[error("the OCSP response expired: nextUpdate {}, checked at {}", Utc(*next_update), Utc(*at))]
    Expired {
        /// nextUpdate.
        next_update: SystemTime,
        /// The time of the check.
        at: SystemTime,
    },
    /// The request could not be encoded (a bug or an absurd certificate).
    #[error("the OCSP request could not be built: {0}")]
    Request(String),
}

impl OcspError {
    fn malformed(e: &der::Error) -> Self {
        Self::Malformed {
            offset: asn1::offset(e),
            kind: e.kind().to_string(),
        }
    }

    /// The sub-indication for a certificate whose revocation status could not be had this way:
    /// TRY_LATER when asking again later may help, CERTIFICATE_CHAIN_GENERAL_FAILURE otherwise.
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            Self::Fetch(_)
            | Self::Offline
            | Self::Stale { .. }
            | Self::Expired { .. }
            | Self::FromTheFuture { .. } => SubIndication::TryLater,
            Self::Refused { status } if status == "tryLater" => SubIndication::TryLater,
            _ => SubIndication::CertificateChainGeneralFailure,
        }
    }
}

/// The revocation reason of RFC 5280 section 5.3.1, when the responder gave one.
pub use x509_cert::ext::pkix::CrlReason;

/// What the responder says about the certificate (RFC 6960 section 4.2.1):
///
/// ```text
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateStatus {
    /// Not revoked (RFC 6960: at least not revoked; the serial may still be unknown to a
    /// pre-produced responder, which the CA's responders here do not do).
    Good,
    /// Revoked at `time`.
    Revoked {
        /// revocationTime.
        time: SystemTime,
        /// revocationReason, when given.
        reason: Option<CrlReason>,
    },
    /// The responder does not know the certificate: never good.
    Unknown,
}

/// Who signed the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Responder {
    /// The issuing CA itself.
    IssuingCa,
    /// A delegated responder issued by the issuing CA.
    Delegated {
        /// Its subject.
        subject: String,
        /// Whether it carries id-pkix-ocsp-nocheck (its own revocation is not checked).
        nocheck: bool,
    },
    /// A responder a trusted list names as a Certstatus/OCSP/QC service granted at producedAt,
    /// though the issuing CA did not delegate to it.
    TrustedList {
        /// Its subject.
        subject: String,
        /// The service's name.
        service: String,
        /// The list's SchemeTerritory.
        territory: String,
    },
}

/// A verified OCSP answer about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspAnswer {
    /// The status.
    pub status: CertificateStatus,
    /// producedAt.
    pub produced_at: SystemTime,
    /// thisUpdate.
    pub this_update: SystemTime,
    /// nextUpdate, when given.
    pub next_update: Option<SystemTime>,
    /// Who signed it.
    pub responder: Responder,
    /// The DER of the whole OCSPResponse, to embed in an LT signature.
    pub der: Vec<u8>,
}

impl OcspAnswer {
    /// The verdict on the certificate at `time`: TOTAL-PASSED for good; for revoked,
    /// TOTAL-FAILED / REVOKED when the time is proven and after the revocation, INDETERMINATE /
    /// REVOKED_NO_POE when it is only the present, TOTAL-PASSED when the revocation came after a
    /// proven time; INDETERMINATE / CERTIFICATE_CHAIN_GENERAL_FAILURE for unknown.
    pub fn verdict(&self, time: ValidationTime) -> (Indication, Option<SubIndication>) {
        match self.status {
            CertificateStatus::Good => (Indication::TotalPassed, None),
            CertificateStatus::Unknown => (
                Indication::Indeterminate,
                Some(SubIndication::CertificateChainGeneralFailure),
            ),
            CertificateStatus::Revoked { time: revoked, .. } => match time {
                ValidationTime::Proven(at) if revoked > at => (Indication::TotalPassed, None),
                ValidationTime::Proven(_) => {
                    (Indication::TotalFailed, Some(SubIndication::Revoked))
                }
                ValidationTime::Current(_) => {
                    (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe))
                }
            },
        }
    }
}

/// Which nonce a request carries (RFC 6960 section 4.4.1, RFC 8954 section 2.1: the extension
/// `id-pkix-ocsp-nonce` whose extnValue is the DER of `Nonce ::= OCTET STRING (SIZE(1..32))`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Nonce {
    /// 32 random octets from the operating system (RFC 8954 allows 1 to 32).
    Random,
    /// These octets (the BDOC time-mark profile uses the signature value's digest).
    Given(Vec<u8>),
    /// No nonce: only for responders that refuse one; the answer is then judged by time alone.
    Omit,
}

/// A DER OCSP request for one certificate, with what the answer must match.
#[derive(Debug, Clone)]
pub struct OcspRequest {
    der: Vec<u8>,
    cert_id: CertId,
    nonce: Option<Vec<u8>>,
    serial: String,
}

impl OcspRequest {
    /// A request about `cert`, issued by `issuer`, with a SHA-256 CertID.
    ///
    /// ```text
    /// CertID ::= SEQUENCE {
    ///     hashAlgorithm       AlgorithmIdentifier,
    ///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
    ///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
    ///     serialNumber        CertificateSerialNumber }
    /// ```
    pub fn new(cert: &Cert, issuer: &Cert, nonce: Nonce) -> Result<Self, OcspError> {
        let hash = HashAlg::Sha256;
        let bad = |e: der::Error| OcspError::Request(e.to_string());
        let name_der = cert.issuer().to_der().map_err(bad)?;
        let key_bits = issuer.spki().subject_public_key.raw_bytes();
        let cert_id = CertId {
            hash_algorithm: hash.algorithm_identifier(),
            issuer_name_hash: OctetString::new(hash.digest(&name_der)).map_err(bad)?,
            issuer_key_hash: OctetString::new(hash.digest(key_bits)).map_err(bad)?,
            serial_number: cert.serial().clone(),
        };
        let nonce = match nonce {
            Nonce::Random => {
                let mut bytes = vec![0u8; 32];
                getrandom::fill(&mut bytes)
                    .map_err(|e| OcspError::Request(format!("no randomness for the nonce: {e}")))?;
                Some(bytes)
            }
            Nonce::Given(bytes) => Some(bytes),
            Nonce::Omit => None,
        };
        let extensions = match &nonce {
            Some(bytes) => {
                // extnValue = DER(Nonce ::= OCTET STRING), RFC 8954 section 2.1.
                let value = OctetString::new(bytes.clone())
                    .map_err(bad)?
                    .to_der()
                    .map_err(bad)?;
                Some(vec![x509_cert::ext::Extension {
                    extn_id: OCSP_NONCE,
                    critical: false,
                    extn_value: OctetString::new(value).map_err(bad)?,
                }])
            }
            None => None,
        };
        let request = RawRequest {
            tbs_request: TbsRequest {
                version: Version::V1,
                requestor_name: None,
                request_list: vec![Request {
                    req_cert: cert_id.clone(),
                    single_request_extensions: None,
                }],
                request_extensions: extensions,
            },
            optional_signature: None,
        };
        Ok(Self {
            der: request.to_der().map_err(bad)?,
            cert_id,
            nonce,
            serial: cert.serial_hex(),
        })
    }

    /// The DER to POST.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Checks a response to this request about `cert` issued by `issuer` at `now`.
    pub fn check_response(
        &self,
        response: &[u8],
        issuer: &Cert,
        policy: &OcspPolicy,
        now: SystemTime,
    ) -> Result<OcspAnswer, OcspError> {
        verify_response(
            response,
            issuer,
            policy,
            now,
            &Expected {
                serial: &self.serial,
                nonce: self.nonce.as_deref(),
                matches: &|id| same_cert_id(id, &self.cert_id),
            },
        )
    }
}

/// Whether `url` may be fetched: http or https only (trust.md section 7, attacker-supplied URLs).
pub fn usable_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url.contains(char::is_whitespace)
}

/// Asks the OCSP responder named in `cert` (or `url`) about `cert`, issued by `issuer`, and
/// verifies the answer at `clock`'s time.
pub fn check_certificate(
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    cert: &Cert,
    issuer: &Cert,
    url: Option<&str>,
    policy: &OcspPolicy,
) -> Result<OcspAnswer, OcspError> {
    let url = url
        .map(str::to_owned)
        .or_else(|| cert.ocsp_urls().first().cloned())
        .ok_or(OcspError::NoResponderUrl)?;
    if !usable_url(&url) {
        return Err(OcspError::UnusableUrl { url });
    }
    let request = OcspRequest::new(cert, issuer, Nonce::Random)?;
    tracing::debug!(serial = %cert.serial_hex(), url = %url, "asking the OCSP responder");
    let response = fetch
        .post(&url, REQUEST_TYPE, request.der())?
        .success(&url)?;
    response.expect_content_type(&url, RESPONSE_TYPE)?;
    request.check_response(&response.body, issuer, policy, clock.now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode as _;
    use x509_ocsp::{OcspResponse, OcspResponseStatus};

    #[test]
    fn only_http_and_https_urls_are_used() {
        assert!(usable_url("http://ocsp.example/"));
        assert!(usable_url("HTTPS://ocsp.example/x"));
        assert!(!usable_url("file:///etc/passwd"));
        assert!(!usable_url("ldap://x"));
        assert!(!usable_url("http://a b"));
    }

    #[test]
    fn unsigned_error_statuses_are_refusals() {
        use verify::status_name;
        // OCSPResponse { responseStatus tryLater(3) }
        let der = [0x30, 0x03, 0x0a, 0x01, 0x03];
        let outer = OcspResponse::from_der(&der).unwrap();
        assert_eq!(outer.response_status, OcspResponseStatus::TryLater);
        let err = OcspError::Refused {
            status: status_name(outer.response_status).to_owned(),
        };
        assert_eq!(err.sub_indication(), SubIndication::TryLater);
    }

    #[test]
    fn freshness_limits() {
        use verify::check_freshness;
        let policy = OcspPolicy::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        assert!(check_freshness(now, None, now, &policy).is_ok());
        assert!(matches!(
            check_freshness(now - Duration::from_secs(300), None, now, &policy),
            Err(OcspError::Stale { .. })
        ));
        assert!(matches!(
            check_freshness(now + Duration::from_secs(3600), None, now, &policy),
            Err(OcspError::FromTheFuture { .. })
        ));
        assert!(matches!(
            check_freshness(now, Some(now - Duration::from_secs(3600)), now, &policy),
            Err(OcspError::Expired { .. })
        ));
    }
}
