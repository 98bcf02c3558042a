//! ASiC-E containers and XAdES signatures, as Estonia's DigiDoc4 and libdigidocpp make and check
//! them (asice.md).
//!
//! - [`zip`]: the ZIP layer: a scanner that checks the central directory and every local header
//!   before anything is trusted, a bounded streaming entry reader, a streaming writer.
//! - [`container`]: `mimetype`, manifest, data files and signature entries; create, open, list,
//!   extract, add files (unsigned only), add and remove signatures.
//! - [`asics`]: validating ASiC-S containers with a time-stamp token.
//! - [`extend`]: raising the signatures of a container to B-LT or B-LTA.
//! - [`place`]: atomic writes; a new file never replaces an existing one.
//! - [`xades`]: XAdES baseline signatures B-B … B-LTA: building them around a token's signature
//!   value, and validating them in the ETSI EN 319 102-1 vocabulary.
//!
//! Nothing here reads the system clock or opens a socket: the time comes from a
//! [`signet_core::Clock`], the network from a [`signet_core::Fetch`].

pub mod asics;
pub mod container;
pub mod extend;
#[doc(hidden)]
pub mod fuzzing;
pub mod place;
pub mod session;
pub mod xades;
pub mod xml;
pub mod zip;

pub use container::{AsicError, Container, DataFile, FileDigest, InputFile, Manifest};
