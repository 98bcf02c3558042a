//! Certificate revocation lists (RFC 5280 sections 5 and 6.3): the one CRL parser and checker
//! Signet has, used to collect CRLs for B-LT (signet-pades) and to judge the revocation of CA
//! certificates in a path ([`crate::validate`]).
//!
//! A CRL is evidence about a certificate only when all of these hold ([`verify`]):
//!
//! 1. It parses as DER and its issuer name is the certificate's issuer name; when both carry
//!    key identifiers, the CRL's authorityKeyIdentifier is the issuer's subjectKeyIdentifier.
//! 2. The issuer may sign CRLs (keyUsage, when present, has cRLSign) and the signature verifies
//!    with the issuer's key, under the algorithm policy of [`crate::crypto`].
//! 3. Freshness: thisUpdate not after the time of the check (plus [`SKEW`]), nextUpdate present
//!    and not before the validation time.
//! 4. Extensions: a delta CRL, an indirect CRL (issuingDistributionPoint indirectCRL, or an entry
//!    with certificateIssuer) and any critical extension Signet does not process are refused;
//!    the issuingDistributionPoint scope must cover the certificate (user or CA certificates,
//!    all reasons, and its distribution point among the certificate's).
//!
//! Only then is the entry read: a certificate listed (with reasonCode other than removeFromCRL)
//! is revoked at the entry's revocationDate.

use std::time::{Duration, SystemTime};

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280 as ids;
use der::{Decode as _, Reader as _, SliceReader};
use signet_core::{Clock, Fetch, SubIndication};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlDistributionPoints, KeyUsages};

use crate::cert::Cert;
use crate::crypto::CryptoError;
use crate::ocsp::usable_url;
use crate::time::Utc;

/// The revocation reason of RFC 5280 section 5.3.1.
pub use x509_cert::ext::pkix::CrlReason;

/// The largest CRL accepted.
pub const MAX_CRL: usize = 8 * 1024 * 1024;

/// Clock skew tolerated on thisUpdate.
pub const SKEW: Duration = Duration::from_secs(300);

/// Why a CRL is not evidence about a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// Not a DER CertificateList.
    #[error("not a DER CRL: {0}")]
    Malformed(String),
    /// Issued by another name or key than the certificate's issuer.
    #[error("issued by another name or key ({found}) than the certificate's issuer ({expected})")]
    WrongIssuer {
        /// The CRL's issuer.
        found: String,
        /// The certificate's issuer.
        expected: String,
    },
    /// The issuer's keyUsage lacks cRLSign.
    #[error("the issuer {issuer} may not sign CRLs (keyUsage without cRLSign)")]
    NoCrlSign {
        /// The issuer.
        issuer: String,
    },
    /// The signature does not verify with the issuer's key (or its algorithm is refused).
    #[error("the signature was not made by the issuer's key: {0}")]
    Signature(CryptoError),
    /// thisUpdate is after the time of the check.
    #[error("thisUpdate {} is in the future (time of the check {})", Utc(*this_update), Utc(*now))]
    FromTheFuture {
        /// thisUpdate.
        this_update: SystemTime,
        /// The time of the check.
        now: SystemTime,
    },
    /// No nextUpdate: nothing says until when the list is current.
    #[error("no nextUpdate: its freshness is unknown")]
    NoNextUpdate,
    /// nextUpdate is before the validation time: a newer CRL may list the certificate.
    #[error("outdated: nextUpdate {} is before the validation time {}", Utc(*next_update), Utc(*at))]
    Stale {
        /// nextUpdate.
        next_update: SystemTime,
        /// The validation time.
        at: SystemTime,
    },
    /// A critical extension Signet does not process (RFC 5280 section 5.2, 5.3).
    #[error("critical extension {0}, which Signet does not process")]
    UnknownCriticalExtension(ObjectIdentifier),
    /// A delta CRL: Signet judges complete CRLs only.
    #[error("a delta CRL (Signet uses complete CRLs only)")]
    Delta,
    /// An indirect CRL (issued by another authority than the certificate's issuer).
    #[error("an indirect CRL (Signet accepts CRLs issued by the certificate's issuer only)")]
    Indirect,
    /// The issuingDistributionPoint leaves the certificate out.
    #[error("its issuing distribution point does not cover the certificate: {0}")]
    OutOfScope(&'static str),
    /// No CRL could be fetched.
    #[error("{0}")]
    Fetch(String),
    /// The certificate names no http(s) CRL distribution point.
    #[error("the certificate names no http or https CRL distribution point")]
    NoDistributionPoint,
    /// Offline and the signature carries no CRL for the certificate.
    #[error("offline, and no CRL for it is in the signature")]
    Offline,
}

