//! PAdES for Signet (ETSI EN 319 142-1): signing sessions from B-B to B-LTA over any
//! [`signet_token::SigningToken`], and validation of every signature in a PDF with the checks
//! that stop USF, ISA, SWA and shadow attacks and a modification analysis of every later
//! revision.
//!
//! - [`sign`]: typed stages prepare → digest → external signature → embed.
//! - [`ltv`]: `/DSS` with certificates and OCSP responses (B-LT), document time-stamps (B-LTA).
//! - [`validate`]: per-signature AdES results with the facts behind them.
//!
//! No clock, no network of its own: times come from the caller, the network through a
//! [`signet_core::Fetch`].

pub mod appearance;
pub mod crl;
mod diff;
mod dss_ocsp;
pub mod font;
#[doc(hidden)]
pub mod fuzzing;
pub mod ltv;
pub mod output;
mod overlay;
mod revision_docs;
pub mod sign;
mod signing_cert;
pub mod stripped;
pub mod validate;

/// A time-stamping authority: given the hash function and a digest, the DER TimeStampToken.
pub type Timestamper<'t> =
    dyn FnMut(signet_pki::crypto::HashAlg, &[u8]) -> Result<Vec<u8>, PadesError> + 't;

pub use sign::{DocMdp, Prepared, SignOptions, Signed, SignerCerts, ToSign, prepare};

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PadesError {
    /// The PDF could not be read or updated.
    #[error(transparent)]
    Pdf(#[from] signet_pdf::PdfError),
    /// The CMS could not be built.
    #[error("building the CMS signature failed: {0}")]
    Cms(#[from] signet_pki::cades::CadesError),
    /// DER encoding or decoding failed.
    #[error("DER: {0}")]
    Der(String),
    /// The signature did not fit.
    #[error("the signature ({needed} bytes) does not fit the {reserved} bytes reserved for it")]
    PlaceholderTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// The file is too large for a 10-digit ByteRange.
    #[error("the PDF is too large to sign (over 9 999 999 999 bytes)")]
    TooLarge,
    /// Signing this document this way is refused.
    #[error("{0}")]
    Refused(String),
    /// The time-stamping authority failed.
    #[error("time-stamp: {0}")]
    Timestamp(String),
    /// Revocation data could not be fetched.
    #[error("revocation data: {0}")]
    Revocation(String),
    /// The token failed.
    #[error("signing token: {0}")]
    Token(String),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl From<der::Error> for PadesError {
    fn from(e: der::Error) -> Self {
        Self::Der(e.to_string())
    }
}
