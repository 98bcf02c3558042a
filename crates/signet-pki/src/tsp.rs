//! RFC 3161 time-stamp client: ask a time-stamping authority to vouch that a digest existed,
//! and verify the token it returns.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE  {
//!    version                  INTEGER  { v1(1) },
//!    messageImprint           MessageImprint,
//!    reqPolicy                TSAPolicyId              OPTIONAL,
//!    nonce                    INTEGER                  OPTIONAL,
//!    certReq                  BOOLEAN                  DEFAULT FALSE,
//!    extensions               [0] IMPLICIT Extensions  OPTIONAL  }
//! TimeStampResp ::= SEQUENCE  {
//!    status                  PKIStatusInfo,
//!    timeStampToken          TimeStampToken     OPTIONAL  }
//! ```
//!
//! A token is accepted (RFC 3161 sections 2.4.2 and 2.3, trust.md section 4) when the status is
//! granted or grantedWithMods; the token is a SignedData over a TSTInfo whose signature, content
//! type, message digest and ESS signing-certificate verify ([`crate::signed_data`]); the
//! TSTInfo's messageImprint equals the hash sent (algorithm and value); the nonce is echoed; the
//! TSA certificate chains to a trust anchor and carries the critical id-kp-timeStamping EKU
//! alone; the token's `tsa` name, if present, is the signer's subject; genTime lies within the
//! TSA certificate's validity and not in the future. The TSA
//! certificate's revocation is left to the caller (signet-pki's OCSP client can check it when the
//! certificate names a responder).

use std::time::{Duration, SystemTime};

use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::{Decode as _, Encode as _};
use signet_core::{Clock, Fetch, FetchError, Indication, SubIndication};
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use crate::asn1;
use crate::cert::{Cert, CertSummary};
use crate::crypto::HashAlg;
use crate::ocsp::usable_url;
use crate::path::{PathValidator, Purpose, TrustAnchors, ValidationTime};
use crate::signed_data::{self, CmsError};
use crate::time::Utc;
use crate::tsl::{SVC_TSA_QTST, TrustedList};
use x509_cert::ext::pkix::name::GeneralName;

/// id-ct-TSTInfo.
const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const QUERY_TYPE: &str = "application/timestamp-query";
const REPLY_TYPE: &str = "application/timestamp-reply";