impl CrlError {
    /// TRY_LATER when a later or fetched CRL may help, CERTIFICATE_CHAIN_GENERAL_FAILURE
    /// otherwise.
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            Self::FromTheFuture { .. }
            | Self::NoNextUpdate
            | Self::Stale { .. }
            | Self::Fetch(_)
            | Self::Offline => SubIndication::TryLater,
            _ => SubIndication::CertificateChainGeneralFailure,
        }
    }
}

/// What a verified CRL says about a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrlStatus {
    /// Not listed.
    NotRevoked,
    /// Listed.
    Revoked {
        /// The entry's revocationDate.
        time: SystemTime,
        /// The entry's reasonCode, when given.
        reason: Option<CrlReason>,
    },
}

/// A CRL that passed [`verify`] for a certificate, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlAnswer {
    /// The CRL, DER.
    pub der: Vec<u8>,
    /// Its issuer.
    pub issuer: String,
    /// thisUpdate.
    pub this_update: SystemTime,
    /// nextUpdate.
    pub next_update: SystemTime,
    /// The certificate's status.
    pub status: CrlStatus,
}

/// The http(s) URLs of `cert`'s cRLDistributionPoints (full names only).
pub fn distribution_urls(cert: &Cert) -> Vec<String> {
    distribution_names(cert)
        .into_iter()
        .filter_map(|n| match n {
            GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
            _ => None,
        })
        .filter(|u| usable_url(u))
        .collect()
}

