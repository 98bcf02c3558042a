//! Validating a certificate with its revocation status: the path, then OCSP.
//!
//! Missing revocation information is never good: without a usable answer the result is
//! INDETERMINATE (TRY_LATER when asking again may help), unless the caller's policy says
//! revocation is not required.

use signet_core::{Clock, Fetch, Indication};

use crate::cert::Cert;
use crate::ocsp::{self, CertificateStatus, OcspAnswer, OcspError, OcspPolicy};
use crate::path::{PathProblem, PathReport, PathValidator, Purpose, ValidationTime};

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

/// Validates `target` for `purpose` at `time` and checks its revocation status as `revocation`
/// says; revocation is looked up only when the path itself passed.
pub fn validate_certificate(
    validator: &PathValidator<'_>,
    target: &Cert,
    purpose: Purpose,
    time: ValidationTime,
    revocation: Revocation<'_>,
) -> PathReport {
    let mut report = validator.validate(target, purpose, time);
    if !report.passed() {
        return report;
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
