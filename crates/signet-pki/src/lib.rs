//! Trust for Signet: certificate path validation at a given time, OCSP (RFC 6960) and
//! time-stamp (RFC 3161) clients.
//!
//! Nothing here reads the system clock or opens a socket: the time comes from a
//! [`signet_core::Clock`] or a [`ValidationTime`], the network from a [`signet_core::Fetch`].
//! Results speak ETSI EN 319 102-1: an [`signet_core::Indication`], a
//! [`signet_core::SubIndication`] and the findings behind them, never a bare boolean.
//!
//! - [`Cert`]: a parsed certificate with the extensions Signet acts on.
//! - [`pem`]: the one PEM reader (certificates, keys, CA files).
//! - [`PathValidator`]: path building and validation against [`TrustAnchors`].
//! - [`crypto`]: signature verification and the accepted algorithms.
//! - [`ber`]: BER re-encoded as DER, for the CMS that some signers and TSAs write.
//! - [`ocsp`]: the OCSP client, [`ocsp::check_certificate`].
//! - [`crl`]: CRL verification and fetching (RFC 5280), for the CA certificates of a path.
//! - [`tsp`]: the RFC 3161 client, [`tsp::request_timestamp`], and token verification.
//! - [`signed_data`]: verification of a one-signer CMS SignedData.
//! - [`cades`]: building a SignedData around a card's signature, with the CAdES signed attributes.
//! - [`xmldsig`]: XML-DSig verification (C14N 1.0/1.1/exclusive, RSA and ECDSA).
//! - [`tsl`]: ETSI TS 119 612 trusted lists: parse, verify against pinned signers, anchors.
//! - [`lotl`]: the EU LOTL walk from pinned signers through pivots to the national lists.
//! - [`trust_store`]: the cache of LOTL and national lists, updated through a Fetch.
//! - [`qualification`]: a certificate's qualification under a list's CA/QC service (TS 119 615).
//! - [`validate_certificate`]: a path and its revocation status in one report.

mod asn1;
pub mod ber;
pub mod cades;
pub mod cert;
pub mod crl;
pub mod crypto;
#[doc(hidden)]
pub mod fuzzing;
pub mod lotl;
pub mod ocsp;
pub mod path;
pub mod pem;
pub mod qualification;
pub mod signed_data;
pub mod time;
pub mod trust_store;
pub mod tsl;
pub mod tsp;
pub mod validate;
pub mod xmldsig;

pub use cert::{Cert, CertError, CertSummary, QcStatements};
pub use path::{
    CaRevocation, Finding, PathProblem, PathReport, PathValidator, Purpose, TrustAnchors,
    ValidationTime,
};
pub use validate::{Revocation, validate_certificate, validate_certificate_with_crls};