/// How far genTime may be ahead of the local clock.
pub const CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Why a time-stamp was not had or not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// The TSA address is not http or https.
    #[error("the time-stamping authority address {url} is not an http or https URL")]
    UnusableUrl {
        /// The address.
        url: String,
    },
    /// The digest does not have the length of its algorithm.
    #[error("a {algorithm:?} digest has {expected} octets, not {found}")]
    DigestLength {
        /// The algorithm.
        algorithm: HashAlg,
        /// Its length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The request could not be sent or the answer not received.
    #[error("asking the time-stamping authority failed: {0}")]
    Fetch(#[from] FetchError),
    /// The answer or the token is not DER of the expected structure.
    #[error("the time-stamp answer is malformed{}: {kind}", offset.map(|o| format!(" at byte {o}")).unwrap_or_default())]
    Malformed {
        /// Where decoding stopped, when known.
        offset: Option<u32>,
        /// What was wrong.
        kind: String,
    },
    /// The TSA refused.
    #[error("the time-stamping authority refused: status {status}")]
    Rejected {
        /// The PKIStatus.
        status: String,
    },
    /// Granted, but no token.
    #[error("the time-stamping authority granted the request but sent no token")]
    NoToken,
    /// The token's SignedData does not verify.
    #[error("the time-stamp token's signature is not valid: {0}")]
    Signature(#[from] CmsError),
    /// The SignedData does not hold a TSTInfo.
    #[error("the token's content type {0} is not id-ct-TSTInfo")]
    NotATimestamp(ObjectIdentifier),
    /// The token time-stamps another hash than the one sent.
    #[error("the time-stamp is for another hash: expected {expected}, found {found}")]
    ImprintMismatch {
        /// The algorithm and hex digest expected.
        expected: String,
        /// The algorithm and hex digest in the token.
        found: String,
    },
    /// The token carries no nonce or another one than the request.
    #[error("the time-stamp does not echo the request's nonce")]
    NonceMismatch,
    /// The TSA's certificate does not validate for time-stamping.
    #[error(
        "the time-stamping authority's certificate is not acceptable ({indication}/{sub_indication}): {reason}"
    )]
    TsaCertificate {
        /// The path validation's indication.
        indication: Indication,
        /// Its sub-indication.
        sub_indication: SubIndication,
        /// The deciding finding.
        reason: String,
    },
    /// The TSA certificate, or a CA certificate above it, is listed as revoked by a usable CRL.
    #[error("the time-stamping authority's certificate {subject} was revoked on {}{} (genTime {}): the time-stamp is not a proof of existence", Utc(*revoked_at), reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(), Utc(*gen_time))]
    TsaRevoked {
        /// The revoked certificate's subject.
        subject: String,
        /// The CRL entry's revocationDate.
        revoked_at: SystemTime,
        /// The reasonCode, when given.
        reason: Option<String>,
        /// The token's genTime.
        gen_time: SystemTime,
    },
    /// No usable CRL about the TSA certificate or a CA certificate above it.
    #[error(
        "the revocation status of the time-stamping authority's certificate {subject} is unknown: CRL {reason}"
    )]
    TsaRevocationUnknown {
        /// The certificate's subject.
        subject: String,
        /// Why.
        reason: String,
        /// TRY_LATER or CERTIFICATE_CHAIN_GENERAL_FAILURE, as for a CA (validation policy 5.1).
        sub_indication: SubIndication,
    },
    /// The token names another authority than the certificate that signed it (RFC 3161
    /// section 2.4.2: the tsa field must be one of the signer's names).
    #[error("the time-stamp names {named} as its authority but was signed by {signer}")]
    TsaNameMismatch {
        /// The name in the token.
        named: String,
        /// The signer certificate's subject.
        signer: String,
    },
    /// genTime lies outside the TSA certificate's validity.
    #[error("genTime {} is outside the TSA certificate's validity {} to {}", Utc(*gen_time), Utc(*not_before), Utc(*not_after))]
    GenTimeOutsideTsaValidity {
        /// genTime.
        gen_time: SystemTime,
        /// The TSA certificate's notBefore.
        not_before: SystemTime,
        /// Its notAfter.
        not_after: SystemTime,
    },
    /// genTime is in the future.
    #[error("genTime {} is later than the time of the check {}", Utc(*gen_time), Utc(*at))]
    GenTimeInTheFuture {
        /// genTime.
        gen_time: SystemTime,
        /// The time of the check.
        at: SystemTime,
    },
    /// The request could not be built.
    #[error("the time-stamp request could not be built: {0}")]
    Request(String),
    /// Trust was to come from a trusted list that is unverified or past its NextUpdate.
    #[error("the {territory} trusted list is not verified or is past its NextUpdate at {}", Utc(*at))]
    TrustedListNotUsable {
        /// The list's SchemeTerritory.
        territory: String,
        /// The time of the check.
        at: SystemTime,
    },
    /// The TSA certificate is not, and does not chain to, a TSA/QTST service of the list.
    #[error(
        "the time-stamping authority {tsa} is not a qualified TSA/QTST service of the {territory} trusted list"
    )]
    TsaNotOnTrustedList {
        /// The TSA certificate's subject.
        tsa: String,
        /// The list's SchemeTerritory.
        territory: String,
    },
    /// The TSA's TSA/QTST service was not granted at genTime.
    #[error("the TSA/QTST service {service} was {status} at genTime {}, not granted", Utc(*gen_time))]
    TsaServiceNotGranted {
        /// The service's name.
        service: String,
        /// Its status at genTime (`no status` before its first one).
        status: String,
        /// genTime.
        gen_time: SystemTime,
    },
}

