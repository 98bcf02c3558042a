//! Signet's PDF layer: a defensive reader that loads objects lazily through the
//! cross-reference (classic tables, xref streams, hybrid files, object streams, any number of
//! incremental revisions, linearised files), and an incremental writer that appends one
//! revision after the last byte and reports the exact offset of everything it writes, so a
//! signature's `/ByteRange` and `/Contents` placeholder can be exact. No cryptography here.
//!
//! Untrusted input is bounded: nesting depth, reference chains, `/Prev` chains (loops refused),
//! decoded stream sizes and page-tree depth all have limits. Encrypted files are refused.
//! Nothing is repaired while reading: a file whose cross-reference does not hold is an error.
//! [`normalise::rewrite`] rebuilds an unsigned one, only when the person asks for it.

mod document;
mod filter;
pub mod fuzzing;
pub mod normalise;
mod object;
mod parse;
#[cfg(test)]
mod testdata;
mod writer;

pub use document::{Document, Revision, Section, XrefEntry, XrefKind, revisions};
pub use filter::decode as decode_stream;
pub use object::{Dict, ObjRef, Object, RawPositions, Stream, decode_text, serialize};
pub use parse::{IndirectObject, Parser};
pub use writer::{Appended, Update};

/// Why a PDF could not be read or updated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// No `%PDF-` header.
    #[error("this is not a PDF file (no %PDF- header in the first kilobyte)")]
    NotPdf,
    /// No `startxref` near the end.
    #[error("the PDF has no startxref near its end: it is truncated or damaged")]
    NoStartxref,
    /// A broken cross-reference section.
    #[error("the cross-reference at byte {offset} is broken: {what}")]
    Xref {
        /// Where.
        offset: usize,
        /// What.
        what: String,
    },
    /// A syntax error.
    #[error("PDF syntax error at byte {offset}: {what}")]
    Syntax {
        /// Where.
        offset: usize,
        /// What.
        what: String,
    },
    /// A structural problem (catalog, pages, object streams).
    #[error("PDF structure: {0}")]
    Structure(String),
    /// The file is encrypted.
    #[error(
        "the PDF is encrypted; Signet cannot sign or check encrypted PDFs yet: remove the password in a PDF editor first"
    )]
    Encrypted,
    /// A feature Signet does not read.
    #[error("unsupported PDF feature: {0}")]
    Unsupported(String),
    /// A limit was reached.
    #[error("the PDF has too many {0}")]
    TooLarge(&'static str),
}
