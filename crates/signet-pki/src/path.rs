//! Certificate path building and validation at a given time (RFC 5280 section 6, the parts a
//! signature validator needs), reported in the vocabulary of ETSI EN 319 102-1 (clause 5.2.6,
//! "X.509 certificate validation").
//!
//! Checked: each signature in the path (with the algorithm policy of [`crate::crypto`]), each
//! validity period against the validation time, name chaining (issuer = subject, and
//! authorityKeyIdentifier = subjectKeyIdentifier where both are present), basicConstraints cA and
//! pathLenConstraint, keyCertSign on issuers, unknown critical extensions, and the key usage the
//! purpose needs on the end certificate. Not (yet) processed: certificate policies, name
//! constraints (a critical nameConstraints extension therefore fails the path). The revocation
//! of the path's certificates is checked by [`crate::validate`] (OCSP for the end certificate,
//! CRLs for the CAs).
//!
//! | finding | indication / sub-indication |
//! | --- | --- |
//! | no path to a trust anchor | INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND |
//! | a signature in the path does not verify; not a CA; pathLen exceeded; unknown critical extension | INDETERMINATE / CERTIFICATE_CHAIN_GENERAL_FAILURE |
//! | algorithm or key size refused by policy | INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE |
//! | end certificate not yet valid | TOTAL-FAILED / NOT_YET_VALID |
//! | end certificate expired, time is the present | INDETERMINATE / OUT_OF_BOUNDS_NO_POE |
//! | end certificate expired, time is proven | TOTAL-FAILED / EXPIRED |
//! | a CA certificate expired | INDETERMINATE / OUT_OF_BOUNDS_NO_POE |
//! | key usage or EKU not fit for the purpose | INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE |

use std::fmt;
use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use signet_core::{Clock, Indication, SubIndication};
use x509_cert::ext::pkix::KeyUsages;

use crate::cert::{Cert, CertSummary, QcStatements, oid};
use crate::crypto::{CryptoError, PublicKey};
use crate::time::Utc;

/// The longest path (certificates, anchor included) the builder tries.
const MAX_PATH: usize = 8;

/// What the end certificate is to be used for; decides the key usage it must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// An electronic signature: keyUsage nonRepudiation (contentCommitment), as on every
    /// Estonian signing certificate.
    Signature,
    /// Client authentication: keyUsage digitalSignature and, if extKeyUsage is present,
    /// id-kp-clientAuth.
    Authentication,
    /// Signing OCSP responses: id-kp-OCSPSigning (RFC 6960 section 4.2.2.2).
    OcspSigning,
    /// Signing time-stamps: extKeyUsage critical with id-kp-timeStamping only (RFC 3161
    /// section 2.3).
    TimeStamping,
    /// No key usage requirement.
    Any,
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Signature => "electronic signatures",
            Self::Authentication => "authentication",
            Self::OcspSigning => "signing OCSP responses",
            Self::TimeStamping => "time-stamping",
            Self::Any => "any use",
        })
    }
}

/// The time a path is validated at, and what is known about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationTime {
    /// The present, read from a clock: nothing proves the signed object existed earlier, so an
    /// expired certificate is INDETERMINATE (OUT_OF_BOUNDS_NO_POE), not failed.
    Current(SystemTime),
    /// A time at which the signed object is proven to exist (a time-stamp's genTime), or the
    /// time a person asked about: a certificate expired or revoked before it is TOTAL-FAILED.
    Proven(SystemTime),
}

impl ValidationTime {
    /// The present according to `clock`.
    pub fn now(clock: &dyn Clock) -> Self {
        Self::Current(clock.now())
    }

    /// The instant.
    pub fn at(self) -> SystemTime {
        match self {
            Self::Current(t) | Self::Proven(t) => t,
        }
    }

    /// Whether the time is proven rather than merely the present.
    pub fn is_proven(self) -> bool {
        matches!(self, Self::Proven(_))
    }
}

/// The certificates trusted without further proof (from a configuration file or, later, a
/// trusted list).
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    anchors: Vec<Cert>,
}