impl TspError {
    fn malformed(e: &der::Error) -> Self {
        Self::Malformed {
            offset: asn1::offset(e),
            kind: e.kind().to_string(),
        }
    }
}

/// A verified time-stamp.
#[derive(Debug, Clone)]
pub struct VerifiedTimestamp {
    /// genTime: when the TSA saw the hash.
    pub gen_time: SystemTime,
    /// The accuracy, when the TSA states one.
    pub accuracy: Option<Duration>,
    /// The TSA's policy.
    pub policy: ObjectIdentifier,
    /// The token's serial number (hex).
    pub serial: String,
    /// The TSA certificate.
    pub tsa: CertSummary,
    /// The token (a DER ContentInfo), to embed in a signature.
    pub token: Vec<u8>,
    /// The trusted list's TSA/QTST service vouching for the TSA, when trust came from a list:
    /// the time-stamp is then qualified (eIDAS article 42, TS 119 615).
    pub qualified: Option<QualifiedTsa>,
}

/// The TSA/QTST service of a trusted list that a TSA certificate is, or chains to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifiedTsa {
    /// The service's name.
    pub service: String,
    /// The trust service provider.
    pub provider: String,
    /// The list's SchemeTerritory.
    pub territory: String,
    /// When the service's current status (granted at genTime) started.
    pub granted_since: SystemTime,
}

/// Where a TSA's trust comes from.
#[derive(Clone, Copy)]
enum TsaTrust<'a> {
    /// Path validation to the validator's anchors.
    Anchors(&'a PathValidator<'a>),
    /// The TSA/QTST services of a verified trusted list, granted at genTime.
    List {
        list: &'a TrustedList,
        validator: &'a PathValidator<'a>,
    },
}

impl<'a> TsaTrust<'a> {
    fn validator(self) -> &'a PathValidator<'a> {
        match self {
            Self::Anchors(validator) | Self::List { validator, .. } => validator,
        }
    }
}

/// A time-stamp request for one digest, with a 64-bit nonce (62 random bits) and certReq set.
///
/// The nonce is minimal DER whatever the random octets: OpenSSL's TSA rejects a request whose
/// INTEGER has a redundant leading zero.
#[derive(Debug, Clone)]
pub struct TimestampRequest {
    der: Vec<u8>,
    hash: HashAlg,
    digest: Vec<u8>,
    nonce: Int,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TimestampRequest {
    /// A request to time-stamp `digest`, computed with `hash`.
    pub fn new(hash: HashAlg, digest: &[u8]) -> Result<Self, TspError> {
        if digest.len() != hash.output_len() {
            return Err(TspError::DigestLength {
                algorithm: hash,
                expected: hash.output_len(),
                found: digest.len(),
            });
        }
        let mut random = [0u8; 8];
        getrandom::fill(&mut random)
            .map_err(|e| TspError::Request(format!("no randomness for the nonce: {e}")))?;
        // A positive INTEGER in minimal DER: the first octet is 0x40..=0x7f, so no sign
        // octet is needed and none is redundant (62 random bits remain).
        random[0] = (random[0] & 0x3f) | 0x40;
        let nonce = Int::new(&random).map_err(|e| TspError::Request(e.to_string()))?;
        let bad = |e: der::Error| TspError::Request(e.to_string());
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: spki::AlgorithmIdentifier {
                    oid: hash.oid(),
                    parameters: None,
                },
                hashed_message: OctetString::new(digest.to_vec()).map_err(bad)?,
            },
            req_policy: None,
            nonce: Some(nonce.clone()),
            cert_req: true,
            extensions: None,
        };
        Ok(Self {
            der: request.to_der().map_err(bad)?,
            hash,
            digest: digest.to_vec(),
            nonce,
        })
    }

    /// The DER to POST.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Checks a TimeStampResp to this request; the TSA certificate is validated with
    /// `validator` at `now`.
    pub fn check_response(
        &self,
        response: &[u8],
        validator: &PathValidator<'_>,
        now: SystemTime,
    ) -> Result<VerifiedTimestamp, TspError> {
        let resp = TimeStampResp::from_der(response).map_err(|e| TspError::malformed(&e))?;
        let code = resp.status.status as u8;
        // granted(0), grantedWithMods(1).
        if code > 1 {
            return Err(TspError::Rejected {
                status: format!("{:?}", resp.status.status),
            });
        }
        let token = resp.time_stamp_token.ok_or(TspError::NoToken)?;
        let token = token.to_der().map_err(|e| TspError::malformed(&e))?;
        let (verified, info) = verify_token(
            &token,
            self.hash,
            &self.digest,
            TsaTrust::Anchors(validator),
            now,
        )?;
        if info.nonce.as_ref() != Some(&self.nonce) {
            return Err(TspError::NonceMismatch);
        }
        Ok(verified)
    }
}

