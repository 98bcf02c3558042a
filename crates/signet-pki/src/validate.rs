//! Validating a certificate with its revocation status: the path, then OCSP for the end
//! certificate and CRLs for every CA certificate below the trust anchor.
//!
//! Missing revocation information is never good: without a usable answer the result is
//! INDETERMINATE (TRY_LATER when asking again may help), unless the caller's policy says
//! revocation is not required. A CA certificate revoked at or before the validation time is
//! INDETERMINATE / REVOKED_CA_NO_POE (EN 319 102-1 clause 5.2.6: the standard has no
//! TOTAL-FAILED sub-indication for a revoked CA); revoked after a proven time, the path passes
//! and the revocation is noted in [`PathReport::ca_revocation`].

use signet_core::{Clock, Fetch, Indication, SubIndication};

use crate::cert::Cert;
use crate::crl::{CrlSource, CrlStatus};
use crate::ocsp::{self, CertificateStatus, OcspAnswer, OcspError, OcspPolicy};
use crate::path::{CaRevocation, PathProblem, PathReport, PathValidator, Purpose, ValidationTime};

/// Where the revocation status comes from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Revocation<'a> {
    /// Ask the OCSP responder named in the certificate now.
    Online {
        /// The network.
        fetch: &'a dyn Fetch,
        /// The time of the check.
        clock: &'a dyn Clock,
        /// Freshness and nonce rules.
        policy: &'a OcspPolicy,
    },
    /// Offline: only this answer (embedded in a signature or cached, already verified with
    /// [`ocsp::verify_stored`]); `None` leaves the result INDETERMINATE.
    Offline(Option<&'a OcspAnswer>),
    /// The policy does not require revocation information (a B-B signature judged without it,
    /// as the validation policy states); nothing is checked.
    NotRequired,
}

impl PathReport {
    /// Adds what an OCSP query said about the end certificate to the report; an error is
    /// missing revocation information, which is never good (INDETERMINATE).
    pub fn add_revocation(&mut self, outcome: &Result<OcspAnswer, OcspError>) {
        let serial = self.chain.first().map(Cert::serial_hex).unwrap_or_default();
        match outcome {
            Ok(answer) => {
                self.revocation = Some(answer.clone());
                let (indication, sub) = answer.verdict(self.time);
                let Some(sub) = sub else { return };
                let problem = match answer.status {
                    CertificateStatus::Revoked { time, reason } => PathProblem::Revoked {
                        serial,
                        revoked_at: time,
                        reason: reason.map(|r| format!("{r:?}")),
                        at: self.time.at(),
                    },
                    _ => PathProblem::RevocationStatusUnknown { serial },
                };
                self.add(indication, sub, problem);
            }
            Err(e) => self.add(
                Indication::Indeterminate,
                e.sub_indication(),
                PathProblem::NoRevocationData {
                    reason: e.to_string(),
                },
            ),
        }
    }
}

impl PathReport {
    /// Checks every CA certificate of the path below the trust anchor against the CRLs of
    /// `crls` (its issuer's CRL, RFC 5280 section 6.3), at the report's validation time.
    pub fn add_ca_revocation(&mut self, crls: &CrlSource<'_>) {
        let at = self.time.at();
        let chain = self.chain.clone();
        // chain[0] is the end certificate, the last one the trust anchor.
        for pair in chain.windows(2).skip(1) {
            let [ca, issuer] = pair else { continue };
            if ca == issuer {
                continue;
            }
            let subject = ca.subject().to_string();
            match crls.status(ca, issuer, at) {
                Ok(answer) => {
                    let (revoked_at, reason) = match answer.status {
                        CrlStatus::NotRevoked => (None, None),
                        CrlStatus::Revoked { time, reason } => {
                            (Some(time), reason.map(|r| format!("{r:?}")))
                        }
                    };
                    tracing::debug!(
                        serial = %ca.serial_hex(),
                        revoked = revoked_at.is_some(),
                        "CA certificate checked against its issuer's CRL"
                    );
                    if let Some(revoked) = revoked_at
                        && revoked <= at
                    {
                        self.add(
                            Indication::Indeterminate,
                            SubIndication::RevokedCaNoPoe,
                            PathProblem::CaRevoked {
                                subject: subject.clone(),
                                serial: ca.serial_hex(),
                                revoked_at: revoked,
                                reason: reason.clone(),
                                at,
                            },
                        );
                    }
                    self.ca_revocation.push(CaRevocation {
                        subject,
                        serial: ca.serial_hex(),
                        this_update: answer.this_update,
                        next_update: answer.next_update,
                        revoked_at,
                        reason,
                    });
                }
                Err(e) => self.add(
                    Indication::Indeterminate,
                    e.sub_indication(),
                    PathProblem::NoCaRevocationData {
                        subject,
                        reason: e.to_string(),
                    },
                ),
            }
        }
    }
}

/// Validates `target` for `purpose` at `time` and checks its revocation status as `revocation`
/// says: OCSP for `target`, and CRLs fetched from the distribution points (online) for the CA
/// certificates below the anchor; offline, without CRLs, those are INDETERMINATE / TRY_LATER.
/// Revocation is looked up only when the path itself passed.
pub fn validate_certificate(
    validator: &PathValidator<'_>,
    target: &Cert,
    purpose: Purpose,
    time: ValidationTime,
    revocation: Revocation<'_>,
) -> PathReport {
    let crls = match revocation {
        Revocation::Online { fetch, clock, .. } => CrlSource {
            stored: &[],
            online: Some((fetch, clock)),
            now: clock.now(),
        },
        _ => CrlSource {
            stored: &[],
            online: None,
            now: time.at(),
        },
    };
    validate_certificate_with_crls(validator, target, purpose, time, revocation, &crls)
}

/// As [`validate_certificate`], with the CA certificates judged by `crls` (CRLs carried by a
/// signature, and a fetch when online). `Revocation::NotRequired` checks neither.
pub fn validate_certificate_with_crls(
    validator: &PathValidator<'_>,
    target: &Cert,
    purpose: Purpose,
    time: ValidationTime,
    revocation: Revocation<'_>,
    crls: &CrlSource<'_>,
) -> PathReport {
    let mut report = validator.validate(target, purpose, time);
    if !report.passed() {
        return report;
    }
    if !matches!(revocation, Revocation::NotRequired) {
        report.add_ca_revocation(crls);
    }
    let Some(issuer) = report.issuer().cloned() else {
        // A trust anchor itself: nothing above it can revoke it.
        return report;
    };
    let outcome = match revocation {
        Revocation::NotRequired => return report,
        Revocation::Online {
            fetch,
            clock,
            policy,
        } => ocsp::check_certificate(fetch, clock, target, &issuer, None, policy),
        Revocation::Offline(Some(answer)) => Ok(answer.clone()),
        Revocation::Offline(None) => Err(OcspError::Offline),
    };
    report.add_revocation(&outcome);
    report
}