impl TrustAnchors {
    /// Anchors from certificates.
    pub fn new(anchors: impl IntoIterator<Item = Cert>) -> Self {
        Self {
            anchors: anchors.into_iter().collect(),
        }
    }

    /// Adds an anchor.
    pub fn push(&mut self, anchor: Cert) {
        if !self.anchors.contains(&anchor) {
            self.anchors.push(anchor);
        }
    }

    /// Whether `cert` is an anchor.
    pub fn contains(&self, cert: &Cert) -> bool {
        self.anchors.contains(cert)
    }

    /// The anchors.
    pub fn iter(&self) -> impl Iterator<Item = &Cert> {
        self.anchors.iter()
    }
}

/// One thing found wrong with a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathProblem {
    /// No issuer certificate leads to a trust anchor.
    #[error("no certificate path from the certificate issued by {issuer} to a trust anchor")]
    NoChain {
        /// The issuer name the builder looked for.
        issuer: String,
    },
    /// The issuer's key does not verify a certificate's signature.
    #[error(
        "the signature of the certificate with serial {serial} does not verify with the key of {issuer}: {reason}"
    )]
    BadSignature {
        /// The certificate's serial.
        serial: String,
        /// The issuer tried.
        issuer: String,
        /// Why.
        reason: CryptoError,
    },
    /// An algorithm or key size refused by the policy.
    #[error("certificate with serial {serial}: {reason}")]
    Crypto {
        /// The certificate's serial.
        serial: String,
        /// Why.
        reason: CryptoError,
    },
    /// The certificate expired before the validation time.
    #[error("certificate {subject} expired on {}, validation time {}", Utc(*not_after), Utc(*at))]
    Expired {
        /// The certificate's subject.
        subject: String,
        /// notAfter.
        not_after: SystemTime,
        /// The validation time.
        at: SystemTime,
    },
    /// The certificate is valid only after the validation time.
    #[error("certificate {subject} is valid only from {}, validation time {}", Utc(*not_before), Utc(*at))]
    NotYetValid {
        /// The certificate's subject.
        subject: String,
        /// notBefore.
        not_before: SystemTime,
        /// The validation time.
        at: SystemTime,
    },
    /// An issuer in the path is not a CA (basicConstraints cA absent or false).
    #[error("issuer {subject} is not a certification authority (basicConstraints)")]
    NotCa {
        /// The issuer's subject.
        subject: String,
    },
    /// An issuer's keyUsage lacks keyCertSign.
    #[error("issuer {subject} may not sign certificates (keyUsage without keyCertSign)")]
    NoKeyCertSign {
        /// The issuer's subject.
        subject: String,
    },
    /// More intermediate CAs below an issuer than its pathLenConstraint allows.
    #[error("issuer {subject} allows {allowed} intermediate CAs below it, the path has {found}")]
    PathTooLong {
        /// The issuer's subject.
        subject: String,
        /// pathLenConstraint.
        allowed: u8,
        /// Intermediates found.
        found: usize,
    },
    /// A critical extension Signet does not process (RFC 5280 section 4.2).
    #[error(
        "certificate {subject} has the critical extension {oid}, which Signet does not process"
    )]
    UnknownCriticalExtension {
        /// The certificate's subject.
        subject: String,
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// The certificate was revoked.
    #[error("certificate with serial {serial} was revoked on {}{}, validation time {}", Utc(*revoked_at), reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(), Utc(*at))]
    Revoked {
        /// The certificate's serial.
        serial: String,
        /// revocationTime.
        revoked_at: SystemTime,
        /// The reason, when given.
        reason: Option<String>,
        /// The validation time.
        at: SystemTime,
    },
    /// The responder does not know the certificate.
    #[error("the OCSP responder does not know the certificate with serial {serial}")]
    RevocationStatusUnknown {
        /// The certificate's serial.
        serial: String,
    },
    /// No usable revocation information: never taken as good.
    #[error("no usable revocation information: {reason}")]
    NoRevocationData {
        /// Why.
        reason: String,
    },
    /// A CA certificate of the path was revoked at or before the validation time (EN 319 102-1
    /// clause 5.2.6: INDETERMINATE / REVOKED_CA_NO_POE).
    #[error("CA certificate {subject} (serial {serial}) was revoked on {}{}, before the validation time {}", Utc(*revoked_at), reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(), Utc(*at))]
    CaRevoked {
        /// The CA's subject.
        subject: String,
        /// The CA certificate's serial.
        serial: String,
        /// The CRL entry's revocationDate.
        revoked_at: SystemTime,
        /// The reasonCode, when given.
        reason: Option<String>,
        /// The validation time.
        at: SystemTime,
    },
    /// No usable revocation information about a CA certificate of the path: never good.
    #[error("no usable revocation information for CA certificate {subject}: CRL {reason}")]
    NoCaRevocationData {
        /// The CA's subject.
        subject: String,
        /// Why.
        reason: String,
    },
    /// The end certificate's key usage does not allow the purpose.
    #[error("the certificate is not for {purpose}: {found}")]
    WrongKeyUsage {
        /// What it was to be used for.
        purpose: Purpose,
        /// What it allows.
        found: String,
    },
}