/// Verifies a time-stamp token (a DER ContentInfo) for `digest` computed with `hash`; the TSA
/// certificate is validated with `validator` at `now`.
pub fn verify(
    token: &[u8],
    hash: HashAlg,
    digest: &[u8],
    validator: &PathValidator<'_>,
    now: SystemTime,
) -> Result<VerifiedTimestamp, TspError> {
    verify_token(token, hash, digest, TsaTrust::Anchors(validator), now)
        .map(|(verified, _)| verified)
}

/// The revocation of a verified token's TSA certificate and of the CA certificates between it
/// and the trust anchor, judged by CRLs (`crls`, validation policy section 5.1) at the token's
/// `gen_time`: a CRL current at genTime or issued later is evidence. A certificate listed as
/// revoked — whenever: Signet extracts no proof that the token existed before the revocation —
/// gives [`TspError::TsaRevoked`]; no usable CRL gives [`TspError::TsaRevocationUnknown`]. A TSA
/// certificate that is itself the trust anchor (a trusted list's TSA/QTST service) has nothing
/// to check.
pub fn check_tsa_revocation(
    token: &[u8],
    validator: &PathValidator<'_>,
    crls: &crate::crl::CrlSource<'_>,
    gen_time: SystemTime,
) -> Result<(), TspError> {
    let signed = signed_data::verify(token, &[])?;
    let report = validator.validate(
        &signed.signer,
        Purpose::TimeStamping,
        ValidationTime::Current(gen_time),
    );
    if let (Some(sub), Some(finding)) = (report.sub_indication, report.findings.first()) {
        return Err(TspError::TsaCertificate {
            indication: report.indication,
            sub_indication: sub,
            reason: finding.problem.to_string(),
        });
    }
    for pair in report.chain.windows(2) {
        let [cert, issuer] = pair else { continue };
        if cert == issuer {
            continue;
        }
        let subject = cert.subject().to_string();
        match crls.status(cert, issuer, gen_time) {
            Ok(answer) => {
                if let crate::crl::CrlStatus::Revoked { time, reason } = answer.status {
                    return Err(TspError::TsaRevoked {
                        subject,
                        revoked_at: time,
                        reason: reason.map(|r| format!("{r:?}")),
                        gen_time,
                    });
                }
            }
            Err(e) => {
                return Err(TspError::TsaRevocationUnknown {
                    subject,
                    reason: e.to_string(),
                    sub_indication: e.sub_indication(),
                });
            }
        }
    }
    Ok(())
}

