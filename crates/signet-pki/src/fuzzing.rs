//! The entry points of the fuzz targets in `fuzz/` (cargo-fuzz, see fuzz/README.md), here so
//! that `cargo test` replays the committed corpus through exactly the same code
//! (`tests/pki/fuzz_smoke.rs`). Each takes untrusted bytes and must never panic; the results
//! are thrown away.

use std::time::{Duration, SystemTime};

use crate::cert::Cert;
use crate::crypto::HashAlg;
use crate::ocsp::{OcspPolicy, verify_stored};
use crate::path::{PathValidator, TrustAnchors};
use crate::tsl::TrustedList;

/// A fixed instant (2025-03-01T00:00:00Z), so that runs are reproducible.
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_740_787_200)
}

/// The certificate parser, then the bytes as both end certificate and issuer for the others.
fn any_cert(data: &[u8]) -> Option<Cert> {
    Cert::from_der(data).ok()
}

/// An OCSPResponse parsed and judged about a certificate and issuer taken from its own
/// `certs` field when present.
pub fn ocsp_response(data: &[u8]) {
    let _ = any_cert(data);
    // A certificate that matches nothing: the whole response is still decoded and checked.
    let probe = Cert::from_der(FUZZ_CERT).ok();
    if let Some(cert) = probe {
        let _ = verify_stored(data, &cert, &cert, &OcspPolicy::default(), fixed_time());
    }
}

/// An RFC 3161 TimeStampToken verified against no anchors (parsing, CMS, TSTInfo and the
/// imprint check all run before the path is judged).
pub fn timestamp_token(data: &[u8]) {
    let anchors = TrustAnchors::default();
    let validator = PathValidator::new(&anchors, []);
    let digest = HashAlg::Sha256.digest(b"fuzz");
    let _ = crate::tsp::verify(data, HashAlg::Sha256, &digest, &validator, fixed_time());
}

/// A trusted list parsed, then verified against the pinned test signer.
pub fn trusted_list(data: &[u8]) {
    if let Ok(list) = TrustedList::parse_unverified(data) {
        let _ = list.anchors(fixed_time());
    }
    let pinned: Vec<Cert> = Cert::from_der(FUZZ_CERT).into_iter().collect();
    let _ = TrustedList::verify(data, &pinned);
}

/// A CRL judged (RFC 5280 6.3: issuer, extensions, entries, scope, signature) about the root
/// that issued the seed CRL, at the CRL's own thisUpdate so that mutations get past the
/// freshness checks to the extensions and entries; and about a certificate it did not issue.
pub fn crl(data: &[u8]) {
    use der::Decode as _;
    let Ok(issuer) = Cert::from_der(CRL_ISSUER) else {
        return;
    };
    let at = x509_cert::crl::CertificateList::from_der(data)
        .map(|c| c.tbs_cert_list.this_update.to_system_time())
        .unwrap_or_else(|_| fixed_time());
    let _ = crate::crl::verify(data, &issuer, &issuer, at, at);
    if let Ok(other) = Cert::from_der(FUZZ_CERT) {
        let _ = crate::crl::verify(data, &other, &issuer, at, at);
    }
}

/// The test root whose CRL seeds the `crl` corpus (written with it by the `seed_corpus` test).
const CRL_ISSUER: &[u8] = include_bytes!("fuzzing/crl-issuer.der");

/// libdigidocpp's test TSL signer certificate (LGPL-2.1, see tests/data/tsl/PROVENANCE.md),
/// as DER: any well-formed certificate serves.
const FUZZ_CERT: &[u8] = include_bytes!("fuzzing/tsl-signer.der");