/// A problem with its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The main indication this problem leads to.
    pub indication: Indication,
    /// Why.
    pub sub_indication: SubIndication,
    /// The problem, with the values a person needs.
    pub problem: PathProblem,
}

/// The result of validating one certificate path.
#[derive(Debug, Clone)]
pub struct PathReport {
    /// TOTAL-PASSED only when no finding was made.
    pub indication: Indication,
    /// The sub-indication of the deciding finding.
    pub sub_indication: Option<SubIndication>,
    /// Every problem found, the deciding one first.
    pub findings: Vec<Finding>,
    /// The path, end certificate first and trust anchor last; empty when none was found.
    pub chain: Vec<Cert>,
    /// The validation time.
    pub time: ValidationTime,
    /// The purpose checked.
    pub purpose: Purpose,
    /// The verified OCSP answer about the end certificate, when one was used.
    pub revocation: Option<crate::ocsp::OcspAnswer>,
    /// What the CRLs said about each CA certificate of the path checked for revocation
    /// (anchors are not checked), issuing CA first.
    pub ca_revocation: Vec<CaRevocation>,
    /// Remarks that do not fail the path: a legacy algorithm (SHA-1) accepted because the
    /// validation time, proven, is before its sunset.
    pub warnings: Vec<String>,
}

/// What a verified CRL said about one CA certificate of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaRevocation {
    /// The CA's subject.
    pub subject: String,
    /// The CA certificate's serial.
    pub serial: String,
    /// The CRL's thisUpdate.
    pub this_update: SystemTime,
    /// The CRL's nextUpdate.
    pub next_update: SystemTime,
    /// The revocation time when listed: at or before the validation time fails the path; after
    /// it, the path passes and the revocation stays noted here.
    pub revoked_at: Option<SystemTime>,
    /// The reasonCode, when listed with one.
    pub reason: Option<String>,
}

impl PathReport {
    fn new(time: ValidationTime, purpose: Purpose) -> Self {
        Self {
            indication: Indication::TotalPassed,
            sub_indication: None,
            findings: Vec::new(),
            chain: Vec::new(),
            time,
            purpose,
            revocation: None,
            ca_revocation: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records a finding; the worst indication decides, the first of equals wins.
    pub fn add(
        &mut self,
        indication: Indication,
        sub_indication: SubIndication,
        problem: PathProblem,
    ) {
        let finding = Finding {
            indication,
            sub_indication,
            problem,
        };
        if self.findings.is_empty() || indication.worse(self.indication) != self.indication {
            self.indication = indication;
            self.sub_indication = Some(sub_indication);
            self.findings.insert(0, finding);
        } else {
            self.findings.push(finding);
        }
    }

    /// Whether the path passed.
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }

    /// The end certificate's issuer, when a path was found.
    pub fn issuer(&self) -> Option<&Cert> {
        self.chain.get(1)
    }

    /// Summaries of the path's certificates, end certificate first.
    pub fn summaries(&self) -> Vec<CertSummary> {
        self.chain.iter().map(Cert::summary).collect()
    }

    /// The end certificate's qcStatements, when a path was found and it has them.
    pub fn qc_statements(&self) -> Option<&QcStatements> {
        self.chain.first().and_then(|c| c.qc_statements())
    }
}

/// Builds and validates paths from end certificates to trust anchors.
#[derive(Debug, Clone)]
pub struct PathValidator<'a> {
    anchors: &'a TrustAnchors,
    intermediates: Vec<Cert>,
}

