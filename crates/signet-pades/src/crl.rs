//! CRLs for B-LT (RFC 5280 section 5): fetched from a certificate's cRLDistributionPoints when
//! it names no OCSP responder, checked (issuer, signature by the issuer's key, freshness, the
//! certificate not listed) before they go into the DSS.

use std::time::{Duration, SystemTime};

use der::{Decode as _, Encode as _};
use signet_core::Fetch;
use signet_pki::Cert;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::CrlDistributionPoints;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

use crate::PadesError;

/// The largest CRL accepted.
const MAX_CRL: usize = 8 * 1024 * 1024;

/// Clock skew tolerated on `thisUpdate`.
const SKEW: Duration = Duration::from_secs(300);

/// The http(s) URLs of `cert`'s cRLDistributionPoints (full names only).
pub fn distribution_urls(cert: &Cert) -> Vec<String> {
    let Some(exts) = cert.inner().tbs_certificate.extensions.as_ref() else {
        return Vec::new();
    };
    let mut urls = Vec::new();
    for ext in exts
        .iter()
        .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS)
    {
        let Ok(cdp) = CrlDistributionPoints::from_der(ext.extn_value.as_bytes()) else {
            continue;
        };
        for dp in cdp.0 {
            if let Some(DistributionPointName::FullName(names)) = dp.distribution_point {
                for name in names {
                    if let GeneralName::UniformResourceIdentifier(uri) = name {
                        let url = uri.to_string();
                        if url.starts_with("http://") || url.starts_with("https://") {
                            urls.push(url);
                        }
                    }
                }
            }
        }
    }
    urls
}

/// Checks a DER CRL for `cert`: issued by `issuer` (name and signature), current at `now`
/// (`thisUpdate` not in the future, `nextUpdate` present and not passed) and not listing
/// `cert`'s serial number.
pub fn check(der: &[u8], cert: &Cert, issuer: &Cert, now: SystemTime) -> Result<(), PadesError> {
    let bad = |why: String| PadesError::Revocation(format!("CRL for {}: {why}", cert.serial_hex()));
    let crl = CertificateList::from_der(der).map_err(|e| bad(format!("not a DER CRL: {e}")))?;
    let tbs = &crl.tbs_cert_list;
    if tbs.issuer != *issuer.subject() {
        return Err(bad(
            "issued by another name than the certificate's issuer".into()
        ));
    }
    let tbs_der = tbs.to_der().map_err(|e| bad(e.to_string()))?;
    signet_pki::crypto::verify(
        issuer.spki(),
        &crl.signature_algorithm,
        &tbs_der,
        crl.signature.raw_bytes(),
    )
    .map_err(|e| bad(format!("signature not made by the issuer's key: {e}")))?;
    let this_update = tbs.this_update.to_system_time();
    if this_update > now + SKEW {
        return Err(bad("thisUpdate is in the future".into()));
    }
    match tbs.next_update {
        Some(next) if next.to_system_time() >= now => {}
        Some(_) => return Err(bad("outdated (nextUpdate has passed)".into())),
        None => return Err(bad("no nextUpdate: freshness unknown".into())),
    }
    if tbs
        .revoked_certificates
        .iter()
        .flatten()
        .any(|r| r.serial_number == *cert.serial())
    {
        return Err(bad("the certificate is revoked".into()));
    }
    Ok(())
}

/// Fetches the CRL from `cert`'s distribution points (the first that answers with a CRL that
/// passes [`check`]).
pub fn fetch_for(
    fetch: &dyn Fetch,
    cert: &Cert,
    issuer: &Cert,
    now: SystemTime,
) -> Result<Option<Vec<u8>>, PadesError> {
    let mut last = None;
    for url in distribution_urls(cert) {
        let answer = match fetch.get(&url, "application/pkix-crl") {
            Ok(a) if a.status == 200 && a.body.len() <= MAX_CRL => a,
            Ok(a) => {
                last = Some(PadesError::Revocation(format!(
                    "CRL at {url}: HTTP status {} ({} bytes)",
                    a.status,
                    a.body.len()
                )));
                continue;
            }
            Err(e) => {
                last = Some(PadesError::Revocation(format!("CRL at {url}: {e}")));
                continue;
            }
        };
        match check(&answer.body, cert, issuer, now) {
            Ok(()) => {
                tracing::debug!(url, bytes = answer.body.len(), "CRL fetched and checked");
                return Ok(Some(answer.body));
            }
            Err(e) => last = Some(e),
        }
    }
    last.map_or(Ok(None), Err)
}