/// Verifies a time-stamp token (a DER ContentInfo) for `digest` computed with `hash`, taking
/// the TSA's trust from a verified trusted list usable at `now`: the TSA certificate must be,
/// or chain (through `intermediates`) to, the certificate of a TSA/QTST service whose status at
/// genTime is granted (TS 119 612 clause 5.5.9 and 5.6: the status history read at that time).
/// The result names that service in [`VerifiedTimestamp::qualified`].
pub fn verify_with_trusted_list(
    token: &[u8],
    hash: HashAlg,
    digest: &[u8],
    list: &TrustedList,
    intermediates: &[Cert],
    now: SystemTime,
) -> Result<VerifiedTimestamp, TspError> {
    if !list.usable_at(now) {
        return Err(TspError::TrustedListNotUsable {
            territory: list.territory.clone(),
            at: now,
        });
    }
    let anchors = TrustAnchors::new(list.certificates_of(SVC_TSA_QTST));
    let validator = PathValidator::new(&anchors, intermediates.iter().cloned());
    verify_token(
        token,
        hash,
        digest,
        TsaTrust::List {
            list,
            validator: &validator,
        },
        now,
    )
    .map(|(verified, _)| verified)
}

fn verify_token(
    token: &[u8],
    hash: HashAlg,
    digest: &[u8],
    trust: TsaTrust<'_>,
    now: SystemTime,
) -> Result<(VerifiedTimestamp, TstInfo), TspError> {
    let _span = tracing::trace_span!("verify.timestamp").entered();
    let signed = signed_data::verify(token, &[])?;
    if signed.content_type != TST_INFO {
        return Err(TspError::NotATimestamp(signed.content_type));
    }
    let info = TstInfo::from_der(&signed.content).map_err(|e| TspError::malformed(&e))?;

    let imprint = &info.message_imprint;
    if imprint.hash_algorithm.oid != hash.oid() || imprint.hashed_message.as_bytes() != digest {
        return Err(TspError::ImprintMismatch {
            expected: format!("{} {}", hash.oid(), hex(digest)),
            found: format!(
                "{} {}",
                imprint.hash_algorithm.oid,
                hex(imprint.hashed_message.as_bytes())
            ),
        });
    }

    let tsa = &signed.signer;
    let report =
        trust
            .validator()
            .validate(tsa, Purpose::TimeStamping, ValidationTime::Current(now));
    if let (Some(sub), Some(finding)) = (report.sub_indication, report.findings.first()) {
        if let TsaTrust::List { list, .. } = trust
            && sub == SubIndication::NoCertificateChainFound
        {
            return Err(TspError::TsaNotOnTrustedList {
                tsa: tsa.subject().to_string(),
                territory: list.territory.clone(),
            });
        }
        return Err(TspError::TsaCertificate {
            indication: report.indication,
            sub_indication: sub,
            reason: finding.problem.to_string(),
        });
    }

    check_tsa_name(info.tsa.as_ref(), tsa)?;

    let gen_time = info.gen_time.to_system_time();
    if gen_time < tsa.not_before() || gen_time > tsa.not_after() {
        return Err(TspError::GenTimeOutsideTsaValidity {
            gen_time,
            not_before: tsa.not_before(),
            not_after: tsa.not_after(),
        });
    }
    if gen_time > now + CLOCK_SKEW {
        return Err(TspError::GenTimeInTheFuture { gen_time, at: now });
    }
    let qualified = match trust {
        TsaTrust::Anchors(_) => None,
        TsaTrust::List { list, .. } => Some(listed_service(list, &report.chain, tsa, gen_time)?),
    };
    let accuracy = info.accuracy.as_ref().map(|a| {
        let millis = a.millis.map_or(0, |m| u64::try_from(m).unwrap_or(0));
        let micros = a.micros.map_or(0, |m| u64::try_from(m).unwrap_or(0));
        Duration::from_secs(a.seconds.unwrap_or(0))
            + Duration::from_millis(millis)
            + Duration::from_micros(micros)
    });
    tracing::info!(
        tsa_serial = %tsa.serial_hex(),
        tsa_issuer = %tsa.issuer_for_logs(),
        serial = %hex(info.serial_number.as_bytes()),
        gen_time = %Utc(gen_time),
        "time-stamp verified"
    );
    let verified = VerifiedTimestamp {
        gen_time,
        accuracy,
        policy: info.policy,
        serial: hex(info.serial_number.as_bytes()),
        tsa: tsa.summary(),
        token: token.to_vec(),
        qualified,
    };
    Ok((verified, info))
}