impl<'a> PathValidator<'a> {
    /// A validator with `anchors` and candidate intermediate CA certificates (from the signature,
    /// the card, a cache); intermediates are not trusted by being here.
    pub fn new(anchors: &'a TrustAnchors, intermediates: impl IntoIterator<Item = Cert>) -> Self {
        Self {
            anchors,
            intermediates: intermediates.into_iter().collect(),
        }
    }

    /// Validates `target` for `purpose` at `time`.
    pub fn validate(&self, target: &Cert, purpose: Purpose, time: ValidationTime) -> PathReport {
        let _span = tracing::trace_span!("verify.path").entered();
        let mut report = PathReport::new(time, purpose);
        match self.build(target) {
            Ok(chain) => {
                report.chain = chain;
                check_path(&mut report);
            }
            Err(problem) => {
                let problem = *problem;
                let sub = match &problem {
                    PathProblem::Crypto { .. } => SubIndication::CryptoConstraintsFailure,
                    PathProblem::BadSignature { .. } => {
                        SubIndication::CertificateChainGeneralFailure
                    }
                    _ => SubIndication::NoCertificateChainFound,
                };
                report.add(Indication::Indeterminate, sub, problem);
            }
        }
        tracing::debug!(
            serial = %target.serial_hex(),
            issuer = %target.issuer_for_logs(),
            purpose = ?purpose,
            indication = %report.indication,
            sub_indication = ?report.sub_indication,
            "certificate path validated"
        );
        report
    }

    /// The certificates above `top` (a path's last certificate, typically an anchor that is not
    /// self-issued, such as an issuing CA trusted directly): its issuer among the anchors and
    /// intermediates, then that one's, until a self-issued certificate or none is found. For
    /// signers that want the revocation data a verifier trusting only the root needs.
    pub fn issuers_above(&self, top: &Cert) -> Vec<Cert> {
        let mut above: Vec<Cert> = Vec::new();
        let mut current = top.clone();
        while !current.is_self_issued() && above.len() < 8 {
            let Some(issuer) = self
                .candidates(&current)
                .find(|c| {
                    *c != &current && !above.contains(c) && current.verify_signed_by(c).is_ok()
                })
                .cloned()
            else {
                break;
            };
            above.push(issuer.clone());
            current = issuer;
        }
        above
    }

    fn candidates<'s>(&'s self, cert: &'s Cert) -> impl Iterator<Item = &'s Cert> {
        self.anchors
            .iter()
            .chain(self.intermediates.iter())
            .filter(move |c| {
                c.subject() == cert.issuer()
                    && match (cert.authority_key_id(), c.subject_key_id()) {
                        (Some(aki), Some(ski)) => aki == ski,
                        _ => true,
                    }
            })
    }

    /// Depth-first search for a path whose signatures verify; the first problem met explains a
    /// failure.
    fn build(&self, target: &Cert) -> Result<Vec<Cert>, Box<PathProblem>> {
        let mut path = vec![target.clone()];
        let mut first_problem = None;
        if self.extend(&mut path, &mut first_problem) {
            Ok(path)
        } else {
            Err(Box::new(first_problem.unwrap_or_else(|| {
                PathProblem::NoChain {
                    issuer: target.issuer().to_string(),
                }
            })))
        }
    }

