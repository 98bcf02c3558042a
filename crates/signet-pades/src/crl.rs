//! CRLs for B-LT (RFC 5280 section 5): fetched from a certificate's cRLDistributionPoints when
//! it names no OCSP responder, checked before they go into the DSS. The parsing and the checks
//! (issuer, signature, freshness, extensions, scope) are signet-pki's ([`signet_pki::crl`]);
//! here a listed certificate is an error, since revoked data is not embedded.

use std::time::SystemTime;

use signet_core::Fetch;
use signet_pki::Cert;
use signet_pki::crl::{self, CrlStatus};

use crate::PadesError;

/// The http(s) URLs of `cert`'s cRLDistributionPoints (full names only).
pub fn distribution_urls(cert: &Cert) -> Vec<String> {
    crl::distribution_urls(cert)
}

fn error(cert: &Cert, why: impl std::fmt::Display) -> PadesError {
    PadesError::Revocation(format!("CRL for {}: {why}", cert.serial_hex()))
}

/// Checks a DER CRL for `cert`: issued by `issuer` (name and signature), current at `now`
/// (`thisUpdate` not in the future, `nextUpdate` present and not passed) and not listing
/// `cert`'s serial number.
pub fn check(der: &[u8], cert: &Cert, issuer: &Cert, now: SystemTime) -> Result<(), PadesError> {
    let answer = crl::verify(der, cert, issuer, now, now).map_err(|e| error(cert, e))?;
    match answer.status {
        CrlStatus::NotRevoked => Ok(()),
        CrlStatus::Revoked { .. } => Err(error(cert, "the certificate is revoked")),
    }
}

/// Fetches the CRL from `cert`'s distribution points (the first that answers with a CRL that
/// passes [`check`]); `None` when the certificate names no http(s) distribution point.
pub fn fetch_for(
    fetch: &dyn Fetch,
    cert: &Cert,
    issuer: &Cert,
    now: SystemTime,
) -> Result<Option<Vec<u8>>, PadesError> {
    match crl::fetch_for(fetch, cert, issuer, now, now) {
        Ok(answer) => match answer.status {
            CrlStatus::NotRevoked => {
                tracing::debug!(bytes = answer.der.len(), "CRL fetched and checked");
                Ok(Some(answer.der))
            }
            CrlStatus::Revoked { .. } => Err(error(cert, "the certificate is revoked")),
        },
        Err(crl::CrlError::NoDistributionPoint) => Ok(None),
        Err(e) => Err(error(cert, e)),
    }
}