/// The TSA/QTST service at the top of `chain`, granted at `gen_time`.
fn listed_service(
    list: &TrustedList,
    chain: &[Cert],
    tsa: &Cert,
    gen_time: SystemTime,
) -> Result<QualifiedTsa, TspError> {
    let found = chain
        .last()
        .and_then(|anchor| list.service_of_type(anchor, SVC_TSA_QTST))
        .ok_or_else(|| TspError::TsaNotOnTrustedList {
            tsa: tsa.subject().to_string(),
            territory: list.territory.clone(),
        })?;
    let service = found.service;
    if !service.active_at(gen_time) {
        return Err(TspError::TsaServiceNotGranted {
            service: service.name.clone(),
            status: service
                .status_at(gen_time)
                .unwrap_or("no status")
                .to_owned(),
            gen_time,
        });
    }
    let granted_since = service
        .statuses
        .iter()
        .filter(|(_, since)| *since <= gen_time)
        .map(|(_, since)| *since)
        .max()
        .unwrap_or(gen_time);
    Ok(QualifiedTsa {
        service: service.name.clone(),
        provider: found.provider.to_owned(),
        territory: list.territory.clone(),
        granted_since,
    })
}

/// The TSTInfo's `tsa` field, when present, must name the signer: its subject as a
/// directoryName. Other name forms (which would have to be found in subjectAltName) are not
/// compared and therefore refused.
fn check_tsa_name(named: Option<&GeneralName>, signer: &Cert) -> Result<(), TspError> {
    match named {
        None => Ok(()),
        Some(GeneralName::DirectoryName(name)) if name == signer.subject() => Ok(()),
        Some(other) => Err(TspError::TsaNameMismatch {
            named: match other {
                GeneralName::DirectoryName(name) => name.to_string(),
                _ => "a name that is not a directory name".to_owned(),
            },
            signer: signer.subject().to_string(),
        }),
    }
}

/// Asks the TSA at `url` to time-stamp `digest` and verifies the answer at `clock`'s time.
pub fn request_timestamp(
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    url: &str,
    hash: HashAlg,
    digest: &[u8],
    validator: &PathValidator<'_>,
) -> Result<VerifiedTimestamp, TspError> {
    if !usable_url(url) {
        return Err(TspError::UnusableUrl {
            url: url.to_owned(),
        });
    }
    let request = TimestampRequest::new(hash, digest)?;
    tracing::debug!(url = %url, "asking the time-stamping authority");
    let response = fetch.post(url, QUERY_TYPE, request.der())?.success(url)?;
    response.expect_content_type(url, REPLY_TYPE)?;
    request.check_response(&response.body, validator, clock.now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_must_have_their_algorithms_length() {
        let err = TimestampRequest::new(HashAlg::Sha384, &[0; 32]).unwrap_err();
        assert!(err.to_string().contains("48 octets, not 32"), "{err}");
        assert!(TimestampRequest::new(HashAlg::Sha256, &[0; 32]).is_ok());
    }

    #[test]
    fn nonces_differ_and_are_positive() {
        let a = TimestampRequest::new(HashAlg::Sha256, &[1; 32]).unwrap();
        let b = TimestampRequest::new(HashAlg::Sha256, &[1; 32]).unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.der(), b.der());
        for _ in 0..64 {
            let r = TimestampRequest::new(HashAlg::Sha256, &[1; 32]).unwrap();
            let first = r.nonce.as_bytes()[0];
            assert!((0x40..=0x7f).contains(&first), "{first:#x}");
            assert_eq!(r.nonce.as_bytes().len(), 8);
        }
    }
}