    fn extend(&self, path: &mut Vec<Cert>, problem: &mut Option<PathProblem>) -> bool {
        let Some(current) = path.last().cloned() else {
            return false;
        };
        if self.anchors.contains(&current) {
            return true;
        }
        if path.len() >= MAX_PATH {
            return false;
        }
        let candidates: Vec<Cert> = self
            .candidates(&current)
            .filter(|c| !path.contains(c))
            .cloned()
            .collect();
        for candidate in candidates {
            // Legacy algorithms verify here; check_path judges their sunset.
            match current.verify_signed_by_legacy(&candidate) {
                Ok(_) => {
                    path.push(candidate);
                    if self.extend(path, problem) {
                        return true;
                    }
                    path.pop();
                }
                Err(reason) => {
                    if problem.is_none() {
                        *problem = Some(if reason.is_policy() {
                            PathProblem::Crypto {
                                serial: current.serial_hex(),
                                reason,
                            }
                        } else {
                            PathProblem::BadSignature {
                                serial: current.serial_hex(),
                                issuer: candidate.subject().to_string(),
                                reason,
                            }
                        });
                    }
                }
            }
        }
        if problem.is_none() && path.len() > 1 {
            // The path stopped at an intermediate whose issuer is unknown.
            *problem = Some(PathProblem::NoChain {
                issuer: current.issuer().to_string(),
            });
        }
        false
    }
}

fn check_path(report: &mut PathReport) {
    let time = report.time;
    let at = time.at();
    let chain = report.chain.clone();
    let last = chain.len().saturating_sub(1);
    for (i, cert) in chain.iter().enumerate() {
        let is_target = i == 0;
        let is_anchor = i == last;
        let subject = cert.subject().to_string();
        if at > cert.not_after() {
            let problem = PathProblem::Expired {
                subject: subject.clone(),
                not_after: cert.not_after(),
                at,
            };
            if is_target && time.is_proven() {
                report.add(Indication::TotalFailed, SubIndication::Expired, problem);
            } else {
                report.add(
                    Indication::Indeterminate,
                    SubIndication::OutOfBoundsNoPoe,
                    problem,
                );
            }
        }
        if at < cert.not_before() {
            let problem = PathProblem::NotYetValid {
                subject: subject.clone(),
                not_before: cert.not_before(),
                at,
            };
            if is_target {
                report.add(Indication::TotalFailed, SubIndication::NotYetValid, problem);
            } else {
                report.add(
                    Indication::Indeterminate,
                    SubIndication::CertificateChainGeneralFailure,
                    problem,
                );
            }
        }
        // Every key in the chain signs something (the next certificate, or the signed object
        // for the target): its type and size must not be past their sunset at the time judged.
        // A proven time judges the key at that time; the present, with no proof of existence
        // before the sunset, is INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
        if let Ok(key) = PublicKey::from_spki(cert.spki())
            && let Err(reason) = key.check_sunset(at)
        {
            report.add(
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailureNoPoe,
                PathProblem::Crypto {
                    serial: cert.serial_hex(),
                    reason,
                },
            );
        }
        if !is_anchor {
            check_legacy_signature(report, cert, time);
        }
        if is_anchor && !is_target {
            // A trust anchor is trusted as configured; only its validity period and
            // pathLenConstraint count.
            check_issuer_path_len(report, cert, i);
            continue;
        }
        for oid in cert.unknown_critical_extensions() {
            report.add(
                Indication::Indeterminate,
                SubIndication::CertificateChainGeneralFailure,
                PathProblem::UnknownCriticalExtension {
                    subject: subject.clone(),
                    oid: *oid,
                },
            );
        }
        if is_target {
            if let Err(reason) = PublicKey::from_spki(cert.spki()) {
                report.add(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    PathProblem::Crypto {
                        serial: cert.serial_hex(),
                        reason,
                    },
                );
            }
            if let Some(found) = unfit_for(cert, report.purpose) {
                report.add(
                    Indication::Indeterminate,
                    SubIndication::ChainConstraintsFailure,
                    PathProblem::WrongKeyUsage {
                        purpose: report.purpose,
                        found,
                    },
                );
            }
        } else {
            if !cert.is_ca() {
                report.add(
                    Indication::Indeterminate,
                    SubIndication::CertificateChainGeneralFailure,
                    PathProblem::NotCa {
                        subject: subject.clone(),
                    },
                );
            }
            if !cert.allows_key_usage(KeyUsages::KeyCertSign) {
                report.add(
                    Indication::Indeterminate,
                    SubIndication::CertificateChainGeneralFailure,
                    PathProblem::NoKeyCertSign {
                        subject: subject.clone(),
                    },
                );
            }
            check_issuer_path_len(report, cert, i);
        }
    }
}