/// Every full name of `cert`'s cRLDistributionPoints.
fn distribution_names(cert: &Cert) -> Vec<GeneralName> {
    let Some(exts) = cert.inner().tbs_certificate.extensions.as_ref() else {
        return Vec::new();
    };
    exts.iter()
        .filter(|e| e.extn_id == ids::ID_CE_CRL_DISTRIBUTION_POINTS)
        .filter_map(|e| CrlDistributionPoints::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|cdp| cdp.0)
        .filter_map(|dp| match dp.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The exact DER of the TBSCertList (the signed bytes, never re-encoded).
fn tbs_bytes(der: &[u8]) -> Result<&[u8], der::Error> {
    let mut reader = SliceReader::new(der)?;
    // The outer SEQUENCE's header, then the first element whole.
    der::Header::decode(&mut reader)?;
    reader.tlv_bytes()
}

/// Checks the DER CRL `der` for `cert`, issued by `issuer`, as the module says: current at
/// the validation time `at` (nextUpdate not before it), not from after `now` (the time of the
/// check), and reads the certificate's entry.
pub fn verify(
    der: &[u8],
    cert: &Cert,
    issuer: &Cert,
    at: SystemTime,
    now: SystemTime,
) -> Result<CrlAnswer, CrlError> {
    let _span = tracing::trace_span!("verify.crl").entered();
    let malformed = |e: der::Error| CrlError::Malformed(e.to_string());
    let crl = CertificateList::from_der(der).map_err(malformed)?;
    let tbs = &crl.tbs_cert_list;
    if tbs.issuer != *issuer.subject() || cert.issuer() != issuer.subject() {
        return Err(CrlError::WrongIssuer {
            found: tbs.issuer.to_string(),
            expected: cert.issuer().to_string(),
        });
    }
    if !issuer.allows_key_usage(KeyUsages::CRLSign) {
        return Err(CrlError::NoCrlSign {
            issuer: issuer.subject().to_string(),
        });
    }
    let signed = tbs_bytes(der).map_err(malformed)?;
    crate::crypto::verify_shared(
        issuer.spki(),
        &crl.signature_algorithm,
        signed,
        crl.signature.raw_bytes(),
    )
    .map_err(CrlError::Signature)?;
    if crl.signature_algorithm != tbs.signature {
        return Err(CrlError::Malformed(
            "the signature algorithm differs inside and outside the signed part".into(),
        ));
    }
    let this_update = tbs.this_update.to_system_time();
    if this_update > now + SKEW {
        return Err(CrlError::FromTheFuture { this_update, now });
    }
    let next_update = tbs
        .next_update
        .ok_or(CrlError::NoNextUpdate)?
        .to_system_time();
    if next_update < at {
        return Err(CrlError::Stale { next_update, at });
    }
    for ext in tbs.crl_extensions.iter().flatten() {
        match ext.extn_id {
            ids::ID_CE_DELTA_CRL_INDICATOR => return Err(CrlError::Delta),
            ids::ID_CE_ISSUING_DISTRIBUTION_POINT => {
                let idp = IssuingDistributionPoint::from_der(ext.extn_value.as_bytes())
                    .map_err(malformed)?;
                check_scope(&idp, cert)?;
            }
            ids::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                let aki = AuthorityKeyIdentifier::from_der(ext.extn_value.as_bytes())
                    .map_err(malformed)?;
                if let (Some(kid), Some(ski)) = (aki.key_identifier, issuer.subject_key_id())
                    && kid.as_bytes() != ski
                {
                    return Err(CrlError::WrongIssuer {
                        found: format!("{} (another key)", tbs.issuer),
                        expected: cert.issuer().to_string(),
                    });
                }
            }
            ids::ID_CE_CRL_NUMBER | ids::ID_CE_FRESHEST_CRL => {}
            ids::ID_PE_AUTHORITY_INFO_ACCESS => {}
            oid if ext.critical => return Err(CrlError::UnknownCriticalExtension(oid)),
            _ => {}
        }
    }
    let mut status = CrlStatus::NotRevoked;
    for entry in tbs.revoked_certificates.iter().flatten() {
        let mut reason = None;
        for ext in entry.crl_entry_extensions.iter().flatten() {
            match ext.extn_id {
                ids::ID_CE_CRL_REASONS => {
                    reason =
                        Some(CrlReason::from_der(ext.extn_value.as_bytes()).map_err(malformed)?);
                }
                ids::ID_CE_CERTIFICATE_ISSUER => return Err(CrlError::Indirect),
                ids::ID_CE_INVALIDITY_DATE => {}
                oid if ext.critical => return Err(CrlError::UnknownCriticalExtension(oid)),
                _ => {}
            }
        }
        if entry.serial_number == *cert.serial() && reason != Some(CrlReason::RemoveFromCRL) {
            status = CrlStatus::Revoked {
                time: entry.revocation_date.to_system_time(),
                reason,
            };
        }
    }
    Ok(CrlAnswer {
        der: der.to_vec(),
        issuer: tbs.issuer.to_string(),
        this_update,
        next_update,
        status,
    })
}

/// RFC 5280 section 6.3.3 (b)(2): the issuingDistributionPoint must cover `cert`.
fn check_scope(idp: &IssuingDistributionPoint, cert: &Cert) -> Result<(), CrlError> {
    if idp.indirect_crl {
        return Err(CrlError::Indirect);
    }
    if idp.only_some_reasons.is_some() {
        return Err(CrlError::OutOfScope(
            "it covers only some revocation reasons",
        ));
    }
    if idp.only_contains_attribute_certs {
        return Err(CrlError::OutOfScope("it lists attribute certificates only"));
    }
    if idp.only_contains_user_certs && cert.is_ca() {
        return Err(CrlError::OutOfScope(
            "it lists end-entity certificates only and the certificate is a CA",
        ));
    }
    if idp.only_contains_ca_certs && !cert.is_ca() {
        return Err(CrlError::OutOfScope(
            "it lists CA certificates only and the certificate is not a CA",
        ));
    }
    match &idp.distribution_point {
        None => Ok(()),
        Some(DistributionPointName::FullName(names)) => {
            let ours = distribution_names(cert);
            if names.iter().any(|n| ours.contains(n)) {
                Ok(())
            } else {
                Err(CrlError::OutOfScope(
                    "its distribution point is none of the certificate's",
                ))
            }
        }
        Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => Err(CrlError::OutOfScope(
            "a distribution point relative to the issuer, which Signet does not compare",
        )),
    }
}

/// Fetches the CRL from `cert`'s distribution points: the first that answers with a CRL that
/// passes [`verify`] at `at` and at `now`, the present.
pub fn fetch_for(
    fetch: &dyn Fetch,
    cert: &Cert,
    issuer: &Cert,
    at: SystemTime,
    now: SystemTime,
) -> Result<CrlAnswer, CrlError> {
    let mut last = CrlError::NoDistributionPoint;
    for url in distribution_urls(cert) {
        tracing::debug!(serial = %cert.serial_hex(), url = %url, "fetching a CRL");
        let body = match fetch.get(&url, "application/pkix-crl") {
            Ok(a) if a.status == 200 && a.body.len() <= MAX_CRL => a.body,
            Ok(a) => {
                last = CrlError::Fetch(format!(
                    "CRL at {url}: HTTP status {} ({} bytes)",
                    a.status,
                    a.body.len()
                ));
                continue;
            }
            Err(e) => {
                last = CrlError::Fetch(format!("CRL at {url}: {e}"));
                continue;
            }
        };
        // A CRL fetched now must be current now, whatever time is judged.
        match verify(&body, cert, issuer, at.max(now), now) {
            Ok(answer) => return Ok(answer),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Where CRLs come from when a path's CA certificates are checked.
#[derive(Debug, Clone, Copy)]
pub struct CrlSource<'a> {
    /// CRLs carried by the signature (PAdES DSS, XAdES CRLValues, CMS crls), DER.
    pub stored: &'a [Vec<u8>],
    /// Fetch from the certificate's distribution points when no stored CRL is usable.
    pub online: Option<(&'a dyn Fetch, &'a dyn Clock)>,
    /// The time of the check (no stored CRL may be from after it).
    pub now: SystemTime,
}

impl CrlSource<'_> {
    /// The status of `cert` (issued by `issuer`) at the validation time `at`: from a stored
    /// CRL that passes [`verify`] (one that lists the certificate wins over one that does not),
    /// else fetched when online.
    pub fn status(
        &self,
        cert: &Cert,
        issuer: &Cert,
        at: SystemTime,
    ) -> Result<CrlAnswer, CrlError> {
        let mut found: Option<CrlAnswer> = None;
        let mut last = None;
        for der in self.stored {
            match verify(der, cert, issuer, at, self.now) {
                Ok(a) => {
                    let better = match (&found, &a.status) {
                        (None, _) => true,
                        (Some(f), CrlStatus::Revoked { .. }) => f.status == CrlStatus::NotRevoked,
                        _ => false,
                    };
                    if better {
                        found = Some(a);
                    }
                }
                // A CRL of another issuer is simply not about this certificate.
                Err(CrlError::WrongIssuer { .. }) => {}
                Err(e) => last = Some(e),
            }
        }
        if let Some(a) = found {
            return Ok(a);
        }
        match self.online {
            Some((fetch, clock)) => fetch_for(fetch, cert, issuer, at, clock.now()),
            None => Err(last.unwrap_or(CrlError::Offline)),
        }
    }
}