/// A certificate signed with a legacy algorithm (SHA-1): acceptable only when the time judged
/// is a proof of existence (a time-stamp's genTime, a BDOC time-mark's producedAt, `--at`)
/// before the algorithm's sunset, with a warning naming it; otherwise INDETERMINATE /
/// CRYPTO_CONSTRAINTS_FAILURE_NO_POE. The present is no proof: a collision-forged certificate
/// would look the same today.
fn check_legacy_signature(report: &mut PathReport, cert: &Cert, time: ValidationTime) {
    let Some(entry) = crate::crypto::legacy_certificate_algorithm(cert.signature_algorithm())
    else {
        return;
    };
    let Some(sunset) = entry.sunset() else {
        return;
    };
    let at = time.at();
    if time.is_proven() && at < sunset {
        report.warnings.push(format!(
            "certificate {} is signed with {}: accepted because the signature is proven to exist at {}, before the algorithm's sunset ({})",
            cert.subject(),
            entry.what,
            Utc(at),
            Utc(sunset)
        ));
    } else {
        report.add(
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailureNoPoe,
            PathProblem::Crypto {
                serial: cert.serial_hex(),
                reason: CryptoError::PastSunset {
                    what: entry.what,
                    sunset,
                },
            },
        );
    }
}

/// RFC 5280 section 4.2.1.9: pathLenConstraint counts the non-self-issued intermediate CA
/// certificates that may follow this one in the path.
fn check_issuer_path_len(report: &mut PathReport, issuer: &Cert, index: usize) {
    let Some(allowed) = issuer
        .basic_constraints()
        .and_then(|bc| bc.path_len_constraint)
    else {
        return;
    };
    let found = report.chain[1..index]
        .iter()
        .filter(|c| !c.is_self_issued())
        .count();
    if found > usize::from(allowed) {
        report.add(
            Indication::Indeterminate,
            SubIndication::CertificateChainGeneralFailure,
            PathProblem::PathTooLong {
                subject: issuer.subject().to_string(),
                allowed,
                found,
            },
        );
    }
}

fn key_usage_text(cert: &Cert) -> String {
    let Some(ku) = cert.key_usage() else {
        return "no keyUsage".to_owned();
    };
    let names: Vec<String> = ku.0.into_iter().map(|u| format!("{u:?}")).collect();
    format!("keyUsage {}", names.join(", "))
}

/// Why `cert` is not fit for `purpose`, or `None` when it is.
fn unfit_for(cert: &Cert, purpose: Purpose) -> Option<String> {
    match purpose {
        Purpose::Any => None,
        Purpose::Signature => {
            let ok = cert
                .key_usage()
                .is_some_and(|ku| ku.0.contains(KeyUsages::NonRepudiation));
            (!ok).then(|| format!("{} (nonRepudiation needed)", key_usage_text(cert)))
        }
        Purpose::Authentication => {
            if !cert.allows_key_usage(KeyUsages::DigitalSignature) || cert.key_usage().is_none() {
                Some(format!(
                    "{} (digitalSignature needed)",
                    key_usage_text(cert)
                ))
            } else if cert.ext_key_usage().is_some()
                && !cert.has_ext_key_usage(oid::ID_KP_CLIENT_AUTH)
            {
                Some("extKeyUsage without clientAuth".to_owned())
            } else {
                None
            }
        }
        Purpose::OcspSigning => (!cert.has_ext_key_usage(oid::ID_KP_OCSP_SIGNING))
            .then(|| "extKeyUsage without OCSPSigning".to_owned()),
        Purpose::TimeStamping => match cert.ext_key_usage() {
            None => Some("no extKeyUsage (timeStamping needed)".to_owned()),
            Some((purposes, critical)) => {
                if purposes != [oid::ID_KP_TIME_STAMPING] {
                    Some("extKeyUsage is not timeStamping alone".to_owned())
                } else if !critical {
                    Some("extKeyUsage timeStamping is not critical".to_owned())
                } else {
                    None
                }
            }
        },
    }
}
